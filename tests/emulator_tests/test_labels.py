"""Sensitivity labels: the store, its control API, and Graph beta and v1.0 lists."""

import uuid
from urllib.parse import quote

import pytest
import requests
import yaml

from emulator.graph import SCHEMA_FILE

BETA_LABELS = "/graph/beta/security/informationProtection/sensitivityLabels"
V1_LABELS = "/graph/v1.0/security/dataSecurityAndGovernance/sensitivityLabels"


@pytest.fixture
def reader(emulator, api, tenant):
    """A Graph token holding both label permissions, the beta one and a v1.0 one."""
    client = emulator.create_client(
        tenant["tenant_id"],
        graph_roles=["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"],
    )
    return api.token(tenant["tenant_id"], client["client_id"], client["client_secret"])


def _token_with(emulator, api, tenant, roles):
    client = emulator.create_client(tenant["tenant_id"], graph_roles=roles)
    return api.token(tenant["tenant_id"], client["client_id"], client["client_secret"])


def _walk(api, path, token, **params):
    """Every item of a Graph list, following @odata.nextLink; also answers the pages seen."""
    items, pages = [], 0
    response = api.call("GET", path, token, params=params)
    while True:
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["value"]
        pages += 1
        if "@odata.nextLink" not in body:
            return items, pages
        assert body["@odata.nextLink"].startswith(f"{api.emulator.url}/graph/")
        response = api.call("GET", body["@odata.nextLink"], token)


def test_new_tenant_has_the_default_taxonomy(emulator, tenant):
    labels = emulator.labels(tenant["tenant_id"])
    names = {label["id"]: label["name"] for label in labels}
    shown = [
        f"{names[label['parentId']]}/{label['name']}" if label["parentId"] else label["name"]
        for label in labels
    ]
    assert shown == [
        "Public",
        "General",
        "Confidential",
        "Confidential/All Employees",
        "Confidential/Anyone (unrestricted)",
        "Highly Confidential",
        "Highly Confidential/All Employees",
        "Highly Confidential/Specified People",
    ]
    assert [label["sensitivity"] for label in labels] == list(range(8))


def test_beta_list_is_flat_with_parent(api, tenant, reader):
    labels, _unused = _walk(api, BETA_LABELS, reader)
    by_name = {}
    for label in labels:
        by_name.setdefault(label["name"], []).append(label)
    confidential = by_name["Confidential"][0]
    assert confidential["parent"] is None and confidential["isAppliable"] is False
    children = [label for label in labels if (label["parent"] or {}).get("id") == confidential["id"]]
    assert [c["name"] for c in children] == ["All Employees", "Anyone (unrestricted)"]
    assert children[0]["parent"]["name"] == "Confidential" and children[0]["isAppliable"] is True
    assert set(children[0]) == {
        "id",
        "name",
        "description",
        "color",
        "sensitivity",
        "tooltip",
        "isActive",
        "isAppliable",
        "contentFormats",
        "hasProtection",
        "parent",
    }
    uuid.UUID(children[0]["id"])


def _v1_label_properties():
    """The properties of microsoft.graph.sensitivityLabel in the v1.0 OpenAPI subset, entity's id included."""
    document = yaml.safe_load(SCHEMA_FILE.read_text())
    properties = set()
    for part in document["components"]["schemas"]["microsoft.graph.sensitivityLabel"]["allOf"]:
        properties |= set(part.get("properties", {}))
    return properties | {"id"}


def test_v1_list_keeps_to_the_v1_schema(api, tenant, reader):
    allowed = _v1_label_properties()
    # Beta's fields are not v1.0's: the emulator must not hand them to a v1.0 client.
    assert not {"color", "contentFormats", "isActive", "isAppliable", "sensitivity", "tooltip"} & allowed
    for params in ({}, {"$expand": "sublabels"}):
        labels, _unused = _walk(api, V1_LABELS, reader, **params)
        shaped = labels + [sub for label in labels for sub in label.get("sublabels", [])]
        for label in shaped:
            assert set(label) <= allowed, set(label) - allowed


