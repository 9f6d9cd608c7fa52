# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.permissions import Permission
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import FakeGraph, denied, reconciler


class Endpoints:
    authority_host = "https://login.microsoftonline.com"


def granting(graph, **spec):
    rec = reconciler(graph, endpoints=Endpoints(), **spec)
    rec.app = {"id": "obj", "appId": "app"}
    rec.sp = {"id": "client-sp"}
    rec.resources = {"res": {"id": "res-sp", "displayName": "Microsoft Graph"}}
    return rec


def role(role_id):
    return Permission("res", "Read.%s" % role_id, catalog.ROLE, role_id, "Microsoft Graph")


def test_a_missing_app_role_is_granted_and_reported_granted():
    graph = FakeGraph(lists={"/servicePrincipals/client-sp/appRoleAssignments": [
        {"appRoleId": "r1", "resourceId": "res-sp", "id": "a1"}]})
    rec = granting(graph)
    grants = rec.ensure_consent([role("r1"), role("r2")])
    assert graph.writes == [("POST", "/servicePrincipals/res-sp/appRoleAssignedTo",
                             {"principalId": "client-sp", "resourceId": "res-sp", "appRoleId": "r2"})]
    assert grants["granted_before"] == ["Microsoft Graph: Read.r1 (application)"]
    assert len(grants["granted"]) == 2 and rec.changes == ["grant Microsoft Graph: Read.r2 (application)"]


def test_a_refused_grant_says_how_to_consent_instead_and_is_not_recorded():
    graph = FakeGraph(refuse={"/servicePrincipals/res-sp/appRoleAssignedTo": denied()})
    rec = granting(graph)
    with pytest.raises(ApiError) as caught:
        rec.ensure_consent([role("r1")])
    assert "adminconsent?client_id=app" in caught.value.hint and rec.changes == []


def test_purging_revokes_an_unlisted_role_only():
    graph = FakeGraph(lists={"/servicePrincipals/client-sp/appRoleAssignments": [
        {"appRoleId": "r1", "resourceId": "res-sp", "id": "a1"}, {"appRoleId": "old", "resourceId": "res-sp", "id": "a2"}]})
    rec = granting(graph, purge_permissions=True)
    rec.ensure_consent([role("r1")])
    assert graph.writes == [("DELETE", "/servicePrincipals/res-sp/appRoleAssignedTo/a2", None)]
