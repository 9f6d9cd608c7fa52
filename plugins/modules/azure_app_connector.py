#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: azure_app_connector
short_description: Register and prepare a Zscaler custom connector in Microsoft Entra ID
version_added: 1.0.0
description:
  - Brings the Microsoft Entra ID side of a Zscaler custom connector to the state Zscaler's guide
    "Authorizing a Custom Zscaler Connector for Microsoft Applications" describes, for any of
    Exchange, MIP labels, OneDrive, SharePoint, Teams, Azure Blob Storage and Copilot.
  - Registers the application (multi-tenant, web redirect URI), its service principal, the API permissions
    of every application asked for, admin consent for them, a client secret, and where needed the SharePoint
    certificate with its private-key JSON file, the Azure Blob Storage role assignments and the Copilot
    Power Platform registration.
  - The application is found by O(unique_name) (an immutable alternate key) or O(app_id), never by display name,
    so re-runs never create duplicates.
  - Idempotent; in check mode only reads are sent and the result predicts every change.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - mipconnect.zia.entra_auth
  - mipconnect.zia.entra_endpoints
  - mipconnect.zia.connection
attributes:
  check_mode:
    support: full
    details: Sends only GET requests and reports the changes a real run would make.
  diff_mode:
    support: full
    details: Shows the application, its permissions, consent, secrets (metadata only) and certificates before and after.
