# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.spec import DEFAULTS, ConnectorSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.modules import azure_app_connector


def params(**options):
    """The module's options as Ansible gives them: every default filled in."""
    given = dict((name, spec.get("default")) for name, spec in azure_app_connector.ARGUMENT_SPEC.items())
    given.update(display_name="Zscaler MIP", unique_name="zscaler-mip")
    given.update(options)
    return given


def test_a_spec_from_the_module_defaults_is_the_spec_built_without_options():
    from_module = vars(ConnectorSpec.from_params(params()))
    built = vars(ConnectorSpec(display_name="Zscaler MIP", unique_name="zscaler-mip"))
    assert from_module == built
    assert built["secret_description"] == "Zscaler connector (mipconnect.zia)"


def test_the_module_takes_every_default_from_the_spec():
    for name, value in DEFAULTS.items():
        default = azure_app_connector.ARGUMENT_SPEC[name]["default"]
        assert default == (list(value) if isinstance(value, tuple) else value), name


def test_options_are_checked_and_normalised(tmp_path):
    spec = ConnectorSpec.from_params(params(applications=["sharepoint", "mip", "mip"], consent_for=None,
                                            private_key_json_path=str(tmp_path / "key.json"),
                                            extra_permissions=[{"resource": "microsoft_graph", "permission": "X"}]))
    assert spec.applications == ["mip", "sharepoint"] and spec.consent_state == catalog.CONSENT_STATE_MIP
    assert spec.extra_permissions == [{"resource": "microsoft_graph", "permission": "X", "type": "Role"}]


@pytest.mark.parametrize("options,option", [
    (dict(extra_permissions=["User.Read.All"]), "extra_permissions[0]"),
    (dict(applications=["azure_blob_storage"]), "subscription_id"),
    (dict(lease_owner="has spaces"), "lease_owner"),
    (dict(secret_expires_in_days=731), "secret_expires_in_days"),
])
def test_bad_options_are_refused_naming_the_option(options, option):
    with pytest.raises(InputError) as caught:
        ConnectorSpec.from_params(params(**options))
    assert caught.value.option == option
