# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ZIA sign-in: every cloud's URLs, the OneAPI private-key JWT, the private key given as
text or path (never echoed), activation's JSON body, and what a legacy session's end
activates. No HTTP: fakes stand in for ZIA."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from ansible_collections.mipconnect.zia.plugins.module_utils.zia import zia_auth
from ansible_collections.mipconnect.zia.plugins.module_utils.entra.entra_auth import load_certificate_credential
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia import ZiaClient

CLIENT_ID = "zs-client-0001"
PKCS8 = serialization.PrivateFormat.PKCS8


def pem_of(key):
    return key.private_bytes(serialization.Encoding.PEM, PKCS8, serialization.NoEncryption()).decode("ascii")


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def rsa_pem(rsa_key):
    return pem_of(rsa_key)


def key_body(pem):
    """The base64 lines of a PEM: what must never reach a message."""
    return [line for line in pem.splitlines() if line and not line.startswith("-----")]


def oneapi_params(**extra):
    params = {"zscaler_client_id": CLIENT_ID, "zscaler_client_secret": "s3cret", "zscaler_vanity_domain": "acme",
              "token_cache": False}
    params.update(extra)
    return params


# --- clouds -------------------------------------------------------------------------------

# Every cloud as Zscaler's Python and Go SDKs build its URLs (token URL, ZIA API base).
ONEAPI_CLOUD_URLS = [
    (None, "https://acme.zslogin.net/oauth2/v1/token", "https://api.zsapi.net/zia/api/v1"),
    ("production", "https://acme.zslogin.net/oauth2/v1/token", "https://api.zsapi.net/zia/api/v1"),
    ("PRODUCTION", "https://acme.zslogin.net/oauth2/v1/token", "https://api.zsapi.net/zia/api/v1"),
    ("beta", "https://acme.zsloginbeta.net/oauth2/v1/token", "https://api.beta.zsapi.net/zia/api/v1"),
    ("alpha", "https://acme.zsloginalpha.net/oauth2/v1/token", "https://api.alpha.zsapi.net/zia/api/v1"),
    ("gov", "https://acme.zidentitygov.net/oauth2/v1/token", "https://api.zscalergov.net/zia/api/v1"),
    ("GOV", "https://acme.zidentitygov.net/oauth2/v1/token", "https://api.zscalergov.net/zia/api/v1"),
    ("govus", "https://acme.zidentitygov.us/oauth2/v1/token", "https://api.zscalergov.us/zia/api/v1"),
]

LEGACY_CLOUD_URLS = [
    ("zscaler", "https://zsapi.zscaler.net/api/v1"),
    ("zscalerone", "https://zsapi.zscalerone.net/api/v1"),
    ("zscalertwo", "https://zsapi.zscalertwo.net/api/v1"),
    ("zscalerthree", "https://zsapi.zscalerthree.net/api/v1"),
    ("zscloud", "https://zsapi.zscloud.net/api/v1"),
    ("zscalerbeta", "https://zsapi.zscalerbeta.net/api/v1"),
    ("zscalergov", "https://zsapi.zscalergov.net/api/v1"),
    ("zscalerten", "https://zsapi.zscalerten.net/api/v1"),
    ("zspreview", "https://admin.zspreview.net/api/v1"),
]


@pytest.mark.parametrize("cloud, token_url, api_url", ONEAPI_CLOUD_URLS)
def test_oneapi_cloud_urls(cloud, token_url, api_url):
    auth = zia_auth.build_zia_auth(None, oneapi_params(zscaler_cloud=cloud))
    assert (auth.token_url, auth.api_url) == (token_url, api_url)


def test_the_oneapi_cloud_table_is_the_tested_one():
    assert set(zia_auth.ONEAPI_CLOUDS) == set(c.lower() for c, _t, _a in ONEAPI_CLOUD_URLS if c)


