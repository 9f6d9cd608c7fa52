# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.zia.mip_account import MipAccountReconciler, MipAccountSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_mip_contract import ManualStepsRequired
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.zia._mip_account.fakes_mip_account import (
    CountingZia, FakeZia, account, listed, reconciler)


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


def test_manual_create_with_wait_reports_no_secret_sent():
    zia = FakeZia([])

    def person(fake, polls):
        if polls == 3:
            fake.accounts[9] = account(tenant_id=9, validated_at=1002)

    zia.on_poll = person
    result = reconciler(zia, label_retrieval=True, update_secret="always").present()
    assert zia.writes == [("POST", "/casbTenant")]  # the person entered the secret; not asked again
    assert result["changed"] is False
    assert result["diff"]["after"]["client_secret"] == "********"
    assert result["account"]["id"] == 9


def test_absent_reports_no_change_when_a_person_deleted_it_while_waiting():
    zia = FakeZia([account()])

    def person(fake, polls):
        if polls == 3:
            fake.accounts.clear()

    zia.on_poll = person
    result = reconciler(zia, state="absent").absent()
    assert result["changed"] is False
    assert zia.writes == [("DELETE", "/casbTenant/7")]


def test_absent_failure_carries_a_partial_result():
    zia = FakeZia([account()])
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(zia, wait_for="none").absent()
    assert caught.value.partial_result == {"changed": False, "changes": [], "assumed_contract_writes": []}  # nothing was deleted


def test_absent_with_the_contract_changes():
    zia = FakeZia([account()], contract=True)
    assert reconciler(zia, wait_for="none").absent()["changed"] is True


def test_the_result_lists_the_writes_that_went_through_the_assumed_contract():
    written = reconciler(FakeZia([account(label_retrieval=False)], contract=True), label_retrieval=True,
                         wait_for="none", client_secret=None).present()
    assert written["assumed_contract_writes"] == ["PUT /casbTenant/7"]
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(FakeZia([account(label_retrieval=False)]), label_retrieval=True, wait_for="none",
                   client_secret=None).present()
    assert caught.value.partial_result["assumed_contract_writes"] == []
    deleted = reconciler(FakeZia([account()], contract=True), wait_for="none").absent()
    assert deleted["assumed_contract_writes"] == ["DELETE /casbTenant/7"]


def test_secret_validated_only_by_a_validation_after_this_run_stored_it():
    stale = FakeZia([account(validated_at=900)], contract=True)  # validated before the run stored the secret
    result = reconciler(stale, update_secret="always", wait_for="none").present()
    assert result["changed"] is True
    assert result["secret_validated"] is False
    fresh = FakeZia([account(validated_at=1000)], contract=True)  # validated when the store happened
    assert reconciler(fresh, update_secret="always", wait_for="none").present()["secret_validated"] is True
    untouched = FakeZia([account(validated_at=1000)], contract=True)
    assert reconciler(untouched, wait_for="none").present()["secret_validated"] is False  # nothing was stored


def test_a_noop_with_the_play_listing_reads_no_answer_it_already_has():
    scanned = dict(account(), tagsScanInfo={"tag_latest_success_scan_time": 900})
    zia = CountingZia([scanned], contract=True)
    result = reconciler(zia, client_secret=None, wait_for="labels_retrieved", known_accounts=listed(scanned),
                        policy_tag_count=False).present()
    assert result["changed"] is False and zia.writes == []
    # No listing (the play has it), no labels (the play's export reads them): the client id and
    # whether changes are staged are in no answer the play has.
    assert zia.reads == ["validation", "status"]
    assert result["account"]["policy_tag_count"] is None and result["account"]["id"] == 7


def test_without_the_play_listing_the_module_lists_and_counts_labels():
    zia = CountingZia([account()], contract=True)
    result = reconciler(zia, client_secret=None, wait_for="none").present()
    assert zia.reads == ["list", "validation", "status", "labels"]
    assert result["account"]["policy_tag_count"] == 1


def test_an_account_missing_from_the_play_listing_is_looked_up_again_before_creating():
    # Someone made the account after the play listed the organisation: no duplicate is created.
    zia = CountingZia([account()], contract=True)
    result = reconciler(zia, client_secret=None, wait_for="none", known_accounts=[]).present()
    assert zia.reads[:2] == ["list", "validation"]
    assert result["changed"] is False and zia.writes == []


class CreatingZia(CountingZia):
    """CountingZia whose write contract also creates accounts."""

    def call(self, method, path, json=None, **_kwargs):
        if method == "POST" and path == "/casbTenant":
            self.writes.append((method, path))
            raw = account(tenant_id=99, name=json["tenantName"], validated_at=1000, label_retrieval=True)
            self.accounts[99] = raw
            return dict(raw)
        return super(CreatingZia, self).call(method, path, json=json, **_kwargs)


def test_an_account_created_without_activation_is_not_asked_for_labels_it_cannot_have():
    zia = CreatingZia([], contract=True)
    result = reconciler(zia, wait_for="none", activate=False, known_accounts=[]).present()
    assert zia.writes == [("POST", "/casbTenant")]
    assert "labels" not in zia.reads and result["account"]["policy_tag_count"] == 0


def test_an_account_created_and_activated_is_counted():
    zia = CreatingZia([], contract=True)
    result = reconciler(zia, wait_for="none", activate=True).present()
    assert "labels" in zia.reads and result["account"]["policy_tag_count"] == 1
