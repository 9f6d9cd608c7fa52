# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""build_entra_endpoints and build_entra_auth: the cloud's URLs and the credential chosen from the options."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import entra_auth
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError, TokenError
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import (
    AUTHORITY,
    CLIENT,
    TENANT,
    FakeServices,
    jwt,
)


pytestmark = pytest.mark.usefixtures("private_tmp")  # conftest.py: a temp dir per test


def params(**overrides):
    values = dict(cloud="public", authority_url=AUTHORITY, graph_url=None, arm_url=None, power_platform_url=None,
                  tenant_id=TENANT.upper(), auth_client_id=CLIENT, auth_client_secret="canary-secret",
                  auth_certificate_path=None, auth_certificate_password=None, token_cache=False)
    values.update(overrides)
    return values


def test_endpoints_are_the_cloud_s_unless_overridden_and_audiences_stay_the_cloud_s():
    endpoints = entra_auth.build_entra_endpoints(params(cloud="usgov", authority_url=None,
                                                        graph_url="https://graph.proxy.example/"))
    assert endpoints.authority_host == "https://login.microsoftonline.us"
    assert endpoints.graph_url == "https://graph.proxy.example"
    assert endpoints.graph_resource == "https://graph.microsoft.us"
    assert endpoints.arm_url == "https://management.usgovcloudapi.net"
    assert endpoints.authority(TENANT) == "https://login.microsoftonline.us/%s" % TENANT


def test_no_cloud_means_the_global_cloud():
    assert entra_auth.build_entra_endpoints({}).graph_url == "https://graph.microsoft.com"


@pytest.mark.parametrize("option", ["authority_url", "graph_url", "arm_url", "power_platform_url"])
def test_an_override_must_be_https(option):
    with pytest.raises(InputError) as caught:
        entra_auth.build_entra_endpoints(params(**{option: "http://plain.example"}))
    assert caught.value.option == option


@pytest.mark.parametrize("overrides, option, words", [
    (dict(tenant_id=None), "tenant_id", "AZURE_TENANT_ID"),
    (dict(auth_client_id=""), "auth_client_id", "AZURE_CLIENT_ID"),
    (dict(tenant_id="contoso.onmicrosoft.com"), "tenant_id", "is not a GUID"),
    (dict(auth_certificate_path="/some/key.pem"), "auth_client_secret", "not both"),
    (dict(auth_client_secret=""), "auth_client_secret", "no credential for %s" % CLIENT),
])
def test_wrong_identity_options_are_refused_before_any_request(overrides, option, words):
    http = FakeServices()
    endpoints = entra_auth.build_entra_endpoints(params())
    with pytest.raises(InputError) as caught:
        entra_auth.build_entra_auth(http, endpoints, params(**overrides))
    assert caught.value.option == option and words in str(caught.value)
    assert http.tokens_issued == [] and http.calls == []


def test_a_client_secret_signs_in_to_the_tenant_given_lower_cased():
    http = FakeServices(roles={"https://graph.microsoft.com": ["Application.ReadWrite.All"]})
    endpoints = entra_auth.build_entra_endpoints(params())
    tokens = entra_auth.build_entra_auth(http, endpoints, params())
    assert (tokens.tenant_id, tokens.client_id) == (TENANT.lower(), CLIENT)
    token = tokens.token(endpoints.graph_resource)
    assert entra_auth.token_claims(token)["roles"] == ["Application.ReadWrite.All"]
    assert http.tokens_issued == [("https://graph.microsoft.com/.default", "canary-secret")]


def _write_pem(path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, u"mipconnect test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()) + cert.public_bytes(serialization.Encoding.PEM))
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # nosec - the x5t thumbprint is SHA-1


def test_a_certificate_file_signs_in_with_a_client_assertion_not_a_secret(tmp_path):
    path = tmp_path / "admin.pem"
    thumbprint = _write_pem(path)
    http = FakeServices()
    endpoints = entra_auth.build_entra_endpoints(params())
    tokens = entra_auth.build_entra_auth(http, endpoints, params(auth_client_secret=None,
                                                                 auth_certificate_path=str(path)))
    assert tokens._credential["thumbprint"] == thumbprint
    tokens.token(endpoints.graph_resource)
    assert http.tokens_issued == [("https://graph.microsoft.com/.default", None)]


def test_pem_text_given_as_the_certificate_path_is_refused_without_repeating_it():
    with pytest.raises(InputError) as caught:
        entra_auth.load_certificate_credential("-----BEGIN PRIVATE KEY-----\ncanary-key")
    assert "holds PEM text, not a path" in str(caught.value) and "canary-key" not in str(caught.value)


def test_an_entra_refusal_becomes_a_token_error_with_its_aadsts_code():
    http = FakeServices(token_error={"error": "invalid_client", "error_codes": [7000215],
                                     "error_description": "AADSTS7000215: Invalid client secret provided."})
    endpoints = entra_auth.build_entra_endpoints(params())
    tokens = entra_auth.build_entra_auth(http, endpoints, params())
    with pytest.raises(TokenError) as caught:
        tokens.token(endpoints.graph_resource)
    assert caught.value.aadsts == 7000215 and "canary-secret" not in str(caught.value)


def test_token_claims_reads_a_jwt_and_anything_else_is_no_claims():
    assert entra_auth.token_claims(jwt({"roles": ["A"], "tid": TENANT})) == {"roles": ["A"], "tid": TENANT}
    assert entra_auth.token_claims("not-a-jwt") == {}
    assert entra_auth.token_claims("a.!!!.c") == {}
