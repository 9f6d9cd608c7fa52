# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.mip_account import MipAccountReconciler, MipAccountSpec
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.test_zia_mip_account import FakeZia, account


def test_two_accounts_of_one_name_are_an_error_for_a_person():
    zia = FakeZia([account(7, "Contoso MIP"), account(8, "contoso  mip ")])
    with pytest.raises(MipConnectError) as caught:
        MipAccountReconciler(zia, MipAccountSpec(name="Contoso MIP"), False).find()
    assert "Two MIP accounts" in str(caught.value) and "(id 7)" in str(caught.value)


def test_the_partial_result_holds_the_contract_writes_and_a_validation_only_when_made():
    rec = MipAccountReconciler(FakeZia([]), MipAccountSpec(name="Contoso MIP"), False, wall_clock=lambda: 5.0)
    rec._sent_by_contract("PUT /casbTenant/7", lambda: {}, with_secret=True)
    assert rec.sent_at == 5.0
    assert rec.partial_result() == {"changed": False, "changes": [], "assumed_contract_writes": ["PUT /casbTenant/7"]}
    rec.validation = {"valid": False, "reason": "AADSTS7000215"}
    assert rec.partial_result()["validation"] == {"valid": False, "reason": "AADSTS7000215"}
