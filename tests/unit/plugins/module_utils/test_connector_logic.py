# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils import connector
from ansible_collections.mipconnect.zia.plugins.module_utils._connector.times import iso, parse_time
from ansible_collections.mipconnect.zia.plugins.module_utils import permission_catalog as catalog
from ansible_collections.mipconnect.zia.plugins.module_utils.errors import InputError
from ansible_collections.mipconnect.zia.plugins.module_utils.module_base import (
    require_guid,
    require_https_url,
    require_range,
    require_text,
)

NOW = datetime.datetime(2026, 11, 23, 12, 0, 0, tzinfo=datetime.timezone.utc)


def test_union_of_applications_has_no_duplicates():
    perms = connector.desired_permissions(["onedrive", "sharepoint"], [])
    keys = [p.key for p in perms]
    assert len(keys) == len(set(keys))
    # SharePoint adds exactly its SharePoint API permission to OneDrive's set.
    onedrive = set(p.key for p in connector.desired_permissions(["onedrive"], []))
    assert set(keys) - onedrive == {("00000003-0000-0ff1-ce00-000000000000", "Sites.Read.All")}


def test_extra_permissions_by_key_or_guid():
    perms = connector.desired_permissions([], [
        {"resource": "microsoft_graph", "permission": "SensitivityLabels.Read.All", "type": "Role"},
        {"resource": "AAAAAAAA-0000-0000-0000-000000000000", "permission": "x", "type": "Scope"},
    ])
    assert [p.key for p in perms] == [("00000003-0000-0000-c000-000000000000", "SensitivityLabels.Read.All"),
                                      ("aaaaaaaa-0000-0000-0000-000000000000", "x")]
    assert perms[0].id is None  # resolved at run time from the resource principal


def test_role_assignment_names_are_deterministic_and_distinct():
    a = connector.role_assignment_name("/subscriptions/s", "p", "r1")
    assert a == connector.role_assignment_name("/subscriptions/S", "P", "R1")
    assert a != connector.role_assignment_name("/subscriptions/s", "p", "r2")


def reconciler(rotate="never", rotate_before_days=30, secrets=None, check_mode=False, allowed=True):
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
    ("always", [secret(700)], True),
])
def test_secret_policy(rotate, secrets, expected):
    rec = reconciler(rotate=rotate, secrets=secrets)
    assert rec._needs_new_secret(rec._our_secrets()) is expected


def test_a_new_secret_without_no_log_is_refused_before_writes():
    rec = reconciler(secrets=[], allowed=False)
    with pytest.raises(InputError) as caught:
        rec._refuse_to_print_a_new_secret()
    assert "no_log" in str(caught.value)
    reconciler(secrets=[], allowed=False, check_mode=True)._refuse_to_print_a_new_secret()
    reconciler(secrets=[secret(100)], allowed=False)._refuse_to_print_a_new_secret()


@pytest.mark.parametrize("value", ["", "not-a-guid", "1234", "{11111111-2222-3333-4444-555555555555}",
                                   "11111111-2222-3333-4444-55555555555g"])
def test_bad_guids(value):
    with pytest.raises(InputError) as caught:
        require_guid("tenant_id", value)
    assert "tenant_id" in str(caught.value)


def test_guid_normalised():
    assert require_guid("x", " AAAAAAAA-2222-3333-4444-555555555555 ") == "aaaaaaaa-2222-3333-4444-555555555555"


@pytest.mark.parametrize("value, words", [("", "empty"), ("   ", "empty"), ("a\nb", "control"),
                                          ("x" * 121, "limit")])
def test_bad_text(value, words):
    with pytest.raises(InputError) as caught:
        require_text("display_name", value, 120)
    assert words in str(caught.value) and "display_name" in str(caught.value)


def test_urls_and_ranges():
    assert require_https_url("u", "https://x") == "https://x"
    assert require_https_url("u", "http://localhost:8080/cb", allow_localhost_http=True)
    with pytest.raises(InputError):
        require_https_url("u", "http://login.example")
    with pytest.raises(InputError) as caught:
        require_range("secret_expires_in_days", 731, 1, 730)
    assert "between 1 and 730" in str(caught.value)


def test_catalog_names_are_the_module_choices():
    assert catalog.APPLICATION_NAMES == sorted(["azure_blob_storage", "copilot", "exchange", "mip", "onedrive",
                                                "sharepoint", "teams"])


class FakeGraph:
    """Records every write; addPassword answers a secret started now; GET of the application answers its
    tags as the last PATCH left them (``tags`` until then)."""

    def __init__(self, fail_on=None, tags=None):
        self.calls = []
        self.fail_on = fail_on
        self.tags = tags
        self.reads = []

    def get(self, path, params=None, missing_ok=False):
        self.reads.append(path)
        return {"id": "obj", "tags": list(self.tags or [])}

    def _record(self, method, path, body):
        self.calls.append((method, path, body))
        if self.fail_on == len(self.calls):
            from ansible_collections.mipconnect.zia.plugins.module_utils.errors import ApiError

            raise ApiError("Microsoft Graph", 503, code="ServiceUnavailable")

    def patch(self, path, body, headers=None):
        self._record("PATCH", path, body)
        if "tags" in body:
            self.tags = list(body["tags"])
        return {}

    def post(self, path, body, headers=None):
        self._record("POST", path, body)
        if path.endswith("/addPassword"):
            return {"keyId": "new-key", "displayName": body["passwordCredential"]["displayName"],
                    "endDateTime": body["passwordCredential"]["endDateTime"], "secretText": "s3cret",
                    "startDateTime": iso(NOW)}
        return {}


