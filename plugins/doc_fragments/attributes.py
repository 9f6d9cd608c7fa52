# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # What every module that talks to a service shares. Listed before ansible.builtin.action_common_attributes
    # and its actiongroups fragment, whose placeholders (support: N/A, membership: []) would otherwise win;
    # these add the libraries a module needs, where it runs, and its module_defaults group.
    DOCUMENTATION = r"""
requirements:
  - msal
  - requests
  - cryptography
attributes:
  platform:
    platforms: posix
  action_group:
    support: full
    membership:
      - mipconnect.zia.all
"""

    # A module that only reads.
    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    details: Only reads; runs the same in check mode.
  diff_mode:
    support: N/A
    details: This action does not modify state.
"""
