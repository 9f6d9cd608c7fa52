# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ServiceClient: a token the service refuses (401) is dropped and the request sent once more."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.http import service_client
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import Answer, RecordingHttp


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


@pytest.mark.parametrize("cloud, endpoint", [("public", "prod"), ("usgov", "usgovhigh"), ("china", "china")])
def test_copilot_powershell_step_names_the_cloud(cloud, endpoint):
    from ansible_collections.mipconnect.zia.plugins.module_utils.entra.entra_auth import EntraEndpoints

    assert EntraEndpoints(cloud).powerapps_endpoint == endpoint
