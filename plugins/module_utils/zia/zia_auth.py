# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Zscaler Internet Access authentication: OneAPI or the legacy session.

- OneAPI (ZIdentity): OAuth2 client credentials at
  ``https://<vanity>.zslogin.net/oauth2/v1/token`` (other clouds in ONEAPI_CLOUDS)
  with audience ``https://api.zscaler.com``, by client secret or a private-key JWT;
  API at ``https://api.zsapi.net/zia/api/v1``.
- Legacy: ``POST /authenticatedSession`` with the API key obfuscated by the
  current time, which sets a ``JSESSIONID`` cookie; sessions expire after 5
  idle minutes (401 ``SESSION_NOT_VALID``) and are closed with ``DELETE``. A
  session's end activates the changes it saved.

Both expose the same two calls to the ZIA client: ``apply(headers)`` before a
request and ``refresh()`` when the service says the credential is stale.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import time

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.jws import sign_rs256
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.token_cache import TokenCache
from ansible_collections.mipconnect.zia.plugins.module_utils.http.service_client import api_error_from

ONEAPI_AUDIENCE = "https://api.zscaler.com"
# OneAPI clouds as Zscaler's SDKs spell them (ZSCALER_CLOUD, any case): the token host
# after the vanity domain, and the ZIA API base. Commercial clouds other than production
# are zslogin<cloud>.net and api.<cloud>.zsapi.net; the government (FedRAMP) clouds have
# their own identity provider and API gateway.
ONEAPI_CLOUDS = {
    "production": ("zslogin.net", "https://api.zsapi.net/zia/api/v1"),
    "beta": ("zsloginbeta.net", "https://api.beta.zsapi.net/zia/api/v1"),
    "alpha": ("zsloginalpha.net", "https://api.alpha.zsapi.net/zia/api/v1"),
    "gov": ("zidentitygov.net", "https://api.zscalergov.net/zia/api/v1"),
    "govus": ("zidentitygov.us", "https://api.zscalergov.us/zia/api/v1"),
}
# Legacy clouds (the name in the admin portal's URL) and their API base. zspreview is
# served by its admin host, as both Zscaler SDKs have it.
LEGACY_CLOUDS = dict(
    [(name, "https://zsapi.%s.net/api/v1" % name)
     for name in ("zscaler", "zscalerone", "zscalertwo", "zscalerthree", "zscloud", "zscalerbeta",
                  "zscalergov", "zscalerten")]
    + [("zspreview", "https://admin.zspreview.net/api/v1")])
# Seconds a private-key JWT stays valid, as both Zscaler SDKs sign it.
ASSERTION_LIFETIME = 600


_VANITY_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def obfuscate_api_key(api_key, timestamp_ms):
    """Zscaler's documented obfuscation of the legacy API key with the login time.

    The digits of the time's last six places, and of half that number, pick
    characters of the key.
    """
    digits = str(timestamp_ms)[-6:]
    halved = str(int(digits) >> 1).zfill(6)
    picked = [api_key[int(d)] for d in digits]
    picked += [api_key[int(d) + 2] for d in halved]
    return "".join(picked)


