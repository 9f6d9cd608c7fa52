# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refuse an unsafe tenants list before Ansible templates it.

An action plugin, because only here is the variable seen raw: any template
expression that names it (an assert, a module argument) renders it first,
and a tenant named "{{ lookup('pipe', 'id') }}" would have run by then.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.mipconnect.zia.plugins.module_utils.tenants_file import TENANTS_VARIABLE, check_tenants


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("variable",))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        variable = self._task.args.get("variable", TENANTS_VARIABLE)
        if not isinstance(variable, str) or not variable.isidentifier():
            return dict(result, failed=True, msg="variable must be the name of a variable, such as %s"
                        % TENANTS_VARIABLE)
        task_vars = task_vars or {}
        if variable not in task_vars:
            return dict(result, failed=True, msg="%s is not defined: pass the tenants file with -e @tenants.yml"
                        % variable)
        problems = check_tenants(task_vars[variable])
        result.update(changed=False, problems=problems, tenants=len(task_vars[variable])
                      if isinstance(task_vars[variable], list) else 0)
        if problems:
            result["failed"] = True
            result["msg"] = "%s is refused before anything is templated or sent: %s" % (variable, "; ".join(problems))
        return result
