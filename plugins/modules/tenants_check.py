#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: tenants_check
short_description: Refuse a GitOps tenants list that holds templates or endpoint overrides
version_added: 1.0.0
description:
  - Checks the variable that lists the desired tenants (V(mipconnect_tenants), as read from a tenants file
    passed with C(-e @tenants.yml)) B(before) Ansible templates it, and fails with a message naming each
    tenant and field that is refused.
  - A tenants file is edited in pull requests. Ansible renders Jinja in variables when they are used, so a
    tenant named C({{ lookup('pipe', 'id') }}) would run a command on the controller. This check reads the
    variable raw and refuses any string holding C({{), C({%) or C({#), anywhere in the list.
  - Each tenant may only hold the fields C(playbooks/reconcile.yml) documents (C(name),
    C(tenant_id), C(account_name), C(state), C(applications), C(subscription_id), C(delete_connector),
    C(entra_auth) with C(auth_client_id) and C(auth_client_secret)), with the expected types and formats.
    Endpoint and TLS overrides (C(graph_url), C(authority_url), C(zia_api_url), C(ca_bundle), and so on) are
    refused, because they would send the credentials elsewhere.
  - Vaulted values (C(!vault)) are accepted and never decrypted.
  - This is an action plugin; it runs on the controller and sends nothing anywhere.
author:
  - mipconnect.zia contributors (@mipconnect)
attributes:
  check_mode:
    support: full
    description: Only reads variables; the same in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no difference to show.
  action:
    support: full
    description: Runs on the controller as an action plugin and reads the task's variables before they are templated.
  platform:
    support: full
    platforms: all
    description: Runs on the controller only; no module is sent to a host.
options:
  variable:
    description: Name of the variable that holds the tenants list.
    type: str
    default: mipconnect_tenants
seealso:
  - module: mipconnect.zia.mip_account
"""

EXAMPLES = r"""
- name: Refuse an unsafe tenants file before it is used
  mipconnect.zia.tenants_check:

- name: Check a list kept under another name
  mipconnect.zia.tenants_check:
    variable: mipconnect_tenants
"""

RETURN = r"""
tenants:
  description: How many tenants the list holds.
  returned: always
  type: int
  sample: 3
problems:
  description: Every refused tenant and field, with the reason; empty when the list is safe.
  returned: always
  type: list
  elements: str
  sample:
    - "tenant #2, field name: Jinja templates ({{ }}, {% %}, {# #}) are not allowed in the tenants file (...)"
"""
