#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: connector_credentials_info
short_description: Check that a Zscaler connector's client id and secret work, with every permission consented
version_added: 1.0.0
description:
  - Does what the ZIA Admin Portal's Validate button does, and says more. Gets an app-only token per resource API
    with the connector's credentials, compares the permissions in it with those Zscaler needs for the given
    applications, and for MIP probes the sensitivity labels endpoint.
  - Reports why credentials are refused (wrong or expired secret, unknown app or tenant) with the AADSTS code,
    and which permissions still lack admin consent.
  - Never changes anything.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.attributes
  - mipconnect.zia.attributes.info_module
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - mipconnect.zia.entra_endpoints
  - mipconnect.zia.connection
options:
  tenant_id:
    description: Directory (tenant) ID of the tenant the connector is consented in.
    type: str
    required: true
  client_id:
    description: Application (client) ID of the connector.
    type: str
    required: true
  client_secret:
    description: The connector's client secret.
    type: str
    required: true
  applications:
    description: Microsoft applications whose permissions to check.
    type: list
    elements: str
    choices: [azure_blob_storage, copilot, exchange, mip, onedrive, sharepoint, teams]
    default: [mip]
  probe_labels:
    description: For V(mip), also read one sensitivity label with the connector's token.
    type: bool
    default: true
  validation_wait:
    description:
      - Seconds to keep retrying while the failure looks like a connector created moments ago.
    type: int
    default: 0
  fail_on_invalid:
    description: Fail the task when the credentials are not valid, instead of returning C(valid=false).
    type: bool
    default: false
seealso:
  - module: mipconnect.zia.azure_app_connector
  - module: mipconnect.zia.mip_account
"""

EXAMPLES = r"""
- name: Check the connector before giving it to ZIA
  mipconnect.zia.connector_credentials_info:
    tenant_id: "{{ entra_tenant_id }}"
    client_id: "{{ connector.client_id }}"
    client_secret: "{{ connector_secret }}"
    validation_wait: 120
    fail_on_invalid: true
  register: check
"""

RETURN = r"""
valid:
  description: Whether the credentials work and every required application permission is consented.
  returned: always
  type: bool
  sample: true
reason:
  description: Why, in words a person can act on.
  returned: always
  type: str
  sample: "The connector's credentials work and every required permission is consented."
aadsts:
  description: The AADSTS code when Microsoft refused a token.
  returned: always
  type: int
  sample: 7000215
missing_permissions:
  description: Per resource API, the application permissions without admin consent.
  returned: always
  type: dict
  sample: {"Microsoft Graph": ["Mail.Send"]}
granted_roles:
  description: Per resource API, the application permissions in the connector's token.
  returned: always
  type: dict
  sample: {"Microsoft Graph": ["InformationProtectionPolicy.Read.All", "User.Read.All"]}
labels_probe:
  description:
    - Result of the labels request, for V(mip), on a Graph label API that exists in O(cloud) (beta in the global
      cloud, v1.0 in the US Government clouds).
  returned: when probed
  type: dict
  sample:
    ok: true
    endpoint: beta/security/informationProtection/sensitivityLabels
    status: 200
    labels_seen: 1
not_checked:
  description:
    - What could not be checked in O(cloud), each as a sentence; for example the labels request in the China
      cloud, whose Graph has no sensitivity label API. RV(valid) says nothing about these.
  returned: always
  type: list
  elements: str
  sample: []
"""

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.checks import require_guid, require_range
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.credential_validation import validate_connector
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import (
    ENTRA_ENDPOINTS_ARGUMENT_SPEC,
    MipConnectModule,
)

ARGUMENT_SPEC = dict(
    tenant_id=dict(type="str", required=True),
    client_id=dict(type="str", required=True),
    client_secret=dict(type="str", required=True, no_log=True),
    applications=dict(type="list", elements="str", default=["mip"], choices=catalog.APPLICATION_NAMES),
    probe_labels=dict(type="bool", default=True),
    validation_wait=dict(type="int", default=0),
    fail_on_invalid=dict(type="bool", default=False),
)


def main():
    module = MipConnectModule(ARGUMENT_SPEC, shared_specs=(ENTRA_ENDPOINTS_ARGUMENT_SPEC,))

    def work():
        p = module.params
        tenant_id = require_guid("tenant_id", p["tenant_id"])
        client_id = require_guid("client_id", p["client_id"])
        require_range("validation_wait", p["validation_wait"], 0, 3600)
        if not p["client_secret"].strip():
            raise InputError("client_secret", "is empty.")
        result = validate_connector(module.clients.http(), module.clients.entra_endpoints(), tenant_id, client_id,
                                    p["client_secret"], applications=p["applications"],
                                    probe_labels=p["probe_labels"], wait=p["validation_wait"])
        if p["fail_on_invalid"] and not result["valid"]:
            raise MipConnectError("The connector's credentials are not valid: %s" % result["reason"],
                                  partial_result=dict(result, changed=False))
        return dict(result, changed=False)

    module.run(work)


if __name__ == "__main__":
    main()
