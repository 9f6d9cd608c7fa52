# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils

import pytest
import requests

from ansible_collections.mipconnect.zia.plugins.module_utils import transport
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, TransportError


class FakeResponse:
    def __init__(self, status, headers=None, body=None, reason="Reason"):
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict(headers or {})
        self._body = body
        self.reason = reason
        self.content = b"x" if body is not None else b""

    def json(self):
        if self._body is None:
            raise ValueError("no body")
        return self._body


class ScriptedSession:
    """Answers requests from a script: responses or exceptions, in order."""

    def __init__(self, script):
        self.script = list(script)
        self.calls = []
        self.headers = {}

    def request(self, method, url, **kwargs):
        self.calls.append((method, url, kwargs))
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item

    def close(self):
        pass


def make_client(script, jitter=0.0, **settings):
    sleeps = []
    client = transport.HttpClient(transport.HttpSettings(**settings), sleep=sleeps.append, jitter=lambda: jitter)
    client.session = ScriptedSession(script)
    return client, sleeps


@pytest.mark.parametrize("value, expected", [
    ("13", 13.0), ("1.5", 1.5), ("13s", 13.0), ("0 seconds", 0.0), ("2 second", 2.0), (" 7 ", 7.0),
    ("", None), (None, None), ("soon", None), ("-5", None),
])
def test_parse_retry_after_forms(value, expected):
    assert transport.parse_retry_after(value) == expected


def test_parse_retry_after_http_date():
    now = 1_700_000_000
    value = email.utils.formatdate(now + 42, usegmt=True)
    assert transport.parse_retry_after(value, now=now) == pytest.approx(42, abs=1)
    past = email.utils.formatdate(now - 42, usegmt=True)
    assert transport.parse_retry_after(past, now=now) == 0.0


def test_backoff_is_capped_and_jittered():
    assert transport.backoff_delay(0, base=1, cap=30, rand=lambda: 0.0) == 0.5
    assert transport.backoff_delay(0, base=1, cap=30, rand=lambda: 1.0) == 1.0
    assert transport.backoff_delay(10, base=1, cap=30, rand=lambda: 1.0) == 30.0
    assert transport.backoff_delay(10, base=1, cap=30, rand=lambda: 0.0) == 15.0


@pytest.mark.parametrize("header, wait", [("3", 3.0), ("3s", 3.0), ("0 seconds", 1.0), ("0.2", 1.0)])
def test_429_is_retried_after_the_wait_asked(header, wait):
    client, sleeps = make_client([FakeResponse(429, {"Retry-After": header}), FakeResponse(200, body={})])
    response = client.request("POST", "https://graph.example/v1.0/x", json={})
    assert response.status_code == 200
    assert sleeps == [wait]
    assert len(client.session.calls) == 2


def test_throttled_waits_get_jitter_so_parallel_runs_do_not_return_together():
    client, sleeps = make_client([FakeResponse(429, {"Retry-After": "3"}), FakeResponse(200, body={})], jitter=1.0)
    client.request("GET", "https://x.example/")
    assert sleeps == [3.0 + transport.THROTTLE_JITTER]


def test_retry_after_in_a_json_body_is_used_when_no_header():
    client, sleeps = make_client([FakeResponse(429, body={"Retry-After": "4 seconds"}), FakeResponse(200, body={})])
    client.request("GET", "https://zia.example/api/v1/status")
    assert sleeps == [4.0]


def test_503_without_header_backs_off():
    client, sleeps = make_client([FakeResponse(503), FakeResponse(503), FakeResponse(200, body={})])
    assert client.request("GET", "https://x.example/").status_code == 200
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0


def test_504_is_not_retried_for_post_but_is_for_get():
    client, sleeps = make_client([FakeResponse(504)])
    assert client.request("POST", "https://x.example/addPassword").status_code == 504
    assert sleeps == []
    client, sleeps = make_client([FakeResponse(504), FakeResponse(200, body={})])
    assert client.request("GET", "https://x.example/").status_code == 200


def test_retries_stop_at_max_retries():
    client, sleeps = make_client([FakeResponse(429, {"Retry-After": "2"})] * 3, max_retries=2)
    assert client.request("GET", "https://x.example/").status_code == 429
    assert sleeps == [2.0, 2.0]


def test_a_wait_longer_than_allowed_is_not_slept():
    client, sleeps = make_client([FakeResponse(429, {"Retry-After": "3600"})], max_retry_wait=60)
    assert client.request("GET", "https://x.example/").status_code == 429
    assert sleeps == []


def test_connection_reset_retried_for_get_not_for_post():
    client, sleeps = make_client([requests.exceptions.ConnectionError("reset"), FakeResponse(200, body={})])
    assert client.request("GET", "https://x.example/").status_code == 200
    client, sleeps = make_client([requests.exceptions.ConnectionError("reset")])
    with pytest.raises(TransportError) as caught:
        client.request("POST", "https://x.example/addPassword", json={"secret": "canary-value"})
    assert "x.example" in str(caught.value)
    assert "canary-value" not in str(caught.value)


