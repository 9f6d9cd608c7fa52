# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ZIA API client: rate limits, edit locks, sessions, activation, MIP reads.

ZIA documents per-kind limits and answers 429 past them; the client paces
itself to stay inside them (``zia_rate_limits.py``) rather than lean on 429s.
Changes take effect only after activation.

ZIA also activates what a legacy API session saved when that session ends (logout, or
the idle timeout), so under legacy sign-in saved changes never outlive the run that
saved them. The client keeps count, and says when that happened
(``session_end_activations``), so that no result claims changes still wait.

Reads of MIP accounts use the documented endpoints only. The write contract
(which ZIA does not document) is in ``zia_mip_contract.py``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.http.service_client import PageGuard, api_error_from
from ansible_collections.mipconnect.zia.plugins.module_utils.http.transport import (
    DEFAULT_MAX_RETRY_WAIT,
    MIN_THROTTLE_WAIT,
    backoff_delay,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_rate_limits import (
    ACTIVATE_PATH,
    RateLimiter,
    limit_kind,
)

SERVICE = "Zscaler Internet Access"
MIP = "MIP"
PAGE_SIZE = 100
MAX_RELOGINS = 2
# How ZIA activated saved changes without POST /status/activate: the legacy session ended.
SESSION_EXPIRED = "session_expired"
LOGOUT = "logout"
# Fields of tenantAuthorizationInfo that are not secret; everything else is dropped.
SAFE_AUTHORIZATION_FIELDS = ("type", "clientId", "tenantId")


class ZiaClient:
    def __init__(self, http, auth, sleep=time.sleep, clock=time.monotonic, limiter=None):
        self.http = http
        self.auth = auth
        self.base_url = auth.api_url
        self._sleep = sleep
        self._clock = clock
        self.limiter = limiter or RateLimiter(sleep, clock)
        # Whether this client saved changes that no activation has taken yet.
        self.staged = False
        # Each time ZIA activated this client's saved changes because its legacy session ended.
        self.session_end_activations = []

    def call(self, method, path, params=None, json=None, missing_ok=False, idempotent=None):
        """One API call with re-login, edit-lock waits and readable errors.

        ``idempotent=True`` lets the HTTP layer repeat a POST after a failure
        (activation: repeating it only activates again).
        """
        relogins = 0
        lock_waits = EditLockWaits(self._max_retry_wait())
        options = {"idempotent": True} if idempotent else {}
        while True:
            self.limiter.wait(method, path)
            headers = {"Accept": "application/json"}
            self.auth.apply(headers)
            try:
                response = self.http.request(method, self.base_url + path, headers=headers, params=params,
                                             json=json, service=SERVICE, **options)
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
            if response.status_code < 300:
                if method in ("POST", "PUT", "DELETE") and limit_kind(method, path) != "ACTIVATE":
                    self.staged = True
                return response.json() if response.content else {}
            err = api_error_from(SERVICE, response)
            if err.code == "EDIT_LOCK_NOT_AVAILABLE":
                # Another admin or API client is saving: wait for the lock, within max_retry_wait.
                self._sleep(lock_waits.next_wait(err))
                continue
            raise _explained(err)

    def _max_retry_wait(self):
        settings = getattr(self.http, "settings", None)
        return getattr(settings, "max_retry_wait", DEFAULT_MAX_RETRY_WAIT)

    def pages(self, path, params=None, page_size=PAGE_SIZE, missing_ok=False):
        """Yield items of a paged list (plain arrays) until a short page.

        Stops with an error when a page repeats an earlier one (a server that
        ignores ``page`` would otherwise be read forever) or after MAX_PAGES.
        """
        guard = PageGuard(SERVICE, path, "zia_api_url")
        page = 1
        while True:
            query = dict(params or {}, page=page, pageSize=page_size)
            items = self.call("GET", path, params=query, missing_ok=missing_ok) or []
            if len(items) < page_size:
                yield from items
                return
            guard.check(items, page)
            yield from items
            page += 1

    # Activation ------------------------------------------------------------

    def activation_status(self):
        return (self.call("GET", "/status") or {}).get("status")

    def activate(self, timeout=120, poll=2.0):
        """Activate staged changes and wait until ZIA reports ACTIVE.

        The empty JSON body is what Zscaler's SDKs send: ZIA answers 415 to a POST
        without Content-Type: application/json. Repeating an activation after a
        failure only activates again, so the HTTP layer may retry it."""
        status = (self.call("POST", ACTIVATE_PATH, json={}, idempotent=True) or {}).get("status")
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

    def policy_tags(self, tenant_id, missing_ok=True):
        """The account's labels that ZIA's policy rules use (``/tags/policy``, every page): not every
        label ZIA retrieved. Tags marked ``deleted`` (gone from Purview) are left out, here and
        wherever they are read."""
        return [tag for tag in self.pages("/casbTenant/%s/tags/policy" % tenant_id, missing_ok=missing_ok)
                if not tag.get("deleted")]

    def _session_ended(self, how):
        """A legacy session ended: ZIA activated what this client saved in it."""
        if self.staged and self.auth.activates_on_session_end:
            self.session_end_activations.append(how)
            self.staged = False

    def close(self):
        """Sign out, and return how ZIA activated this client's changes by ending its legacy
        session (``session_expired``, ``logout``); empty when it did not."""
        self._session_ended(LOGOUT)  # counted first: a failed logout ends by the idle timeout
        self.auth.logout()
        return list(self.session_end_activations)


class EditLockWaits:
    """The waits for ZIA's edit lock in one call: as long as ZIA asks (else a backoff), while they
    add up to no more than max_retry_wait. Past that the lock's holder is not about to save."""

    def __init__(self, max_wait):
        self.max_wait = max_wait
        self.waited = 0.0
        self.attempt = 0

    def next_wait(self, err):
        """Seconds to wait before trying again, or ``err`` raised with what to do."""
        asked = err.retry_after
        wait = max(asked, MIN_THROTTLE_WAIT) if asked is not None else backoff_delay(self.attempt)
        if self.waited + wait > self.max_wait:
            err.hint = ("Another admin or API client holds the ZIA edit lock. Waited %.0f s; %s, which would go "
                        "past max_retry_wait (%d s). Try again when they have saved (or ended their session), or "
                        "raise max_retry_wait."
                        % (self.waited, "ZIA asked for %.0f s more" % asked if asked is not None
                           else "the next wait is %.0f s" % wait, self.max_wait))
            raise err
        self.waited += wait
        self.attempt += 1
        return wait


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
    elif err.status == 429 and not err.hint:
        err.hint = "ZIA's rate limit was still exceeded: run fewer hosts in parallel (forks), or raise max_retry_wait."
    elif err.status == 401:
        err.hint = "The ZIA credentials were refused after a fresh login."
    elif err.status == 403:
        err.hint = "The ZIA admin or API client lacks the role needed for this call."
    return err
