# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP layer every client uses: timeouts, TLS, retries, backoff.

Why it exists:
- TLS: ``requests`` lets REQUESTS_CA_BUNDLE override a Session's ``verify``,
  so ``verify`` is passed on every request. Proxy variables are still honoured.
- Throttling: 429/503 (and 504 for idempotent methods) are retried after the
  wait the service asks for (``Retry-After`` in any of the forms seen in the
  wild), else after a capped exponential backoff with jitter.
- Replication delay: Entra objects appear in other replicas seconds after
  creation. ``retry_while_replicating`` repeats one call while the service
  answers with an error that means "not yet", within a deadline.
- Errors never contain request bodies or headers: only status, code, message
  and request id taken from the response.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import random
import re
import time

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module base class
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, TransportError

USER_AGENT = "mipconnect.zia-ansible-collection"
RETRY_STATUSES = (429, 503, 504)
MIN_THROTTLE_WAIT = 1.0
THROTTLE_JITTER = 0.5  # seconds, at most, added to a wait a service asked for
IDEMPOTENT_METHODS = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")

_SECONDS_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|secs|second|seconds)?\s*$", re.IGNORECASE)


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After value, or None when it says nothing usable.

    Accepts ``13``, ``1.5``, ``13s``, ``0 seconds`` and HTTP dates.
    """
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    match = _SECONDS_RE.match(text)
    if match:
        return max(0.0, float(match.group(1)))
    parsed = email.utils.parsedate_tz(text)
    if parsed is None:
        return None
    when = email.utils.mktime_tz(parsed)
    return max(0.0, when - (now if now is not None else time.time()))


def retry_after_of(response):
    """The wait a throttling answer asks for: the Retry-After header, or the
    same field in a JSON body (ZIA sends ``{"Retry-After": "13 seconds"}``)."""
    wait = parse_retry_after(response.headers.get("Retry-After"))
    if wait is not None:
        return wait
    try:
        body = response.json()
    except ValueError:
        return None
    if isinstance(body, dict):
        return parse_retry_after(body.get("Retry-After") or body.get("retryAfter"))
    return None


def backoff_delay(attempt, base=1.0, cap=30.0, rand=random.random):
    """Capped exponential backoff with 'equal jitter': half fixed, half random."""
    ceiling = min(cap, base * (2 ** attempt))
    return ceiling / 2.0 + rand() * ceiling / 2.0


class HttpSettings:
    """What a user can tune about HTTP, shared by every client of one module run."""

    def __init__(self, timeout=30, ca_bundle=None, validate_certs=True, max_retries=5,
                 max_retry_wait=120, replication_timeout=180):
        self.timeout = timeout
        self.ca_bundle = ca_bundle
        self.validate_certs = validate_certs
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        self.replication_timeout = replication_timeout

    @property
    def verify(self):
        """The value for requests' ``verify``: a CA path, True, or False."""
        if not self.validate_certs:
            return False
        return self.ca_bundle or True


class HttpClient:
    """A requests Session with our TLS, timeout and retry rules."""

    def __init__(self, settings, sleep=time.sleep, jitter=random.random):
        self.settings = settings
        self._jitter = jitter
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep
        self.request_count = {"read": 0, "write": 0}

    def request(self, method, url, headers=None, params=None, json=None, data=None, service="remote service"):
        """Send a request, retrying what is safe to retry; return the final Response."""
        method = method.upper()
        attempt = 0
        while True:
            response = self._send_once(method, url, headers, params, json, data, service, attempt)
            if response is None:  # a transport error that is safe to retry
                attempt += 1
                continue
            if not self._should_retry(method, response, attempt):
                return response
            wait = self._wait_for(response, attempt)
            if wait > self.settings.max_retry_wait:
                return response
            self._sleep(wait)
            attempt += 1

    def _send_once(self, method, url, headers, params, json, data, service, attempt):
        self.request_count["read" if method in ("GET", "HEAD") else "write"] += 1
        try:
            return self.session.request(
                method, url, headers=headers, params=params, json=json, data=data,
                timeout=self.settings.timeout, verify=self.settings.verify)
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                "TLS verification failed talking to %s (%s)." % (service, _host(url)),
                hint="Set ca_bundle to the CA that signed the server certificate, or fix the proxy's CA.")
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
            # A POST that timed out may have been carried out: repeating it could
            # create a second secret. Only idempotent requests, or requests that
            # never reached the server, are repeated.
            never_sent = isinstance(exc, requests.exceptions.ConnectTimeout)
            if (method in IDEMPOTENT_METHODS or never_sent) and attempt < self.settings.max_retries:
                self._sleep(backoff_delay(attempt))
                return None
            raise TransportError(
                "Could not reach %s (%s): %s." % (service, _host(url), type(exc).__name__),
                hint="Check network access, proxy settings (HTTPS_PROXY, NO_PROXY) and the timeout option.")

    def _should_retry(self, method, response, attempt):
        if attempt >= self.settings.max_retries or response.status_code not in RETRY_STATUSES:
            return False
        # 504 means the gateway gave up; the write may still have happened.
        return response.status_code != 504 or method in IDEMPOTENT_METHODS

    def _wait_for(self, response, attempt):
        wait = retry_after_of(response)
        if wait is None:
            return backoff_delay(attempt)
        # ZIA says "0 seconds" when less than a second is left; asking again at
        # once only earns another 429. A little jitter keeps parallel processes
        # that were told the same wait from coming back in lockstep.
        return max(wait, MIN_THROTTLE_WAIT) + self._jitter() * THROTTLE_JITTER

    def close(self):
        self.session.close()


