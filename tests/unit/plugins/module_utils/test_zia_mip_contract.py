# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia_mip_contract import ManualStepsRequired
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils._mip_account.fakes_mip_account import FakeZia, account, reconciler


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
