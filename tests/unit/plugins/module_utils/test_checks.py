# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import subprocess
import sys

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.checks import (
    require_guid,
    require_https_url,
    require_range,
    require_text,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError

MODULE_UTILS = "ansible_collections.mipconnect.zia.plugins.module_utils."


def ansible_loaded_by_importing(module):
    """Whether importing ``module`` in a fresh interpreter loads ansible-core."""
    probe = "import sys, %s; print('ansible' in sys.modules)" % (MODULE_UTILS + module)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(path for path in sys.path if path))
    answer = subprocess.check_output([sys.executable, "-c", probe], env=env)
    return answer.decode().strip()


def test_the_checks_import_without_ansible_core():
    assert ansible_loaded_by_importing("checks") == "False"
    # The probe does see ansible-core where a module needs it.
    assert ansible_loaded_by_importing("module_base") == "True"


@pytest.mark.parametrize("value", ["", "not-a-guid", "1234", "{11111111-2222-3333-4444-555555555555}",
                                   "11111111-2222-3333-4444-55555555555g"])
def test_bad_guids(value):
    with pytest.raises(InputError) as caught:
        require_guid("tenant_id", value)
    assert "tenant_id" in str(caught.value)


def test_guid_normalised():
    assert require_guid("x", " AAAAAAAA-2222-3333-4444-555555555555 ") == "aaaaaaaa-2222-3333-4444-555555555555"


@pytest.mark.parametrize("value, words", [("", "empty"), ("   ", "empty"), ("a\nb", "control"),
                                          ("x" * 121, "limit")])
def test_bad_text(value, words):
    with pytest.raises(InputError) as caught:
        require_text("display_name", value, 120)
    assert words in str(caught.value) and "display_name" in str(caught.value)


def test_urls_and_ranges():
    assert require_https_url("u", "https://x") == "https://x"
    assert require_https_url("u", "http://localhost:8080/cb", allow_localhost_http=True)
    with pytest.raises(InputError):
        require_https_url("u", "http://login.example")
    with pytest.raises(InputError) as caught:
        require_range("secret_expires_in_days", 731, 1, 730)
    assert "between 1 and 730" in str(caught.value)


def test_a_wrong_guid_names_the_option_and_never_echoes_control_characters():
    with pytest.raises(InputError) as caught:
        require_guid("tenant_id", "contoso\n" + "x" * 100)
    assert caught.value.option == "tenant_id"
    text = str(caught.value)
    assert "\n" not in text and "Overview page" in text
    assert "'contoso?%s...'" % ("x" * 52) in text  # cut at 60 characters


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
        assert require_https_url("redirect_uris", value, allow_localhost_http=localhost) == value
    else:
        with pytest.raises(InputError) as caught:
            require_https_url("redirect_uris", value, allow_localhost_http=localhost)
        assert "must be an https:// URL" in str(caught.value)


def test_a_range_includes_its_bounds():
    assert require_range("timeout", 1, 1, 600) == 1
    assert require_range("timeout", 600, 1, 600) == 600
    assert require_range("timeout", None, 1, 600) is None
    with pytest.raises(InputError) as caught:
        require_range("timeout", 0, 1, 600)
    assert str(caught.value).endswith("is 0; it must be between 1 and 600.")
