# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import json
import os
import stat

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import certificate as certs
from ansible_collections.mipconnect.zia.plugins.module_utils import consent
from ansible_collections.mipconnect.zia.plugins.module_utils import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

try:
    from urllib.parse import parse_qs, urlparse
except ImportError:  # pragma: no cover
    from urlparse import parse_qs, urlparse


@pytest.mark.parametrize("state", [catalog.CONSENT_STATE_MIP, catalog.CONSENT_STATE_SAAS])
def test_admin_consent_url_has_the_seed_parameters(state):
    url = consent.admin_consent_url("https://login.microsoftonline.com/", "11111111-2222-3333-4444-555555555555",
                                    "https://console.zscaler.com", state)
    parsed = urlparse(url)
    assert parsed.scheme == "https" and parsed.netloc == "login.microsoftonline.com"
    assert parsed.path == "/common/adminconsent"
    query = parse_qs(parsed.query)
    assert query == {"client_id": ["11111111-2222-3333-4444-555555555555"], "state": [state],
                     "redirect_uri": ["https://console.zscaler.com"]}


def test_scopes_of_a_grant():
    assert consent.scopes_of({"scope": "user_impersonation  other"}) == {"user_impersonation", "other"}
    assert consent.scopes_of(None) == set()


@pytest.fixture(scope="module")
def cert():
    return certs.generate("Zscaler SharePoint Connector")


def test_generated_certificate_matches_the_guide(cert):
    assert cert.private_key.key_size == 2048
    lifetime = cert.not_after - datetime.datetime.now(datetime.timezone.utc)
    assert 1460 <= lifetime.days <= 1461
    assert len(cert.thumbprint) == 40


def test_key_credential_round_trips_the_thumbprint(cert):
    credential = cert.key_credential("desc")
    assert credential["type"] == "AsymmetricX509Cert" and credential["usage"] == "Verify"
    assert certs.thumbprint_of(credential) == cert.thumbprint
    assert certs.thumbprint_of({"customKeyIdentifier": None}) is None


def test_json_file_is_written_0600_and_read_back(tmp_path, cert):
    path = str(tmp_path / "sp.json")
    certs.write_json_file(path, cert)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    with open(path) as handle:
        data = json.load(handle)
    assert set(data) == {"private_key", "public_cert"}
    assert data["private_key"].startswith("-----BEGIN PRIVATE KEY-----\n")
    assert data["public_cert"].startswith("-----BEGIN CERTIFICATE-----\n")
    assert certs.load_json_file(path).thumbprint == cert.thumbprint
    assert [name for name in os.listdir(str(tmp_path)) if name != "sp.json"] == []


def test_missing_file_is_none_and_garbage_is_a_clear_error(tmp_path):
    assert certs.load_json_file(str(tmp_path / "absent.json")) is None
    bad = tmp_path / "bad.json"
    bad.write_text("{\"private_key\": \"nope\"}")
    with pytest.raises(InputError) as caught:
        certs.load_json_file(str(bad))
    assert "private_key_json_path" in str(caught.value)


def test_expiry_window(cert):
    assert not cert.expires_within(30)
    assert cert.expires_within(2000)