def test_v1_list_nests_sublabels_only_when_expanded(api, tenant, reader):
    plain, _unused = _walk(api, V1_LABELS, reader)
    assert [label["name"] for label in plain] == ["Public", "General", "Confidential", "Highly Confidential"]
    assert all("sublabels" not in label for label in plain)
    labels, _unused = _walk(api, V1_LABELS, reader, **{"$expand": "sublabels"})
    assert [label["name"] for label in labels] == ["Public", "General", "Confidential", "Highly Confidential"]
    highly = labels[3]
    assert [s["name"] for s in highly["sublabels"]] == ["All Employees", "Specified People"]
    assert highly["displayName"] == "Highly Confidential" and highly["priority"] == 5
    assert "toolTip" in highly and "parent" not in highly
    assert labels[0]["sublabels"] == []
    refused = api.call("GET", V1_LABELS, reader, params={"$expand": "parent"})
    assert refused.status_code == 400, refused.text


def test_each_list_needs_its_own_permission(emulator, api, tenant):
    beta_only = _token_with(emulator, api, tenant, ["InformationProtectionPolicy.Read.All"])
    v1_only = _token_with(emulator, api, tenant, ["SensitivityLabel.Read"])
    assert api.call("GET", BETA_LABELS, beta_only).status_code == 200
    assert api.call("GET", V1_LABELS, v1_only).status_code == 200
    for path, token, needed in (
        (BETA_LABELS, v1_only, "InformationProtectionPolicy.Read.All"),
        (V1_LABELS, beta_only, "SensitivityLabels.Read.All"),
    ):
        refused = api.call("GET", path, token)
        assert refused.status_code == 403
        error = refused.json()["error"]
        assert error["code"] == "Forbidden" and needed in error["message"]
    assert api.call("GET", BETA_LABELS, api.admin_token(tenant)).status_code == 403
    assert api.call("GET", BETA_LABELS).status_code == 401


# Per-user lists as Microsoft documents them: beta keeps /security, v1.0 has none.
USER_LABELS = {
    "beta": "/graph/beta/users/{}/security/informationProtection/sensitivityLabels",
    "v1.0": "/graph/v1.0/users/{}/dataSecurityAndGovernance/sensitivityLabels",
}


def test_per_user_lists_and_unknown_user(emulator, api, tenant, reader):
    users = [u for u in emulator.state(tenant["tenant_id"])["users"] if not u["wids"]]
    guest = next(u for u in users if "#EXT#" in u["userPrincipalName"])
    for user in users:
        for key in (user["id"], quote(user["userPrincipalName"], safe="@")):
            for path in USER_LABELS.values():
                scoped = api.call("GET", path.format(key), reader)
                assert scoped.status_code == 200, scoped.text
                assert user["id"] in scoped.json()["@odata.context"]
    # Unencoded, '#' starts the fragment: the request never names the guest.
    cut = api.call("GET", USER_LABELS["v1.0"].format(guest["userPrincipalName"]), reader)
    assert cut.status_code == 400
    unknown = api.call("GET", USER_LABELS["beta"].format(uuid.uuid4()), reader)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "Request_ResourceNotFound")


def test_v1_per_user_list_has_no_security_segment(api, reader, emulator, tenant):
    user = next(u for u in emulator.state(tenant["tenant_id"])["users"] if not u["wids"])
    wrong = api.call("GET", f"/graph/v1.0/users/{user['id']}/security/dataSecurityAndGovernance/sensitivityLabels",
                     reader)
    assert wrong.status_code == 400, wrong.text


def test_paging_with_page_size_and_top(emulator, api, tenant, reader):
    emulator.seed_labels(tenant["tenant_id"], count=10, sublabels_per_label=2)
    emulator.configure(page_size=7)
    labels, pages = _walk(api, BETA_LABELS, reader)
    assert (len(labels), pages) == (30, 5)
    assert len({label["id"] for label in labels}) == 30
    labels, pages = _walk(api, V1_LABELS, reader, **{"$top": "4", "$expand": "sublabels"})
    assert (len(labels), pages) == (10, 3)
    assert sum(len(label["sublabels"]) for label in labels) == 20