options:
  state:
    description:
      - V(present) creates or updates the connector; V(absent) deletes the application with its service
        principal and grants, and the role assignments this module made at O(subscription_id) (give it again;
        Azure lists role assignments per subscription, so without it none are looked for, and deleting the
        principal leaves them orphaned).
      - Entra moves a deleted application and its principal to deleted items, where they stay 30 days and the
        application keeps its O(unique_name). With O(state=present), when deleted items hold an application with
        O(unique_name), it is restored (same client id, with the secrets and certificates it had; its principal
        is restored too and admin consent granted again) rather than a second one made. See
        O(permanently_delete) to free the name instead.
    type: str
    choices: [absent, present]
    default: present
  permanently_delete:
    description:
      - With O(state=absent), also delete the application from deleted items, so it cannot be restored and its
        O(unique_name) is free at once. Also purges an application with O(unique_name) that an earlier run (or a
        person) deleted.
    type: bool
    default: false
  display_name:
    description:
      - Display name of the application, for example C(Zscaler MIP Connector). Not used to find it.
      - Required with O(state=present).
    type: str
  unique_name:
    description:
      - Stable unique key of the application in the tenant (Graph C(uniqueName)). Used to find it and to create it.
      - At least one of O(unique_name) and O(app_id) is required. With both, O(app_id) is looked up first.
    type: str
  app_id:
    description:
      - Application (client) ID of an existing application to manage, for connectors made by hand.
    type: str
  sign_in_audience:
    description:
      - Who may sign in. Zscaler requires a multi-tenant application.
    type: str
    choices: [AzureADMultipleOrgs, AzureADMyOrg]
    default: AzureADMultipleOrgs
  redirect_uris:
    description:
      - Web redirect URIs. The first one is used in the admin consent URL.
    type: list
    elements: str
    default: ['https://console.zscaler.com']
  applications:
    description:
      - Microsoft applications the connector serves. The API permissions requested are the union of
        Zscaler's tables for these applications.
    type: list
    elements: str
    choices: [azure_blob_storage, copilot, exchange, mip, onedrive, sharepoint, teams]
    default: [mip]
  extra_permissions:
    description:
      - Permissions to request in addition to those of O(applications), each a dictionary with the keys
        C(resource) (required; the resource API as its appId GUID or one of C(microsoft_graph),
        C(sharepoint_online), C(office365_management_apis), C(rights_management), C(mip_sync_service),
        C(azure_storage), C(azure_service_management)), C(permission) (required; the permission's value, for
        example C(User.Read.All)) and C(type) (C(Role) for an application permission, the default, or C(Scope)
        for a delegated one).
    type: list
    elements: raw
    default: []
  purge_permissions:
    description:
      - Remove requested permissions and granted app roles that neither O(applications) nor
        O(extra_permissions) ask for. By default other permissions are left alone.
    type: bool
    default: false
  grant_admin_consent:
    description:
      - Grant tenant-wide admin consent for every requested permission (app role assignments for
        application permissions, an C(AllPrincipals) grant for delegated ones).
      - When the identity running the module may not grant consent, the module fails and gives the
        admin consent URL to open instead.
    type: bool
    default: true
  consent_for:
    description:
      - Which ZIA Admin Portal page the consent URL returns to; sets its C(state) parameter.
      - Defaults to V(mip_account) when O(applications) includes V(mip), else V(saas_tenant).
    type: str
    choices: [mip_account, saas_tenant]
  create_secret:
    description:
      - Whether the module manages a client secret at all. Set V(false) for certificate-only connectors.
    type: bool
    default: true
  secret_description:
    description:
      - Description (display name) of the client secret. Secrets with this description are the ones this
        module manages; other secrets of the application are never touched.
    type: str
    default: Zscaler connector (mipconnect.zia)
  secret_expires_in_days:
    description:
      - Lifetime of a new client secret, 1 to 730 days (the Azure portal's maximum, and Microsoft's advice).
    type: int
    default: 730
  rotate:
    description:
      - When to add a new client secret.
      - V(never) adds one only when the application has no secret with O(secret_description).
      - V(when_expiring) adds one when none of them is valid for more than O(rotate_before_days).
      - V(always) adds one on every run (not idempotent by design).
      - A run that adds a secret returns it once, as RV(client_secret); such a run must have C(no_log) set on
        the task, or the module refuses before any change, so the secret never reaches the output.
    type: str
    choices: [always, never, when_expiring]
    default: never
  rotate_before_days:
    description:
      - With O(rotate=when_expiring), how many days before expiry a new secret is added. Must be less than
        O(secret_expires_in_days).
    type: int
    default: 30
  rotation_force:
    description:
      - Report the client secret as due for rotation in RV(secret_rotation) even when it is not expiring.
      - Adds no secret by itself (O(rotate) does); the connector_secret_rotation role passes its
        C(connector_secret_rotation_force) here and rotates when RV(secret_rotation.due) is true.
    type: bool
    default: false
  secret_shared_with:
    description:
      - Names of other ZIA MIP accounts of this Entra tenant (M(mipconnect.zia.mip_account_info) with
        C(tenant_id) and C(exclude_name) lists them). Any of them may hold one of the secrets with
        O(secret_description), so while there are any, more than one such secret is not reported as an unfinished
        rotation in RV(secret_rotation).
    type: list
    elements: str
    default: []
  remove_old_secrets_after:
    description:
      - Remove this module's older secrets once the newest one has existed for this many days.
      - V(0) removes them in the same run; use it only after the new secret is stored in ZIA and validated
        (the rotation role does this).
      - By default no secret is ever removed.
    type: int
  lease_owner:
    description:
      - The RV(mipconnect.zia.connector_lease#module:owner) of the lease this run took with
        mipconnect.zia.connector_lease. Just before a client secret is added or removed the module reads the
        application again and stops, changing no secret, unless that lease is still this run's.
      - Without it the module refuses to change anything while another run holds the lease.
    type: str
  private_key_json_path:
    description:
      - Where the SharePoint private-key JSON file (C({"private_key", "public_cert"})) is kept, mode 0600.
      - Required when O(applications) includes V(sharepoint). An existing file with a valid certificate is
        reused; otherwise a new RSA 2048 certificate is made, the file written, then the certificate uploaded.
      - An existing file that users other than its owner may read or write is refused before any change.
    type: path
  certificate_validity_days:
    description: Validity of a new SharePoint certificate, 1 to 3650 days.
    type: int
    default: 1461
  certificate_renew_before_days:
    description:
      - Make a new certificate when the stored one expires within this many days.
      - The new certificate is uploaded beside the old one, which stays on the application until it expires
        (ZIA signs in with the old private key until a person uploads the new JSON file; RV(pending_steps) says
        so). The first run after it expired removes it.
    type: int
    default: 30
  subscription_id:
    description:
      - Azure subscription whose storage the connector scans. Required when O(applications) includes
        V(azure_blob_storage); the C(Storage Blob Data Contributor) and C(Storage Account Contributor)
        roles are assigned at its scope.
      - Falls back to the E(AZURE_SUBSCRIPTION_ID) environment variable (set by AWX's Azure Resource Manager
        credential); an empty variable counts as unset.
    type: str
  power_platform_token:
    description:
      - An access token of a Power Platform administrator (audience C(https://service.powerapps.com/) in the
        global cloud; the Power Platform service of O(cloud) elsewhere), used to register the connector as a
        Power Platform management application for Copilot at the Power Platform host of O(cloud).
      - Without it the result lists the remaining step in RV(pending_steps).
    type: str
notes:
  - Deleted applications stay in Entra's deleted items for 30 days and keep their O(unique_name); O(state=present)
    restores such an application, O(permanently_delete) frees the name.
  - Secrets are never read back from Microsoft; only the run that creates one can return it.
  - The client secret is the last change a run makes, after the certificate, role assignments and Power Platform
    registration, so a failure in those steps leaves no secret behind.
  - While a client secret is being added, the application carries the tag
    C(mipconnect.zia:secret-in-flight:<time>), removed once Microsoft has answered and old secrets are removed
    (O(remove_old_secrets_after)). If the answer was lost (timeout, the run killed), the next run finds the tag,
    removes this module's secrets created since that time (nobody holds their value) and adds one it can return.
    The secret is created with the tag's time (a minute before the run's clock) as its start, so recognising it
    does not depend on the controller's clock agreeing with Microsoft's. Only a run killed after removing the tag
    but before it ended can still lose a secret.
  - "Concurrent runs on one tenant (two AWX jobs, a relaunch while the first job runs, two pipelines) take turns
    through a lease on the application, a tag C(mipconnect.zia:lease:<owner>;<start>;<expiry>) taken with
    mipconnect.zia.connector_lease. Graph has no compare-and-swap on tags, so a run writes its lease only when
    no other live lease is there, waits two seconds for a run that read the tags before that write to land its
    own, and reads again: the live lease with the earliest start (then owner) holds; the others take theirs out
    and wait (O(mipconnect.zia.connector_lease#module:wait)), then stop with a message naming the run that holds
    it. A lease ends at its expiry, when its run gives it back, or at once when its run ran on the same host and
    its process is gone (killed)."
  - "The invariant the roles keep under that lease: a client secret is removed only after ZIA has validated,
    after this run stored it, the secret that stays (mipconnect.zia.mip_account returns C(secret_validated));
    a run that creates a secret stores it in ZIA (C(update_secret=always)) or leaves it marked in flight, so the
    next run removes it; and before any secret is added or removed the lease is checked again on a fresh read,
    so a run whose lease expired or was taken over stops there. Runs that would change nothing (every re-run)
    take no lease and write nothing."
seealso:
  - module: mipconnect.zia.connector_lease
  - name: Authorizing a Custom Zscaler Connector for Microsoft Applications
    description: The Zscaler guide this module automates.
    link: https://help.zscaler.com/unified/authorizing-custom-zscaler-connector-microsoft-applications
"""

EXAMPLES = r"""
- name: Register the MIP custom connector and keep its first client secret
  mipconnect.zia.azure_app_connector:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ entra_admin_client_id }}"
    auth_client_secret: "{{ entra_admin_client_secret }}"
    display_name: Zscaler MIP Connector
    unique_name: zscaler-mip-connector
    applications: [mip]
  register: connector
  no_log: true  # the run that creates the secret returns it

- name: Prepare a SharePoint and OneDrive connector with its certificate file
  mipconnect.zia.azure_app_connector:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ entra_admin_client_id }}"
    auth_client_secret: "{{ entra_admin_client_secret }}"
    display_name: Zscaler SharePoint Connector
    unique_name: zscaler-sharepoint-connector
    applications: [sharepoint, onedrive]
    private_key_json_path: /etc/zscaler/sharepoint-private-key.json
  no_log: true

