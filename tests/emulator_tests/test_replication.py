"""Directory replication delay: what a client sees right after creating objects."""

import time
import uuid

import jwt
import pytest

from emulator.state import Store, Tenant

DELAY = 0.4
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


def wait_for_replication():
    time.sleep(DELAY + 0.1)


@pytest.fixture
def delayed(emulator, admin_graph):
    emulator.configure(replication_delay=DELAY)
    return admin_graph


def test_new_application_is_invisible_then_visible(delayed):
    api, token = delayed
    app = api.graph("POST", "/applications", token, json={"displayName": "fresh"}).json()
    for path in (f"/applications/{app['id']}", f"/applications(appId='{app['appId']}')"):
        missing = api.graph("GET", path, token)
        assert (missing.status_code, missing.json()["error"]["code"]) == (404, "Request_ResourceNotFound")
    assert api.graph("PATCH", f"/applications/{app['id']}", token, json={"notes": "x"}).status_code == 404
    listed = api.graph("GET", "/applications", token, params={"$filter": f"appId eq '{app['appId']}'"}).json()
    assert listed["value"] == []
    no_backing = api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]})
    assert no_backing.status_code == 400
    assert no_backing.json()["error"]["code"] == "NoBackingApplicationObject"
    assert no_backing.json()["error"]["message"] == (
        f"The appId '{app['appId']}' of the service principal does not reference a valid application object."
    )

    wait_for_replication()
    assert api.graph("GET", f"/applications/{app['id']}", token).status_code == 200
    assert api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]}).status_code == 201


def test_upserted_application_replicates_too(delayed):
    api, token = delayed
    path = "/applications(uniqueName='replicating')"
    created = api.graph(
        "PATCH", path, token, json={"displayName": "r"}, headers={"Prefer": "create-if-missing"}
    )
    assert created.status_code == 201
    assert api.graph("GET", path, token).status_code == 404
    # A retried upsert reaches the object being replicated instead of making a second one.
    retried = api.graph(
        "PATCH", path, token, json={"displayName": "r"}, headers={"Prefer": "create-if-missing"}
    )
    assert retried.status_code == 204
    wait_for_replication()
    assert api.graph("GET", path, token).json()["id"] == created.json()["id"]


def test_new_principal_is_not_a_valid_reference_yet(emulator, delayed, tenant):
    api, token = delayed
    emulator.configure(replication_delay=0)
    app = api.graph("POST", "/applications", token, json={"displayName": "grantee"}).json()
    emulator.configure(replication_delay=DELAY)
    sp = api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]}).json()
    graph = api.graph("GET", f"/servicePrincipals(appId='{GRAPH_APP_ID}')", token).json()
    assignment = api.graph(
        "POST",
        f"/servicePrincipals/{graph['id']}/appRoleAssignedTo",
        token,
        json={"principalId": sp["id"], "resourceId": graph["id"], "appRoleId": graph["appRoles"][0]["id"]},
    )
    assert (assignment.status_code, assignment.json()["error"]["code"]) == (400, "Request_BadRequest")
    assert assignment.json()["error"]["message"] == "Not a valid reference update."
    grant = api.graph(
        "POST",
        "/oauth2PermissionGrants",
        token,
        json={
            "clientId": sp["id"],
            "consentType": "AllPrincipals",
            "resourceId": graph["id"],
            "scope": "User.Read",
        },
    )
    assert grant.json()["error"]["message"] == "Not a valid reference update."

    arm = api.admin_token(tenant, scope="https://management.azure.com/.default")
    scope = f"/arm/subscriptions/{tenant['subscription_id']}"
    properties = {
        "roleDefinitionId": f"/subscriptions/{tenant['subscription_id']}/providers/Microsoft.Authorization"
                            "/roleDefinitions/ba92f5b4-2d11-453d-a403-e96b0029c9fe",
        "principalId": sp["id"],
    }
    path = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{uuid.uuid4()}"
    refused = api.call(
        "PUT", path, arm, params={"api-version": "2022-04-01"}, json={"properties": properties}
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (400, "PrincipalNotFound")
    accepted = api.call(
        "PUT",
        path,
        arm,
        params={"api-version": "2022-04-01"},
        json={"properties": dict(properties, principalType="ServicePrincipal")},
    )
    assert accepted.status_code == 201, accepted.text

    wait_for_replication()
    assignment = api.graph(
        "POST",
        f"/servicePrincipals/{graph['id']}/appRoleAssignedTo",
        token,
        json={"principalId": sp["id"], "resourceId": graph["id"], "appRoleId": graph["appRoles"][0]["id"]},
    )
    assert assignment.status_code == 201


def test_token_endpoint_lags_behind_new_apps_and_secrets(delayed, tenant):
    api, token = delayed
    tenant_id = tenant["tenant_id"]
    app = api.graph("POST", "/applications", token, json={"displayName": "signs in"}).json()
    wait_for_replication()
    api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]})
    secret = api.graph(
        "POST", f"/applications/{app['id']}/addPassword", token, json={"passwordCredential": {}}
    ).json()["secretText"]
    assert api.token_response(tenant_id, app["appId"], secret).json()["error_codes"] == [700016]
    wait_for_replication()
    second = api.graph(
        "POST", f"/applications/{app['id']}/addPassword", token, json={"passwordCredential": {}}
    ).json()["secretText"]
    assert api.token_response(tenant_id, app["appId"], second).json()["error_codes"] == [7000215]
    assert api.token_response(tenant_id, app["appId"], secret).status_code == 200
    wait_for_replication()
    assert api.token_response(tenant_id, app["appId"], second).status_code == 200


def test_consent_reaches_tokens_only_once_replicated(emulator, delayed, tenant):
    api, token = delayed
    # Long enough that no machine is slow enough to see the grant early; replication is then finished by hand.
    emulator.configure(replication_delay=600)
    client = emulator.create_client(tenant["tenant_id"])
    graph = api.graph("GET", f"/servicePrincipals(appId='{GRAPH_APP_ID}')", token).json()
    role = next(r for r in graph["appRoles"] if r["value"] == "SensitivityLabels.Read.All")
    granted = api.graph(
        "POST",
        f"/servicePrincipals/{graph['id']}/appRoleAssignedTo",
        token,
        json={"principalId": client["service_principal_id"], "resourceId": graph["id"], "appRoleId": role["id"]},
    )
    assert granted.status_code == 201, granted.text

    def roles():
        issued = api.token(tenant["tenant_id"], client["client_id"], client["client_secret"])
        return jwt.decode(issued, options={"verify_signature": False}).get("roles", [])

    assert roles() == []
    with emulator.store.lock:
        replicated_at = emulator.store.tenant(tenant["tenant_id"]).replicated_at
        replicated_at.update(dict.fromkeys(replicated_at, 0.0))
    assert roles() == ["SensitivityLabels.Read.All"]


def test_seeded_delays_are_random_within_bounds_and_repeat(monkeypatch):
    monkeypatch.setattr("emulator.state.time.monotonic", lambda: 100.0)

    def delays(seed):
        store = Store(replication_delay=1.0, replication_seed=seed)
        tenant = Tenant(tenant_id="t", subscription_id="s", domain="d")
        for index in range(20):
            store.mark_new(tenant, str(index))
        return [tenant.replicated_at[str(index)] - 100.0 for index in range(20)]

    first = delays(7)
    assert all(0.2 <= d <= 1.0 for d in first)
    assert max(first) - min(first) > 0.2
    assert delays(7) == first
    assert delays(8) != first
