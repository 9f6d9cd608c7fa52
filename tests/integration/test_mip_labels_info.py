"""mip_labels_info against the emulated Graph label store and ZIA."""

import csv
import json
import os
import stat

import pytest

LABELS = "mipconnect.zia.mip_labels_info"
MIP = "mipconnect.zia.mip_account"


def reader(tenant, role):
    """A client holding one Graph label permission (or none)."""
    return tenant.emulator.create_client(tenant.tenant_id, graph_roles=[role] if role else [])


def run_labels(tenant, args, client, **kwargs):
    return tenant.run_module(args, module=LABELS, client=client, **kwargs)


def assert_ok(run):
    assert not run.result.get("failed"), run.result.get("msg") or run.output


@pytest.mark.parametrize("role, endpoint, source", [
    ("InformationProtectionPolicy.Read.All", "beta", "graph_beta"),
    ("SensitivityLabels.Read.All", "v1.0", "graph_v1.0"),
])
def test_auto_picks_the_endpoint_the_token_opens(tenant, role, endpoint, source):
    run = run_labels(tenant, {}, reader(tenant, role))
    assert_ok(run)
    assert run.result["endpoint"] == endpoint
    assert run.result["endpoints_tried"] == [{"endpoint": endpoint, "status": 200, "code": None}]
    names = [label["name"] for label in run.result["labels"]]
    expected = [label["name"] for label in tenant.emulator.labels(tenant.tenant_id)]
    assert sorted(names) == sorted(expected)
    assert all(label["source"] == source for label in run.result["labels"])
    subs = [label for label in run.result["labels"] if label["parent_id"]]
    assert subs and all(label["parent_name"] for label in subs)


def test_both_endpoints_give_the_same_labels(tenant):
    client = tenant.emulator.create_client(tenant.tenant_id, graph_roles=["InformationProtectionPolicy.Read.All",
                                                                          "SensitivityLabels.Read.All"])
    beta = run_labels(tenant, {"endpoint": "beta"}, client)
    v1 = run_labels(tenant, {"endpoint": "v1.0"}, client)
    assert_ok(beta)
    assert_ok(v1)

    def key(label):
        return (label["id"], label["name"], label["parent_id"], label["priority"])
    assert sorted(map(key, beta.result["labels"])) == sorted(map(key, v1.result["labels"]))


def test_v1_records_say_unknown_for_what_v1_does_not_have(tenant):
    run = run_labels(tenant, {}, reader(tenant, "SensitivityLabels.Read.All"))
    assert_ok(run)
    for label in run.result["labels"]:
        assert label["source"] == "graph_v1.0"
        assert (label["active"], label["appliable"], label["content_formats"], label["color"]) == (
            None, None, None, None)
        assert label["display_name"] and label["priority"] is not None
    # The sub-labels came from $expand=sublabels, which the module asks for on v1.0.
    pages = [r for r in run.requests if "sensitivityLabels" in r["path"]]
    assert pages and "expand=sublabels" in pages[0]["query"], pages


def test_v1_filters_that_cannot_be_evaluated_keep_labels_and_say_so(tenant):
    tenant.emulator.add_labels(tenant.tenant_id, [{"name": "Retired", "isActive": False},
                                                  {"name": "Mail only", "contentFormats": ["email"]}])
    run = run_labels(tenant, {"active_only": True, "appliable_to": ["file"]},
                     reader(tenant, "SensitivityLabels.Read.All"))
    assert_ok(run)
    names = {label["name"] for label in run.result["labels"]}
    assert {"Retired", "Mail only"} <= names
    assert run.result["count"] == len(tenant.emulator.labels(tenant.tenant_id))
    assert run.result["filters_not_evaluated"] == {"active_only": run.result["count"],
                                                   "appliable_to": run.result["count"]}
    assert any("active_only could not be evaluated" in w for w in run.result.get("warnings", [])), run.output


@pytest.mark.parametrize("role", ["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"])
def test_tree_nests_sub_labels_under_their_parent(tenant, role):
    run = run_labels(tenant, {"return_tree": True, "return_labels": False}, reader(tenant, role))
    assert_ok(run)
    assert "labels" not in run.result
    shown = dict((node["name"], [child["name"] for child in node["children"]]) for node in run.result["tree"])
    assert shown == {"Public": [], "General": [], "Confidential": ["All Employees", "Anyone (unrestricted)"],
                     "Highly Confidential": ["All Employees", "Specified People"]}
    child = run.result["tree"][2]["children"][0]
    assert child["parent_id"] == run.result["tree"][2]["id"] and child["children"] == []
    assert "account" not in child
    filtered = run_labels(tenant, {"return_tree": True, "name_pattern": "^All"}, reader(tenant, role))
    assert [(n["name"], n["parent_name"]) for n in filtered.result["tree"]] == [
        ("All Employees", "Confidential"), ("All Employees", "Highly Confidential")]


BETA_PATH = r"^/graph/beta/security/informationProtection/sensitivityLabels"
BOTH_ROLES = ["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"]


