#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mip_account
short_description: Manage a Microsoft Information Protection (MIP) account in Zscaler Internet Access
version_added: 1.0.0
description:
  - Brings an MIP account of the ZIA Admin Portal (Policies > Data Protection > Common Resources > MIP Labels)
    to the declared state, validates a custom connector's credentials against Microsoft before saving them,
    activates the change and can wait until the account is validated, active or has retrieved its labels.
  - Accounts are read through ZIA's documented API. ZIA documents no API that writes MIP accounts; the module
    tries one small contract shaped like the read model, and when a ZIA cloud has no such endpoint or refuses
    the call (HTTP 404, 405, 400, 403 or 415, unless the error is about the module's input) it stops with the
    exact Admin Portal steps for this account and the error (never pretending a write happened). With
    O(wait_for) it then waits, through the read API, until a person has done them. RV(assumed_contract_writes)
    lists the writes that went through the contract.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - mipconnect.zia.zia_auth
  - mipconnect.zia.entra_endpoints
  - mipconnect.zia.connection
attributes:
  check_mode:
    support: full
    details: Sends only reads, never validates against Microsoft with a write, never activates.
  diff_mode:
    support: full
    details: Shows the account before and after; the client secret is always redacted.
options:
  name:
    description:
      - Account Name, unique among MIP accounts. The account is found by this name, compared as ZIA compares
        names (case, whitespace around the name and runs of whitespace inside it do not count); a new account is
        created with the name as ZIA stores it (trimmed, whitespace runs as one space).
    type: str
    required: true
  state:
    description: V(present) creates or updates the account; V(absent) deletes it and activates.
    type: str
    choices: [absent, present]
    default: present
  connector:
    description:
      - V(custom) uses the connector app made with M(mipconnect.zia.azure_app_connector) (client id, secret, tenant).
      - V(zscaler_defined) uses Zscaler's own app, which needs a Microsoft sign-in in the portal; an existing one
        is managed (status, label retrieval, deletion, waiting), creating one stops with the portal steps.
    type: str
    choices: [custom, zscaler_defined]
    default: custom
  tenant_id:
    description: Directory (tenant) ID of the Microsoft Entra tenant whose labels are retrieved.
    type: str
  client_id:
    description: Application (client) ID of the custom connector. Required to create a custom account.
    type: str
  client_secret:
    description:
      - Client secret of the custom connector. Write-only, never returned. Required to create a custom account.
    type: str
  update_secret:
    description:
      - V(on_create) sends the secret only when the account is created or O(client_id) changes.
      - V(always) sends it on every run (always reports a change); use it to store a rotated secret.
    type: str
    choices: [always, on_create]
    default: on_create
  validate:
    description:
      - Before saving credentials, get a token with them from Microsoft, check every permission ZIA needs is
        consented and probe the labels endpoint; refuse to save them if that fails, and say why.
    type: bool
    default: true
  validation_wait:
    description:
      - Seconds to keep retrying a validation that fails the way a connector created moments ago fails
        (unknown app or secret, permissions not yet in the token). 0 fails at once.
    type: int
    default: 0
  label_retrieval:
    description:
      - Turn the account's Label Retrieval on or off. Left as it is when not given (off on creation, on with
        O(status=active)).
      - ZIA's documented read API shows Label Retrieval only once labels were scanned. Until then, V(true) is
        written only when the run then waits for the scan (O(wait_for=active), O(wait_for=labels_retrieved) or
        O(status=active)); otherwise it is left as it is, with a warning.
    type: bool
  status:
    description:
      - V(inactive) sets the account to Tenant Inactive (no retrieval).
      - V(active) brings the account to Active, out of Tenant Inactive, and from Validation Success on to Active by
        turning Label Retrieval on (the portal shows Active only for an account that retrieves labels), so it
        cannot go with O(label_retrieval=false). An account ZIA does not list as validated cannot become Active
        by an edit; the module then fails with ZIA's reason, unless the same run sends a new secret or
        O(reauthorize).
    type: str
    choices: [active, inactive]
  reauthorize:
    description: Ask ZIA to validate the account again (the portal's Reauthorize). Always a change.
    type: bool
    default: false
  activate:
    description:
      - Activate the ZIA configuration after a change, waiting up to O(wait_timeout) for it to be ACTIVE.
      - Also activates when this run changed nothing but ZIA reports saved, not yet activated changes
        (C(PENDING)), so that a run interrupted between saving and activating is completed by the next one.
        Those staged changes may include other admins' edits.
      - Check mode never activates.
      - V(false) leaves the changes saved for one later activation (M(mipconnect.zia.zia_activation)) only
        under OneAPI sign-in (O(zscaler_client_id)). ZIA activates what a legacy API session (O(zia_username))
        saved when the session ends, and every run ends its session by logging out, so under legacy sign-in the
        changes are activated as the run ends; RV(activation.activated_by_session_end) and a warning say so.
    type: bool
    default: true
  wait_for:
    description:
      - What to wait for after the change, by polling the read API.
      - V(validated) waits for ZIA to list the account as validated; V(active) for the account to be Active (Tenant
        Inactive with O(status=inactive)); V(labels_retrieved) for a successful label scan.
      - It stops at once, with the reason, when the account cannot get there by waiting (a failed validation,
        Tenant Inactive or Label Retrieval off where that rules the goal out, or a status value that no
        recording of ZIA explains, shown as ZIA sent it).
    type: str
    choices: [active, labels_retrieved, none, validated]
    default: none
  wait_timeout:
    description: Seconds O(wait_for), and activation, may wait, 1 to 7200.
    type: int
    default: 600
  known_accounts:
    description:
      - The organisation's MIP accounts (or those named O(name)) as RV(mipconnect.zia.mip_account_info#module:accounts)
        returned them moments ago in this play. The module finds the account among them instead of listing the
        accounts again, so a play over many tenants lists an organisation once.
      - When the account is not among them, the module lists the accounts itself before it creates one, so a
        listing older than someone else's creation never makes a second account.
    type: list
    elements: dict
  policy_tag_count:
    description:
      - Read the labels ZIA's policy rules use to return RV(account.policy_tag_count) (one request per page).
        V(false) when the play reads them anyway, for example with M(mipconnect.zia.mip_labels_export) and
        O(mipconnect.zia.mip_labels_export#module:source=zia); RV(account.policy_tag_count) is null then.
    type: bool
    default: true
notes:
  - The ZIA APIs are rate limited (GET 2/s, POST and PUT 1/s, DELETE 1/min); the module paces itself and
    retries 429 answers after the wait ZIA asks for.
seealso:
  - module: mipconnect.zia.mip_account_info
  - module: mipconnect.zia.azure_app_connector
  - name: Adding an MIP Account
    description: The Zscaler help page this module automates.
    link: https://help.zscaler.com/unified/adding-mip-account
"""

EXAMPLES = r"""
- name: Add the MIP account for the custom connector and wait until labels are retrieved
  mipconnect.zia.mip_account:
    name: Contoso MIP
    tenant_id: "{{ entra_tenant_id }}"
    client_id: "{{ connector.client_id }}"
    client_secret: "{{ connector_secret }}"
    label_retrieval: true
    validation_wait: 120
    wait_for: labels_retrieved
  no_log: true

- name: List the organisation's MIP accounts once for many tenants
  mipconnect.zia.mip_account_info:
  register: zia_accounts
  run_once: true

- name: Check each tenant's account without listing them again
  mipconnect.zia.mip_account:
    name: "{{ account_name }}"
    tenant_id: "{{ entra_tenant_id }}"
    client_id: "{{ connector.client_id }}"
    known_accounts: "{{ zia_accounts.accounts }}"

- name: Stop label retrieval for a tenant
  mipconnect.zia.mip_account:
    name: Contoso MIP
    status: inactive

- name: Store a rotated client secret, validated first
  mipconnect.zia.mip_account:
    name: Contoso MIP
    tenant_id: "{{ entra_tenant_id }}"
    client_id: "{{ connector.client_id }}"
    client_secret: "{{ new_secret }}"
    update_secret: always
    wait_for: validated
  no_log: true

- name: Delete the account
  mipconnect.zia.mip_account:
    name: Contoso MIP
    state: absent
"""

RETURN = r"""
account:
  description: The account as ZIA gives it and as the portal words it. Null when absent.
  returned: always
  type: dict
  sample:
    id: 11789488
    name: Contoso MIP
    tenant_id: 5f0153d6-170d-4059-a4a4-c9b02df00c74
    connector: custom
    client_id: 3f2a9c1e-0b6d-4f7e-9a51-2c8d7e6f5a40
    statuses:
    - CASB_TENANT_ACTIVE
    - CASB_TENANT_VALIDATION_SUCCESS
    status: Active
    label_retrieval: true
    inactive: false
    validation_status: CASB_TENANT_VALIDATION_SUCCESS
    validation_message: null
    last_validation_time: '2026-01-12T09:30:05Z'
    last_label_scan_time: '2026-01-12T09:31:40Z'
    policy_tag_count: 8
  contains:
    id:
      description: ZIA's id of the account (C(tenantId) in the API). Null in check mode before creation.
      type: int
    name:
      description: Account Name.
      type: str
    tenant_id:
      description: Entra tenant GUID (C(enterpriseTenantId)).
      type: str
    connector:
      description: C(custom) or C(zscaler_defined) when ZIA says.
      type: str
    client_id:
      description:
        - Client ID of the connector, when ZIA reports it (C(tenantAuthorizationInfo.clientId) of the validation
          status, else C(zscalerAppTenantId.name) of the account when that is a GUID).
      type: str
    statuses:
      description: ZIA's status values, kept as they come.
      type: list
      elements: str
    status:
      description:
        - The portal's word for the account (Active, Retrieval Pending, Tenant Inactive, Validation Failed, Validation
          Success), worked out from the status values ZIA is known to send (C(CASB_TENANT_ACTIVE),
          C(CASB_TENANT_VALIDATION_SUCCESS)) and the account's other fields.
        - Any other status value is shown as ZIA sent it (comma-separated), since no recording says what it means.
      type: str
    label_retrieval:
      description: Whether Label Retrieval is on, as ZIA says; else on once ZIA has scanned labels; null when unknown.
      type: bool
    inactive:
      description:
        - Whether the account is Tenant Inactive; null when ZIA's answer does not tell (no status, or a status value
          no recording explains).
      type: bool
    validation_status:
      description: Result of ZIA's last validation.
      type: str
    validation_message:
      description: ZIA's reason for that result.
      type: str
    last_validation_time:
      description: Time of the last validation (UTC, ISO 8601).
      type: str
    last_label_scan_time:
      description: Time of the last successful label scan (UTC, ISO 8601).
      type: str
    policy_tag_count:
      description:
        - Number of the account's labels that ZIA's policy rules use (C(/casbTenant/{id}/tags/policy)), not counting
          tags marked deleted (gone from Purview). Not the number of labels ZIA retrieved, which ZIA's API does not
          report.
        - Null with O(policy_tag_count=false).
      type: int
