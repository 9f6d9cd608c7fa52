# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import errors


@pytest.mark.parametrize("code, words", [
    (7000215, "Value"), (7000222, "expired"), (700016, "not known in this tenant"), (90002, "tenant_id"),
    (65001, "consent"), (700027, "certificate"),
])
def test_aadsts_codes_become_sentences(code, words):
    payload = {"error": "invalid_client",
               "error_description": "AADSTS%d: Something went wrong.\r\nTrace ID: t\r\nCorrelation ID: c" % code,
               "error_codes": [code], "correlation_id": "corr-1"}
    err = errors.token_error_from_response(payload, status=401)
    assert err.aadsts == code
    assert words in str(err)
    assert "AADSTS%d" % code in str(err)
    assert "corr-1" in str(err)
    assert "Trace ID" not in err.detail


def test_aadsts_code_found_in_description_when_codes_missing():
    err = errors.token_error_from_response({"error_description": "AADSTS90002: Tenant 'x' not found."})
    assert err.aadsts == 90002


def test_unknown_error_still_readable():
    err = errors.token_error_from_response({"error": "server_error"})
    assert err.aadsts is None and "server_error" in str(err)


def test_input_error_names_the_option():
    err = errors.InputError("tenant_id", "is not a GUID.")
    assert str(err).startswith("Option 'tenant_id'")
    assert err.as_dict()["option"] == "tenant_id"
