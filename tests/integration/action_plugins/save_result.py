"""Test-only action: write ``content`` to ``dest`` on the controller, in ansible-playbook's own process.

The integration harness saves each registered result to a file. ``ansible.builtin.copy``
would do it by running two more modules (stat, then copy), each a new Python process
that costs about as much CPU as the module under test; an action plugin costs nothing.
"""

import os

from ansible.plugins.action import ActionBase


class ActionModule(ActionBase):
    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        dest = self._task.args["dest"]
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self._task.args["content"])
        result.update(changed=False, dest=dest)
        return result
