# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils

import pytest
import requests

from ansible_collections.mipconnect.zia.plugins.module_utils.http import service_client, transport
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
        self.cookies = requests.cookies.RequestsCookieJar()
        self.auth = None

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


def test_failures_stop_at_max_retries_and_the_error_says_what_was_tried():
    client, sleeps = make_client([FakeResponse(502)] * 3, max_retries=2)
    response = client.request("GET", "https://x.example/")
    assert response.status_code == 502
    assert sleeps == [0.5, 1.0]
    hint = service_client.api_error_from("svc", response).hint
    assert "Retried 2 times" in hint and "max_retries" in hint


def test_a_wait_longer_than_allowed_is_not_slept():
    client, sleeps = make_client([FakeResponse(429, {"Retry-After": "3600"})], max_retry_wait=60)
    response = client.request("GET", "https://x.example/")
    assert response.status_code == 429
    assert sleeps == []
    hint = service_client.api_error_from("svc", response).hint
    assert "3600 s" in hint and "max_retry_wait" in hint


# --- server errors, throttling storms, what is safe to repeat -------------------------------------

@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors_on_reads_are_retried_with_backoff(status):
    client, sleeps = make_client([FakeResponse(status), FakeResponse(status), FakeResponse(200, body={})])
    assert client.request("GET", "https://zia.example/api/v1/casbTenant/lite").status_code == 200
    assert sleeps == [0.5, 1.0]  # backoff(0), backoff(1) with no jitter


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_server_errors_on_idempotent_writes_are_retried(method):
    client, sleeps = make_client([FakeResponse(500), FakeResponse(200, body={})])
    assert client.request(method, "https://zia.example/api/v1/casbTenant/1", json={}).status_code == 200
    assert len(sleeps) == 1


@pytest.mark.parametrize("status", [500, 502, 504])
def test_a_post_is_not_repeated_after_an_answer_that_means_it_may_have_been_done(status):
    client, sleeps = make_client([FakeResponse(status)])
    assert client.request("POST", "https://graph.example/v1.0/applications/x/addPassword", json={}).status_code \
        == status
    assert sleeps == [] and len(client.session.calls) == 1


def test_a_post_marked_idempotent_is_repeated_after_a_502_and_a_read_timeout():
    client, sleeps = make_client([FakeResponse(502), requests.exceptions.ReadTimeout("slow"),
                                  FakeResponse(200, body={"status": "ACTIVE"})])
    response = client.request("POST", "https://zia.example/api/v1/status/activate", idempotent=True)
    assert response.status_code == 200 and len(client.session.calls) == 3 and sleeps == [0.5, 1.0]


def test_token_requests_are_retried_after_a_502():
    """Asking again for a token changes nothing: MSAL's and ZIdentity's token POSTs are retried."""
    from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_auth import OneApiAuth

    client, sleeps = make_client([FakeResponse(502), FakeResponse(200, body={"access_token": "t"})])
    answer = transport.MsalHttpClient(client).post("https://login.example/t/oauth2/v2.0/token", data={"a": "b"})
    assert answer.status_code == 200 and len(sleeps) == 1
    client, sleeps = make_client([FakeResponse(504), FakeResponse(200, body={"access_token": "t", "expires_in": 60})])
    auth = OneApiAuth(client, "https://v.zslogin.net/oauth2/v1/token", "https://api", "id", client_secret="s")
    auth.refresh()
    assert len(client.session.calls) == 2 and len(sleeps) == 1


def test_a_429_storm_longer_than_max_retries_is_waited_out():
    """Eight 429s in a row: throttling is bounded by the total wait, not by max_retries."""
    storm = [FakeResponse(429, {"Retry-After": "0 seconds"})] * 8
    client, sleeps = make_client(storm + [FakeResponse(200, body=[])], max_retries=5)
    assert client.request("GET", "https://zia.example/api/v1/casbTenant/lite").status_code == 200
    assert sleeps == [1.0] * 8


def test_a_429_storm_stops_when_the_total_wait_would_pass_max_retry_wait():
    client, sleeps = make_client([FakeResponse(429, {"Retry-After": "10"})] * 10, max_retry_wait=35)
    response = client.request("GET", "https://x.example/")
    assert response.status_code == 429
    assert sleeps == [10.0, 10.0, 10.0] and len(client.session.calls) == 4
    hint = service_client.api_error_from("svc", response).hint
    assert "Retried 3 times over 30 s" in hint and "max_retry_wait" in hint and "forks" in hint