def retry_while_replicating(call, is_not_yet, timeout, sleep=time.sleep, clock=time.monotonic,
                            base=1.0, cap=16.0):
    """Repeat ``call()`` while it raises an error for which ``is_not_yet(err)`` is true.

    Entra documents that new objects may be missing from other replicas for a
    while, with no upper bound; we wait up to ``timeout`` seconds and then let
    the last error through so the person sees what Microsoft said.
    """
    deadline = clock() + timeout
    attempt = 0
    while True:
        try:
            return call()
        except Exception as err:  # pylint: disable=broad-except
            if not is_not_yet(err):
                raise
            delay = backoff_delay(attempt, base=base, cap=cap)
            if clock() + delay > deadline:
                raise
            sleep(delay)
            attempt += 1


class ServiceClient:
    """A JSON API behind a bearer token: base URL, auth header, error parsing.

    ``token_source`` is a callable returning an access token; it is called on
    each request so a provider's cache decides when to fetch a new one.
    ``token_refused``, when given, is called once if the service answers 401:
    a token reused from the cache may have been revoked, or was issued before
    a permission changed. The request is then sent once more with a new token
    (a 401 is refused before any work, so a write is never done twice).
    """

    service = "remote service"

    def __init__(self, http, base_url, token_source, token_refused=None):
        self.http = http
        self.base_url = base_url.rstrip("/")
        self._token_source = token_source
        self._token_refused = token_refused

    def call(self, method, path, params=None, json=None, headers=None, missing_ok=False):
        """Send one request; return the parsed JSON body ({} when empty), or None for
        a 404 when ``missing_ok``. Any other error status raises ApiError."""
        url = path if path.startswith("https://") or path.startswith("http://") else self.base_url + path
        response = self._send(method, url, params, json, headers)
        if response.status_code == 401 and self._token_refused is not None:
            self._token_refused()
            response = self._send(method, url, params, json, headers)
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 400:
            raise api_error_from(self.service, response)
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise ApiError(self.service, response.status_code, message="the answer was not JSON",
                           request_id=request_id_of(response))

    def _send(self, method, url, params, json, headers):
        all_headers = {"Authorization": "Bearer %s" % self._token_source(), "Accept": "application/json"}
        all_headers.update(headers or {})
        return self.http.request(method, url, headers=all_headers, params=params, json=json, service=self.service)


def request_id_of(response):
    for name in ("request-id", "x-ms-request-id", "x-request-id", "x-ms-correlation-request-id"):
        if response.headers.get(name):
            return response.headers[name]
    return None


def api_error_from(service, response):
    """An ApiError from an error response in any of the shapes our services use:
    ``{"error": {"code", "message", "innerError": {"request-id"}}}`` (Graph, ARM)
    and ``{"code", "message"}`` (ZIA, Power Platform)."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    inner = error.get("innerError") or error.get("innererror") or {}
    request_id = request_id_of(response) or (inner.get("request-id") if isinstance(inner, dict) else None)
    message = error.get("message")
    if not message and not body:
        message = response.reason
    return ApiError(service, response.status_code, code=error.get("code"), message=message,
                    request_id=request_id, retry_after=retry_after_of(response))


class MsalHttpClient:
    """The ``http_client`` MSAL accepts, routed through our HttpClient.

    MSAL would otherwise use its own Session, whose ``verify`` loses to
    REQUESTS_CA_BUNDLE; through this adapter token requests get the same TLS,
    timeout and retry rules as everything else.
    """

    def __init__(self, http):
        self._http = http

    def get(self, url, params=None, headers=None, **kwargs):
        return self._http.request("GET", url, params=params, headers=headers, service="Microsoft Entra ID")

    def post(self, url, params=None, data=None, headers=None, **kwargs):
        return self._http.request("POST", url, params=params, data=data, headers=headers,
                                  service="Microsoft Entra ID")

    def close(self):
        """MSAL may call this; the session belongs to the HttpClient."""


def _host(url):
    match = re.match(r"^[a-z]+://([^/]+)", url or "")
    return match.group(1) if match else url
