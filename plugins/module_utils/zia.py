# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ZIA API client: rate limits, edit locks, sessions, activation, MIP reads.

ZIA documents per-kind limits (GET 2/s, POST and PUT together 1/s, DELETE
1/min, activation 10/min) and answers 429 past them; the client paces itself
to stay inside them rather than lean on 429s. Changes take effect only after activation.

ZIA also activates what a legacy API session saved when that session ends (logout, or
the idle timeout), so under legacy sign-in saved changes never outlive the run that
saved them. The client keeps count, and says when that happened
(``session_end_activations``), so that no result claims changes still wait.

Reads of MIP accounts use the documented endpoints only. The write contract
(which ZIA does not document) is in ``zia_mip_contract.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import collections
import time

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.transport import api_error_from, backoff_delay

SERVICE = "Zscaler Internet Access"
MIP = "MIP"
PAGE_SIZE = 100
# ZIA's documented limits, per kind of request: (requests, per seconds). POST and PUT share
# one window; activation has its own (10 a minute) and does not count as a write.
RATE_LIMITS = {"GET": (2, 1.0), "WRITE": (1, 1.0), "DELETE": (1, 60.0), "ACTIVATE": (10, 60.0)}
ACTIVATE_PATH = "/status/activate"
EDIT_LOCK_RETRIES = 6
MAX_RELOGINS = 2
# How ZIA activated saved changes without POST /status/activate: the legacy session ended.
SESSION_EXPIRED = "session_expired"
LOGOUT = "logout"
# Fields of tenantAuthorizationInfo that are not secret; everything else is dropped.
SAFE_AUTHORIZATION_FIELDS = ("type", "clientId", "tenantId")


def limit_kind(method, path=""):
    """The rate-limit window a request counts against, as ZIA counts it."""
    if path.rstrip("/").endswith(ACTIVATE_PATH):
        return "ACTIVATE"
    if method in ("GET", "HEAD"):
        return "GET"
    return "DELETE" if method == "DELETE" else "WRITE"


class RateLimiter:
    """Keeps one module's requests inside ZIA's per-kind limits (a sliding window)."""

    def __init__(self, sleep=time.sleep, clock=time.monotonic):
        self._sleep = sleep
        self._clock = clock
        self._recent = {}

    def _recent_of(self, method, path):
        kind = limit_kind(method, path)
        count, window = RATE_LIMITS[kind]
        return self._recent.setdefault(kind, collections.deque(maxlen=count)), count, window

    def wait(self, method, path=""):
        """Sleep until one more request of this kind fits in the window."""
        recent, count, window = self._recent_of(method, path)
        if len(recent) == count:
            remaining = window - (self._clock() - recent[0])
            if remaining > 0:
                self._sleep(remaining)

    def record(self, method, path=""):
        """Count a request when its answer arrives: ZIA counts it when it got it, which is
        later than when we sent it, so counting from the send would run ahead of ZIA."""
        recent, _count, _window = self._recent_of(method, path)
        recent.append(self._clock())