validation:
  description:
    - Our validation of the connector's credentials against Microsoft, when credentials were to be sent.
    - Also in the failure result when the validation failed, so that a task with C(ignore_errors) can read why.
    - Holds no secret or token.
  returned: when credentials were validated
  type: dict
  sample:
    valid: true
    reason: The connector's credentials work and every required permission is consented.
    aadsts: null
    missing_permissions: {}
    granted_roles:
      Microsoft Graph:
      - InformationProtectionPolicy.Read.All
      - User.Read.All
    labels_probe:
      ok: true
      endpoint: beta/security/informationProtection/sensitivityLabels
      status: 200
      labels_seen: 1
  contains:
    valid:
      description: Whether the credentials work with every required permission.
      type: bool
    reason:
      description: Why, in words.
      type: str
    aadsts:
      description: The AADSTS error code, when Microsoft refused a token.
      type: int
    missing_permissions:
      description: Per resource API (by display name), the application permissions not consented.
      type: dict
    granted_roles:
      description: Per resource API (by display name), the application permissions the token carried.
      type: dict
    labels_probe:
      description: The one sensitivity labels request made with the connector's token; null when not made.
      type: dict
      contains:
        ok:
          description: Whether the labels endpoint answered.
          type: bool
        endpoint:
          description: The Graph path asked.
          type: str
        status:
          description: The HTTP status of the answer.
          type: int
        labels_seen:
          description: Labels in the answer (at most one is asked for), when it succeeded.
          type: int
        error:
          description: The error, when it failed.
          type: str
    not_checked:
      description: What could not be checked in the chosen Microsoft cloud (for example the labels request
        where Graph has no label API), each as a sentence.
      type: list
      elements: str