- name: Azure Blob Storage connector with its role assignments
  mipconnect.zia.azure_app_connector:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ entra_admin_client_id }}"
    auth_client_secret: "{{ entra_admin_client_secret }}"
    display_name: Zscaler Blob Connector
    unique_name: zscaler-blob-connector
    applications: [azure_blob_storage]
    subscription_id: "{{ azure_subscription_id }}"
  no_log: true

- name: Add a new secret 30 days before the current one expires
  mipconnect.zia.azure_app_connector:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ entra_admin_client_id }}"
    auth_client_secret: "{{ entra_admin_client_secret }}"
    display_name: Zscaler MIP Connector
    unique_name: zscaler-mip-connector
    rotate: when_expiring
    rotate_before_days: 30
  register: rotation
  no_log: true

- name: Ask whether the client secret is due for rotation (reads only)
  mipconnect.zia.azure_app_connector:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ entra_admin_client_id }}"
    auth_client_secret: "{{ entra_admin_client_secret }}"
    display_name: Zscaler MIP Connector
    unique_name: zscaler-mip-connector
    rotate_before_days: 45
  check_mode: true
  register: connector

- name: Say why
  ansible.builtin.debug:
    msg: "Rotate: {{ connector.secret_rotation.reason }} (newest secret expires {{ connector.secret_rotation.expires }})"
  when: connector.secret_rotation.due

