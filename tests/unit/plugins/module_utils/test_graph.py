# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GraphClient against fakes: paging links stay within Graph and a server that repeats pages is not read forever."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import transport
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.graph import GraphClient
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
    with pytest.raises(transport.PagingError) as caught:
        list(client.list("/oauth2PermissionGrants"))
    assert len(http.calls) == 2 and "repeats an earlier page" in str(caught.value)


def test_graph_empty_pages_with_new_links_are_followed_to_the_end():
    pages = [Answer(200, {"value": [], "@odata.nextLink": "https://graph.example/v1.0/x?$skiptoken=%d" % n})
             for n in range(3)] + [Answer(200, {"value": [{"id": "last"}]})]
    client, http = graph(pages)
    assert [item["id"] for item in client.list("/x")] == ["last"]
