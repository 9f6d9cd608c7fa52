# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.mipconnect.zia.plugins.module_utils import module_base


def test_an_empty_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "")
    monkeypatch.setenv("AZURE_SECRET", "from-awx")
    assert module_base.env_fallback("AZURE_CLIENT_SECRET", "AZURE_SECRET") == "from-awx"


def test_the_first_name_wins_over_the_awx_names(monkeypatch):
    monkeypatch.setenv("AZURE_TENANT_ID", "mine")
    monkeypatch.setenv("AZURE_TENANT", "awx")
    assert module_base.env_fallback("AZURE_TENANT_ID", "AZURE_TENANT") == "mine"


def test_all_empty_or_missing_means_no_fallback(monkeypatch):
    monkeypatch.setenv("AZURE_CLOUD", "")
    monkeypatch.delenv("AZURE_CLOUD_UNSET", raising=False)
    with pytest.raises(AnsibleFallbackNotFound):
        module_base.env_fallback("AZURE_CLOUD", "AZURE_CLOUD_UNSET")


@pytest.mark.parametrize("spec, option, names", [
    (module_base.ENTRA_AUTH_ARGUMENT_SPEC, "tenant_id", ["AZURE_TENANT_ID", "AZURE_TENANT"]),
    (module_base.ENTRA_AUTH_ARGUMENT_SPEC, "auth_client_id", ["AZURE_CLIENT_ID"]),
    (module_base.ENTRA_AUTH_ARGUMENT_SPEC, "auth_client_secret", ["AZURE_CLIENT_SECRET", "AZURE_SECRET"]),
    (module_base.ENTRA_ENDPOINTS_ARGUMENT_SPEC, "cloud", ["AZURE_CLOUD"]),
])
def test_options_read_the_environment_through_the_one_fallback(spec, option, names):
    assert spec[option]["fallback"] == (module_base.env_fallback, names)


def test_every_environment_fallback_is_ours():
    specs = (module_base.CONNECTION_ARGUMENT_SPEC, module_base.ENTRA_AUTH_ARGUMENT_SPEC,
             module_base.ENTRA_ENDPOINTS_ARGUMENT_SPEC, module_base.ZIA_AUTH_ARGUMENT_SPEC)
    fallbacks = [entry["fallback"][0] for spec in specs for entry in spec.values() if "fallback" in entry]
    assert fallbacks and set(fallbacks) == {module_base.env_fallback}
