#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: mip_account_info
short_description: List and search the MIP accounts of Zscaler Internet Access
version_added: 1.0.0
description:
  - Lists the MIP accounts of the ZIA Admin Portal's MIP Labels page through ZIA's documented read API, with
    their statuses both as ZIA gives them and as the portal words them.
  - Optionally adds each account's validation details (with every credential removed) and the number of its
    labels that ZIA's policy rules use.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.attributes
  - mipconnect.zia.attributes.info_module
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - mipconnect.zia.zia_auth
  - mipconnect.zia.connection
options:
  name:
    description:
      - Only the account with this Account Name, compared as ZIA compares names (without regard to case,
        to whitespace around the name, or to runs of whitespace inside it, which the portal shows as one space).
    type: str
  name_contains:
    description: Only accounts whose name contains this text (case-insensitive, whitespace runs as one space).
    type: str
  exclude_name:
    description:
      - Leave out the account with this Account Name (compared like O(name)), for example to list the other
        accounts of an Entra tenant.
    type: str
  tenant_id:
    description: Only accounts of this Entra tenant (GUID).
    type: str
  status:
    description:
      - Only accounts in this portal status (RV(accounts[].status)); V(Validation Successful), as the Adding an MIP
        Account page spells it, is the same as V(Validation Success).
    type: str
    choices: [Active, Retrieval Pending, Tenant Inactive, Validation Failed, Validation Success, Validation Successful]
  details:
    description:
      - Also read each account's validation status and the count of labels its policy rules use (two more
        requests per account, at ZIA's 2 reads per second).
    type: bool
    default: false
seealso:
  - module: mipconnect.zia.mip_account
"""

EXAMPLES = r"""
- name: Find accounts whose validation failed
  mipconnect.zia.mip_account_info:
    status: Validation Failed
    details: true
  register: failed_accounts

- name: One account by name
  mipconnect.zia.mip_account_info:
    name: Contoso MIP
  register: contoso
"""

RETURN = r"""
accounts:
  description: The matching MIP accounts, in the shape M(mipconnect.zia.mip_account) returns C(account).
  returned: always
  type: list
  sample:
    - id: 11789488
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
  elements: dict
  contains:
    id:
      description: ZIA's id of the account (C(tenantId) in the API).
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
        - Client ID of the connector, when ZIA reports it (C(zscalerAppTenantId.name) of the account when that is a
          GUID; with O(details=true) also C(tenantAuthorizationInfo.clientId) of the validation status).
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
      description: Result of ZIA's last validation; only with O(details=true).
      type: str
    validation_message:
      description: ZIA's reason for that result; only with O(details=true).
      type: str
    last_validation_time:
      description: Time of the last validation (UTC, ISO 8601), when known.
      type: str
    last_label_scan_time:
      description: Time of the last successful label scan (UTC, ISO 8601), when known.
      type: str
    policy_tag_count:
      description:
        - Number of the account's labels that ZIA's policy rules use (C(/casbTenant/{id}/tags/policy)), not counting
          tags marked deleted (gone from Purview). Not the number of labels ZIA retrieved, which ZIA's API does not
          report. Only with O(details=true).
      type: int
count:
  description: Number of matching accounts.
  returned: always
  type: int
  sample: 1
"""

from ansible_collections.mipconnect.zia.plugins.module_utils import names
from ansible_collections.mipconnect.zia.plugins.module_utils.checks import require_guid, require_text
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.mip_account import describe, portal_status, portal_word
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import ZIA_AUTH_ARGUMENT_SPEC, MipConnectModule

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    name_contains=dict(type="str"),
    exclude_name=dict(type="str"),
    tenant_id=dict(type="str"),
    status=dict(type="str", choices=["Active", "Retrieval Pending", "Tenant Inactive", "Validation Failed",
                                     "Validation Success", "Validation Successful"]),
    details=dict(type="bool", default=False),
)


def matches(raw, name, name_contains, tenant_id, status, exclude_name=None, validation=None):
    account_name = raw.get("tenantName")
    if name is not None and not names.same_name(account_name, name):
        return False
    if exclude_name is not None and names.same_name(account_name, exclude_name):
        return False
    if name_contains is not None and names.name_key(name_contains) not in names.name_key(account_name):
        return False
    if tenant_id is not None and (raw.get("enterpriseTenantId") or "").lower() != tenant_id:
        return False
    return status is None or portal_status(raw, validation) == portal_word(status)


def main():
    module = MipConnectModule(ARGUMENT_SPEC, shared_specs=(ZIA_AUTH_ARGUMENT_SPEC,))

    def work():
        p = module.params
        name = require_text("name", p["name"], 255)
        name_contains = require_text("name_contains", p["name_contains"], 255)
        exclude_name = require_text("exclude_name", p["exclude_name"], 255)
        tenant_id = require_guid("tenant_id", p["tenant_id"])
        zia = module.clients.zia()
        accounts = []
        for raw in zia.mip_accounts():
            if not matches(raw, name, name_contains, tenant_id, None, exclude_name):
                continue
            validation = zia.validation_status(raw["tenantId"]) if p["details"] else None
            if not matches(raw, name, name_contains, tenant_id, p["status"], exclude_name, validation):
                continue
            if p["details"]:
                accounts.append(describe(raw, validation, policy_tag_count=len(zia.policy_tags(raw["tenantId"]))))
            else:
                accounts.append(describe(raw))
        return {"changed": False, "accounts": accounts, "count": len(accounts)}

    module.run(work)


if __name__ == "__main__":
    main()
