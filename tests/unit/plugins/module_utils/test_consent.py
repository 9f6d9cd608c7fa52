# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import consent
from ansible_collections.mipconnect.zia.plugins.module_utils import permission_catalog as catalog

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