- name: Remove the connector
  mipconnect.zia.azure_app_connector:
    tenant_id: "{{ entra_tenant_id }}"
    auth_client_id: "{{ entra_admin_client_id }}"
    auth_client_secret: "{{ entra_admin_client_secret }}"
    unique_name: zscaler-mip-connector
    state: absent
"""

RETURN = r"""
client_id:
  description: Application (client) ID of the connector, to enter in the ZIA Admin Portal. Null in check mode before creation.
  returned: when the application exists or is created
  type: str
  sample: 3f2a9c1e-0b6d-4f7e-9a51-2c8d7e6f5a40
tenant_id:
  description: Directory (tenant) ID.
  returned: always
  type: str
  sample: "5f0153d6-170d-4059-a4a4-c9b02df00c74"
object_id:
  description: Object ID of the application.
  returned: state=present
  type: str
  sample: "8b1f3c2d-4e5a-4b6c-9d7e-0f1a2b3c4d5e"
service_principal_id:
  description: Object ID of the connector's service principal (enterprise application).
  returned: state=present
  type: str
  sample: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
client_secret:
  description:
    - The new client secret's value. Returned only by the run that created it; Microsoft never shows it again.
  returned: when a secret was created
  type: str
  sample: "(the secret's value, shown once)"
secrets:
  description: The application's client secrets, without values.
  returned: state=present
  type: list
  sample:
    - key_id: 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d
      description: mipconnect.zia
      hint: Abc
      start: '2026-01-12T09:29:58Z'
      expires: '2028-01-12T09:29:58Z'
  elements: dict
  contains:
    key_id:
      description: Secret ID.
      type: str
    description:
      description: Description (display name).
      type: str
    hint:
      description:
        - The first three characters of the value, exactly as Microsoft Graph returns them to anyone who may
          read the application (C(passwordCredential.hint)) and the Azure portal shows them. They tell secrets
          apart; they are not enough to use one. The module never derives anything else from a value.
      type: str
    start:
      description: Start of validity (UTC).
      type: str
    expires:
      description: End of validity (UTC).
      type: str
