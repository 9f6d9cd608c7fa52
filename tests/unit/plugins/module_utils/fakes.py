# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fakes the unit tests of several module_utils files share."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import requests

from ansible_collections.mipconnect.zia.plugins.module_utils.http import transport


class Clock:
    def __init__(self, start=1000.0):
        self.now = start
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


class Answer:
    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self._body = body
        self.headers = requests.structures.CaseInsensitiveDict(headers or {})
        self.reason = "Reason"
        self.content = b"x" if body is not None else b""

    def json(self):
        if self._body is None:
            raise ValueError("no body")
        return self._body

    @property
    def text(self):
        """What MSAL reads of a response."""
        return json.dumps(self._body) if self._body is not None else ""

    def raise_for_status(self):
        """MSAL may call it; it reads the error from the body itself."""


class ScriptedHttp:
    """Stands in for HttpClient: answers from a script (or a function of the request), records calls."""

    def __init__(self, answers, max_retry_wait=120):
        self.answers = answers
        self.calls = []
        self.settings = transport.HttpSettings(max_retry_wait=max_retry_wait)

    def request(self, method, url, headers=None, params=None, json=None, service=None, **options):
        self.calls.append((method, url, dict(params or {}), options))
        if callable(self.answers):
            return self.answers(method, url, dict(params or {}))
        return self.answers.pop(0)


class RecordingHttp:
    """Stands in for HttpClient: answers in order, records the bearer token of each request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.tokens = []

    def request(self, method, url, headers=None, **kwargs):
        self.tokens.append(headers["Authorization"])
        return self.answers.pop(0)


class NoAuth:
    api_url = "https://zia.example/api/v1"

    def apply(self, headers):
        pass

    def refresh(self):
        pass

    def logout(self):
        pass


# Entra (OpenID metadata, token endpoint) and a scripted JSON service behind it.

AUTHORITY = "https://login.example"
TENANT = "11111111-1111-1111-1111-111111111111"
CLIENT = "22222222-2222-2222-2222-222222222222"


def jwt(claims):
    """An unsigned token with these claims: the clients only read them."""
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode("utf-8")).decode("ascii").rstrip("=")
    return "header.%s.signature" % payload


class FakeServices:
    """Entra (OpenID metadata, token endpoint) plus a scripted JSON service."""

    def __init__(self, roles=None, token_error=None, script=()):
        self.roles = roles or {}  # resource (scope without /.default) -> roles its tokens carry
        self.token_error = token_error  # an OAuth error body the token endpoint answers instead
        self.script = list(script)
        self.tokens_issued = []  # (scope, client_secret) per token request
        self.calls = []  # (method, url, bearer token) per service request
        self.closed = False

    def request(self, method, url, headers=None, params=None, json=None, data=None, service=None, idempotent=None):
        base = "%s/%s" % (AUTHORITY, TENANT)
        if url.endswith("/.well-known/openid-configuration"):
            return Answer(200, {"token_endpoint": base + "/oauth2/v2.0/token",
                                "authorization_endpoint": base + "/oauth2/v2.0/authorize",
                                "issuer": base + "/v2.0"})
        if url == base + "/oauth2/v2.0/token":
            return self._token(data or {})
        bearer = (headers or {}).get("Authorization", "")
        self.calls.append((method, url, bearer[len("Bearer "):]))
        return self.script.pop(0) if self.script else Answer(200, {"value": []})

    def _token(self, form):
        if self.token_error:
            return Answer(400, self.token_error)
        scope = form.get("scope", "").split(" ")[0]
        self.tokens_issued.append((scope, form.get("client_secret")))
        resource = scope[:-len("/.default")]
        claims = {"roles": self.roles.get(resource, []), "n": len(self.tokens_issued)}
        return Answer(200, {"token_type": "Bearer", "expires_in": 3600, "access_token": jwt(claims)})

    def close(self):
        self.closed = True