def test_tls_failure_names_the_fix():
    client, _unused = make_client([requests.exceptions.SSLError("bad cert")])
    with pytest.raises(TransportError) as caught:
        client.request("GET", "https://x.example/")
    assert "ca_bundle" in str(caught.value)


def test_verify_is_passed_on_every_request():
    client, _unused = make_client([FakeResponse(200, body={})], ca_bundle="/tmp/ca.pem")
    client.request("GET", "https://x.example/")
    assert client.session.calls[0][2]["verify"] == "/tmp/ca.pem"
    assert client.session.calls[0][2]["timeout"] == 30
    client, _unused = make_client([FakeResponse(200, body={})], validate_certs=False)
    client.request("GET", "https://x.example/")
    assert client.session.calls[0][2]["verify"] is False


def test_replication_retry_repeats_until_success():
    attempts = []

    def call():
        attempts.append(1)
        if len(attempts) < 3:
            raise ApiError("Microsoft Graph", 400, code="NoBackingApplicationObject")
        return "ok"

    sleeps = []
    result = transport.retry_while_replicating(call, lambda e: isinstance(e, ApiError), timeout=100,
                                               sleep=sleeps.append, clock=lambda: 0)
    assert result == "ok" and len(attempts) == 3 and len(sleeps) == 2


def test_replication_retry_gives_up_at_the_deadline_with_the_last_error():
    now = [0.0]

    def call():
        raise ApiError("Microsoft Graph", 400, code="NoBackingApplicationObject", message="not yet")

    def sleep(seconds):
        now[0] += seconds

    with pytest.raises(ApiError) as caught:
        transport.retry_while_replicating(call, lambda e: True, timeout=10, sleep=sleep, clock=lambda: now[0])
    assert caught.value.code == "NoBackingApplicationObject"
    assert now[0] <= 10


def test_replication_retry_lets_other_errors_through_at_once():
    attempts, sleeps = [], []

    def call():
        attempts.append(1)
        raise ApiError("Microsoft Graph", 403, code="Authorization_RequestDenied")

    with pytest.raises(ApiError) as caught:
        transport.retry_while_replicating(call, lambda e: e.status != 403, timeout=100, sleep=sleeps.append,
                                          clock=lambda: 0)
    assert caught.value.status == 403
    assert len(attempts) == 1 and sleeps == []


@pytest.mark.parametrize("body, headers, code, request_id", [
    ({"error": {"code": "Request_ResourceNotFound", "message": "gone",
                "innerError": {"request-id": "rid-1"}}}, {}, "Request_ResourceNotFound", "rid-1"),
    ({"error": {"code": "RoleAssignmentExists", "message": "exists"}}, {"x-ms-request-id": "rid-2"},
     "RoleAssignmentExists", "rid-2"),
    ({"code": "EDIT_LOCK_NOT_AVAILABLE", "message": "locked"}, {"x-request-id": "rid-3"},
     "EDIT_LOCK_NOT_AVAILABLE", "rid-3"),
])
def test_api_error_shapes(body, headers, code, request_id):
    err = transport.api_error_from("svc", FakeResponse(409, headers, body))
    assert err.code == code and err.request_id == request_id
    assert request_id in str(err)


def test_api_error_without_json_uses_reason():
    err = transport.api_error_from("svc", FakeResponse(502, reason="Bad Gateway"))
    assert err.status == 502 and "Bad Gateway" in str(err)


def test_service_client_raises_api_error_and_handles_missing():
    client, _unused = make_client([
        FakeResponse(404, body={"error": {"code": "Request_ResourceNotFound"}}),
        FakeResponse(403, body={"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}),
    ])
    service = transport.ServiceClient(client, "https://graph.example/v1.0", lambda: "token-value")
    assert service.call("GET", "/applications/x", missing_ok=True) is None
    with pytest.raises(ApiError) as caught:
        service.call("GET", "/applications/y")
    assert caught.value.status == 403
    assert "token-value" not in str(caught.value)
    headers = client.session.calls[0][2]["headers"]
    assert headers["Authorization"] == "Bearer token-value"


def test_zia_rate_limiter_allows_the_documented_burst_then_paces():
    from ansible_collections.mipconnect.zia.plugins.module_utils.zia import RateLimiter

    now = [100.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(round(seconds, 3))
        now[0] += seconds

    limiter = RateLimiter(sleep=sleep, clock=lambda: now[0])
    for _request in range(4):
        limiter.wait("GET")
        limiter.record("GET")
    assert sleeps == [1.0]  # two at once, the third waits for the window, the fourth fits in it
    sleeps[:] = []
    for _request in range(2):
        limiter.wait("DELETE")
        limiter.record("DELETE")
    assert sleeps == [60.0]
