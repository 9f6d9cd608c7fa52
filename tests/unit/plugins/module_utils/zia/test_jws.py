# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import sys

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from ansible_collections.mipconnect.zia.plugins.module_utils.zia.jws import sign_rs256
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_auth import OneApiAuth


@pytest.fixture(scope="module")
def key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode("ascii")


def test_a_token_signed_here_verifies_with_an_independent_jwt_library(key):
    claims = {"iss": "client", "sub": "client", "aud": "https://example.zslogin.net/oauth2/v1/token",
              "iat": 1700000000, "exp": 1700000300, "jti": "client-1700000000"}
    token = sign_rs256(claims, pem(key))
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT"}
    decoded = jwt.decode(token, key.public_key(), algorithms=["RS256"], audience=claims["aud"],
                         options={"verify_exp": False, "verify_iat": False})
    assert decoded == claims
    assert "=" not in token


def test_a_token_signed_by_another_key_does_not_verify(key):
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = sign_rs256({"iss": "x"}, pem(other))
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, key.public_key(), algorithms=["RS256"])


def test_the_oneapi_client_assertion_needs_no_pyjwt(key, monkeypatch):
    """Runtime dependencies are msal, requests and cryptography: PyJWT is not one of them."""
    monkeypatch.setitem(sys.modules, "jwt", None)  # import jwt now raises ImportError
    auth = OneApiAuth(http=None, token_url="https://vanity.zslogin.net/oauth2/v1/token", api_url="https://api",
                      client_id="client-1", private_key=pem(key))
    token = auth._client_assertion()
    monkeypatch.undo()
    claims = jwt.decode(token, key.public_key(), algorithms=["RS256"], options={"verify_aud": False})
    assert claims["iss"] == claims["sub"] == "client-1"