secret_validated:
  description:
    - Whether this run stored O(client_secret) in ZIA and ZIA then validated it successfully, by a validation
      done after the store. Only then may the secrets it replaced be removed from the connector.
  returned: always
  type: bool
activation:
  description: Whether the ZIA configuration was activated, its final status and how long it took.
  returned: always
  type: dict
  sample: {"activated": true, "status": "ACTIVE", "seconds": 2.1}
  contains:
    activated:
      description: Whether this run activated the ZIA configuration (never in check mode).
      type: bool
    status:
      description:
        - ZIA's configuration status, C(ACTIVE) after an activation; C(PENDING) or C(INPROGRESS) when it was
          not activated and ZIA said so; null when not asked (check mode, O(activate=false)).
      type: str
    seconds:
      description: How long the activation took, when this run activated.
      type: float
      returned: when activated
    activated_by_session_end:
      description:
        - Whether ZIA activated the changes this run saved because the run's legacy API session ended (the
          logout at the end of the run, or an idle timeout during it), without an activation by the module.
        - Always false under OneAPI sign-in, and when the run saved nothing or activated what it saved.
        - Also in the result of a failed run that saved changes before failing, when it is true.
      type: bool
assumed_contract_writes:
  description:
    - The writes this run made through the write contract the collection assumes (C(POST /casbTenant),
      C(PUT /casbTenant/{id}), C(DELETE /casbTenant/{id})), which Zscaler does not document; empty when every
      change was left to a person in the Admin Portal, or none was needed.
  returned: always
  type: list
  elements: str
  sample: ["POST /casbTenant"]
