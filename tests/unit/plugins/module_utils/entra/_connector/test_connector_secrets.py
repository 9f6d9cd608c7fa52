# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import connector
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.secrets import SECRET_IN_FLIGHT_TAG, secret_in_flight_since
from ansible_collections.mipconnect.zia.plugins.module_utils.entra._connector.times import iso, parse_time
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.entra._connector.fakes_connector import (
    NOW,
    FakeGraph,
    SecretGraph,
    reconciler,
)


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


def policy_reconciler(rotate="never", rotate_before_days=30, secrets=None, check_mode=False, allowed=True):
    spec = connector.ConnectorSpec(display_name="d", unique_name="u", rotate=rotate,
                                   rotate_before_days=rotate_before_days, secret_description="z")
    rec = connector.ConnectorReconciler(None, None, None, None, "t", spec, check_mode, now=NOW,
                                        secret_output_allowed=allowed)
    rec.app = {"passwordCredentials": secrets or []}
    return rec


def secret(days_left, description="z"):
    end = NOW + datetime.timedelta(days=days_left)
    return {"displayName": description, "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ")}


@pytest.mark.parametrize("rotate, secrets, expected", [
    ("never", [], True),
    ("never", [secret(-5)], False),
    ("never", [secret(100, description="someone else's")], True),
    ("when_expiring", [secret(10)], True),
    ("when_expiring", [secret(10), secret(400)], False),
    ("when_expiring", [secret(31)], False),
    # Read as the rotation decision reads them (entra/secret_rotation.py): with an offset, too.
    ("when_expiring", [dict(secret(10), endDateTime=secret(10)["endDateTime"][:-1] + "+00:00")], True),
    ("when_expiring", [dict(secret(400), endDateTime=secret(400)["endDateTime"][:-1] + ".1234567Z")], False),
    ("always", [secret(700)], True),
])
def test_secret_policy(rotate, secrets, expected):
    rec = policy_reconciler(rotate=rotate, secrets=secrets)
    assert rec._needs_new_secret(rec._our_secrets()) is expected


def test_a_new_secret_without_no_log_is_refused_before_writes():
    rec = policy_reconciler(secrets=[], allowed=False)
    with pytest.raises(InputError) as caught:
        rec._refuse_to_print_a_new_secret()
    assert "no_log" in str(caught.value)
    policy_reconciler(secrets=[], allowed=False, check_mode=True)._refuse_to_print_a_new_secret()
    policy_reconciler(secrets=[secret(100)], allowed=False)._refuse_to_print_a_new_secret()


MARK = NOW - datetime.timedelta(minutes=5)


def started(moment, key_id, description="z"):
    return {"keyId": key_id, "displayName": description, "startDateTime": iso(moment),
            "endDateTime": iso(moment + datetime.timedelta(days=700))}


def marked_reconciler(secrets, tags, check_mode=False, graph=None, rotate="never"):
    rec = policy_reconciler(rotate=rotate, check_mode=check_mode)
    rec.graph = graph or SecretGraph()
    if rec.graph.tags is None:
        rec.graph.tags = list(tags)
    rec.app = {"id": "obj", "passwordCredentials": list(secrets), "tags": list(tags)}
    return rec


def in_flight(moment):
    return connector.SECRET_IN_FLIGHT_TAG + iso(moment)


def test_no_marker_and_a_secret_of_ours_means_no_write():
    rec = marked_reconciler([started(MARK, "old")], ["keep-me"])
    rec.ensure_secret()
    assert rec.graph.calls == [] and rec.changes == [] and rec.new_secret is None


def test_an_undelivered_secret_is_removed_and_a_new_one_returned_between_two_tag_writes():
    secrets = [started(MARK - datetime.timedelta(days=3), "old", description="someone else's"),
               started(MARK, "orphan"), started(MARK + datetime.timedelta(seconds=1), "orphan-2")]
    rec = marked_reconciler(secrets, ["keep-me", in_flight(MARK)])
    rec.ensure_secret()
    calls = [(method, path) for method, path, _body in rec.graph.calls]
    assert calls == [("POST", "/applications/obj/removePassword"), ("POST", "/applications/obj/removePassword"),
                     ("PATCH", "/applications/obj"), ("POST", "/applications/obj/addPassword"),
                     ("PATCH", "/applications/obj")]
    assert [body["keyId"] for _m, _p, body in rec.graph.calls[:2]] == ["orphan", "orphan-2"]
    marked, cleared = rec.graph.calls[2][2]["tags"], rec.graph.calls[4][2]["tags"]
    assert marked[0] == "keep-me" and len(marked) == 2 and marked[1].startswith(connector.SECRET_IN_FLIGHT_TAG)
    # The new secret starts at the marker's time: a re-run recognises it whatever Entra's clock says.
    sent = rec.graph.calls[3][2]["passwordCredential"]
    assert marked[1] == connector.SECRET_IN_FLIGHT_TAG + sent["startDateTime"]
    assert parse_time(sent["startDateTime"]) == NOW - datetime.timedelta(seconds=60)
    assert cleared == ["keep-me"]
    assert rec.new_secret == "s3cret"
    assert [c["keyId"] for c in rec.app["passwordCredentials"]] == ["old", "new-key"]
    assert len([c for c in rec.changes if "interrupted run" in c]) == 2