@pytest.mark.parametrize("status", [403, 404])
def test_auto_falls_back_when_the_chosen_endpoint_refuses(tenant, status):
    client = tenant.emulator.create_client(tenant.tenant_id, graph_roles=BOTH_ROLES)
    tenant.emulator.add_fault(method="GET", path=BETA_PATH, status=status, times=1)
    run = run_labels(tenant, {}, client)
    assert_ok(run)
    assert run.result["endpoint"] == "v1.0"
    tried = [(t["endpoint"], t["status"]) for t in run.result["endpoints_tried"]]
    assert tried == [("beta", status), ("v1.0", 200)]
    assert run.result["count"] == len(tenant.emulator.labels(tenant.tenant_id))
    assert all(label["source"] == "graph_v1.0" for label in run.result["labels"])


def test_no_fallback_without_auto_nor_when_both_refuse(tenant):
    client = tenant.emulator.create_client(tenant.tenant_id, graph_roles=BOTH_ROLES)
    tenant.emulator.add_fault(method="GET", path=BETA_PATH, status=403, times=1)
    pinned = run_labels(tenant, {"endpoint": "beta"}, client)
    assert pinned.result["failed"] and pinned.result["error"]["status"] == 403
    assert not [r for r in pinned.requests if "dataSecurityAndGovernance" in r["path"]]

    # The token says beta; beta is not there, and v1.0 refuses this token: the error names both.
    tenant.emulator.add_fault(method="GET", path=BETA_PATH, status=404, times=1)
    both = run_labels(tenant, {}, reader(tenant, "InformationProtectionPolicy.Read.All"))
    assert both.result["failed"] and both.result["error"]["status"] == 403
    assert "SensitivityLabels.Read.All" in both.result["msg"] and "beta endpoint answered 404" in both.result["msg"]


def test_missing_permission_names_it_and_the_consent_url(tenant):
    run = run_labels(tenant, {}, reader(tenant, None))
    assert run.result["failed"]
    assert "InformationProtectionPolicy.Read.All" in run.result["msg"]
    assert "adminconsent" in run.result["msg"]


def test_forbidden_endpoint_says_which_permission(tenant):
    run = run_labels(tenant, {"endpoint": "v1.0"}, reader(tenant, "InformationProtectionPolicy.Read.All"))
    assert run.result["failed"]
    assert run.result["error"]["status"] == 403
    assert "SensitivityLabels.Read.All" in run.result["msg"]