changes:
  description: What was changed, or would be in check mode.
  returned: always
  type: list
  sample: ["create MIP account 'Contoso MIP'", "activate the ZIA configuration"]
  elements: str
diff:
  description:
    - The account before and after, in the shape of RV(account) without times, counts and ZIA's raw statuses;
      shown with C(--diff).
    - The client secret is never shown, C(client_secret) is C(********), or C((changed)) when this run sent one.
  returned: with --diff
  type: dict
  sample:
    before: null
    after:
      name: Contoso MIP
      tenant_id: 5f0153d6-170d-4059-a4a4-c9b02df00c74
      connector: custom
      client_id: 3f2a9c1e-0b6d-4f7e-9a51-2c8d7e6f5a40
      client_secret: (changed)
      label_retrieval: true
      inactive: false
  contains:
    before:
      description: "The account before the run; C({exists: false}) when there was none."
      type: dict
    after:
      description: "The account after the run (or as planned in check mode); C({exists: false}) when there is none."
      type: dict
"""

from ansible_collections.mipconnect.zia.plugins.module_utils.entra.credential_validation import connector_validator
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.mip_account import (
    DEFAULTS,
    MipAccountReconciler,
    MipAccountSpec,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import (
    ENTRA_ENDPOINTS_ARGUMENT_SPEC,
    ZIA_AUTH_ARGUMENT_SPEC,
    MipConnectModule,
)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["absent", "present"]),
    connector=dict(type="str", default=DEFAULTS["connector"], choices=["custom", "zscaler_defined"]),
    tenant_id=dict(type="str"),
    client_id=dict(type="str"),
    client_secret=dict(type="str", no_log=True),
    update_secret=dict(type="str", default=DEFAULTS["update_secret"], choices=["always", "on_create"], no_log=False),
    validate=dict(type="bool", default=DEFAULTS["validate"]),
    validation_wait=dict(type="int", default=DEFAULTS["validation_wait"]),
    label_retrieval=dict(type="bool"),
    status=dict(type="str", choices=["active", "inactive"]),
    reauthorize=dict(type="bool", default=DEFAULTS["reauthorize"]),
    activate=dict(type="bool", default=DEFAULTS["activate"]),
    wait_for=dict(type="str", default=DEFAULTS["wait_for"], choices=["active", "labels_retrieved", "none", "validated"]),
    wait_timeout=dict(type="int", default=DEFAULTS["wait_timeout"]),
    known_accounts=dict(type="list", elements="dict"),
    policy_tag_count=dict(type="bool", default=DEFAULTS["policy_tag_count"]),
)


def main():
    module = MipConnectModule(ARGUMENT_SPEC, shared_specs=(ZIA_AUTH_ARGUMENT_SPEC, ENTRA_ENDPOINTS_ARGUMENT_SPEC))

    def work():
        endpoints = module.clients.entra_endpoints()
        spec = MipAccountSpec.from_params(module.params, endpoints)
        validator = connector_validator(module.clients.http(), endpoints, wait=spec.validation_wait)
        reconciler = MipAccountReconciler(module.clients.zia(), spec, module.check_mode, validator=validator)
        return reconciler.present() if module.params["state"] == "present" else reconciler.absent()

    module.run(work, session_end_path=("activation",))


if __name__ == "__main__":
    main()
