"""Faults, the request log, and the control API over HTTP."""

import json
import time

import requests


def test_throttling_fault_in_graph_shape_with_retry_after(emulator, admin_graph):
    api, token = admin_graph
    emulator.add_fault(
        method="GET", path=r"^/graph/v1.0/applications", status=429, headers={"Retry-After": "1"}, times=1
    )
    throttled = api.graph("GET", "/applications", token)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "1"
    assert throttled.json()["error"]["code"] == "TooManyRequests"
    assert "request-id" in throttled.headers
    assert api.graph("GET", "/applications", token).status_code == 200  # used up


def test_fault_with_own_body_method_filter_and_repeats(emulator, admin_graph):
    api, token = admin_graph
    emulator.add_fault(method="POST", path="/applications$", status=503, body={"custom": True}, times=2)
    assert api.graph("GET", "/applications", token).status_code == 200
    for _unused in range(2):
        failed = api.graph("POST", "/applications", token, json={"displayName": "x"})
        assert (failed.status_code, failed.json()) == (503, {"custom": True})
    assert api.graph("POST", "/applications", token, json={"displayName": "x"}).status_code == 201


def test_faults_answer_in_each_services_shape(emulator, api, tenant):
    emulator.add_fault(path="/oauth2/v2.0/token$", status=503)
    failed = api.token_response(tenant["tenant_id"], tenant["admin_client_id"], tenant["admin_client_secret"])
    assert (failed.status_code, failed.json()["error"]) == (503, "temporarily_unavailable")
    emulator.add_fault(path="^/arm/", status=429, headers={"Retry-After": "2"})
    token = api.admin_token(tenant, scope="https://management.azure.com/.default")
    arm = api.call(
        "GET",
        f"/arm/subscriptions/{tenant['subscription_id']}/providers/Microsoft.Authorization/roleAssignments",
        token,
        params={"api-version": "2022-04-01"},
    )
    assert (arm.status_code, arm.json()["error"]["code"], arm.headers["Retry-After"]) == (
        429,
        "TooManyRequests",
        "2",
    )


def test_delay_only_fault_slows_the_answer(emulator, admin_graph):
    api, token = admin_graph
    emulator.add_fault(path="^/graph/", status=0, delay=0.3)
    started = time.monotonic()
    assert api.graph("GET", "/applications", token).status_code == 200
    assert time.monotonic() - started >= 0.3


