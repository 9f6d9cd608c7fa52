# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every JSON API client shares on top of the HTTP layer (transport.py).

- ``ServiceClient``: base URL, bearer token, one more try with a new token
  after a 401, and error answers turned into ``ApiError``.
- ``api_error_from``: an ``ApiError`` from any of our services' error shapes,
  with the request id and what the retries already tried.
- ``PageGuard``: stops a paged read that would never end.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json as jsonlib

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.http.transport import THROTTLED, retry_after_of

# Far more pages than any tenant has applications, grants, SaaS tenants or labels (100 000
# items at 100 a page): past it a server is not paging as documented and would never stop.
MAX_PAGES = 1000


class PagingError(MipConnectError):
    """A paged list that does not page as documented: reading on would never end."""


class PageGuard:
    """Stops a paged read that would never end: a page, or a link to the next page, seen
    before (a server that ignores the page number or skip token), or more than MAX_PAGES."""

    def __init__(self, service, path, url_option, max_pages=None):
        self.service = service
        self.path = path.split("?", 1)[0]
        self.url_option = url_option
        self.max_pages = max_pages or MAX_PAGES
        self.pages = 0
        self._seen = set()

    def check(self, items, page=None, next_link=None):
        """Call once per full page read; raises PagingError when reading on would loop."""
        self.pages += 1
        number = page or self.pages
        if self.pages > self.max_pages:
            self._stop("it still had more after %d pages, more than any tenant holds" % self.max_pages)
        # Graph may answer an empty page with a next link: only pages with items are compared.
        marks = []
        if items:
            marks.append("items:" + hashlib.sha256(jsonlib.dumps(items, sort_keys=True).encode("utf-8")).hexdigest())
        if next_link:
            marks.append("link:" + next_link)
        if any(mark in self._seen for mark in marks):
            self._stop("page %d repeats an earlier page, so the server does not honour the paging parameters"
                       % number)
        self._seen.update(marks)

    def _stop(self, why):
        raise PagingError(
            "Reading %s from %s stopped: %s." % (self.path, self.service, why),
            hint="Nothing was changed. Check that %s (when set) points at the service itself and not at a proxy or "
                 "cache that drops query parameters; if it does, report the path to the service's support."
                 % self.url_option)


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
        if response.status_code >= 300:  # a redirect HttpClient did not follow is an error too
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
                    request_id=request_id, retry_after=retry_after_of(response),
                    hint=retry_hint(response))


def retry_hint(response):
    """What to do about an error that retries did not cure, with what was tried; None otherwise."""
    tried = getattr(response, "retry_summary", None)
    if not tried:
        return None
    if response.status_code == THROTTLED:
        return "%s The service kept throttling: run fewer hosts in parallel (forks), or raise max_retry_wait." % tried
    return "%s The service kept failing: try again later, or raise max_retries." % tried
