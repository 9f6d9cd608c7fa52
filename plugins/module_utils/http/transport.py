# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP layer every client uses: timeouts, TLS, retries, backoff, redirects.

Why it exists:
- TLS: ``requests`` lets REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) override a
  Session's ``verify``, so ``verify`` is passed on every request. With
  ``verify=True`` those variables still replace requests' default CA bundle,
  as requests documents; a ``ca_bundle`` path or ``validate_certs: false`` wins
  over them. Proxy variables are honoured.
- Throttling: 429 (and 503 with a ``Retry-After``) is retried after the wait
  the service asks for, in any of the forms seen in the wild, for as long as
  the waits of one request add up to no more than ``max_retry_wait``.
- Failures: 500, 502, 503 and 504, dropped connections and timeouts are
  retried at most ``max_retries`` times, with capped exponential backoff and
  jitter, within the same total wait. 500, 502 and 504 mean a write may have
  been carried out, so only requests safe to repeat are retried after them.
- Redirects: never followed by requests itself. A request that carries a
  credential (a body, an Authorization header, a cookie) is not redirected at
  all; a bare one only to https on the same host and port.
- Replication delay: Entra objects appear in other replicas seconds after
  creation. ``retry_while_replicating`` repeats one call while the service
  answers with an error that means "not yet", within a deadline.
- Errors never contain request bodies or headers: only status, code, message
  and request id taken from the response, or the type of a transport failure
  and the host. requests' own messages can quote a header (a token with a
  line break in it), so they are never shown.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import random
import re
import time

try:
    from urllib.parse import urljoin, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    from urlparse import urljoin, urlsplit

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the module base class
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import TransportError

USER_AGENT = "mipconnect.zia-ansible-collection"
THROTTLED = 429
# 503: the service did not take the request on; safe to repeat for any method.
UNAVAILABLE = 503
# The request may have been carried out before the failure: repeated only when that is safe.
MAYBE_DONE = (500, 502, 504)
RETRY_STATUSES = (THROTTLED, UNAVAILABLE) + MAYBE_DONE
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 5
MIN_THROTTLE_WAIT = 1.0
THROTTLE_JITTER = 0.5  # seconds, at most, added to a wait a service asked for
IDEMPOTENT_METHODS = ("GET", "HEAD", "PUT", "DELETE", "OPTIONS")
DEFAULT_MAX_RETRY_WAIT = 120

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
    """What a user can tune about HTTP, shared by every client of one module run.

    ``max_retries`` counts repeats after failures (5xx, dropped connections,
    timeouts); ``max_retry_wait`` bounds the seconds one request may spend
    waiting between its attempts, throttling included.
    """

    def __init__(self, timeout=30, ca_bundle=None, validate_certs=True, max_retries=5,
                 max_retry_wait=DEFAULT_MAX_RETRY_WAIT, replication_timeout=180):
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


class RetryBudget:
    """What one request has used of its retries: failures counted, seconds waited."""

    def __init__(self, max_failures, max_wait):
        self.max_failures = max_failures
        self.max_wait = max_wait
        self.failures = 0
        self.throttled = 0
        self.waited = 0.0
        self.refused_wait = None

    def allows(self, wait, failure):
        """Whether one more wait of ``wait`` seconds fits; a failure also needs a retry left."""
        if failure and self.failures >= self.max_failures:
            return False
        if self.waited + wait > self.max_wait:
            self.refused_wait = wait
            return False
        return True

    def spend(self, wait, failure):
        self.waited += wait
        if failure:
            self.failures += 1
        else:
            self.throttled += 1

    def summary(self):
        """A sentence on what was tried, for the error a person reads; None when nothing was."""
        attempts = self.failures + self.throttled
        text = []
        if attempts:
            text.append("Retried %d time%s over %.0f s of waiting (max_retries %d, max_retry_wait %d s)."
                        % (attempts, "" if attempts == 1 else "s", self.waited, self.max_failures, self.max_wait))
        if self.refused_wait is not None:
            text.append("The next wait, %.0f s, would have gone past max_retry_wait (%d s in all), so it was "
                        "not made." % (self.refused_wait, self.max_wait))
        return " ".join(text) or None


