# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ServiceClient: a token the service refuses (401) is dropped and the request sent once more."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
import requests

from ansible_collections.mipconnect.zia.plugins.module_utils import service_client
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError


class Answer:
    def __init__(self, status, body=None):
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict()
        self._body = body
        self.reason = "Reason"
        self.content = b"x" if body is not None else b""

    def json(self):
        return self._body


class RecordingHttp:
    """Stands in for HttpClient: answers in order, records the bearer token of each request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.tokens = []

    def request(self, method, url, headers=None, **kwargs):
        self.tokens.append(headers["Authorization"])
        return self.answers.pop(0)


class Tokens:
    """A cache that hands out the same token until it is told the token was refused."""

    def __init__(self):
        self.issued = 1
        self.refused = 0

    def token(self):
        return "token-%d" % self.issued

    def refuse(self):
        self.refused += 1
        self.issued += 1


def test_a_refused_token_is_dropped_and_the_request_sent_once_more():
    http = RecordingHttp(Answer(401, {"error": {"code": "InvalidAuthenticationToken"}}), Answer(200, {"ok": True}))
    tokens = Tokens()
    client = service_client.ServiceClient(http, "https://svc", tokens.token, token_refused=tokens.refuse)
    assert client.call("POST", "/things", json={"a": 1}) == {"ok": True}
    assert http.tokens == ["Bearer token-1", "Bearer token-2"]
    assert tokens.refused == 1


def test_a_second_401_is_an_error_and_not_retried_again():
    http = RecordingHttp(Answer(401, {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}),
                         Answer(401, {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}))
    tokens = Tokens()
    client = service_client.ServiceClient(http, "https://svc", tokens.token, token_refused=tokens.refuse)
    with pytest.raises(ApiError) as caught:
        client.call("GET", "/things")
    assert caught.value.status == 401
    assert len(http.tokens) == 2 and tokens.refused == 1


def test_without_token_refused_a_401_fails_at_once():
    http = RecordingHttp(Answer(401, {"error": {"code": "InvalidAuthenticationToken"}}))
    client = service_client.ServiceClient(http, "https://svc", lambda: "t")
    with pytest.raises(ApiError):
        client.call("GET", "/things")
    assert len(http.tokens) == 1


def test_graph_paging_links_are_followed_only_within_graph():
    from ansible_collections.mipconnect.zia.plugins.module_utils.graph import GraphClient

    http = RecordingHttp(Answer(200, {"value": [1], "@odata.nextLink": "https://graph.example/v1.0/things?$skiptoken=a"}),
                         Answer(200, {"value": [2], "@odata.nextLink": "https://evil.example/steal?$skiptoken=b"}))
    graph = GraphClient(http, "https://graph.example", lambda: "t")
    items = graph.list("/things")
    assert next(items) == 1 and next(items) == 2
    with pytest.raises(ApiError) as caught:
        next(items)
    assert "points outside https://graph.example/" in str(caught.value)
    assert len(http.tokens) == 2  # the token never went to evil.example


@pytest.mark.parametrize("cloud, endpoint", [("public", "prod"), ("usgov", "usgovhigh"), ("china", "china")])
def test_copilot_powershell_step_names_the_cloud(cloud, endpoint):
    from ansible_collections.mipconnect.zia.plugins.module_utils.entra_auth import EntraEndpoints

    assert EntraEndpoints(cloud).powerapps_endpoint == endpoint