permissions:
  description: Per resource API, the requested permissions that are granted (admin consent) and those still missing.
  returned: state=present
  type: dict
  sample: {"Microsoft Graph": {"granted": ["InformationProtectionPolicy.Read.All"], "missing": []}}
admin_consent_url:
  description: The URL an administrator opens to grant consent in a browser, as in Zscaler's guide.
  returned: state=present
  type: str
  sample: "https://login.microsoftonline.com/common/adminconsent?client_id=3f2a9c1e-0b6d-4f7e-9a51-2c8d7e6f5a40&\
    state=administration%2Fmip-labels&redirect_uri=https%3A%2F%2Fconsole.zscaler.com"
certificate:
  description: The SharePoint certificate.
  returned: when applications includes sharepoint
  type: dict
  sample:
    thumbprint: 3C1F0A9B8E7D6C5B4A39281706F5E4D3C2B1A098
    expires: '2030-01-12T09:29:58Z'
    private_key_json_path: /etc/zscaler/sharepoint-private-key.json
  contains:
    thumbprint:
      description: SHA-1 thumbprint, as the Azure portal shows it.
      type: str
    expires:
      description: End of validity (UTC).
      type: str
    private_key_json_path:
      description: Path of the private-key JSON file to upload to the ZIA Admin Portal.
      type: str
role_assignments:
  description: The Azure role assignments of the connector.
  returned: when applications includes azure_blob_storage
  type: list
  sample:
    - role: Storage Blob Data Contributor
      scope: /subscriptions/0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e
      name: 6e5d4c3b-2a19-5807-9f6e-5d4c3b2a1908
  elements: dict
power_platform:
  description: Copilot registration as a Power Platform management app; C(registered) is null when no token was given.
  returned: when applications includes copilot
  type: dict
  sample: {"registered": true}
pending_steps:
  description: Steps left for a person, in words, with the exact command or URL.
  returned: state=present
  type: list
  sample:
    - 'Copilot: register the connector as a Power Platform management app, as a Power Platform administrator
      (or give power_platform_token).'
  elements: str
portal_steps:
  description:
    - The ZIA Admin Portal steps that add the applications as SaaS application tenants (Policies > Common
      Configuration > Out-of-Band CASB > SaaS Application Tenants), in Zscaler's words, with this connector's
      values. ZIA has no API for them. Where the tool cannot know a value (the Tenant Name, the Zscaler SaaS
      Connector ID shown after Authorize) the step says what to enter or copy.
  returned: state=present and the consent URL is for SaaS application tenants (O(consent_for=saas_tenant))
  type: list
  elements: str
