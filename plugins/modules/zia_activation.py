#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: zia_activation
short_description: Activate the staged changes of a Zscaler Internet Access organisation
version_added: 1.0.0
description:
  - ZIA applies saved changes only once they are activated. This module activates whatever is staged
    (C(GET /status) answers C(PENDING)) and waits until ZIA reports C(ACTIVE); an activation already
    running (C(INPROGRESS)) is waited for, not started again.
  - Use it to activate once after many changes, for example after M(mipconnect.zia.mip_account) tasks with
    O(mipconnect.zia.mip_account#module:activate=false) for many tenants. ZIA allows 10 activations per minute per
    organisation, so one activation for twenty accounts saves about two minutes.
  - Batching needs OneAPI sign-in (O(zscaler_client_id)). ZIA activates what a legacy API session
    (O(zia_username)) saved when that session ends, and each task ends its session when it finishes, so under
    legacy sign-in every task's changes are already activated by the time this module runs (their results say
    so in C(activation.activated_by_session_end)); this module then finds nothing staged.
  - Activation publishes every staged change of the organisation, also those other admins saved.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - mipconnect.zia.zia_auth
  - mipconnect.zia.connection
attributes:
  check_mode:
    support: full
    details: Reads the activation status and reports whether an activation would happen; never activates.
  diff_mode:
    support: full
    details: Shows the activation status before and after.
options:
  wait_timeout:
    description: Seconds to wait for ZIA to report C(ACTIVE) after activating.
    type: int
    default: 300
seealso:
  - module: mipconnect.zia.mip_account
"""

EXAMPLES = r"""
- name: Save many MIP accounts without activating each
  mipconnect.zia.mip_account:
    name: "{{ item.name }}"
    tenant_id: "{{ item.tenant_id }}"
    client_id: "{{ item.client_id }}"
    client_secret: "{{ item.client_secret }}"
    activate: false
  loop: "{{ tenants }}"
  no_log: true

- name: Activate them all at once
  mipconnect.zia.zia_activation:
  register: activation

- name: Say whether anything was activated
  ansible.builtin.debug:
    msg: "activated: {{ activation.activated }}, status {{ activation.status }}"
"""

RETURN = r"""
status_before:
  description: ZIA's activation status before the run (C(ACTIVE), C(PENDING) or C(INPROGRESS)).
  returned: always
  type: str
  sample: PENDING
status:
  description: ZIA's activation status at the end (C(ACTIVE) once activated; in check mode, as before).
  returned: always
  type: str
  sample: ACTIVE
activated:
  description: Whether this run activated staged changes.
  returned: always
  type: bool
  sample: true
seconds:
  description: How long ZIA took to finish the activation this run started or waited for.
  returned: when the run activated or waited
  type: float
  sample: 2.1
"""

from ansible_collections.mipconnect.zia.plugins.module_utils.checks import require_range
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import ZIA_AUTH_ARGUMENT_SPEC, MipConnectModule

ARGUMENT_SPEC = dict(
    wait_timeout=dict(type="int", default=300),
)


def main():
    module = MipConnectModule(ARGUMENT_SPEC, shared_specs=(ZIA_AUTH_ARGUMENT_SPEC,))

    def work():
        timeout = require_range("wait_timeout", module.params["wait_timeout"], 1, 3600)
        result = module.clients.zia().activate_staged(check_mode=module.check_mode, timeout=timeout)
        result["changed"] = result["status_before"] == "PENDING"
        planned = "ACTIVE" if result["changed"] else result["status_before"]
        result["diff"] = {"before": {"status": result["status_before"]}, "after": {"status": planned}}
        return result

    module.run(work)


if __name__ == "__main__":
    main()
