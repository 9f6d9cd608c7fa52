# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.lease import Lease, LeaseHeld
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import NOW, FakeGraph, reconciler


def test_check_mode_plans_a_write_without_sending_it_or_reading_the_lease():
    rec = reconciler(check_mode=True)
    rec.app = {"id": "obj", "tags": ["not a lease"]}
    assert rec._change("update application", lambda: pytest.fail("check mode must not write")) is None
    assert rec.changes == ["update application"] and rec._lease_checked is False


def test_a_fresh_object_is_written_again_while_it_replicates_and_recorded_once():
    rec = reconciler()
    rec.fresh = True
    answers = [ApiError("Microsoft Graph", 404, code="Request_ResourceNotFound"), {"id": "sp"}]

    def write():
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    rec.replication_timeout = 5
    assert rec._change("create service principal", write) == {"id": "sp"}
    assert rec.changes == ["create service principal"]


def test_a_write_under_another_runs_lease_stops_before_it_is_sent():
    graph = FakeGraph()
    rec = reconciler(graph)
    other = Lease("other-host/-/run-1", NOW, NOW + datetime.timedelta(days=3650))
    rec.app = {"id": "obj", "tags": [other.tag()]}
    with pytest.raises(LeaseHeld):
        rec._change("update application", lambda: graph.patch("/applications/obj", {}))
    assert graph.writes == [] and rec.changes == []
