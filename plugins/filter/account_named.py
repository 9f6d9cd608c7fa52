# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Account-name matching for roles and playbooks: the modules' rule (module_utils/names.py), not a copy."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: account_named
short_description: The MIP accounts that have a given Account Name, as ZIA compares names
version_added: 1.0.0
description:
  - From a list of accounts as mipconnect.zia.mip_account_info returns them, those whose C(name) is the given
    Account Name without regard to case, to whitespace around it or to runs of whitespace inside it.
  - This is the rule the modules use (ZIA merges names that differ only so).
author:
  - mipconnect.zia contributors (@mipconnect)
options:
  _input:
    description: The accounts (dicts with C(name)).
    type: list
    elements: dict
    required: true
  name:
    description: The Account Name.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: The account called Contoso MIP, however the inventory spells it
  ansible.builtin.set_fact:
    contoso: "{{ accounts.accounts | mipconnect.zia.account_named(' contoso  mip') | first | default(None) }}"
"""

RETURN = r"""
_value:
  description: The accounts with that name (at most one in a ZIA organisation).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.mipconnect.zia.plugins.module_utils import names


def account_named(accounts, name):
    if not isinstance(name, str):
        raise AnsibleFilterError("account_named needs the Account Name as a string, not %r" % (name,))
    return names.named(list(accounts or []), name, field="name")


class FilterModule(object):
    def filters(self):
        return {"account_named": account_named}