def test_request_log_records_requests_without_secrets(emulator, api, tenant):
    emulator.clear_requests()
    token = api.admin_token(tenant)
    api.graph("GET", "/applications", token, params={"$filter": "displayName eq 'x'"})
    api.call("GET", f"/_emulator/state?tenant={tenant['tenant_id']}")
    entries = emulator.requests()
    assert [(e["method"], e["service"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("POST", "entra", f"/entra/{tenant['tenant_id']}/oauth2/v2.0/token", "", 200),
        ("GET", "graph", "/graph/v1.0/applications", "%24filter=displayName+eq+%27x%27", 200),
    ]
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)
    dumped = json.dumps(entries)
    assert tenant["admin_client_secret"] not in dumped and token not in dumped
    emulator.clear_requests()
    assert emulator.requests() == []


def test_control_api_over_https(emulator):
    def control(method, path, **kwargs):
        return requests.request(
            method, f"{emulator.url}/_emulator{path}", verify=emulator.ca_file, timeout=10, **kwargs
        )

    created = control("POST", "/tenants", json={"tenant_id": "11111111-aaaa-4bbb-8ccc-222222222222"})
    assert created.status_code == 201
    tenant = created.json()
    assert set(tenant) == {"tenant_id", "subscription_id", "cloud", "admin_client_id", "admin_client_secret"}
    assert control("POST", "/tenants", json={"tenant_id": tenant["tenant_id"]}).status_code == 409
    client = control(
        "POST",
        f"/tenants/{tenant['tenant_id']}/clients",
        json={"graph_roles": ["Application.ReadWrite.OwnedBy"], "subscription_roles": ["Owner"]},
    ).json()
    assert set(client) == {"client_id", "client_secret", "object_id", "service_principal_id"}
    assert (
        control("POST", f"/tenants/{tenant['tenant_id']}/clients", json={"graph_roles": ["Nope"]}).status_code
        == 400
    )
    token = control(
        "POST",
        f"/tenants/{tenant['tenant_id']}/user_token",
        json={"audience": "https://service.powerapps.com/"},
    )
    assert token.json()["access_token"].count(".") == 2
    expired = control(
        "POST", f"/tenants/{tenant['tenant_id']}/applications/{client['client_id']}/expire_secrets"
    )
    assert expired.json() == {"expired": 1}

    assert control("POST", "/config", json={"page_size": 5}).json() == {
        "replication_delay": 0.0,
        "page_size": 5,
    }
    assert control("POST", "/faults", json={"path": "^/graph/", "status": 500}).status_code == 201
    assert control("GET", "/faults").json()["faults"][0]["status"] == 500
    assert control("DELETE", "/faults").status_code == 204
    assert control("POST", "/faults", json={"path": "(", "status": 500}).status_code == 400

    state = control("GET", "/state", params={"tenant": tenant["tenant_id"]}).json()
    assert client["object_id"] in [a["id"] for a in state["applications"]]
    assert all(c["secretText"] is None for a in state["applications"] for c in a["passwordCredentials"])
    assert client["client_secret"] not in json.dumps(state)
    assert tenant["tenant_id"] in control("GET", "/state").json()["tenants"]
    assert control("GET", "/requests").json()["requests"] == emulator.requests()
    assert control("DELETE", "/requests").status_code == 204


def test_reset_clears_everything(emulator):
    tenant = emulator.create_tenant()
    emulator.create_zia_org()
    emulator.add_fault(path="^/graph/", status=500)
    emulator.configure(page_size=3)
    emulator.configure_zia(maintenance=True)
    emulator.reset()
    overview = emulator.state()
    assert overview == {
        "config": {"replication_delay": 0.0, "page_size": 100},
        "tenants": [],
        "zia_orgs": [],
        "faults": [],
    }
    assert emulator.configure_zia()["maintenance"] is False
    assert emulator.requests() == []
    assert tenant["tenant_id"] not in overview["tenants"]


def test_query_fault_makes_graph_ignore_the_skip_token(emulator, admin_graph):
    """A pass-through fault that drops $skiptoken: page 2 is asked for, page 1 comes back."""
    api, token = admin_graph
    emulator.configure(page_size=1)
    try:
        first = api.graph("GET", "/servicePrincipals", token).json()
        emulator.add_fault(method="GET", path=r"^/graph/v1.0/servicePrincipals$", status=0,
                           query={"$skiptoken": None}, times=1)
        again = api.call("GET", first["@odata.nextLink"], token).json()
        assert again == first
        after = api.call("GET", first["@odata.nextLink"], token).json()
        assert after["value"] != first["value"]  # the fault is used up: real paging again
    finally:
        emulator.configure(page_size=100)
    logged = [r for r in emulator.requests() if r["path"] == "/graph/v1.0/servicePrincipals"][-2:]
    assert "skiptoken" in logged[0]["query"]  # the log shows what the client sent


def test_query_fault_only_rewrites_pass_through_faults(emulator):
    import pytest

    with pytest.raises(ValueError):
        emulator.add_fault(path="^/zia/", status=500, query={"page": 1})


def test_redirect_fault_answers_3xx_with_the_location(emulator, api, tenant):
    emulator.add_redirect("POST", r"/oauth2/v2.0/token$", "http://127.0.0.1:9/steal", status=308)
    answer = api.call("POST", f"/entra/{tenant['tenant_id']}/oauth2/v2.0/token", data={"a": "b"},
                      allow_redirects=False)
    assert (answer.status_code, answer.headers["Location"]) == (308, "http://127.0.0.1:9/steal")
