# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.zia._mip_account.spec import DEFAULTS, MipAccountSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.modules import mip_account
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.zia._mip_account.fakes_mip_account import CLIENT, TENANT


class Endpoints:
    authority_host = "https://login.microsoftonline.com"


def params(**options):
    given = dict((name, spec.get("default")) for name, spec in mip_account.ARGUMENT_SPEC.items())
    given.update(name="  Contoso   MIP ", tenant_id=TENANT.upper(), client_id=CLIENT, client_secret="s3cret")
    given.update(options)
    return given


def test_the_module_takes_every_default_from_the_spec():
    assert dict((name, mip_account.ARGUMENT_SPEC[name]["default"]) for name in DEFAULTS) == DEFAULTS


def test_a_spec_from_the_module_defaults_has_the_spec_defaults_and_a_consent_url():
    spec = MipAccountSpec.from_params(params(), Endpoints())
    built = MipAccountSpec(name="Contoso MIP", tenant_id=TENANT, client_id=CLIENT, client_secret="s3cret",
                           consent_url=spec.consent_url)
    assert vars(spec) == vars(built)
    assert spec.consent_url.startswith("https://login.microsoftonline.com/common/adminconsent?client_id=" + CLIENT)


@pytest.mark.parametrize("options,option", [
    (dict(connector="zscaler_defined"), "client_id"),
    (dict(client_secret="  "), "client_secret"),
    (dict(wait_timeout=0), "wait_timeout"),
    (dict(known_accounts=[{"name": "x"}]), "known_accounts"),
    (dict(status="active", label_retrieval=False), "status"),
])
def test_bad_options_are_refused_naming_the_option(options, option):
    with pytest.raises(InputError) as caught:
        MipAccountSpec.from_params(params(**options), Endpoints())
    assert caught.value.option == option


def test_status_active_with_label_retrieval_off_is_refused_before_any_call():
    with pytest.raises(InputError) as caught:
        MipAccountSpec(name="Contoso MIP", status="active", label_retrieval=False)
    assert caught.value.option == "status"
