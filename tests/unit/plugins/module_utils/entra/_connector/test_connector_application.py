# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import FakeGraph, reconciler

BY_NAME = "/applications(uniqueName='zscaler-mip')"


def test_check_mode_predicts_the_application_without_a_write():
    graph = FakeGraph()
    rec = reconciler(graph, check_mode=True, applications=[])
    rec.ensure_application([])
    assert graph.writes == [] and rec.app_created is True and rec.app["displayName"] == "Zscaler MIP"
    assert rec.changes == ["create application 'Zscaler MIP' (uniqueName zscaler-mip)"]


def test_an_upsert_that_finds_the_application_is_recorded_as_the_update_it_was():
    found = {"id": "obj", "appId": "app", "displayName": "Zscaler MIP"}
    graph = FakeGraph({("PATCH", BY_NAME): None})
    graph.get = lambda path, params=None, missing_ok=False: found
    rec = reconciler(graph, applications=[])
    rec.ensure_application([])
    assert rec.app is found and rec.app_created is False
    assert rec.changes == ["update application 'Zscaler MIP' (uniqueName zscaler-mip) found by the upsert"]


def test_a_name_held_in_deleted_items_restores_that_application():
    deleted = {"id": "old", "appId": "app", "uniqueName": "zscaler-mip", "deletedDateTime": "2026-11-01T00:00:00Z",
               "displayName": "Zscaler MIP", "signInAudience": "AzureADMultipleOrgs",
               "web": {"redirectUris": ["https://console.zscaler.com"]}, "requiredResourceAccess": []}
    taken = ApiError("Microsoft Graph", 400, code="Request_MultipleObjectsWithSameKeyValue")
    graph = FakeGraph(refuse={BY_NAME: taken},
                      lists={"/directory/deletedItems/microsoft.graph.application": [deleted]})
    rec = reconciler(graph, applications=[])
    rec.ensure_application([])
    assert graph.writes == [("POST", "/directory/deletedItems/old/restore", None)]
    assert rec.app_restored is deleted and rec.app["deletedDateTime"] is None
    assert [c.split(" ")[0] for c in rec.changes] == ["restore"]  # the refused create was never recorded
