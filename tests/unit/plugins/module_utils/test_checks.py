# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option checks: each refusal names the option and says what to give instead."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import checks
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

GUID = "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"


def test_a_guid_is_trimmed_and_lower_cased_and_none_passes():
    assert checks.require_guid("app_id", "  %s " % GUID) == GUID.lower()
    assert checks.require_guid("app_id", None) is None
    assert checks.is_guid(GUID) and not checks.is_guid(42)


def test_a_wrong_guid_names_the_option_and_never_echoes_control_characters():
    with pytest.raises(InputError) as caught:
        checks.require_guid("tenant_id", "contoso\n" + "x" * 100)
    assert caught.value.option == "tenant_id"
    text = str(caught.value)
    assert "\n" not in text and "Overview page" in text
    assert "'contoso?%s...'" % ("x" * 52) in text  # cut at 60 characters


@pytest.mark.parametrize("value, words", [
    ("   ", "must not be empty"),
    ("a\tb", "control characters"),
    ("x" * 11, "is 11 characters long; the limit is 10"),
])
def test_text_is_refused_when_empty_controlled_or_too_long(value, words):
    with pytest.raises(InputError) as caught:
        checks.require_text("display_name", value, 10)
    assert caught.value.option == "display_name" and words in str(caught.value)


def test_good_text_passes_unchanged():
    assert checks.require_text("display_name", " Zscaler ", 10) == " Zscaler "
    assert checks.require_text("display_name", None, 10) is None


@pytest.mark.parametrize("value, localhost, ok", [
    ("https://graph.example", False, True),
    ("https://", False, False),
    ("http://graph.example", False, False),
    ("http://localhost:8080/cb", True, True),
    ("http://127.0.0.1/cb", True, True),
    ("http://localhost.evil.example/cb", True, False),
    ("http://localhost/cb", False, False),
])
def test_only_https_urls_pass_and_plain_http_only_to_this_machine_when_allowed(value, localhost, ok):
    if ok:
        assert checks.require_https_url("redirect_uris", value, allow_localhost_http=localhost) == value
    else:
        with pytest.raises(InputError) as caught:
            checks.require_https_url("redirect_uris", value, allow_localhost_http=localhost)
        assert "must be an https:// URL" in str(caught.value)


def test_a_range_includes_its_bounds():
    assert checks.require_range("timeout", 1, 1, 600) == 1
    assert checks.require_range("timeout", 600, 1, 600) == 600
    assert checks.require_range("timeout", None, 1, 600) is None
    with pytest.raises(InputError) as caught:
        checks.require_range("timeout", 0, 1, 600)
    assert str(caught.value).endswith("is 0; it must be between 1 and 600.")
