# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import connector
from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.role_assignments import role_assignment_name
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import FakeGraph, denied, reconciler

SUBSCRIPTION = "11111111-1111-1111-1111-111111111111"
SCOPE = "/subscriptions/" + SUBSCRIPTION


def test_each_storage_role_is_assigned_under_its_deterministic_name():
    arm = FakeGraph()
    rec = reconciler(arm=arm, subscription_id=SUBSCRIPTION)
    rec.sp = {"id": "sp"}
    results = rec.ensure_role_assignments()
    names = [role_assignment_name(SCOPE, "sp", role_id) for _n, role_id in sorted(catalog.BLOB_STORAGE_ROLE_DEFINITIONS.items())]
    assert [r["name"] for r in results] == names
    assert [p.rsplit("/", 1)[1] for _m, p, _b in arm.writes] == names and len(rec.changes) == len(names)


def test_the_same_assignment_under_another_name_is_left_and_other_refusals_fail():
    rec = reconciler(subscription_id=SUBSCRIPTION)
    path = SCOPE + "/providers/Microsoft.Authorization/roleAssignments/x"
    rec.arm = FakeGraph(refuse={path: denied(409, "RoleAssignmentExists")})
    rec._assign_role("Reader", SCOPE, path, {})
    assert rec.changes == []
    rec.arm = FakeGraph(refuse={path: denied()})
    with pytest.raises(Exception):
        rec._assign_role("Reader", SCOPE, path, {})


def test_role_assignment_names_are_deterministic_and_distinct():
    a = connector.role_assignment_name("/subscriptions/s", "p", "r1")
    assert a == connector.role_assignment_name("/subscriptions/S", "P", "R1")
    assert a != connector.role_assignment_name("/subscriptions/s", "p", "r2")