def test_an_unknown_oneapi_cloud_names_the_known_ones():
    with pytest.raises(InputError) as caught:
        zia_auth.build_zia_auth(None, oneapi_params(zscaler_cloud="zscalertwo"))
    assert caught.value.option == "zscaler_cloud"
    assert "gov, govus" in str(caught.value)


@pytest.mark.parametrize("cloud, api_url", LEGACY_CLOUD_URLS)
def test_legacy_cloud_urls(cloud, api_url):
    params = {"zia_username": "admin@example.com", "zia_password": "pw", "zia_api_key": "abcdefghijkl",
              "zia_cloud": cloud}
    assert zia_auth.build_zia_auth(None, params).api_url == api_url


def test_the_legacy_cloud_table_is_the_tested_one():
    assert sorted(zia_auth.LEGACY_CLOUDS) == sorted(c for c, _u in LEGACY_CLOUD_URLS)


# --- the OneAPI private key ---------------------------------------------------------------


class TokenHttp:
    """The OneAPI token endpoint: keeps the form it got."""

    def __init__(self):
        self.forms = []

    def request(self, method, url, data=None, service=None, **kwargs):
        self.forms.append(dict(data))
        return FakeResponse(200, {"access_token": "t", "expires_in": 3600})


class FakeResponse:
    def __init__(self, status, payload=None):
        self.status_code = status
        self._payload = payload
        self.content = b"{}" if payload is not None else b""
        self.headers = {}
        self.reason = ""
        self.text = ""

    def json(self):
        return self._payload


def test_private_key_jwt_carries_exactly_what_zscalers_sdks_sign(rsa_key, rsa_pem):
    http = TokenHttp()
    params = oneapi_params(zscaler_client_secret=None, zscaler_private_key=rsa_pem)
    zia_auth.build_zia_auth(http, params).refresh()
    form = http.forms[0]
    assert form["audience"] == "https://api.zscaler.com" and "client_secret" not in form
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert jwt.get_unverified_header(form["client_assertion"])["alg"] == "RS256"
    claims = jwt.decode(form["client_assertion"], rsa_key.public_key(), algorithms=["RS256"],
                        audience="https://api.zscaler.com")
    assert sorted(claims) == ["aud", "exp", "iss", "sub"]
    assert claims["iss"] == claims["sub"] == CLIENT_ID


def test_private_key_is_taken_as_text_as_a_path_and_with_escaped_newlines(rsa_pem, tmp_path):
    path = tmp_path / "oneapi.pem"
    path.write_text(rsa_pem)
    escaped = rsa_pem.replace("\n", "\\n")
    for given in (rsa_pem, str(path), escaped):
        http = TokenHttp()
        zia_auth.build_zia_auth(http, oneapi_params(zscaler_client_secret=None, zscaler_private_key=given)).refresh()
        assert http.forms[0]["client_assertion"]


def _refusal(given):
    with pytest.raises(InputError) as caught:
        zia_auth.build_zia_auth(None, oneapi_params(zscaler_client_secret=None, zscaler_private_key=given))
    assert caught.value.option == "zscaler_private_key"
    return str(caught.value)


def test_private_key_errors_never_repeat_the_value(rsa_pem, tmp_path):
    lines = rsa_pem.splitlines()
    damaged = "\n".join(lines[:3] + lines[5:])  # a PEM with two lines lost
    headless = "".join(key_body(rsa_pem))  # the key without its BEGIN and END lines
    encrypted = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, PKCS8, serialization.BestAvailableEncryption(b"pw")).decode("ascii")
    elliptic = pem_of(ec.generate_private_key(ec.SECP256R1()))
    binary = tmp_path / "binary.der"
    binary.write_bytes(b"\x30\x82\xff\xfe" * 10)
    for given in (damaged, headless, encrypted, elliptic, str(binary), str(tmp_path / "missing.pem")):
        message = _refusal(given)
        for line in key_body(given) or [given]:
            assert line not in message
    assert "not RSA" in _refusal(elliptic)
    assert "neither PEM key text nor a readable file" in _refusal(headless)


