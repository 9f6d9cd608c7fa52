# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stands in for HttpClient in unit tests: Entra's token endpoint and any JSON service.

Tokens are unsigned JWTs whose ``roles`` claim is what the test grants per
resource; service requests are answered from a script, in order, and
recorded with the bearer token they carried.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json

import requests

AUTHORITY = "https://login.example"
TENANT = "11111111-1111-1111-1111-111111111111"
CLIENT = "22222222-2222-2222-2222-222222222222"


class Answer:
    """A requests.Response as far as our clients and MSAL read one."""

    def __init__(self, status, body=None, headers=None):
        self.status_code = status
        self.headers = requests.structures.CaseInsensitiveDict(headers or {"Content-Type": "application/json"})
        self.text = json.dumps(body) if body is not None else ""
        self.content = self.text.encode("utf-8")
        self.reason = "Reason"

    def json(self):
        return json.loads(self.text)

    def raise_for_status(self):
        """MSAL may call it; it reads the error from the body itself."""


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
