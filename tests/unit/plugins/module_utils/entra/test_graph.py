# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Graph, ARM and Power Platform clients against fakes (paging, hints, api-version), and Graph's
small helpers: replication lag, path segments and OData quoting."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import graph as graph_utils
from ansible_collections.mipconnect.zia.plugins.module_utils.http import service_client
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.graph import ArmClient, GraphClient, PowerPlatformClient
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import Answer, RecordingHttp, ScriptedHttp


def test_graph_paging_links_are_followed_only_within_graph():
    http = RecordingHttp(Answer(200, {"value": [1], "@odata.nextLink": "https://graph.example/v1.0/things?$skiptoken=a"}),
                         Answer(200, {"value": [2], "@odata.nextLink": "https://evil.example/steal?$skiptoken=b"}))
    graph = GraphClient(http, "https://graph.example", lambda: "t")
    items = graph.list("/things")
    assert next(items) == 1 and next(items) == 2
    with pytest.raises(ApiError) as caught:
        next(items)
    assert "points outside https://graph.example/" in str(caught.value)
    assert len(http.tokens) == 2  # the token never went to evil.example


def graph(answer):
    http = ScriptedHttp(answer)
    return GraphClient(http, "https://graph.example", lambda: "token"), http


def test_a_graph_server_that_ignores_the_skip_token_is_not_read_forever():
    link = "https://graph.example/v1.0/oauth2PermissionGrants?$skiptoken=abc"
    client, http = graph(lambda *request: Answer(200, {"value": [{"id": "g1"}], "@odata.nextLink": link}))
    with pytest.raises(service_client.PagingError) as caught:
        list(client.list("/oauth2PermissionGrants"))
    assert len(http.calls) == 2 and "repeats an earlier page" in str(caught.value)


def test_graph_empty_pages_with_new_links_are_followed_to_the_end():
    pages = [Answer(200, {"value": [], "@odata.nextLink": "https://graph.example/v1.0/x?$skiptoken=%d" % n})
             for n in range(3)] + [Answer(200, {"value": [{"id": "last"}]})]
    client, http = graph(pages)
    assert [item["id"] for item in client.list("/x")] == ["last"]


@pytest.mark.parametrize("err, lag", [
    (ApiError("Microsoft Graph", 400, code="NoBackingApplicationObject"), True),
    (ApiError("Microsoft Graph", 404, code="Request_ResourceNotFound"), True),
    (ApiError("Microsoft Graph", 400, code="Request_BadRequest",
              message="The appId '1' of the service principal does not reference a valid application object."), True),
    (ApiError("Microsoft Graph", 403, code="Authorization_RequestDenied", message="does not exist in the directory"),
     False),
    (ValueError("not an answer of a service"), False),
])
def test_replication_lag_is_told_by_code_or_by_a_400_or_404_message(err, lag):
    assert graph_utils.is_replication_lag(err) is lag


def test_path_segments_and_odata_values_cannot_break_out():
    assert graph_utils.path_segment("jane_contoso.com#EXT#@fabrikam.onmicrosoft.com") == \
        "jane_contoso.com%23EXT%23@fabrikam.onmicrosoft.com"
    assert graph_utils.path_segment("a/b?c%") == "a%2Fb%3Fc%25"
    assert graph_utils.odata_quote("O'Brien's app") == "'O''Brien''s app'"


def test_a_denied_graph_request_says_which_permissions_are_needed():
    client, _http = graph([Answer(403, {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient"}})])
    with pytest.raises(ApiError) as caught:
        client.post("/applications", {})
    assert "Application.ReadWrite.All" in caught.value.hint


def test_arm_and_power_platform_requests_carry_their_api_version():
    http = ScriptedHttp([Answer(201, {"id": "ra"}), Answer(200, {"applicationId": "app"})])
    arm = ArmClient(http, "https://arm.example", lambda: "token")
    power_platform = PowerPlatformClient(http, "https://bap.example", lambda: "token")
    assert arm.put("/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/n", {}) == {"id": "ra"}
    assert power_platform.register_management_app("app") == {"applicationId": "app"}
    assert [(method, url, params) for method, url, params, _options in http.calls] == [
        ("PUT", "https://arm.example/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/n",
         {"api-version": graph_utils.ARM_ROLE_API_VERSION}),
        ("PUT", "https://bap.example/providers/Microsoft.BusinessAppPlatform/adminApplications/app",
         {"api-version": graph_utils.POWER_PLATFORM_API_VERSION})]