def test_csv_and_json_written_once_then_unchanged(tenant):
    client = reader(tenant, "InformationProtectionPolicy.Read.All")
    csv_path = str(tenant.tmp_path / "labels.csv")
    json_path = str(tenant.tmp_path / "labels.json")
    args = {"csv_path": csv_path, "json_path": json_path, "return_labels": False}

    planned = run_labels(tenant, args, client, check=True)
    assert_ok(planned)
    assert planned.result["changed"] is True
    assert not os.path.exists(csv_path) and not os.path.exists(json_path)

    first = run_labels(tenant, args, client)
    assert_ok(first)
    assert first.result["changed"] is True
    assert "labels" not in first.result
    for path in (csv_path, json_path):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    with open(csv_path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == first.result["count"] == len(tenant.emulator.labels(tenant.tenant_id))
    assert {"Label Name", "Label ID", "Parent Label", "Priority"} <= set(rows[0])
    with open(json_path, encoding="utf-8") as handle:
        assert len(json.load(handle)) == first.result["count"]

    # source: graph without account_name: the Account Name column names the Entra tenant read.
    assert {row["Account Name"] for row in rows} == {tenant.tenant_id.lower()}

    second = run_labels(tenant, args, client)
    assert_ok(second)
    assert second.result["changed"] is False
    assert all(not f["changed"] for f in second.result["files"])

    # Same content, another mode: check mode says it would change and leaves it; a real run sets 0640.
    with open(csv_path, "rb") as handle:
        content = handle.read()
    os.chmod(csv_path, 0o644)
    planned_mode = run_labels(tenant, args, client, check=True)
    assert_ok(planned_mode)
    assert [(f["path"], f["changed"]) for f in planned_mode.result["files"]] == [(csv_path, True), (json_path, False)]
    assert stat.S_IMODE(os.stat(csv_path).st_mode) == 0o644
    fixed_mode = run_labels(tenant, args, client)
    assert_ok(fixed_mode)
    assert fixed_mode.result["changed"] is True
    assert stat.S_IMODE(os.stat(csv_path).st_mode) == 0o640
    with open(csv_path, "rb") as handle:
        assert handle.read() == content
    assert run_labels(tenant, args, client).result["changed"] is False

    tenant.emulator.rename_label(tenant.tenant_id, rows[0]["Label ID"], "Renamed label")
    third = run_labels(tenant, args, client)
    assert third.result["changed"] is True
    assert [f["changed"] for f in third.result["files"]] == [True, True]


def test_filters(tenant):
    client = reader(tenant, "InformationProtectionPolicy.Read.All")
    run = run_labels(tenant, {"parent": "Confidential", "name_pattern": "^All"}, client)
    assert_ok(run)
    assert [label["name"] for label in run.result["labels"]] == ["All Employees"]


def test_active_and_appliable_filters_exclude_what_they_should(tenant):
    added = tenant.emulator.add_labels(tenant.tenant_id, [
        {"name": "Retired", "isActive": False},
        {"name": "Mail only", "contentFormats": ["email"]},
        {"name": "Files only", "contentFormats": ["file"]},
        {"name": "Everywhere", "contentFormats": ["file", "email", "site"]},
        {"name": "Project parent", "contentFormats": ["file", "email"]},
    ])
    tenant.emulator.add_labels(tenant.tenant_id, [
        {"name": "Project child", "parentId": added[4]["id"], "contentFormats": ["file", "email"]}])
    client = reader(tenant, "InformationProtectionPolicy.Read.All")

    def names(run):
        return {label["name"] for label in run.result["labels"]}

    active = run_labels(tenant, {"active_only": True}, client)
    assert_ok(active)
    assert "Retired" not in names(active)
    assert {"Mail only", "Files only", "Everywhere", "Project parent", "Project child"} <= names(active)

    both = run_labels(tenant, {"appliable_to": ["file", "email"]}, client)
    assert_ok(both)
    assert not {"Mail only", "Files only"} & names(both)
    # A parent of sub-labels cannot be applied, whatever its content formats.
    assert not {"Project parent", "Confidential", "Highly Confidential"} & names(both)
    assert {"Retired", "Everywhere", "Project child", "Public", "All Employees"} <= names(both)
    assert both.result["filters_not_evaluated"] == {}

    mail = run_labels(tenant, {"appliable_to": ["email"], "active_only": True}, client)
    assert_ok(mail)
    assert "Mail only" in names(mail) and "Files only" not in names(mail) and "Retired" not in names(mail)


def test_many_labels_over_many_pages(tenant):
    tenant.emulator.seed_labels(tenant.tenant_id, count=300, sublabels_per_label=2)
    run = run_labels(tenant, {"page_size": 50, "return_labels": False,
                              "csv_path": str(tenant.tmp_path / "many.csv")},
                     reader(tenant, "InformationProtectionPolicy.Read.All"))
    assert_ok(run)
    assert run.result["count"] == 900
    pages = [r for r in run.requests if "sensitivityLabels" in r["path"]]
    assert len(pages) == 18


def test_drift_between_microsoft_and_zia(tenant, emulator):
    client_id, client_secret = tenant.make_connector()
    account = tenant.run_module({"name": "Drift", "tenant_id": tenant.tenant_id, "client_id": client_id,
                                 "client_secret": client_secret, "label_retrieval": True,
                                 "wait_for": "labels_retrieved", "wait_timeout": 60}, module=MIP, zia="oneapi")
    assert_ok(account)
    labels = emulator.labels(tenant.tenant_id)
    renamed, deleted = labels[0], labels[1]
    emulator.rename_label(tenant.tenant_id, renamed["id"], "New name")
    emulator.delete_label(tenant.tenant_id, deleted["id"])
    added = emulator.add_labels(tenant.tenant_id, [{"name": "Brand new"}])[0]

    client = {"client_id": client_id, "client_secret": client_secret}
    run = tenant.run_module({"source": "both", "account_name": "Drift", "return_labels": False},
                            module=LABELS, client=client, zia="oneapi")
    assert_ok(run)
    drift = run.result["drift"]
    assert [d["id"] for d in drift["not_in_zia"]] == [added["id"]]
    assert deleted["id"] in [d["id"] for d in drift["deleted_in_microsoft"]]
    assert drift["renamed"] == [{"id": renamed["id"], "microsoft_name": "New name", "zia_name": renamed["name"]}]

    zia_only = tenant.run_module({"source": "zia", "account_name": "Drift"}, module=LABELS, zia="oneapi")
    assert_ok(zia_only)
    assert zia_only.result["count"] == len(labels)
    assert all(label["source"] == "zia" for label in zia_only.result["labels"])

    # With the account's id the labels are read without listing every account.
    by_id = tenant.run_module({"source": "zia", "account_name": "Drift", "account_id": account.result["account"]["id"],
                               "return_labels": False}, module=LABELS, zia="oneapi")
    assert_ok(by_id)
    assert by_id.result["count"] == zia_only.result["count"]
    zia_reads = [r["path"] for r in by_id.requests if "/zia/api/v1/" in r["path"]]
    assert zia_reads and all(path.endswith("/tags/policy") for path in zia_reads), zia_reads
    unknown = tenant.run_module({"source": "zia", "account_name": "Drift", "account_id": 999999999},
                                module=LABELS, zia="oneapi")
    assert unknown.result["failed"]
    assert "no MIP account with id 999999999" in unknown.result["msg"]


@pytest.mark.parametrize("args, option", [
    ({"source": "zia"}, "account_name"),
    ({"name_pattern": "("}, "name_pattern"),
    ({"csv_path": "/nonexistent-dir/labels.csv"}, "csv_path"),
    ({"page_size": 0}, "page_size"),
])
def test_bad_input_fails_before_any_request(tenant, args, option):
    run = run_labels(tenant, args, reader(tenant, None))
    assert run.result["failed"]
    assert option in run.result["msg"]
    assert run.requests == []