MARK = NOW - datetime.timedelta(minutes=5)


def started(moment, key_id, description="z"):
    return {"keyId": key_id, "displayName": description, "startDateTime": iso(moment),
            "endDateTime": iso(moment + datetime.timedelta(days=700))}


def marked_reconciler(secrets, tags, check_mode=False, graph=None, rotate="never"):
    rec = reconciler(rotate=rotate, check_mode=check_mode)
    rec.graph = graph or FakeGraph()
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

    rec = marked_reconciler([], [], graph=FakeGraph(fail_on=3))
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
    rec = marked_reconciler([old], [], graph=FakeGraph(fail_on=3), rotate="always")
    rec.spec.remove_old_secrets_after = 0
    with pytest.raises(ApiError) as caught:
        rec.ensure_secret()
    calls = [(method, path) for method, path, _body in rec.graph.calls]
    assert calls == [("PATCH", "/applications/obj"), ("POST", "/applications/obj/addPassword"),
                     ("POST", "/applications/obj/removePassword")]
    assert rec.new_secret is None and "next run removes it" in str(caught.value)
    assert connector.secret_in_flight_since(rec.app) is not None


def test_an_expired_certificate_kept_beside_its_successor_is_removed(tmp_path):
    from ansible_collections.mipconnect.zia.plugins.module_utils import certificate as certs

    path = str(tmp_path / "sharepoint.json")
    current = certs.generate("d", 1461, NOW)
    certs.write_json_file(path, current)
    old = certs.generate("d", 20, NOW - datetime.timedelta(days=30))  # expired ten days ago
    spec = connector.ConnectorSpec(display_name="d", unique_name="u", applications=["sharepoint"],
                                   private_key_json_path=path)
    rec = connector.ConnectorReconciler(None, None, None, None, "t", spec, False, now=NOW)
    rec.graph = FakeGraph()
    rec.app = {"id": "obj", "keyCredentials": [dict(k, key=None) for k in (
        current.key_credential(connector.CERTIFICATE_DISPLAY_NAME), old.key_credential(connector.CERTIFICATE_DISPLAY_NAME))]}
    result = rec.ensure_certificate()
    assert result["thumbprint"] == current.thumbprint
    [(method, path_, body)] = rec.graph.calls
    assert (method, path_) == ("PATCH", "/applications/obj")
    assert [certs.thumbprint_of(k) for k in body["keyCredentials"]] == [current.thumbprint]
    assert any("removing expired %s" % old.thumbprint in c for c in rec.changes)
    assert rec.pending_steps == []


# --- the connector's lease, checked on a fresh read before a secret is added or removed ------------

def _lease_tag(owner, minutes=10):
    from ansible_collections.mipconnect.zia.plugins.module_utils import lease

    start = lease.now_utc()
    return lease.Lease(owner, start, start + datetime.timedelta(minutes=minutes)).tag()


def test_no_secret_is_added_while_another_run_holds_the_lease():
    from ansible_collections.mipconnect.zia.plugins.module_utils.lease import LeaseHeld

    rec = marked_reconciler([], [_lease_tag("other-run")])
    with pytest.raises(LeaseHeld) as caught:
        rec.ensure_secret()
    assert "other-run" in str(caught.value)
    assert rec.graph.calls == [] and rec.changes == []


def test_a_run_whose_lease_was_taken_over_since_it_started_adds_and_removes_nothing():
    from ansible_collections.mipconnect.zia.plugins.module_utils.lease import LeaseHeld

    # The run read its own lease at its start; another run's lease is there now.
    graph = FakeGraph(tags=[_lease_tag("other-run")])
    rec = marked_reconciler([started(MARK - datetime.timedelta(days=1), "old"), started(MARK, "newer")],
                            [_lease_tag("me")], graph=graph)
    rec.spec.lease_owner = "me"
    rec.spec.remove_old_secrets_after = 0
    with pytest.raises(LeaseHeld) as caught:
        rec.ensure_secret()
    assert "no longer holds" in str(caught.value) and "other-run" in str(caught.value)
    assert graph.calls == [] and rec.changes == []


def test_the_holder_of_the_lease_removes_old_secrets_and_keeps_its_lease_tag():
    graph = FakeGraph()
    rec = marked_reconciler([started(MARK - datetime.timedelta(days=1), "old"), started(MARK, "newer")],
                            ["keep-me", _lease_tag("me")], graph=graph)
    rec.spec.lease_owner = "me"
    rec.spec.remove_old_secrets_after = 0
    rec.ensure_secret()
    assert [(method, body) for method, _path, body in graph.calls] == [("POST", {"keyId": "old"})]
    assert graph.reads == ["/applications/obj"]  # the lease was read again first


def test_a_write_that_failed_is_not_reported_as_a_change():
    rec = marked_reconciler([started(MARK - datetime.timedelta(days=1), "old"), started(MARK, "newer")], [],
                            graph=FakeGraph(fail_on=1))
    rec.spec.remove_old_secrets_after = 0
    with pytest.raises(Exception):
        rec.ensure_secret()
    assert rec.changes == []
