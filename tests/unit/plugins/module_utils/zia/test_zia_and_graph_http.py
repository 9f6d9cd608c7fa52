# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""ZIA edit-lock waits and activation retries, ZIA paging guards, and the
validate_certs warning: against fakes, with an injected clock (nothing sleeps)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import json
from unittest import mock

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.http import service_client
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia import ZiaClient
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import Answer, Clock, NoAuth, ScriptedHttp

LOCKED = {"code": "EDIT_LOCK_NOT_AVAILABLE", "message": "Edit lock is not available"}


def zia(answers, max_retry_wait=120):
    clock = Clock()
    http = ScriptedHttp(answers, max_retry_wait)
    # The rate limiter would sleep between calls too; these tests count only the lock waits.
    client = ZiaClient(http, NoAuth(), sleep=clock.sleep, clock=clock)
    client.limiter.wait = lambda *args: None
    return client, http, clock


# --- edit lock -----------------------------------------------------------------------------------------

def test_an_edit_lock_that_asks_for_a_day_fails_at_once_and_says_what_to_do():
    client, http, clock = zia([Answer(409, LOCKED, {"Retry-After": "86400"})])
    with pytest.raises(ApiError) as caught:
        client.call("POST", "/casbTenant", json={"tenantName": "x"})
    assert clock.sleeps == [] and len(http.calls) == 1
    text = str(caught.value)
    assert "EDIT_LOCK_NOT_AVAILABLE" in text and "86400 s" in text and "max_retry_wait (120 s)" in text


def test_edit_lock_waits_add_up_to_no_more_than_max_retry_wait():
    client, http, clock = zia(lambda *request: Answer(409, LOCKED, {"Retry-After": "7"}), max_retry_wait=30)
    with pytest.raises(ApiError) as caught:
        client.call("PUT", "/casbTenant/1", json={})
    assert clock.sleeps == [7.0, 7.0, 7.0, 7.0] and sum(clock.sleeps) <= 30
    assert "Waited 28 s" in str(caught.value)


def test_edit_lock_without_retry_after_backs_off_within_the_bound():
    client, http, clock = zia(lambda *request: Answer(409, LOCKED), max_retry_wait=60)
    with pytest.raises(ApiError):
        client.call("POST", "/casbTenant", json={})
    assert 0 < sum(clock.sleeps) <= 60 and len(http.calls) == len(clock.sleeps) + 1


def test_an_edit_lock_released_within_the_bound_is_waited_for():
    client, http, clock = zia([Answer(409, LOCKED, {"Retry-After": "2"}), Answer(409, LOCKED, {"Retry-After": "0"}),
                               Answer(200, {"tenantId": 1})])
    assert client.call("POST", "/casbTenant", json={}) == {"tenantId": 1}
    assert clock.sleeps == [2.0, 1.0]


def test_activation_is_sent_as_safe_to_repeat():
    client, http, clock = zia([Answer(200, {"status": "ACTIVE"})])
    assert client.activate()["status"] == "ACTIVE"
    assert http.calls[0][0] == "POST" and http.calls[0][3] == {"idempotent": True}


def test_a_redirect_is_not_taken_for_success_by_the_zia_client():
    client, http, clock = zia([Answer(302, None, {"Location": "https://elsewhere.example/"})])
    with pytest.raises(ApiError) as caught:
        client.call("GET", "/status")
    assert caught.value.status == 302


# --- ZIA paging -----------------------------------------------------------------------------------------

def test_a_zia_server_that_ignores_the_page_number_is_not_read_forever():
    first_page = [{"tenantId": i, "saasApplication": "MIP"} for i in range(100)]
    client, http, clock = zia(lambda method, url, params: Answer(200, first_page))
    with pytest.raises(service_client.PagingError) as caught:
        client.mip_accounts()
    assert [call[2]["page"] for call in http.calls] == [1, 2]
    assert "/casbTenant/lite" in str(caught.value) and "page 2 repeats" in str(caught.value)
    assert "zia_api_url" in str(caught.value)


def test_zia_paging_stops_after_max_pages(monkeypatch):
    monkeypatch.setattr(service_client, "MAX_PAGES", 4)

    def endless(method, url, params):
        start = (params["page"] - 1) * params["pageSize"]
        return Answer(200, [{"tagId": start + i} for i in range(params["pageSize"])])

    client, http, clock = zia(endless)
    with pytest.raises(service_client.PagingError) as caught:
        client.policy_tags(42)
    assert len(http.calls) == 5 and "after 4 pages" in str(caught.value)


def test_zia_paging_reads_every_page_of_a_well_behaved_server():
    items = [{"tagId": i} for i in range(250)]

    def paged(method, url, params):
        start = (params["page"] - 1) * params["pageSize"]
        return Answer(200, items[start:start + params["pageSize"]])

    client, http, clock = zia(paged)
    assert len(client.policy_tags(42)) == 250 and len(http.calls) == 3


# --- validate_certs: false is said out loud ----------------------------------------------------------------

@contextlib.contextmanager
def module_args(args):
    """Hand AnsibleModule its arguments on every ansible-core the collection supports."""
    try:
        from ansible.module_utils.testing import patch_module_args  # ansible-core 2.19 and later
    except ImportError:  # before 2.19 AnsibleModule reads them from basic._ANSIBLE_ARGS
        from ansible.module_utils import basic

        internal = {"_ansible_remote_tmp": "/tmp", "_ansible_keep_remote_files": False}
        serialized = json.dumps({"ANSIBLE_MODULE_ARGS": dict(args, **internal)})
        with mock.patch.object(basic, "_ANSIBLE_ARGS", serialized.encode("utf-8")):
            yield
        return
    with patch_module_args(args):
        yield


@pytest.mark.parametrize("validate_certs, warned", [(False, True), (True, False)])
def test_turning_certificate_checks_off_gives_a_warning(validate_certs, warned):
    from ansible.module_utils.common import warnings

    from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import MipConnectModule

    with module_args({"validate_certs": validate_certs}):
        module = MipConnectModule({}, shared_specs=())
    before = len([w for w in warnings.get_warning_messages() if "validate_certs is false" in w])
    http = module.clients.http()
    after = [w for w in warnings.get_warning_messages() if "validate_certs is false" in w]
    assert (len(after) > before) is warned
    assert http.settings.verify is (True if validate_certs else False)
    if warned:
        assert "ca_bundle" in after[-1]


def test_a_redirect_without_location_is_no_token_nor_session():
    from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_auth import LegacySessionAuth, OneApiAuth

    http = ScriptedHttp([Answer(302, {}), Answer(302, {})])
    with pytest.raises(ApiError) as caught:
        OneApiAuth(http, "https://v.zslogin.net/oauth2/v1/token", "https://api", "id", client_secret="s").refresh()
    assert caught.value.status == 302
    legacy = LegacySessionAuth(http, "https://zsapi.zscaler.net/api/v1", "admin@example.com", "pw", "abcdefghijkl")
    with pytest.raises(ApiError):
        legacy.refresh()