class OneApiAuth:
    """Bearer tokens from ZIdentity (client secret or private-key JWT)."""

    # ZIA keeps what a OneAPI client saved until an activation asks for it.
    activates_on_session_end = False

    def __init__(self, http, token_url, api_url, client_id, client_secret=None, private_key=None, cache=None):
        self._http = http
        self.token_url = token_url
        self.api_url = api_url
        self._client_id = client_id
        self._client_secret = client_secret
        self._private_key = private_key
        self._cache = cache
        self._token = None
        self._expires_at = 0

    @property
    def identity(self):
        """Who signs in, never a secret: with the API host, it names the organisation's rate limits."""
        return "oneapi:%s" % self._client_id

    def apply(self, headers):
        if self._token is None and self._cache is not None:
            self._token = self._cache.get(ONEAPI_AUDIENCE)
            self._expires_at = time.time() + 300 if self._token else 0
        if self._token is None or time.time() > self._expires_at - 60:
            self.refresh()
        headers["Authorization"] = "Bearer %s" % self._token

    def refresh(self):
        form = {"grant_type": "client_credentials", "client_id": self._client_id, "audience": ONEAPI_AUDIENCE}
        if self._private_key:
            form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            form["client_assertion"] = self._client_assertion()
        else:
            form["client_secret"] = self._client_secret
        # Asking again for a token changes nothing: retried after failures like a read.
        response = self._http.request("POST", self.token_url, data=form, service="Zscaler OneAPI (ZIdentity)",
                                      idempotent=True)
        if response.status_code >= 300:  # a redirect the HTTP layer did not follow is no token
            raise _token_error(response)
        payload = response.json()
        self._token = payload["access_token"]
        self._expires_at = time.time() + int(payload.get("expires_in", 3600))
        if self._cache is not None:
            self._cache.put(ONEAPI_AUDIENCE, self._token, int(payload.get("expires_in", 3600)))

    def _client_assertion(self):
        """The JWT both Zscaler SDKs sign: iss = sub = the client id, aud = the API audience
        (not the token URL), exp ten minutes ahead."""
        claims = {"iss": self._client_id, "sub": self._client_id, "aud": ONEAPI_AUDIENCE,
                  "exp": int(time.time()) + ASSERTION_LIFETIME}
        return sign_rs256(claims, self._private_key)

    def logout(self):
        """Tokens expire by themselves; nothing to close.

        Zscaler's Python SDK ends a OneAPI client's ZIA session with DELETE
        /authenticatedSession, which activates what it saved; this client activates only
        when asked, so that many runs' changes can wait for one activation."""


class LegacySessionAuth:
    """A JSESSIONID session opened with the obfuscated API key.

    ZIA activates the changes a session saved when the session ends, by logout or by
    the idle timeout, so changes saved under this sign-in cannot wait for a later run's
    activation.
    """

    activates_on_session_end = True

    def __init__(self, http, api_url, username, password, api_key):
        self._http = http
        self.api_url = api_url
        self._username = username
        self._password = password
        self._api_key = api_key
        self._logged_in = False

    @property
    def identity(self):
        """Who signs in, never a secret: with the API host, it names the organisation's rate limits."""
        return "legacy:%s" % self._username.lower()

    def apply(self, headers):
        if not self._logged_in:
            self.refresh()

    def refresh(self):
        now_ms = int(time.time() * 1000)
        body = {"apiKey": obfuscate_api_key(self._api_key, now_ms), "username": self._username,
                "password": self._password, "timestamp": now_ms}
        response = self._http.request("POST", self.api_url + "/authenticatedSession", json=body,
                                      service="Zscaler Internet Access")
        if response.status_code >= 300:  # nor is it a session
            err = api_error_from("Zscaler Internet Access", response)
            err.hint = ("Check zia_username, zia_password and zia_api_key (Administration > API Key "
                        "Management) and that zia_cloud matches your admin portal.")
            raise err
        # The session cookie now lives in the HttpClient's cookie jar.
        self._logged_in = True

    def logout(self):
        if self._logged_in:
            self._http.request("DELETE", self.api_url + "/authenticatedSession", service="Zscaler Internet Access")
            self._logged_in = False


def _token_error(response):
    try:
        payload = response.json()
    except ValueError:
        payload = {}
    return ApiError("Zscaler OneAPI (ZIdentity)", response.status_code, code=payload.get("error"),
                    message=payload.get("error_description") or response.reason,
                    hint="Check zscaler_client_id, zscaler_client_secret (or zscaler_private_key) and "
                         "zscaler_vanity_domain, and that the API client has the ZIA scope.")


def build_zia_auth(http, params):
    """Choose the auth mode from the options given; mixing them is an error."""
    oneapi = params.get("zscaler_client_id")
    legacy = params.get("zia_username")
    if oneapi and legacy:
        raise InputError("zscaler_client_id", "OneAPI (zscaler_client_id...) and legacy (zia_username...) "
                                              "credentials were both given; keep one set.")
    if oneapi:
        return _build_oneapi(http, params)
    if legacy:
        return _build_legacy(http, params)
    raise InputError("zscaler_client_id", "no ZIA credentials: set zscaler_client_id with zscaler_client_secret "
                                          "and zscaler_vanity_domain (OneAPI), or zia_username, zia_password, "
                                          "zia_api_key and zia_cloud (legacy API).")


