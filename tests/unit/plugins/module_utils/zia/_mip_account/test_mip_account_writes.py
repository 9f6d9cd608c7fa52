# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.mip_account import MipAccountReconciler, MipAccountSpec
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_mip_contract import ManualStepsRequired
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.zia._mip_account.fakes_mip_account import (
    CLIENT,
    OTHER_CLIENT,
    RECORDED_MIP_ENTRY,
    TENANT,
    FailedValidationZia,
    FakeZia,
    account,
    reconciler,
)


def spec(**options):
    given = dict(name="Contoso MIP", tenant_id=TENANT, client_id=CLIENT, client_secret="s3cret", validate=False)
    given.update(options)
    return MipAccountSpec(**given)


def test_check_mode_plans_the_update_without_a_write():
    zia = FakeZia([account(label_retrieval=True)], contract=True)
    rec = MipAccountReconciler(zia, spec(label_retrieval=False), True)
    raw, sent = rec._update(zia.mip_accounts()[0], None)
    assert zia.writes == [] and raw["labelRetrieval"] is False and sent is False
    assert rec.changes == ["update MIP account 'Contoso MIP': turn label retrieval off"]


def test_a_write_zia_refuses_is_not_recorded():
    zia = FakeZia([account(label_retrieval=True)], contract=False)
    rec = MipAccountReconciler(zia, spec(label_retrieval=False), False)
    with pytest.raises(ManualStepsRequired):
        rec._update(zia.mip_accounts()[0], None)
    assert zia.writes and rec.changes == [] and rec.assumed_contract_writes == []


def test_a_write_zia_takes_is_recorded_with_its_contract_request():
    zia = FakeZia([account(label_retrieval=True)], contract=True)
    rec = MipAccountReconciler(zia, spec(label_retrieval=False), False)
    raw, _sent = rec._update(zia.mip_accounts()[0], None)
    assert raw["labelRetrieval"] is False and rec.assumed_contract_writes == ["PUT /casbTenant/7"]
    assert rec.changes == ["update MIP account 'Contoso MIP': turn label retrieval off"] and rec.sent_at is None


@pytest.mark.parametrize("change", [dict(update_secret="always"), dict(reauthorize=True),
                                    dict(client_id=OTHER_CLIENT)])
def test_manual_credential_change_is_not_done_without_a_fresh_validation(change):
    zia = FakeZia([account(validated_at=500)])
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(zia, **change).present()
    assert zia.writes == [("PUT", "/casbTenant/7")]
    assert zia.polls > 2  # it waited before giving up
    assert "s3cret-value" not in str(caught.value)
    assert caught.value.partial_result["changed"] is False


def test_manual_secret_rotation_is_done_once_the_portal_validated_after_the_start():
    zia = FakeZia([account(validated_at=500)])

    def person(fake, polls):
        if polls == 4:
            fake.accounts[7]["lastTenantValidationTime"] = 1003

    zia.on_poll = person
    result = reconciler(zia, update_secret="always").present()
    assert result["changed"] is False
    assert result["diff"]["after"]["client_secret"] == "********"
    assert zia.polls >= 4


def test_manual_client_id_change_also_needs_the_new_client_id():
    zia = FakeZia([account(validated_at=500)])

    def person(fake, polls):
        if polls == 3:
            fake.accounts[7]["lastTenantValidationTime"] = 1003  # validated, still the old client
        if polls == 6:
            fake.client_id = OTHER_CLIENT

    zia.on_poll = person
    reconciler(zia, client_id=OTHER_CLIENT).present()
    assert zia.polls >= 6


def test_manual_create_with_wait_then_asks_for_label_retrieval():
    zia = FakeZia([])

    def person(fake, polls):
        if polls == 3:
            fake.accounts[9] = account(tenant_id=9, validated_at=1002, label_retrieval=False)

    zia.on_poll = person
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(zia, label_retrieval=True, wait_timeout=10).present()
    assert zia.writes == [("POST", "/casbTenant"), ("PUT", "/casbTenant/9")]
    assert any("label retrieval on" in step.lower() for step in caught.value.steps)


def test_manual_create_steps_say_label_retrieval_and_status():
    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(FakeZia([]), label_retrieval=True, status="inactive", wait_for="none").present()
    text = " ".join(caught.value.steps)
    assert "Label Retrieval to On" in text and "Tenant Inactive" in text