def test_a_429_without_retry_after_backs_off_within_the_total_wait():
    client, sleeps = make_client([FakeResponse(429)] * 10, max_retry_wait=10)
    assert client.request("GET", "https://x.example/").status_code == 429
    assert sleeps == [0.5, 1.0, 2.0, 4.0]  # the next (8 s) would pass 10 s in all


def test_failures_are_bounded_by_the_total_wait_too():
    client, sleeps = make_client([FakeResponse(503)] * 10, max_retries=20, max_retry_wait=3)
    assert client.request("GET", "https://x.example/").status_code == 503
    assert sleeps == [0.5, 1.0]


def test_dropped_connections_are_bounded_by_max_retries():
    client, sleeps = make_client([requests.exceptions.ConnectionError("reset")] * 3, max_retries=2)
    with pytest.raises(TransportError) as caught:
        client.request("GET", "https://x.example/")
    assert len(sleeps) == 2 and "Retried 2 times" in str(caught.value)


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
    err = service_client.api_error_from("svc", FakeResponse(409, headers, body))
    assert err.code == code and err.request_id == request_id
    assert request_id in str(err)


def test_api_error_without_json_uses_reason():
    err = service_client.api_error_from("svc", FakeResponse(502, reason="Bad Gateway"))
    assert err.status == 502 and "Bad Gateway" in str(err)


def test_service_client_raises_api_error_and_handles_missing():
    client, _unused = make_client([
        FakeResponse(404, body={"error": {"code": "Request_ResourceNotFound"}}),
        FakeResponse(403, body={"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges"}}),
    ])
    service = service_client.ServiceClient(client, "https://graph.example/v1.0", lambda: "token-value")
    assert service.call("GET", "/applications/x", missing_ok=True) is None
    with pytest.raises(ApiError) as caught:
        service.call("GET", "/applications/y")
    assert caught.value.status == 403
    assert "token-value" not in str(caught.value)
    headers = client.session.calls[0][2]["headers"]
    assert headers["Authorization"] == "Bearer token-value"


def test_zia_rate_limiter_allows_the_documented_burst_then_paces():
    from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_rate_limits import RateLimiter

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


# --- redirects: a credential never follows one ------------------------------------------------------

def redirect(status, location):
    return FakeResponse(status, {"Location": location})


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("carrier", [
    pytest.param({"json": {"client_secret": "canary-secret-value"}}, id="json-body"),
    pytest.param({"data": {"client_secret": "canary-secret-value"}}, id="form-body"),
    pytest.param({"headers": {"Authorization": "Bearer canary-secret-value"}}, id="authorization"),
    pytest.param({"headers": {"Cookie": "JSESSIONID=canary-secret-value"}}, id="cookie-header"),
])
def test_a_request_with_a_credential_follows_no_redirect(status, carrier):
    for target in ("http://evil.example/steal?x=canary-secret-value", "https://login.example/elsewhere"):
        client, _unused = make_client([redirect(status, target)])
        with pytest.raises(TransportError) as caught:
            client.request("POST", "https://login.example/oauth2/v1/token", service="Zscaler OneAPI", **carrier)
        assert len(client.session.calls) == 1
        assert client.session.calls[0][2]["allow_redirects"] is False
        text = str(caught.value)
        assert "not followed" in text and "credentials" in text and "canary-secret-value" not in text
        assert "URL options" in text


def test_a_session_cookie_for_the_host_counts_as_a_credential():
    client, _unused = make_client([redirect(302, "https://zia.example/api/v1/elsewhere")])
    client.session.cookies.set("JSESSIONID", "canary-session", domain="zia.example", path="/")
    with pytest.raises(TransportError):
        client.request("GET", "https://zia.example/api/v1/status")
    assert len(client.session.calls) == 1


def test_a_bare_read_follows_a_redirect_on_https_to_the_same_host_only():
    client, _unused = make_client([redirect(302, "/tenant/v2.0/.well-known/openid-configuration?x=1"),
                                   FakeResponse(200, body={})])
    response = client.request("GET", "https://login.example/tenant/.well-known/openid-configuration",
                              params={"a": "b"})
    assert response.status_code == 200
    second = client.session.calls[1]
    assert second[1] == "https://login.example/tenant/v2.0/.well-known/openid-configuration?x=1"
    assert second[2]["params"] is None and second[2]["allow_redirects"] is False


@pytest.mark.parametrize("target", ["http://login.example/x", "https://other.example/x", "https://login.example:8443/x",
                                    "https://user@other.example/x", "https://user:pw@login.example/x"])