secret_rotation:
  description:
    - Whether the client secrets with O(secret_description) are due for rotation, as this run leaves them (in
      check mode, as it would leave them). The connector_secret_rotation role rotates when RV(secret_rotation.due)
      is true. More than one such secret counts as a rotation that did not finish (its older secrets were not
      removed yet) unless O(secret_shared_with) names an account that may hold one.
  returned: state=present
  type: dict
  sample: {"due": true, "reason": "the secret expires 2027-01-12T09:29:58Z", "expires": "2027-01-12T09:29:58Z"}
  contains:
    due:
      description: Whether a rotation is due.
      type: bool
    reason:
      description:
        - Why, in words; the first that applies of C(the connector does not exist),
          C(an earlier rotation did not finish (N secrets)), C(the connector has no secret of ours), C(forced)
          (O(rotation_force)), C(a client secret's expiry cannot be read (...)), C(the secret expires <time>)
          (the newest expiry is less than O(rotate_before_days) days away); else C(not due).
      type: str
    expires:
      description: The newest expiry of those secrets (UTC, to the second); null when none has one.
      type: str
changes:
  description: What was changed (or, in check mode, what would be), one sentence per change.
  returned: always
  type: list
  elements: str
  sample: ["create application 'Zscaler MIP Connector' (uniqueName zscaler-mip)", "create service principal for the application"]
"""

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import secret_rotation
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.connector import DEFAULTS, ConnectorReconciler, ConnectorSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import MipConnectModule, env_fallback

ARGUMENT_SPEC = dict(
    state=dict(type="str", default="present", choices=["absent", "present"]),
    permanently_delete=dict(type="bool", default=DEFAULTS["permanently_delete"]),
    display_name=dict(type="str"),
    unique_name=dict(type="str"),
    app_id=dict(type="str"),
    sign_in_audience=dict(type="str", default=DEFAULTS["sign_in_audience"],
                          choices=["AzureADMultipleOrgs", "AzureADMyOrg"]),
    redirect_uris=dict(type="list", elements="str", default=list(DEFAULTS["redirect_uris"])),
    applications=dict(type="list", elements="str", default=list(DEFAULTS["applications"]),
                      choices=catalog.APPLICATION_NAMES),
    # Elements are checked by ConnectorSpec.from_params: ansible-core's own dict
    # conversion error does not name the option.
    extra_permissions=dict(type="list", elements="raw", default=list(DEFAULTS["extra_permissions"])),
    purge_permissions=dict(type="bool", default=DEFAULTS["purge_permissions"]),
    grant_admin_consent=dict(type="bool", default=DEFAULTS["grant_admin_consent"]),
    consent_for=dict(type="str", choices=["mip_account", "saas_tenant"]),
    create_secret=dict(type="bool", default=DEFAULTS["create_secret"]),
    secret_description=dict(type="str", default=DEFAULTS["secret_description"], no_log=False),
    secret_expires_in_days=dict(type="int", default=DEFAULTS["secret_expires_in_days"], no_log=False),
    rotate=dict(type="str", default=DEFAULTS["rotate"], choices=["always", "never", "when_expiring"]),
    rotate_before_days=dict(type="int", default=DEFAULTS["rotate_before_days"]),
    remove_old_secrets_after=dict(type="int", no_log=False),
    private_key_json_path=dict(type="path"),
    certificate_validity_days=dict(type="int", default=DEFAULTS["certificate_validity_days"]),
    certificate_renew_before_days=dict(type="int", default=DEFAULTS["certificate_renew_before_days"]),
    subscription_id=dict(type="str", fallback=(env_fallback, ["AZURE_SUBSCRIPTION_ID"])),
    power_platform_token=dict(type="str", no_log=True),
    lease_owner=dict(type="str"),
    rotation_force=dict(type="bool", default=False),
    secret_shared_with=dict(type="list", elements="str", default=[], no_log=False),
)


def main():
    module = MipConnectModule(
        ARGUMENT_SPEC,
        required_one_of=[("unique_name", "app_id")],
        required_if=[("state", "present", ["display_name"])],
    )

    def work():
        spec = ConnectorSpec.from_params(module.params)
        clients = module.clients
        reconciler = ConnectorReconciler(
            clients.graph(), clients.arm(), clients.power_platform(spec.power_platform_token),
            clients.entra_endpoints(), clients.entra_tokens().tenant_id, spec, module.check_mode,
            replication_timeout=module.params["replication_timeout"],
            secret_output_allowed=module.ansible.no_log)
        if module.params["state"] == "absent":
            return reconciler.absent()
        result = reconciler.present()
        result["secret_rotation"] = secret_rotation_of(result, module.params, reconciler.now)
        return result

    module.run(work)


def secret_rotation_of(result, params, now):
    """The rotation decision on the secrets with our description, as the run leaves them."""
    ours = [s for s in result["secrets"] if s.get("description") == params["secret_description"]]
    return secret_rotation.decide([s.get("expires") for s in ours], now, params["rotate_before_days"],
                                  force=params["rotation_force"], sibling_accounts=len(params["secret_shared_with"]),
                                  connector_exists=bool(result.get("client_id")))


if __name__ == "__main__":
    main()
