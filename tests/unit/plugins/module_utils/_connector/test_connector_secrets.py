# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.mipconnect.zia.plugins.module_utils._connector.secrets import SECRET_IN_FLIGHT_TAG, secret_in_flight_since
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils._connector.fakes_connector import NOW, FakeGraph, reconciler


def test_the_earliest_readable_marker_counts_and_an_unreadable_one_counts_as_latest():
    never = datetime.datetime.max.replace(tzinfo=datetime.timezone.utc)
    app = {"tags": [SECRET_IN_FLIGHT_TAG + "2026-11-23T12:00:00Z", SECRET_IN_FLIGHT_TAG + "2026-11-22T12:00:00Z"]}
    assert secret_in_flight_since(app) == NOW - datetime.timedelta(days=1)
    assert secret_in_flight_since({"tags": [SECRET_IN_FLIGHT_TAG + "garbled"]}) == never
    assert secret_in_flight_since({"tags": ["other"]}) is None and secret_in_flight_since(None) is None


def test_a_new_secret_is_one_recorded_change_and_its_value_is_kept_out_of_the_list():
    graph = FakeGraph({"/applications/obj": {"id": "obj", "tags": []}, ("POST", "/applications/obj/addPassword"): {
        "keyId": "k1", "displayName": "z", "secretText": "s3cret", "startDateTime": "2026-11-23T11:59:00Z",
        "endDateTime": "2028-11-22T12:00:00Z"}})
    rec = reconciler(graph, secret_description="z")
    rec.app = {"id": "obj", "passwordCredentials": [], "tags": []}
    secrets = rec.ensure_secret()
    assert rec.new_secret == "s3cret" and "s3cret" not in repr(secrets)
    assert rec.changes == ["add client secret 'z' expiring 2028-11-22T12:00:00Z"]
    # marked in flight, added, then the mark cleared
    assert [(m, p) for m, p, _b in graph.writes] == [("PATCH", "/applications/obj"),
                                                     ("POST", "/applications/obj/addPassword"),
                                                     ("PATCH", "/applications/obj")]