class HttpClient:
    """A requests Session with our TLS, timeout, retry and redirect rules."""

    def __init__(self, settings, sleep=time.sleep, jitter=random.random):
        self.settings = settings
        self._jitter = jitter
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep

    def request(self, method, url, headers=None, params=None, json=None, data=None, service="remote service",
                idempotent=None):
        """Send a request, retrying what is safe to retry; return the final Response.

        ``idempotent`` overrides what the method says: a POST that only
        repeats an action (ZIA's activation) may be sent again after a
        failure. The final Response carries ``retry_summary`` (a sentence or
        None) for the error a caller builds from it.
        """
        method = method.upper()
        repeatable = method in IDEMPOTENT_METHODS if idempotent is None else bool(idempotent)
        budget = RetryBudget(self.settings.max_retries, self.settings.max_retry_wait)
        redirects = 0
        while True:
            response = self._send_once(method, url, headers, params, json, data, service, repeatable, budget)
            if response is None:  # a transport failure that is safe to retry, already waited for
                continue
            if response.status_code in REDIRECT_STATUSES and response.headers.get("Location"):
                url, method = self._redirect(method, url, headers, json, data, response, service, redirects)
                params = json = data = None
                redirects += 1
                continue
            wait, failure = self._retry_wait(response, repeatable, budget)
            if wait is None or not budget.allows(wait, failure):
                response.retry_summary = budget.summary()
                return response
            budget.spend(wait, failure)
            self._sleep(wait)

    def _send_once(self, method, url, headers, params, json, data, service, repeatable, budget):
        try:
            return self.session.request(
                method, url, headers=headers, params=params, json=json, data=data,
                timeout=self.settings.timeout, verify=self.settings.verify, allow_redirects=False)
        except requests.exceptions.SSLError:
            failure = TransportError(
                "TLS verification failed talking to %s (%s)." % (service, _host(url)),
                hint="Set ca_bundle to the CA that signed the server certificate, or fix the proxy's CA.")
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            # A POST that timed out may have been carried out: repeating it could
            # create a second secret. Only requests safe to repeat, or requests
            # that never reached the server, are repeated.
            never_sent = isinstance(exc, requests.exceptions.ConnectTimeout)
            wait = backoff_delay(budget.failures, rand=self._jitter)
            if (repeatable or never_sent) and budget.allows(wait, failure=True):
                budget.spend(wait, failure=True)
                self._sleep(wait)
                return None
            failure = TransportError(
                "Could not reach %s (%s): %s." % (service, _host(url), type(exc).__name__),
                hint=" ".join(filter(None, [
                    budget.summary(),
                    "Check network access, proxy settings (HTTPS_PROXY, NO_PROXY) and the timeout option."])))
        except (requests.exceptions.RequestException, ValueError) as exc:
            # requests' message may quote a header, token included (a value with a
            # line break is refused with the whole value): name the type only.
            failure = TransportError(
                "Could not send the request to %s (%s): %s." % (service, _host(url), type(exc).__name__),
                hint="A header or URL held a character HTTP does not allow; check the URL options, and "
                     "the credentials and tokens given, for stray line breaks or spaces.")
        # Raised outside the except clause so the requests exception, and the
        # header it may quote, is not chained to ours in a traceback.
        raise failure

    def _retry_wait(self, response, repeatable, budget):
        """(seconds to wait, whether it counts as a failure), or (None, None) when not to retry."""
        status = response.status_code
        if status not in RETRY_STATUSES or (status in MAYBE_DONE and not repeatable):
            return None, None
        asked = retry_after_of(response) if status in (THROTTLED, UNAVAILABLE) else None
        if asked is not None:
            return self._throttle_wait(asked), False
        if status == THROTTLED:
            return backoff_delay(budget.throttled, rand=self._jitter), False
        return backoff_delay(budget.failures, rand=self._jitter), True

    def _throttle_wait(self, asked):
        # ZIA says "0 seconds" when less than a second is left; asking again at
        # once only earns another 429. A little jitter keeps parallel processes
        # that were told the same wait from coming back in lockstep.
        return max(asked, MIN_THROTTLE_WAIT) + self._jitter() * THROTTLE_JITTER

    def _redirect(self, method, url, headers, json, data, response, service, redirects):
        """The (url, method) to follow a redirect to, or a TransportError saying why not."""
        target = urljoin(url, response.headers["Location"])
        where = "%s (%s) answered HTTP %d, a redirect to %s" % (
            service, _host(url), response.status_code, _origin(target))
        fix = ("Point the URL options (authority_url, graph_url, arm_url, power_platform_url, zia_api_url, "
               "zscaler_token_url) at the service's own address, and check that no proxy rewrites it.")
        if self._carries_credential(method, url, headers, json, data):
            raise TransportError("%s; it was not followed, since the request carries credentials that must "
                                 "reach only the host they are meant for." % where, hint=fix)
        # User info in a Location would make requests send it as Basic credentials.
        if (_origin(target) != _origin(url) or not target.lower().startswith("https://")
                or "@" in urlsplit(target).netloc):
            raise TransportError("%s; it was not followed, since only redirects to https on the same host "
                                 "are." % where, hint=fix)
        if redirects >= MAX_REDIRECTS:
            raise TransportError("%s, after %d redirects already; the chain was not followed further."
                                 % (where, redirects), hint=fix)
        return target, "GET" if response.status_code == 303 else method

    def _carries_credential(self, method, url, headers, json, data):
        """A body (a token request, a login, a secret), an Authorization header, or a cookie."""
        if json is not None or data is not None:
            return True
        names = set(name.lower() for name in (headers or {}))
        if "authorization" in names or "cookie" in names or getattr(self.session, "auth", None):
            return True
        jar = getattr(self.session, "cookies", None)
        if jar:
            return bool(requests.cookies.get_cookie_header(jar, requests.Request(method, url)))
        return False

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
        # MSAL posts only token requests: asking again for a token changes nothing, so a
        # 500/502/504 or a timeout is retried like a read.
        return self._http.request("POST", url, params=params, data=data, headers=headers,
                                  service="Microsoft Entra ID", idempotent=True)

    def close(self):
        """MSAL may call this; the session belongs to the HttpClient."""


def _host(url):
    match = re.match(r"^[a-z]+://([^/?#]+)", url or "", re.IGNORECASE)
    return match.group(1).rsplit("@", 1)[-1] if match else "an invalid URL"


def _origin(url):
    """scheme://host[:port] of a URL, without user info, path or query (which may hold a secret)."""
    parts = urlsplit(url)
    return "%s://%s" % (parts.scheme.lower(), (parts.netloc.rsplit("@", 1)[-1]).lower())