def test_a_bare_read_does_not_follow_a_redirect_elsewhere_or_to_http(target):
    client, _unused = make_client([redirect(301, target)])
    with pytest.raises(TransportError) as caught:
        client.request("GET", "https://login.example/tenant/.well-known/openid-configuration")
    assert "only redirects to https on the same host" in str(caught.value)
    assert len(client.session.calls) == 1


def test_a_303_is_followed_with_get_and_a_redirect_loop_stops():
    client, _unused = make_client([redirect(303, "https://x.example/next"), FakeResponse(200, body={})])
    client.request("DELETE", "https://x.example/thing")
    assert [c[0] for c in client.session.calls] == ["DELETE", "GET"]
    client, _unused = make_client([redirect(307, "https://x.example/loop")] * (transport.MAX_REDIRECTS + 1))
    with pytest.raises(TransportError) as caught:
        client.request("GET", "https://x.example/loop")
    assert "redirects already" in str(caught.value)


def test_msal_token_requests_follow_no_redirect():
    """MSAL's token POST (client secret or assertion in the form) goes through MsalHttpClient."""
    client, _unused = make_client([redirect(307, "http://evil.example/token")])
    with pytest.raises(TransportError):
        transport.MsalHttpClient(client).post("https://login.example/t/oauth2/v2.0/token",
                                              data={"client_secret": "canary-secret-value"})
    assert len(client.session.calls) == 1


def test_a_redirect_without_location_is_an_error_for_a_service_client():
    client, _unused = make_client([FakeResponse(302)])
    service = service_client.ServiceClient(client, "https://graph.example/v1.0", lambda: "token-value")
    with pytest.raises(ApiError) as caught:
        service.call("GET", "/applications")
    assert caught.value.status == 302


# --- requests' own errors never reach a person ------------------------------------------------------

def test_a_token_with_a_line_break_is_reported_by_type_and_host_only():
    """requests refuses the header with its whole value in the message; we show neither."""
    client = transport.HttpClient(transport.HttpSettings(max_retries=0), sleep=lambda s: None)
    service = service_client.ServiceClient(client, "https://127.0.0.1:9/v1.0", lambda: "eyJcanary\r\nX-Evil: canary-token")
    with pytest.raises(TransportError) as caught:
        service.call("GET", "/applications")
    err = caught.value
    assert "InvalidHeader" in str(err) and "127.0.0.1:9" in str(err)
    assert "canary" not in str(err) and "Bearer" not in str(err) and "canary" not in repr(err.as_dict())
    # Nothing chained: a traceback of this error cannot quote requests' message either.
    assert err.__cause__ is None and err.__context__ is None


@pytest.mark.parametrize("exc", [
    requests.exceptions.InvalidURL("bad url with canary-secret"),
    requests.exceptions.TooManyRedirects("canary-secret"),
    requests.exceptions.ContentDecodingError("canary-secret"),
    ValueError("canary-secret in a header"),
])
def test_any_requests_exception_becomes_a_transport_error_without_its_message(exc):
    client, _unused = make_client([exc])
    with pytest.raises(TransportError) as caught:
        client.request("POST", "https://x.example/y", json={})
    assert type(exc).__name__ in str(caught.value) and "x.example" in str(caught.value)
    assert "canary-secret" not in str(caught.value)
    assert caught.value.__context__ is None


def test_a_host_with_user_info_is_shown_without_it():
    client, _unused = make_client([requests.exceptions.InvalidHeader("canary")])
    with pytest.raises(TransportError) as caught:
        client.request("GET", "https://user:canary-pass@x.example/y")
    assert "canary-pass" not in str(caught.value) and "x.example" in str(caught.value)


# --- paging guard ------------------------------------------------------------------------------------

def test_page_guard_stops_at_a_repeated_page_or_link_and_after_max_pages(monkeypatch):
    guard = service_client.PageGuard("svc", "/things?x=1", "svc_url")
    guard.check([{"id": 1}], next_link="https://svc/things?skip=1")
    guard.check([], next_link="https://svc/things?skip=2")
    guard.check([], next_link="https://svc/things?skip=3")  # empty pages with new links are fine
    with pytest.raises(service_client.PagingError) as caught:
        guard.check([{"id": 1}], next_link="https://svc/things?skip=4")
    assert "repeats an earlier page" in str(caught.value) and "/things" in str(caught.value)
    assert "svc_url" in str(caught.value) and "x=1" not in str(caught.value)
    monkeypatch.setattr(service_client, "MAX_PAGES", 3)
    guard = service_client.PageGuard("svc", "/things", "svc_url")
    for number in range(3):
        guard.check([{"id": number}])
    with pytest.raises(service_client.PagingError) as caught:
        guard.check([{"id": 99}])
    assert "after 3 pages" in str(caught.value)
