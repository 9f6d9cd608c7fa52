# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.changes import (
    ChangeRecorder,
    RecordedRun,
    failing_with_partial_result,
)
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError, MipConnectError


class Writes:
    """A remote side that counts the writes that reached it."""

    def __init__(self, fail=False):
        self.sent = []
        self.fail = fail

    def __call__(self, what):
        def write():
            if self.fail:
                raise ApiError("Microsoft Graph", 503, code="ServiceUnavailable")
            self.sent.append(what)
            return {"id": what}
        return write


def test_check_mode_records_the_change_without_writing():
    recorder, remote = ChangeRecorder(check_mode=True), Writes()
    assert recorder.write("create application 'a'", remote("a")) is None
    assert remote.sent == []
    assert recorder.changes == ["create application 'a'"] and recorder.changed is True


def test_a_real_write_is_carried_out_then_recorded_with_its_answer():
    recorder, remote = ChangeRecorder(check_mode=False), Writes()
    assert recorder.write("create application 'a'", remote("a")) == {"id": "a"}
    assert remote.sent == ["a"] and recorder.changes == ["create application 'a'"]


def test_a_failed_write_is_not_recorded():
    recorder = ChangeRecorder(check_mode=False)
    recorder.write("first", Writes()("first"))
    with pytest.raises(ApiError):
        recorder.write("second", Writes(fail=True)("second"))
    assert recorder.changes == ["first"]
    assert ChangeRecorder(False).changed is False


def test_outcome_rewords_what_the_write_turned_out_to_do_and_only_then():
    recorder = ChangeRecorder(check_mode=False)
    recorder.write("create x", lambda: None, outcome=lambda answer: None if answer else "update x found")
    recorder.write("create y", lambda: {"id": "y"}, outcome=lambda answer: None if answer else "update y found")
    assert recorder.changes == ["update x found", "create y"]
    planned = ChangeRecorder(check_mode=True)
    planned.write("create z", lambda: None, outcome=lambda answer: "update z found")
    assert planned.changes == ["create z"]  # check mode predicts the planned write, it has no answer


def test_send_records_before_the_write_so_a_failed_wait_still_counts():
    recorder = ChangeRecorder(check_mode=False)
    with pytest.raises(ApiError):
        recorder.send("activate the ZIA configuration", Writes(fail=True)("activate"))
    assert recorder.changes == ["activate the ZIA configuration"]
    planned, remote = ChangeRecorder(check_mode=True), Writes()
    assert planned.send("activate", remote("activate")) is None and remote.sent == []


def test_partial_result_is_a_copy_with_the_extras():
    recorder = ChangeRecorder(check_mode=False)
    recorder.write("one", lambda: None)
    partial = recorder.partial_result(assumed_contract_writes=["POST /casbTenant"])
    recorder.write("two", lambda: None)
    assert partial == {"changed": True, "changes": ["one"], "assumed_contract_writes": ["POST /casbTenant"]}


class Run(RecordedRun):
    def __init__(self, check_mode):
        self.recorder = ChangeRecorder(check_mode)

    @failing_with_partial_result
    def present(self, fail_with):
        self.recorder.write("create application 'a'", lambda: None)
        raise fail_with


def test_an_error_leaves_with_what_the_run_did():
    run = Run(check_mode=False)
    with pytest.raises(ApiError) as caught:
        run.present(ApiError("Microsoft Graph", 403, code="Authorization_RequestDenied"))
    assert caught.value.partial_result == {"changed": True, "changes": ["create application 'a'"]}
    assert run.check_mode is False and run.changes == ["create application 'a'"]


def test_errors_carry_a_partial_result_given_when_raised():
    err = MipConnectError("The connector's credentials are not valid.", partial_result={"changed": False})
    assert err.partial_result == {"changed": False} and MipConnectError("x").partial_result is None
    assert err.with_partial_result({"changed": True}) is err and err.partial_result == {"changed": True}
