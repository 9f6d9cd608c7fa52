# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ZIA client's limiter and label count, and legacy auth errors, against a fake ZIA (no HTTP)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.labels import labels

from ansible_collections.mipconnect.zia.plugins.module_utils.zia import zia_auth
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia import ZiaClient
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_rate_limits import RateLimiter
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import Clock, NoAuth


def test_post_and_put_share_one_write_window():
    clock = Clock()
    limiter = RateLimiter(sleep=clock.sleep, clock=clock)
    for method, path in (("POST", "/casbTenant"), ("PUT", "/casbTenant/1"), ("POST", "/casbTenant")):
        limiter.wait(method, path)
        limiter.record(method, path)
    assert clock.sleeps == [1.0, 1.0]  # a PUT right after a POST waits, as ZIA counts them together


def test_activation_has_its_own_window_of_ten_a_minute():
    clock = Clock()
    limiter = RateLimiter(sleep=clock.sleep, clock=clock)
    limiter.wait("POST", "/casbTenant")
    limiter.record("POST", "/casbTenant")
    for _activation in range(10):
        limiter.wait("POST", "/status/activate")
        limiter.record("POST", "/status/activate")
    assert clock.sleeps == []  # neither the write before nor each other hold the first ten back
    limiter.wait("POST", "/status/activate")
    assert clock.sleeps == [60.0]
    limiter.record("POST", "/status/activate")
    limiter.wait("PUT", "/casbTenant/1")
    assert clock.sleeps == [60.0]  # activations do not use up the write window


class Response:
    def __init__(self, status, payload):
        self.status_code = status
        self._payload = payload
        self.content = b"x"
        self.headers = {}
        self.reason = ""
        self.text = ""

    def json(self):
        return self._payload


class PagedHttp:
    def __init__(self, items):
        self.items = items
        self.calls = []

    def request(self, method, url, headers=None, params=None, json=None, service=None):
        self.calls.append((method, url, dict(params or {})))
        if "/missing/" in url:
            return Response(404, {"code": "RESOURCE_NOT_FOUND", "message": "no"})
        page, size = params["page"], params["pageSize"]
        return Response(200, self.items[(page - 1) * size:page * size])


def test_policy_tags_reads_every_page_and_leaves_out_deleted_tags():
    tags = [{"tagId": i, "tagName": "L%d" % i, "deleted": i % 10 == 0} for i in range(1, 151)]
    http = PagedHttp(tags)
    clock = Clock()
    client = ZiaClient(http, NoAuth(), sleep=clock.sleep, clock=clock)
    labels = client.policy_tags(42)
    assert len(labels) == 150 - 15
    assert [c[2]["page"] for c in http.calls] == [1, 2]


def test_policy_tags_of_an_unknown_account_is_empty():
    clock = Clock()
    client = ZiaClient(PagedHttp([]), NoAuth(), sleep=clock.sleep, clock=clock)
    client.base_url = "https://zia.example/api/v1/missing"
    assert client.policy_tags(42) == []


def test_legacy_without_cloud_names_the_options_to_set():
    params = {"zia_username": "admin@example.com", "zia_password": "pw", "zia_api_key": "abcdefghijkl"}
    with pytest.raises(InputError) as caught:
        zia_auth.build_zia_auth(None, params)
    assert caught.value.option == "zia_cloud"
    assert "'None'" not in str(caught.value)
    assert "zia_api_url" in str(caught.value) and "ZIA_CLOUD" in str(caught.value)


# GET /casbTenant/{id}/tags/policy in its documented shape: tagId, tagName, tagUUID, tenantId, deleted.
POLICY_TAGS = [
    {"tagId": 1441700, "tagName": "Public", "tagUUID": "87ba5c36-b7cf-4793-bbc2-bd5b3a9f95ca",
     "tenantId": 22964781, "deleted": False},
    {"tagId": 1441701, "tagName": "General", "tagUUID": "f42aa342-8706-4288-bd11-ebb85995028c",
     "tenantId": 22964781, "deleted": False},
    {"tagId": 1441702, "tagName": "Confidential", "tagUUID": "4e4234dd-377b-42a3-935b-0e42f138fa23",
     "tenantId": 22964781, "deleted": False},
    {"tagId": 1441703, "tagName": "Old Secret", "tagUUID": "9fbde396-1a24-4c79-8edf-9254a0f35055",
     "tenantId": 22964781, "deleted": True},
]


def test_deleted_policy_tags_are_left_out_of_the_count_and_the_export_alike():
    clock = Clock()
    client = ZiaClient(PagedHttp(POLICY_TAGS), NoAuth(), sleep=clock.sleep, clock=clock)
    exported = list(labels.zia_policy_labels(client, 22964781))
    assert len(client.policy_tags(22964781)) == len(exported) == 3
    assert "Old Secret" not in [r["name"] for r in exported]
    assert len(list(labels.zia_policy_labels(client, 22964781, include_deleted=True))) == 4
    # nothing beyond the documented fields is read: no parent, priority or state is made up
    assert all(r["parent_id"] is None and r["priority"] is None and r["active"] is None for r in exported)
