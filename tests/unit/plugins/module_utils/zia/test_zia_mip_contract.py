# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The assumed write contract: which refusals send a person to the Admin Portal, and the steps it gives."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia import zia_mip_contract as contract
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_mip_contract import ManualStepsRequired
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.zia._mip_account.fakes_mip_account import FakeZia, account, reconciler


@pytest.mark.parametrize("status,code,message", [
    (400, "INVALID_INPUT_ARGUMENT", "Request body has unrecognised field connectorType"),
    (403, "NOT_AUTHORIZED", "Not allowed for API clients"),
    (415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported Media Type"),
])
def test_a_refused_write_ends_in_the_portal_steps_with_the_error(status, code, message):
    class Refusing(FakeZia):
        def call(self, method, path, json=None, **_kwargs):
            self.writes.append((method, path))
            raise ApiError("Zscaler Internet Access", status, code=code, message=message, request_id="req-1")

    with pytest.raises(ManualStepsRequired) as caught:
        reconciler(Refusing([account(label_retrieval=False)]), label_retrieval=True, wait_for="none",
                   client_secret=None).present()
    assert "label retrieval on" in " ".join(caught.value.steps).lower()
    details = caught.value.as_dict()
    assert details["error"]["status"] == status and details["error"]["request_id"] == "req-1"
    assert message in str(caught.value)


@pytest.mark.parametrize("status,code,message", [
    (400, "INVALID_INPUT_ARGUMENT", "tenantName must be a non-empty string of at most 255 characters."),
    (403, "STATE_READONLY", "The ZIA Admin Portal is read-only during maintenance."),
    (409, "DUPLICATE_ITEM", "A SaaS application tenant named 'x' already exists."),
])
def test_an_error_about_our_input_or_a_passing_state_is_not_sent_to_the_portal(status, code, message):
    class Refusing(FakeZia):
        def call(self, method, path, json=None, **_kwargs):
            raise ApiError("Zscaler Internet Access", status, code=code, message=message)

    with pytest.raises(ApiError) as caught:
        reconciler(Refusing([account(label_retrieval=False)]), label_retrieval=True, wait_for="none",
                   client_secret=None).present()
    assert not isinstance(caught.value, ManualStepsRequired)


class Answering:
    """A ZIA client whose every call answers ``answer`` (an exception is raised)."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = []

    def call(self, method, path, json=None):
        self.calls.append((method, path, json))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def test_the_body_carries_credentials_only_when_both_are_written():
    body = contract.account_body("Contoso MIP", "tenant", contract.CUSTOM, client_id="client", label_retrieval=False)
    assert body == {"tenantName": "Contoso MIP", "saasApplication": "MIP", "enterpriseTenantId": "tenant",
                    "connectorType": "CUSTOM", "labelRetrieval": False}
    full = contract.account_body("n", "t", contract.CUSTOM, client_id="c", client_secret="s", inactive=True,
                                 reauthorize=True)
    assert full["tenantAuthorizationInfo"] == {"clientId": "c", "clientSecret": "s"}
    assert full["tenantInactive"] is True and full["reAuth"] is True


def test_each_write_goes_to_its_path_and_returns_the_answer():
    zia = Answering({"tenantId": 7})
    assert contract.create_account(zia, {"tenantName": "n"}, ["step"]) == {"tenantId": 7}
    contract.update_account(zia, 7, {"labelRetrieval": True}, ["step"])
    contract.delete_account(zia, 7, ["step"])
    assert zia.calls == [("POST", "/casbTenant", {"tenantName": "n"}), ("PUT", "/casbTenant/7", {"labelRetrieval": True}),
                         ("DELETE", "/casbTenant/7", None)]


@pytest.mark.parametrize("status, code", [(404, "RESOURCE_NOT_FOUND"), (405, "METHOD_NOT_ALLOWED"), (404, None)])
def test_a_cloud_without_the_endpoint_gives_the_steps_without_an_error(status, code):
    zia = Answering(ApiError("Zscaler Internet Access", status, code=code))
    with pytest.raises(ManualStepsRequired) as caught:
        contract.delete_account(zia, 7, contract.delete_account_steps("Contoso MIP"))
    assert "has no API to delete MIP accounts (HTTP %d)" % status in str(caught.value)
    assert caught.value.error is None and "error" not in caught.value.as_dict()
    assert caught.value.steps[0].endswith("click the Delete icon of MIP account 'Contoso MIP', then confirm.")


def test_a_400_naming_a_field_of_the_input_is_the_api_error_itself():
    refusal = ApiError("Zscaler Internet Access", 400, code="INVALID_INPUT_ARGUMENT", message="clientId is not valid")
    with pytest.raises(ApiError) as caught:
        contract.update_account(Answering(refusal), 7, {}, ["step"])
    assert caught.value is refusal


def test_the_steps_are_numbered_in_the_message():
    steps = contract.add_custom_account_steps("Contoso MIP", "tenant", "client", "https://consent", label_retrieval=True)
    err = ManualStepsRequired("No API.", steps)
    assert "1. Open %s and click Add MIP Account." % contract.PORTAL_MENU in str(err)
    assert "%d. Activate the change." % len(steps) in str(err)
    assert "set Label Retrieval to On and the status to Active" in steps[6]


def test_the_edit_steps_capitalise_each_change_as_a_sentence():
    steps = contract.edit_account_steps("Contoso MIP", ["turn label retrieval on", "set the status to Active"])
    assert steps[1:3] == ["Turn label retrieval on.", "Set the status to Active."]
