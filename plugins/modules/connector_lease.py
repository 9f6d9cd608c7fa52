#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: connector_lease
short_description: Take or give back the lease that lets one run at a time change a connector's client secrets
version_added: 1.0.0
description:
  - Runs that add, store or remove a Zscaler connector's client secrets (onboarding, rotation) must not
    interleave on one tenant, or one run removes the secret another run just stored in ZIA. This module
    takes a lease on the connector application, held in one of its C(tags)
    (C(mipconnect.zia:lease:<owner>;<start>;<expiry>)), and gives it back.
  - With O(state=held), waits up to O(wait) seconds while another run holds the lease, then fails with a
    message naming that run. A lease whose run ended on this host without giving it back (the process is
    gone), or whose expiry passed, holds nothing and is cleared.
  - The application is created (display name and unique name only) when it does not exist yet, so that two
    first onboardings of one tenant also take turns; mipconnect.zia.azure_app_connector completes it.
  - Pass the returned RV(owner) as O(mipconnect.zia.azure_app_connector#module:lease_owner) to every task that
    changes the connector's secrets; those tasks check, just before they write, that the lease is still this
    run's. The design is described in the notes of mipconnect.zia.azure_app_connector.
author:
  - mipconnect.zia contributors (@mipconnect)
extends_documentation_fragment:
  - mipconnect.zia.attributes
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - mipconnect.zia.entra_auth
  - mipconnect.zia.entra_endpoints
  - mipconnect.zia.connection
attributes:
  check_mode:
    support: full
    details: Reads the lease and reports whether another run holds it; writes nothing.
  diff_mode:
    support: none
    details: The lease is not part of the connector's state; C(changes) says what was written.
options:
  state:
    description: V(held) takes the lease (or renews this owner's); V(released) gives it back.
    type: str
    choices: [held, released]
    default: held
  unique_name:
    description: Unique name (Graph C(uniqueName)) of the connector application.
    type: str
    required: true
  display_name:
    description: Display name for the application when it must be created.
    type: str
    default: Zscaler MIP Connector
  owner:
    description:
      - The name of this run's lease, from an earlier RV(owner). Omit it with O(state=held) to make one
        (host, controller process, random part). Required with O(state=released).
    type: str
  duration:
    description: Seconds the lease lasts; it must outlast everything the run does under it (60 to 86400).
    type: int
    default: 1800
  wait:
    description: Seconds to wait while another run holds the lease (0 to 86400).
    type: int
    default: 900
seealso:
  - module: mipconnect.zia.azure_app_connector
"""

EXAMPLES = r"""
- name: Take the connector's lease
  mipconnect.zia.connector_lease:
    unique_name: zscaler-mip-connector
  register: lease

- name: Rotate under the lease
  mipconnect.zia.azure_app_connector:
    display_name: Zscaler MIP Connector
    unique_name: zscaler-mip-connector
    rotate: always
    lease_owner: "{{ lease.owner }}"
  register: rotated
  no_log: true

- name: Give the lease back
  mipconnect.zia.connector_lease:
    unique_name: zscaler-mip-connector
    owner: "{{ lease.owner }}"
    state: released
"""

RETURN = r"""
owner:
  description: The owner of this run's lease; pass it to the tasks that run under it.
  returned: always
  type: str
  sample: awx-7f9c/4242.81234/9a1b2c3d
held:
  description: Whether this run holds the lease now (false in check mode and after O(state=released)).
  returned: always
  type: bool
expires:
  description: When the lease ends (UTC), with O(state=held).
  returned: when held
  type: str
waited:
  description: Seconds spent waiting for another run's lease.
  returned: always
  type: float
client_id:
  description: Application (client) ID of the connector; null when it does not exist (check mode).
  returned: always
  type: str
changes:
  description: What was changed.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import lease as leases
from ansible_collections.mipconnect.zia.plugins.module_utils.checks import require_range, require_text
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import is_replication_lag, odata_quote
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import MipConnectModule
from ansible_collections.mipconnect.zia.plugins.module_utils.http.transport import retry_while_replicating

ARGUMENT_SPEC = dict(
    state=dict(type="str", default="held", choices=["held", "released"]),
    unique_name=dict(type="str", required=True),
    display_name=dict(type="str", default="Zscaler MIP Connector"),
    owner=dict(type="str"),
    duration=dict(type="int", default=leases.DEFAULT_LEASE_SECONDS),
    wait=dict(type="int", default=900),
)


class _NotYetVisible(Exception):
    """The application this run created is not readable yet."""


class ConnectorApplication:
    """Reads the connector application by unique name and rewrites its tags."""

    def __init__(self, graph, unique_name, display_name, replication_timeout):
        self.graph = graph
        self.path = "/applications(uniqueName=%s)" % odata_quote(unique_name)
        self.display_name = display_name
        self.replication_timeout = replication_timeout
        self.created = False

    def read(self, create=False):
        app = self.graph.get(self.path, params={"$select": "id,appId,tags"}, missing_ok=True)
        if app is None and create:
            self.graph.patch(self.path, {"displayName": self.display_name}, headers={"Prefer": "create-if-missing"})
            self.created = True
        if app is None and self.created:
            app = retry_while_replicating(self._visible, lambda err: isinstance(err, _NotYetVisible),
                                          self.replication_timeout)
        return app

    def _visible(self):
        app = self.graph.get(self.path, params={"$select": "id,appId,tags"}, missing_ok=True)
        if app is None:
            raise _NotYetVisible()
        return app

    def write_tags(self, app, tags):
        path = "/applications/%s" % app["id"]
        retry_while_replicating(lambda: self.graph.patch(path, {"tags": tags}), is_replication_lag,
                                self.replication_timeout)


def main():
    module = MipConnectModule(ARGUMENT_SPEC, required_if=[("state", "released", ["owner"])])

    def work():
        p = module.params
        unique_name = require_text("unique_name", p["unique_name"], 120)
        display_name = require_text("display_name", p["display_name"], 120)
        require_range("duration", p["duration"], 60, 86400)
        require_range("wait", p["wait"], 0, 86400)
        owner = p["owner"] or leases.new_owner()
        if not leases.OWNER_RE.match(owner):
            raise InputError("owner", "may hold only letters, digits and . _ @ / + - (at most 120 characters).")
        app = ConnectorApplication(module.clients.graph(), unique_name, display_name,
                                   p["replication_timeout"])
        result = {"owner": owner, "held": False, "waited": 0.0, "client_id": None, "changes": []}
        if p["state"] == "released" or module.check_mode:
            current = app.read()
            result["client_id"] = (current or {}).get("appId")
            mine = [lease for lease in leases.leases_of(current) if lease.owner == owner]
            if p["state"] == "released" and mine:
                result["changes"].append("give back the lease of %s" % owner)
                if not module.check_mode:
                    app.write_tags(current, [t for t in current.get("tags") or []
                                             if not (t.startswith(leases.LEASE_TAG)
                                                     and leases.Lease.parse(t).owner == owner)])
            elif p["state"] == "held":
                holder = leases.holder(current, leases.now_utc())
                if holder is None or holder.owner != owner:
                    result["changes"].append("take the lease of the connector app"
                                             + (" after %s" % holder.describe() if holder else ""))
            result["changed"] = bool(result["changes"])
            return result
        keeper = leases.LeaseKeeper(lambda: app.read(create=True), app.write_tags, owner, duration=p["duration"],
                                    wait=p["wait"])
        held = keeper.acquire()
        result.update(held=True, expires=leases.iso(held.expires), waited=round(keeper.waited, 1),
                      client_id=keeper.app.get("appId"))
        if app.created:
            result["changes"].append("create application '%s' (uniqueName %s) to hold the lease"
                                     % (display_name, unique_name))
        if keeper.writes:
            result["changes"].append("take the lease of the connector app for %s" % owner)
        result["changed"] = bool(result["changes"])
        return result

    module.run(work)


if __name__ == "__main__":
    main()
