# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.mip_account import MipAccountReconciler, MipAccountSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.zia_mip_contract import ManualStepsRequired
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.test_zia_mip_account import FakeZia, account


def test_check_mode_absent_plans_the_deletion_and_activation_without_writes():
    zia = FakeZia([account()], contract=True)
    result = MipAccountReconciler(zia, MipAccountSpec(name="Contoso MIP"), True).absent()
    assert zia.writes == [] and result["changed"] is True
    assert [c.split(" ")[0] for c in result["changes"]] == ["delete", "activate"]


def test_absent_deletes_through_the_contract_and_records_it():
    zia = FakeZia([account()], contract=True)
    result = MipAccountReconciler(zia, MipAccountSpec(name="Contoso MIP"), False).absent()
    assert zia.writes == [("DELETE", "/casbTenant/7")] and zia.accounts == {}
    assert result["assumed_contract_writes"] == ["DELETE /casbTenant/7"] and result["account"]["id"] == 7


def test_a_deletion_zia_refuses_leaves_with_nothing_done():
    zia = FakeZia([account()], contract=False)
    with pytest.raises(ManualStepsRequired) as caught:
        MipAccountReconciler(zia, MipAccountSpec(name="Contoso MIP"), False).absent()
    assert caught.value.partial_result == {"changed": False, "changes": [], "assumed_contract_writes": []}