def test_failed_validation_is_in_the_failure_result():
    invalid = {"valid": False, "reason": "Admin consent is missing", "aadsts": None,
               "missing_permissions": {"Microsoft Graph": ["InformationProtectionPolicy.Read.All"]},
               "granted_roles": {}, "labels_probe": None}
    zia = FakeZia([], contract=True)
    rec = reconciler(zia, validate=True, wait_for="none")
    rec.validator = lambda client_id, secret, tenant: invalid
    with pytest.raises(MipConnectError) as caught:
        rec.present()
    assert caught.value.partial_result["validation"] == invalid
    assert zia.writes == []


def test_a_recorded_entry_with_label_retrieval_asked_on_is_a_no_op():
    zia = FakeZia([dict(RECORDED_MIP_ENTRY)], contract=True)
    result = reconciler(zia, label_retrieval=True, status="active", wait_for="none").present()
    assert result["changed"] is False and zia.writes == []


def test_unknown_label_retrieval_is_not_written_on_every_run_and_says_why():
    unscanned = dict(RECORDED_MIP_ENTRY, tagsScanInfo={})
    zia = FakeZia([unscanned], contract=True)
    run = reconciler(zia, label_retrieval=True, wait_for="none")
    result = run.present()
    assert result["changed"] is False and zia.writes == []
    assert any("does not say whether Label Retrieval is on" in w for w in result["warnings"])


def test_turning_label_retrieval_off_on_a_scanned_recorded_entry_is_a_change():
    zia = FakeZia([dict(RECORDED_MIP_ENTRY)], contract=True)
    result = reconciler(zia, label_retrieval=False, wait_for="none", activate=False).present()
    assert result["changed"] is True
    assert zia.writes == [("PUT", "/casbTenant/22964781")]


def test_a_client_id_change_is_seen_from_the_recorded_entry_alone():
    class NoClientInValidation(FakeZia):
        def validation_status(self, tenant_id):
            return {"status": ["CASB_TENANT_VALIDATION_SUCCESS"], "lastTenantValidationTime": 0}

    zia = NoClientInValidation([dict(RECORDED_MIP_ENTRY)])
    result = reconciler(zia, client_id=OTHER_CLIENT, client_secret=None, wait_for="none").present()
    assert any(OTHER_CLIENT in w and CLIENT in w for w in result["warnings"])


def test_status_active_turns_label_retrieval_on_for_a_validated_account():
    zia = FakeZia([account(label_retrieval=False)], contract=True)
    result = reconciler(zia, status="active", wait_for="none", client_secret=None).present()
    assert result["changed"] is True
    assert zia.accounts[7]["labelRetrieval"] is True
    assert any("label retrieval on" in change for change in result["changes"])


def test_status_active_on_an_unvalidated_account_says_why_it_cannot():
    zia = FailedValidationZia([dict(RECORDED_MIP_ENTRY, status=["CASB_TENANT_ACTIVE"], tagsScanInfo={})],
                              contract=True)
    with pytest.raises(MipConnectError) as caught:
        reconciler(zia, status="active", wait_for="none", client_secret=None).present()
    assert "cannot be Active" in str(caught.value) and "AADSTS7000215" in str(caught.value)
    assert zia.writes == []


class DuplicateOnCreate(FakeZia):
    """ZIA refuses the create: an account of that name exists (made since we looked, or merged by ZIA)."""

    def call(self, method, path, json=None, **_kwargs):
        if method == "POST" and path.endswith("/casbTenant"):
            self.writes.append((method, path))
            raise ApiError("Zscaler Internet Access", 409, code="DUPLICATE_ITEM",
                           message="A SaaS application tenant named '%s' already exists." % json["tenantName"])
        return FakeZia.call(self, method, path, json=json)


def test_a_refused_create_reports_no_change():
    zia = DuplicateOnCreate([], contract=True)
    with pytest.raises(ApiError) as caught:
        reconciler(zia, wait_for="none").present()
    assert caught.value.partial_result["changed"] is False
    assert caught.value.partial_result["changes"] == []


def test_a_create_lost_to_another_run_carries_on_as_an_update():
    zia = DuplicateOnCreate([], contract=True)

    def another_run_created_it(fake, polls):
        if polls == 2:  # after our lookup, before our create was refused
            fake.accounts[7] = account(label_retrieval=False)

    zia.on_poll = another_run_created_it
    result = reconciler(zia, wait_for="none", label_retrieval=True).present()
    assert result["account"]["id"] == 7
    assert any("created by someone else" in warning for warning in result["warnings"])
