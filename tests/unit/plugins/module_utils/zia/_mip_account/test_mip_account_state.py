# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.mip_account import MipAccountReconciler, MipAccountSpec
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.zia._mip_account.fakes_mip_account import (
    CountingZia, FakeZia, account, listed, reconciler)


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


def test_names_match_without_regard_to_case_and_duplicates_name_both():
    zia = FakeZia([account(name="CONTOSO mip")], contract=True)
    result = reconciler(zia, wait_for="none", status="inactive", client_secret=None).present()
    assert result["account"]["id"] == 7
    assert result["account"]["name"] == "CONTOSO mip"  # the name was kept, not re-cased
    assert any("CONTOSO mip" in w for w in result["warnings"])
    zia = FakeZia([account(name="Contoso MIP"), account(tenant_id=8, name="contoso mip")])
    with pytest.raises(MipConnectError) as caught:
        reconciler(zia, wait_for="none").present()
    assert "'Contoso MIP' (id 7)" in str(caught.value) and "'contoso mip' (id 8)" in str(caught.value)


@pytest.mark.parametrize("given", ["Trim MIP ", "  trim   mip", "TRIM\tMIP"])
def test_a_name_ZIA_stores_trimmed_is_found_again_and_nothing_is_written(given):
    zia = FakeZia([account(name="Trim MIP")], contract=True)
    result = reconciler(zia, name=given, wait_for="none", client_secret=None).present()
    assert result["account"]["id"] == 7
    assert result["changed"] is False and zia.writes == []


def test_the_play_listing_decides_updates_as_a_fresh_one_would():
    raw = account(label_retrieval=False, validated_at=1234567890)
    zia = CountingZia([raw], contract=True)
    result = reconciler(zia, client_secret=None, wait_for="none", label_retrieval=True,
                        known_accounts=listed(raw)).present()
    assert zia.writes == [("PUT", "/casbTenant/7")]  # by the id the listing gave, without listing again
    assert "list" not in zia.reads
    assert "turn label retrieval on" in result["changes"][0]