def test_pem_text_given_as_a_certificate_path_is_refused_without_repeating_it(rsa_pem):
    with pytest.raises(InputError) as caught:
        load_certificate_credential(rsa_pem)
    assert caught.value.option == "auth_certificate_path"
    assert not any(line in str(caught.value) for line in key_body(rsa_pem))


def test_certificate_path_errors_do_not_echo_the_path(tmp_path):
    missing = str(tmp_path / "secret-name-of-a-key.pem")
    with pytest.raises(InputError) as caught:
        load_certificate_credential(missing)
    assert "secret-name-of-a-key" not in str(caught.value)


# --- activation and the end of a session ----------------------------------------------------


class Zia:
    """A fake ZIA: writes stage changes, POST /status/activate wants a JSON Content-Type,
    and a session may expire once (401) before the next call."""

    def __init__(self, expire_before_call=None):
        self.calls = []
        self.expire_before_call = expire_before_call

    def request(self, method, url, headers=None, params=None, json=None, service=None, **kwargs):
        self.calls.append((method, url.split("/api/v1")[-1]))
        if len(self.calls) == self.expire_before_call:
            return FakeResponse(401, {"code": "SESSION_NOT_VALID", "message": "Session is not valid"})
        if method == "POST" and json is None:
            # requests sets Content-Type: application/json only for a json= body.
            return FakeResponse(415, {"code": "UNSUPPORTED_MEDIA_TYPE", "message": "Unsupported Media Type"})
        if url.endswith("/status/activate"):
            return FakeResponse(200, {"status": "ACTIVE"})
        return FakeResponse(200, {})


class Auth:
    api_url = "https://zia.example/api/v1"

    def __init__(self, mode):
        self.activates_on_session_end = mode == "legacy"
        self.logouts = 0

    def apply(self, headers):
        pass

    def refresh(self):
        pass

    def logout(self):
        self.logouts += 1


def client_of(mode, http=None):
    return ZiaClient(http or Zia(), Auth(mode), sleep=lambda s: None)


def test_activation_sends_a_json_body():
    client = client_of("oneapi")
    assert client.activate()["status"] == "ACTIVE"


def test_activation_without_json_is_refused_by_the_fake():
    client = client_of("oneapi")
    with pytest.raises(ApiError) as caught:
        client.call("POST", "/status/activate")
    assert caught.value.status == 415


@pytest.mark.parametrize("mode, expected", [("legacy", ["logout"]), ("oneapi", [])])
def test_saved_changes_left_at_logout(mode, expected):
    client = client_of(mode)
    client.call("PUT", "/casbTenant/7", json={"tenantName": "x"})
    assert client.close() == expected
    assert client.auth.logouts == 1


@pytest.mark.parametrize("mode", ["legacy", "oneapi"])
def test_nothing_is_activated_at_logout_after_an_activation_or_without_writes(mode):
    activated = client_of(mode)
    activated.call("POST", "/casbTenant", json={"tenantName": "x"})
    activated.activate()
    assert activated.close() == []
    reader = client_of(mode)
    reader.call("GET", "/casbTenant/lite")
    assert reader.close() == []


def test_a_legacy_session_that_expired_after_a_write_activated_it():
    http = Zia(expire_before_call=2)
    client = client_of("legacy", http)
    client.call("POST", "/casbTenant", json={"tenantName": "x"})
    client.call("GET", "/status")  # 401 SESSION_NOT_VALID, a new session, then the answer
    assert client.close() == ["session_expired"]


def test_an_expired_oneapi_token_activates_nothing():
    client = client_of("oneapi", Zia(expire_before_call=2))
    client.call("POST", "/casbTenant", json={"tenantName": "x"})
    client.call("GET", "/status")
    assert client.close() == []
