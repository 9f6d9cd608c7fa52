# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.mip_account import MipAccountReconciler, MipAccountSpec
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.zia._mip_account.fakes_mip_account import (
    RECORDED_MIP_ENTRY,
    FailedValidationZia,
    FakeZia,
    reconciler,
)


class Staged(FakeZia):
    def __init__(self, status, activation_fails=False):
        super(Staged, self).__init__([])
        self.status = status
        self.activation_fails = activation_fails
        self.activations = 0

    def activation_status(self):
        return self.status

    def activate(self, timeout=120):
        self.activations += 1
        if self.activation_fails:
            raise MipConnectError("ZIA activation did not finish within 1 seconds (status INPROGRESS).")
        return {"status": "ACTIVE", "seconds": 0.0}


def test_nothing_staged_and_nothing_changed_activates_nothing():
    zia = Staged("ACTIVE")
    rec = MipAccountReconciler(zia, MipAccountSpec(name="n"), False)
    assert rec._activate() == {"activated": False, "status": "ACTIVE"} and rec.changes == [] and zia.activations == 0


def test_changes_an_earlier_run_left_staged_are_activated():
    zia = Staged("PENDING")
    rec = MipAccountReconciler(zia, MipAccountSpec(name="n"), False)
    assert rec._activate()["activated"] is True and zia.activations == 1
    assert rec.changes == ["activate the ZIA configuration, which holds changes that were saved but not activated"]


def test_check_mode_plans_the_activation_and_an_activation_sent_counts_even_when_its_wait_fails():
    planned = MipAccountReconciler(Staged("PENDING"), MipAccountSpec(name="n"), True)
    assert planned._activate() == {"activated": False, "status": None} and planned.recorder.changed
    zia = Staged("PENDING", activation_fails=True)
    rec = MipAccountReconciler(zia, MipAccountSpec(name="n"), False)
    with pytest.raises(MipConnectError):
        rec._activate()
    assert zia.activations == 1 and len(rec.changes) == 1


@pytest.mark.parametrize("goal", ["validated", "active", "labels_retrieved"])
def test_wait_for_stops_at_once_on_a_status_no_recording_explains(goal):
    zia = FakeZia([dict(RECORDED_MIP_ENTRY, status=["CASB_TENANT_SOMETHING_NEW"], tagsScanInfo={})])
    with pytest.raises(MipConnectError) as caught:
        reconciler(zia, wait_for=goal, wait_timeout=600, client_secret=None, activate=False).present()
    assert "CASB_TENANT_SOMETHING_NEW" in str(caught.value) and "stopped waiting" in str(caught.value)
    assert zia.polls <= 2  # not 300 polls until the timeout


def test_wait_for_validated_stops_at_once_on_a_failed_validation_and_says_why():
    zia = FailedValidationZia([dict(RECORDED_MIP_ENTRY, status=["CASB_TENANT_ACTIVE"])])
    with pytest.raises(MipConnectError) as caught:
        reconciler(zia, wait_for="validated", wait_timeout=600, client_secret=None, activate=False).present()
    assert "AADSTS7000215" in str(caught.value)
    assert zia.polls <= 2
