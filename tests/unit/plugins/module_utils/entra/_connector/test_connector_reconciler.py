# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import FakeGraph, denied, reconciler

APP = {"id": "obj", "appId": "app", "displayName": "Zscaler MIP"}


def test_absent_deletes_the_application_and_says_so():
    graph = FakeGraph({"/applications(uniqueName='zscaler-mip')": APP})
    result = reconciler(graph).absent()
    assert graph.writes == [("DELETE", "/applications/obj", None)]
    assert result["changed"] is True and result["diff"]["after"] == {"exists": False}


def test_a_failure_leaves_with_what_was_done_before_it():
    graph = FakeGraph({"/applications(uniqueName='zscaler-mip')": APP, "/servicePrincipals(appId='app')": {"id": "sp"}},
                      refuse={"/applications/obj": denied()})
    rec = reconciler(graph, power_platform_token="token", applications=["copilot"])

    class Registered:
        def get_management_app(self, app_id):
            return {"applicationId": app_id}

        def unregister_management_app(self, app_id):
            return None

    rec.power_platform = Registered()
    with pytest.raises(ApiError) as caught:
        rec.absent()
    assert caught.value.partial_result == {"changed": True,
                                           "changes": ["unregister the Power Platform management app"]}


def test_check_mode_absent_of_a_missing_application_changes_nothing():
    result = reconciler(FakeGraph(), check_mode=True).absent()
    assert result["changed"] is False and result["changes"] == []
