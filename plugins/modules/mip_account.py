#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mip_account
short_description: Manage a Microsoft Information Protection (MIP) account in Zscaler Internet Access
version_added: 0.1.0
description:
  - Brings an MIP account of the ZIA Admin Portal (Policies > Data Protection > Common Resources > MIP Labels)
    to the declared state, validates a custom connector's credentials against Microsoft before saving them,
    activates the change and can wait until the account is validated, active or has retrieved its labels.
  - Accounts are read through ZIA's documented API. ZIA documents no API that writes MIP accounts; the module
    uses one small contract shaped like the read model, and when a ZIA cloud has no such endpoint it stops with
    the exact Admin Portal steps for this account (never pretending a write happened). With O(wait_for) it then
    waits, through the read API, until a person has done them.
author:
  - mipconnect.zia contributors (@mipconnect)
requirements:
  - msal
  - requests
  - cryptography
extends_documentation_fragment:
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
  platform:
    platforms: posix
  action_group:
    support: full
    membership:
      - mipconnect.zia.all
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
    description: Turn the account's Label Retrieval on or off. Left as it is when not given (off on creation).
    type: bool
  status:
    description: V(inactive) sets the account to Tenant Inactive (no retrieval); V(active) undoes that.
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
      - V(validated) waits for a validation result and fails if it is Validation Failed; V(active) for the
        account to be Active (or Tenant Inactive); V(labels_retrieved) for a successful label scan.
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
  label_count:
    description:
      - Read the account's labels to return RV(account.label_count) (one request). V(false) when the play reads
        the labels anyway, for example with M(mipconnect.zia.mip_labels_info); RV(account.label_count) is null then.
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
    label_count: 8
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
      description: Client ID of the custom connector, when ZIA reports it.
      type: str
    statuses:
      description: ZIA's status values, kept as they come.
      type: list
      elements: str
    status:
      description: The portal's wording, one of Validation Successful, Validation Failed, Active, Retrieval Pending, Tenant Inactive.
      type: str
    label_retrieval:
      description: Whether Label Retrieval is on, as ZIA says; else on once ZIA has scanned labels; null when unknown.
      type: bool
    inactive:
      description: Whether the account is Tenant Inactive.
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
    label_count:
      description:
        - Number of labels ZIA holds for the account, not counting labels it marks deleted.
        - Null with O(label_count=false).
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

from ansible_collections.mipconnect.zia.plugins.module_utils import consent
from ansible_collections.mipconnect.zia.plugins.module_utils import names
from ansible_collections.mipconnect.zia.plugins.module_utils.credential_validation import validate_connector
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.mip_account import MipAccountReconciler, MipAccountSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import (
    ENTRA_ENDPOINTS_ARGUMENT_SPEC,
    ZIA_AUTH_ARGUMENT_SPEC,
    MipConnectModule,
    require_guid,
    require_range,
    require_text,
)

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["absent", "present"]),
    connector=dict(type="str", default="custom", choices=["custom", "zscaler_defined"]),
    tenant_id=dict(type="str"),
    client_id=dict(type="str"),
    client_secret=dict(type="str", no_log=True),
    update_secret=dict(type="str", default="on_create", choices=["always", "on_create"], no_log=False),
    validate=dict(type="bool", default=True),
    validation_wait=dict(type="int", default=0),
    label_retrieval=dict(type="bool"),
    status=dict(type="str", choices=["active", "inactive"]),
    reauthorize=dict(type="bool", default=False),
    activate=dict(type="bool", default=True),
    wait_for=dict(type="str", default="none", choices=["active", "labels_retrieved", "none", "validated"]),
    wait_timeout=dict(type="int", default=600),
    known_accounts=dict(type="list", elements="dict"),
    label_count=dict(type="bool", default=True),
)


def build_spec(params, endpoints):
    p = params
    if p["connector"] == "zscaler_defined" and (p["client_id"] or p["client_secret"]):
        raise InputError("client_id", "a Zscaler-defined connector has no client id or secret of yours; "
                                      "remove them or use connector: custom.")
    if p["client_secret"] is not None and not p["client_secret"].strip():
        raise InputError("client_secret", "is empty.")
    require_range("wait_timeout", p["wait_timeout"], 1, 7200)
    require_range("validation_wait", p["validation_wait"], 0, 3600)
    client_id = require_guid("client_id", p["client_id"])
    for account in p["known_accounts"] or []:
        if not isinstance(account.get("name"), str) or not isinstance(account.get("id"), int):
            raise InputError("known_accounts", "every entry needs the name and id mipconnect.zia.mip_account_info "
                                               "returns; pass its accounts as they are.")
    return MipAccountSpec(
        name=names.shown(require_text("name", p["name"], 255)),
        connector=p["connector"],
        tenant_id=require_guid("tenant_id", p["tenant_id"]),
        client_id=client_id,
        client_secret=p["client_secret"],
        update_secret=p["update_secret"],
        validate=p["validate"],
        validation_wait=p["validation_wait"],
        label_retrieval=p["label_retrieval"],
        status=p["status"],
        reauthorize=p["reauthorize"],
        activate=p["activate"],
        wait_for=p["wait_for"],
        wait_timeout=p["wait_timeout"],
        known_accounts=p["known_accounts"],
        label_count=p["label_count"],
        consent_url=consent.admin_consent_url(endpoints.authority_host, client_id or "<client id>"),
    )


def main():
    module = MipConnectModule(ARGUMENT_SPEC, shared_specs=(ZIA_AUTH_ARGUMENT_SPEC, ENTRA_ENDPOINTS_ARGUMENT_SPEC))

    def work():
        endpoints = module.entra_endpoints()
        spec = build_spec(module.params, endpoints)

        def validator(client_id, client_secret, tenant_id):
            return validate_connector(module.http(), endpoints, tenant_id, client_id, client_secret,
                                      wait=spec.validation_wait)

        reconciler = MipAccountReconciler(module.zia_client(), spec, module.check_mode, validator=validator)
        return reconciler.present() if module.params["state"] == "present" else reconciler.absent()

    module.run(work, session_end_path=("activation",))


if __name__ == "__main__":
    main()