class ZiaClient:
    def __init__(self, http, auth, sleep=time.sleep, clock=time.monotonic):
        self.http = http
        self.auth = auth
        self.base_url = auth.api_url
        self._sleep = sleep
        self._clock = clock
        self.limiter = RateLimiter(sleep, clock)
        # Whether this client saved changes that no activation has taken yet.
        self.staged = False
        # Each time ZIA activated this client's saved changes because its legacy session ended.
        self.session_end_activations = []

    def call(self, method, path, params=None, json=None, missing_ok=False):
        """One API call with re-login, edit-lock waits and readable errors."""
        relogins = 0
        lock_attempt = 0
        while True:
            self.limiter.wait(method, path)
            headers = {"Accept": "application/json"}
            self.auth.apply(headers)
            try:
                response = self.http.request(method, self.base_url + path, headers=headers, params=params,
                                             json=json, service=SERVICE)
            finally:
                self.limiter.record(method, path)
            if response.status_code == 401 and relogins < MAX_RELOGINS:
                # An expired legacy session (SESSION_NOT_VALID) or OneAPI token: log in again.
                # More than once, since a short idle timeout can expire a fresh session
                # on a busy controller; never endlessly, since refused credentials stay refused.
                relogins += 1
                self._session_ended(SESSION_EXPIRED)
                self.auth.refresh()
                continue
            if response.status_code == 404 and missing_ok:
                return None
            if response.status_code < 400:
                if method in ("POST", "PUT", "DELETE") and limit_kind(method, path) != "ACTIVATE":
                    self.staged = True
                return response.json() if response.content else {}
            err = api_error_from(SERVICE, response)
            if err.code == "EDIT_LOCK_NOT_AVAILABLE" and lock_attempt < EDIT_LOCK_RETRIES:
                # Another admin or API client is saving: wait for the lock.
                self._sleep(err.retry_after if err.retry_after is not None else backoff_delay(lock_attempt))
                lock_attempt += 1
                continue
            raise _explained(err)

    def pages(self, path, params=None, page_size=PAGE_SIZE, missing_ok=False):
        """Yield items of a paged list (plain arrays) until a short page."""
        page = 1
        while True:
            query = dict(params or {}, page=page, pageSize=page_size)
            items = self.call("GET", path, params=query, missing_ok=missing_ok) or []
            yield from items
            if len(items) < page_size:
                return
            page += 1

    # Activation ------------------------------------------------------------

    def activation_status(self):
        return (self.call("GET", "/status") or {}).get("status")

    def activate(self, timeout=120, poll=2.0):
        """Activate staged changes and wait until ZIA reports ACTIVE.

        The empty JSON body is what Zscaler's SDKs send: ZIA answers 415 to a POST
        without Content-Type: application/json."""
        status = (self.call("POST", ACTIVATE_PATH, json={}) or {}).get("status")
        self.staged = False
        return self.wait_until_active(status, timeout, poll)

    def wait_until_active(self, status, timeout=120, poll=2.0):
        """Poll the activation status from ``status`` until ZIA reports ACTIVE."""
        started = self._clock()
        while status != "ACTIVE":
            if self._clock() - started > timeout:
                raise MipConnectError(
                    "ZIA activation did not finish within %d seconds (status %s)." % (timeout, status),
                    hint="Check Activation in the ZIA Admin Portal; another admin's pending changes can hold it.")
            self._sleep(poll)
            status = self.activation_status()
        return {"status": status, "seconds": round(self._clock() - started, 1)}

    def activate_staged(self, check_mode=False, timeout=120):
        """Bring ZIA's configuration to ACTIVE: activate what is staged (PENDING), wait out
        an activation already running (INPROGRESS). Check mode only reads."""
        before = self.activation_status()
        result = {"status_before": before, "status": before, "activated": False}
        if check_mode or before == "ACTIVE":
            return result
        if before == "PENDING":
            result.update(self.activate(timeout), activated=True)
        else:
            result.update(self.wait_until_active(before, timeout))
        return result

    # MIP accounts (documented reads) ---------------------------------------

    def mip_accounts(self):
        """Every MIP account that is not deleted, as ZIA lists it."""
        return [item for item in self.pages("/casbTenant/lite")
                if item.get("saasApplication") == MIP and not item.get("tenantDeleted")]

    def validation_status(self, tenant_id):
        """The account's validation status, with every credential removed before anyone sees it."""
        status = self.call("GET", "/casbTenant/validate/status/%s" % tenant_id, missing_ok=True)
        return scrub_validation_status(status)

    def label_policy(self, tenant_id):
        """The labels ZIA holds for the account (every page), without those marked deleted:
        a label scan keeps labels gone from Purview, with ``deleted: true``."""
        return [tag for tag in self.pages("/casbTenant/%s/tags/policy" % tenant_id, missing_ok=True)
                if not tag.get("deleted")]

    def _session_ended(self, how):
        """A legacy session ended: ZIA activated what this client saved in it."""
        if self.staged and self.auth.mode == "legacy":
            self.session_end_activations.append(how)
            self.staged = False

    def close(self):
        """Sign out, and return how ZIA activated this client's changes by ending its legacy
        session (``session_expired``, ``logout``); empty when it did not."""
        self._session_ended(LOGOUT)  # counted first: a failed logout ends by the idle timeout
        self.auth.logout()
        return list(self.session_end_activations)


def scrub_validation_status(status):
    """Drop every field of tenantAuthorizationInfo except the named safe ones.

    The documented response carries the client secret and access tokens.
    """
    if not isinstance(status, dict):
        return status
    clean = dict(status)
    info = clean.pop("tenantAuthorizationInfo", None)
    if isinstance(info, dict):
        clean["tenantAuthorizationInfo"] = dict((k, info[k]) for k in SAFE_AUTHORIZATION_FIELDS if k in info)
    return clean


def _explained(err):
    if err.code == "STATE_READONLY":
        err.hint = "ZIA is in maintenance (read-only). Re-run after the maintenance window."
    elif err.status == 429:
        err.hint = "ZIA's rate limit was still exceeded after retries: run fewer hosts in parallel (forks)."
    elif err.code == "EDIT_LOCK_NOT_AVAILABLE":
        err.hint = "Another admin or API client kept the ZIA edit lock; try again when they have saved."
    elif err.status == 401:
        err.hint = "The ZIA credentials were refused after a fresh login."
    elif err.status == 403:
        err.hint = "The ZIA admin or API client lacks the role needed for this call."
    return err