def test_seeding_is_deterministic(emulator, tenant):
    """How long seeding takes is measured by tests/benchmarks/bench_emulator_seeding.py, not asserted here."""
    other = emulator.create_tenant()
    assert emulator.seed_labels(tenant["tenant_id"], count=5000, sublabels_per_label=1, seed=7) == {
        "count": 10000
    }
    first = emulator.labels(tenant["tenant_id"])
    emulator.seed_labels(tenant["tenant_id"], count=5000, sublabels_per_label=1, seed=7)
    assert emulator.labels(tenant["tenant_id"]) == first
    emulator.seed_labels(other["tenant_id"], count=5000, sublabels_per_label=1, seed=7)
    assert {label["id"] for label in emulator.labels(other["tenant_id"])}.isdisjoint(
        label["id"] for label in first
    )
    assert first[1]["parentId"] == first[0]["id"] and first[1]["name"] == "Sublabel 1"


def test_control_api_add_rename_delete_over_https(emulator, api, tenant, reader):
    base = f"{emulator.url}/_emulator/tenants/{tenant['tenant_id']}/labels"

    def control(method, path="", **kwargs):
        return requests.request(method, base + path, verify=emulator.ca_file, timeout=10, **kwargs)

    parent_id = str(uuid.uuid4())
    added = control(
        "POST",
        "/add",
        json={
            "labels": [
                {"id": parent_id, "name": "Secret", "color": "#000000"},
                {"name": "Project X", "parent": {"id": parent_id}, "hasProtection": True},
            ]
        },
    )
    assert added.status_code == 201, added.text
    child = added.json()["labels"][1]
    assert child["parentId"] == parent_id and child["sensitivity"] == 9
    assert (
        control("POST", "/add", json={"labels": [{"name": "Deep", "parentId": child["id"]}]}).status_code
        == 400
    )
    assert control("POST", "/add", json={"labels": [{"name": "Again", "id": parent_id}]}).status_code == 409
    assert (
        control(
            "POST", "/add", json={"labels": [{"name": "Orphan", "parentId": str(uuid.uuid4())}]}
        ).status_code
        == 404
    )
    renamed = control("POST", f"/{child['id']}/rename", json={"name": "Project Y"})
    assert renamed.json()["name"] == "Project Y"
    labels, _unused = _walk(api, BETA_LABELS, reader)
    assert {"Secret", "Project Y"} <= {label["name"] for label in labels}
    assert control("DELETE", f"/{parent_id}").json() == {"deleted": 2}
    assert control("DELETE", f"/{parent_id}").status_code == 404
    listed = control("GET").json()["labels"]
    assert len(listed) == 8 and "Secret" not in {label["name"] for label in listed}
    assert control("POST", json={"count": 3}).json() == {"count": 3}
    labels, _unused = _walk(api, BETA_LABELS, reader)
    assert [label["name"] for label in labels] == ["Label 00001", "Label 00002", "Label 00003"]


# Which label list each national cloud has (Microsoft's availability tables) and its Graph host.
CLOUD_LABEL_APIS = [
    ("public", "https://graph.microsoft.com", {"beta": 200, "v1.0": 200}),
    ("usgov", "https://graph.microsoft.us", {"beta": 400, "v1.0": 200}),
    ("usgov_dod", "https://dod-graph.microsoft.us", {"beta": 400, "v1.0": 200}),
    ("china", "https://microsoftgraph.chinacloudapi.cn", {"beta": 400, "v1.0": 400}),
]


@pytest.mark.parametrize("cloud, graph_host, statuses", CLOUD_LABEL_APIS)
def test_each_cloud_serves_only_its_label_apis(emulator, api, cloud, graph_host, statuses):
    made = emulator.create_tenant(cloud=cloud)
    client = emulator.create_client(
        made["tenant_id"], graph_roles=["InformationProtectionPolicy.Read.All", "SensitivityLabels.Read.All"]
    )
    token = api.token(made["tenant_id"], client["client_id"], client["client_secret"], scope=f"{graph_host}/.default")
    assert api.call("GET", BETA_LABELS, token).status_code == statuses["beta"]
    assert api.call("GET", V1_LABELS, token).status_code == statuses["v1.0"]
    if cloud != "public":
        # The global cloud's Graph host is not a resource this cloud's Entra knows.
        refused = api.token_response(made["tenant_id"], client["client_id"], client["client_secret"])
        assert 500011 in refused.json()["error_codes"]