def test_a_secret_older_than_the_marker_was_delivered_and_stays():
    rec = marked_reconciler([started(MARK - datetime.timedelta(seconds=1), "delivered")], [in_flight(MARK)])
    rec.ensure_secret()
    # Only the stale marker goes; no secret is made or removed.
    assert rec.graph.calls == [("PATCH", "/applications/obj", {"tags": []})]
    assert rec.new_secret is None and rec.app["tags"] == []


def test_check_mode_predicts_the_removal_and_the_new_secret_without_a_write():
    rec = marked_reconciler([started(MARK, "orphan")], [in_flight(MARK)], check_mode=True)
    rec.ensure_secret()
    assert rec.graph.calls == []
    assert [c.split(" ")[0] for c in rec.changes] == ["remove", "add"]
    assert rec.new_secret is None


def test_a_failed_clearing_write_returns_no_secret_and_says_why():
    from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError

    rec = marked_reconciler([], [], graph=SecretGraph(fail_on=3))
    with pytest.raises(ApiError) as caught:
        rec.ensure_secret()
    assert rec.new_secret is None
    assert "new-key" in str(caught.value) and "next run removes it" in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_no_log_check_ignores_undelivered_secrets():
    rec = marked_reconciler([started(MARK, "orphan")], [in_flight(MARK)])
    rec.secret_output_allowed = False
    with pytest.raises(InputError):
        rec._refuse_to_print_a_new_secret()


def test_an_unreadable_marker_removes_nothing():
    assert connector.secret_in_flight_since({"tags": [connector.SECRET_IN_FLIGHT_TAG + "garbage"]}).year == 9999
    assert connector.secret_in_flight_since({"tags": ["x"]}) is None


def test_a_failed_removal_of_old_secrets_keeps_the_new_one_marked_undelivered():
    from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError

    old = started(MARK - datetime.timedelta(days=400), "old")
    rec = marked_reconciler([old], [], graph=SecretGraph(fail_on=3), rotate="always")
    rec.spec.remove_old_secrets_after = 0
    with pytest.raises(ApiError) as caught:
        rec.ensure_secret()
    calls = [(method, path) for method, path, _body in rec.graph.calls]
    assert calls == [("PATCH", "/applications/obj"), ("POST", "/applications/obj/addPassword"),
                     ("POST", "/applications/obj/removePassword")]
    assert rec.new_secret is None and "next run removes it" in str(caught.value)
    assert connector.secret_in_flight_since(rec.app) is not None


# --- the connector's lease, checked on a fresh read before a secret is added or removed ------------

def _lease_tag(owner, minutes=10):
    from ansible_collections.mipconnect.zia.plugins.module_utils.entra import lease

    start = lease.now_utc()
    return lease.Lease(owner, start, start + datetime.timedelta(minutes=minutes)).tag()


def test_no_secret_is_added_while_another_run_holds_the_lease():
    from ansible_collections.mipconnect.zia.plugins.module_utils.entra.lease import LeaseHeld

    rec = marked_reconciler([], [_lease_tag("other-run")])
    with pytest.raises(LeaseHeld) as caught:
        rec.ensure_secret()
    assert "other-run" in str(caught.value)
    assert rec.graph.calls == [] and rec.changes == []


def test_a_run_whose_lease_was_taken_over_since_it_started_adds_and_removes_nothing():
    from ansible_collections.mipconnect.zia.plugins.module_utils.entra.lease import LeaseHeld

    # The run read its own lease at its start; another run's lease is there now.
    graph = SecretGraph(tags=[_lease_tag("other-run")])
    rec = marked_reconciler([started(MARK - datetime.timedelta(days=1), "old"), started(MARK, "newer")],
                            [_lease_tag("me")], graph=graph)
    rec.spec.lease_owner = "me"
    rec.spec.remove_old_secrets_after = 0
    with pytest.raises(LeaseHeld) as caught:
        rec.ensure_secret()
    assert "no longer holds" in str(caught.value) and "other-run" in str(caught.value)
    assert graph.calls == [] and rec.changes == []


def test_the_holder_of_the_lease_removes_old_secrets_and_keeps_its_lease_tag():
    graph = SecretGraph()
    rec = marked_reconciler([started(MARK - datetime.timedelta(days=1), "old"), started(MARK, "newer")],
                            ["keep-me", _lease_tag("me")], graph=graph)
    rec.spec.lease_owner = "me"
    rec.spec.remove_old_secrets_after = 0
    rec.ensure_secret()
    assert [(method, body) for method, _path, body in graph.calls] == [("POST", {"keyId": "old"})]
    assert graph.reads == ["/applications/obj"]  # the lease was read again first


def test_a_write_that_failed_is_not_reported_as_a_change():
    rec = marked_reconciler([started(MARK - datetime.timedelta(days=1), "old"), started(MARK, "newer")], [],
                            graph=SecretGraph(fail_on=1))
    rec.spec.remove_old_secrets_after = 0
    with pytest.raises(Exception):
        rec.ensure_secret()
    assert rec.changes == []