def _build_oneapi(http, params):
    if not params.get("zscaler_client_secret") and not params.get("zscaler_private_key"):
        raise InputError("zscaler_client_secret", "is required with zscaler_client_id (or give zscaler_private_key).")
    cloud = (params.get("zscaler_cloud") or "production").lower()
    if cloud not in ONEAPI_CLOUDS:
        raise InputError("zscaler_cloud", "'%s' is not a OneAPI cloud; use one of %s."
                         % (params["zscaler_cloud"], ", ".join(sorted(ONEAPI_CLOUDS))))
    login_suffix, api_url = ONEAPI_CLOUDS[cloud]
    token_url = params.get("zscaler_token_url")
    if not token_url:
        vanity = params.get("zscaler_vanity_domain")
        if not vanity:
            raise InputError("zscaler_vanity_domain", "is required for OneAPI: the part before .%s "
                                                      "in your ZIdentity URL." % login_suffix)
        if not _VANITY_RE.match(vanity):
            # It becomes part of a host name that receives the client secret.
            raise InputError("zscaler_vanity_domain", "must be a single DNS label (letters, digits, hyphens), "
                                                      "the part before .%s, not a URL." % login_suffix)
        token_url = "https://%s.%s/oauth2/v1/token" % (vanity, login_suffix)
    private_key = None
    if params.get("zscaler_private_key"):
        private_key = _read_private_key(params["zscaler_private_key"])
    cache = None
    if params.get("token_cache", True):
        material = (params.get("zscaler_client_secret") or private_key).encode("utf-8")
        cache = TokenCache(token_url, "zia", params["zscaler_client_id"], material)
    return OneApiAuth(http, token_url, (params.get("zia_api_url") or api_url).rstrip("/"),
                      params["zscaler_client_id"], params.get("zscaler_client_secret"), private_key, cache)


def _build_legacy(http, params):
    for option in ("zia_password", "zia_api_key"):
        if not params.get(option):
            raise InputError(option, "is required with zia_username (legacy API).")
    api_url = params.get("zia_api_url")
    if not api_url:
        cloud = params.get("zia_cloud")
        if not cloud:
            raise InputError("zia_cloud", "is required with zia_username (legacy API): the cloud name in your "
                                          "admin portal URL, one of %s (or the ZIA_CLOUD environment variable). "
                                          "Alternatively give the API base URL as zia_api_url (or "
                                          "MIPCONNECT_ZIA_API_URL)." % ", ".join(LEGACY_CLOUDS))
        if cloud not in LEGACY_CLOUDS:
            raise InputError("zia_cloud", "'%s' is not a ZIA cloud; use the name in your admin portal URL, one of %s."
                             % (cloud, ", ".join(LEGACY_CLOUDS)))
        api_url = LEGACY_CLOUDS[cloud]
    if len(params["zia_api_key"]) < 12 or not params["zia_api_key"].isalnum():
        raise InputError("zia_api_key", "does not look like a ZIA API key (letters and digits, at least 12). "
                                        "Copy it from Administration > API Key Management.")
    return LegacySessionAuth(http, api_url.rstrip("/"), params["zia_username"], params["zia_password"],
                             params["zia_api_key"])


def _read_private_key(value):
    """The PEM text of the OneAPI client's private key, given as the key itself or as the path
    of a file holding it (as Zscaler's SDKs take ZSCALER_PRIVATE_KEY), checked to be an
    unencrypted RSA key. No message repeats the value: it may be the key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    option = "zscaler_private_key"
    if "-----BEGIN" in value:
        # Keys passed through environment variables often arrive with literal \n.
        pem = value.strip().replace("\\n", "\n")
        source = "the PEM text given"
    else:
        try:
            with open(os.path.expanduser(value.strip()), "r") as handle:
                pem = handle.read()
        except UnicodeError:
            pem = ""  # a binary file: refused below as no PEM key
        except (IOError, OSError, ValueError) as exc:
            raise InputError(option, "is neither PEM key text nor a readable file (%s). Give the key text "
                                     "(-----BEGIN PRIVATE KEY-----...) or the path of the PEM file."
                             % (getattr(exc, "strerror", None) or type(exc).__name__))
        source = "the file given"
    try:
        key = serialization.load_pem_private_key(pem.encode("utf-8"), password=None)
    except (ValueError, TypeError, UnicodeError):
        raise InputError(option, "%s does not hold an unencrypted PEM private key. Export the OneAPI client's "
                                 "key from ZIdentity without a passphrase." % source)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise InputError(option, "%s holds a key that is not RSA; ZIdentity signs in with RS256 (RSA) keys."
                         % source)
    return pem
