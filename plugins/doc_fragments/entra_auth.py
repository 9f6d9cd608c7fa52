# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # The Entra ID identity a module acts as (an admin app or automation account).
    DOCUMENTATION = r"""
options:
  tenant_id:
    description:
      - Directory (tenant) ID of the Microsoft Entra tenant, a GUID.
      - Falls back to the E(AZURE_TENANT_ID) environment variable, then to E(AZURE_TENANT), which AWX's built-in
        Azure Resource Manager credential sets. Required to sign in.
    type: str
  auth_client_id:
    description:
      - Application (client) ID of the identity the module authenticates as.
      - This identity needs C(Application.ReadWrite.All) to manage connectors, and
        C(AppRoleAssignment.ReadWrite.All) plus C(DelegatedPermissionGrant.ReadWrite.All)
        to grant admin consent.
      - Falls back to the E(AZURE_CLIENT_ID) environment variable (AWX's Azure Resource Manager credential sets it
        too). Required to sign in.
    type: str
  auth_client_secret:
    description:
      - Client secret of O(auth_client_id).
      - Falls back to the E(AZURE_CLIENT_SECRET) environment variable, then to E(AZURE_SECRET), which AWX's
        built-in Azure Resource Manager credential sets.
      - Mutually exclusive with O(auth_certificate_path); one of them is required.
    type: str
  auth_certificate_path:
    description:
      - Path to a PEM file holding the private key and certificate of O(auth_client_id),
        or to a PFX (PKCS#12) file.
      - Never shown in output or messages, so that key text given here by mistake stays hidden.
      - Falls back to the E(AZURE_CLIENT_CERTIFICATE_PATH) environment variable.
    type: path
  auth_certificate_password:
    description:
      - Password of the PFX or encrypted PEM file in O(auth_certificate_path).
      - Falls back to the E(AZURE_CLIENT_CERTIFICATE_PASSWORD) environment variable.
    type: str
"""
