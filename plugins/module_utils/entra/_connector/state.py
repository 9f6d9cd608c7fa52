# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the steps of a connector run share: the clients, the desired state, what was read, and the writes.

Internal to the mipconnect.zia collection: modules and tests import
``module_utils.connector``, not this file; names here may change without notice.

Each step (application, grants, secrets, ...) is a class built on ``ConnectorState``;
``ConnectorReconciler`` is all of them. Every write goes through ``_change`` (or, for a
client secret, ``_secret_change``), which hands it to the run's ``ChangeRecorder``.

==================  ===========================================================
attribute           holds
==================  ===========================================================
app, sp             the application and its service principal as last read or
                    written (None: not found)
fresh               objects were created or restored in this run: reads and
                    writes may meet replication lag, and are retried
app_created         the application was created by this run
app_restored        the deleted application this run restored, as it was deleted
sp_created          the service principal was created by this run
sp_restored         the service principal was restored from deleted items
resources           resource appId -> its service principal, once resolved
new_secret          the value of the client secret this run added (once delivered)
pending_steps       what a person still has to do, in sentences
before, after       the views shown by --diff
==================  ===========================================================
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import lease
from ansible_collections.mipconnect.zia.plugins.module_utils.changes import ChangeRecorder, RecordedRun
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import is_replication_lag
from ansible_collections.mipconnect.zia.plugins.module_utils.http.transport import retry_while_replicating


class ConnectorState(RecordedRun):
    """The shared state of one run, and the one way its steps write."""

    def __init__(self, graph, arm, power_platform, endpoints, tenant_id, spec, check_mode,
                 replication_timeout=180, now=None, secret_output_allowed=True):
        self.graph = graph
        self.arm = arm
        self.power_platform = power_platform
        self.endpoints = endpoints
        self.tenant_id = tenant_id
        self.spec = spec
        self.recorder = ChangeRecorder(check_mode)
        self.replication_timeout = replication_timeout
        self.secret_output_allowed = secret_output_allowed
        self.now = now or datetime.datetime.now(datetime.timezone.utc)
        self.pending_steps = []
        self.app = None
        self.sp = None
        self.fresh = False
        self.app_created = False
        self.app_restored = None
        self.sp_created = False
        self.sp_restored = False
        self.new_secret = None
        self.before = {}
        self.after = {}
        self._permission_names = {}  # (resource appId, permission id) -> label, for the diff
        self.resources = None
        self._lease_checked = False  # before the first write
        self._secret_lease_checked = False  # before the first secret write, on a fresh read

    def _change(self, description, write, outcome=None):
        """Record a change; carry it out unless in check mode. Returns write()'s result or None.

        A real write first checks the lease, and is retried while a fresh object replicates."""
        return self.recorder.write(description, lambda: self._checked_write(write), outcome)

    def _checked_write(self, write):
        self._check_lease()
        return self._replicated(write)

    def _check_lease(self):
        """Before the first write: no other run may hold the connector's lease (see the module's notes).
        An application not found yet (being created, or not replicated) is checked at its secret step."""
        if self._lease_checked or self.app is None:
            return
        self._lease_checked = True
        lease.check_held(self.app, self.spec.lease_owner, lease.now_utc())

    def _secret_change(self, description, write):
        """A write that adds or removes a client secret: the lease is checked on a fresh read first."""
        if not self.check_mode:
            self._check_secret_lease()
        return self._change(description, write)

    def _check_secret_lease(self):
        """Read the application's tags again and check the lease just before its secrets change: a run
        whose lease expired or was taken over stops here, before it removes a secret another run stored."""
        if self._secret_lease_checked or (self.app_created and self.spec.lease_owner is None):
            return
        self._secret_lease_checked = True
        app_path = "/applications/%s" % self.app["id"]
        fresh = retry_while_replicating(lambda: self.graph.get(app_path, params={"$select": "id,tags"}),
                                        is_replication_lag, self.replication_timeout)
        self.app["tags"] = list(fresh.get("tags") or [])
        self._lease_checked = True
        lease.check_held(self.app, self.spec.lease_owner, lease.now_utc())

    def _replicated(self, call):
        if not self.fresh:
            return call()
        return retry_while_replicating(call, is_replication_lag, self.replication_timeout)
