"""ARM role assignments: create, idempotency, conflicts, authorization and principal checks."""

import uuid

import pytest

API = {"api-version": "2022-04-01"}
BLOB_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
ARM = "https://management.azure.com/.default"


@pytest.fixture
def arm(api, tenant, emulator):
    """(api, ARM token of the admin, a principal to assign roles to, subscription scope)."""
    principal = emulator.create_client(tenant["tenant_id"])
    return (
        api,
        api.admin_token(tenant, scope=ARM),
        principal["service_principal_id"],
        f"/subscriptions/{tenant['subscription_id']}",
    )


def body(scope_subscription, role, principal_id, principal_type="ServicePrincipal"):
    properties = {
        "roleDefinitionId": f"{scope_subscription}/providers/Microsoft.Authorization/roleDefinitions/{role}",
        "principalId": principal_id,
    }
    if principal_type:
        properties["principalType"] = principal_type
    return {"properties": properties}


def assignment_url(scope, name):
    return f"/arm{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"


def test_put_get_idempotent_conflict_delete(arm):
    api, token, principal, subscription = arm
    scope = f"{subscription}/resourceGroups/storage-rg"
    name = str(uuid.uuid4())
    created = api.call(
        "PUT",
        assignment_url(scope, name),
        token,
        params=API,
        json=body(subscription, BLOB_CONTRIBUTOR, principal),
    )
    assert created.status_code == 201, created.text
    assignment = created.json()
    assert assignment["id"] == f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}"
    assert (assignment["name"], assignment["type"]) == (name, "Microsoft.Authorization/roleAssignments")
    assert assignment["properties"]["scope"] == scope
    assert assignment["properties"]["principalType"] == "ServicePrincipal"
    assert "x-ms-request-id" in created.headers

    again = api.call(
        "PUT",
        assignment_url(scope, name),
        token,
        params=API,
        json=body(subscription, BLOB_CONTRIBUTOR, principal),
    )
    assert (again.status_code, again.json()) == (200, assignment)
    other_name = api.call(
        "PUT",
        assignment_url(scope, uuid.uuid4()),
        token,
        params=API,
        json=body(subscription, BLOB_CONTRIBUTOR, principal),
    )
    assert (other_name.status_code, other_name.json()["error"]["code"]) == (409, "RoleAssignmentExists")
    assert api.call("GET", assignment_url(scope, name), token, params=API).json() == assignment

    listed = api.call(
        "GET",
        f"/arm{subscription}/providers/Microsoft.Authorization/roleAssignments",
        token,
        params={**API, "$filter": f"principalId eq '{principal}'"},
    ).json()["value"]
    assert [a["name"] for a in listed] == [name]

    deleted = api.call("DELETE", assignment_url(scope, name), token, params=API)
    assert (deleted.status_code, deleted.json()["name"]) == (200, name)
    assert api.call("DELETE", assignment_url(scope, name), token, params=API).status_code == 204
    missing = api.call("GET", assignment_url(scope, name), token, params=API)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "RoleAssignmentNotFound")


def test_unknown_principal_and_role(arm):
    api, token, principal, subscription = arm
    unknown = api.call(
        "PUT",
        assignment_url(subscription, uuid.uuid4()),
        token,
        params=API,
        json=body(subscription, ACCOUNT_CONTRIBUTOR, str(uuid.uuid4()), principal_type=None),
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "PrincipalNotFound")
    assert "replication delay" in unknown.json()["error"]["message"]
    wrong_type = api.call(
        "PUT",
        assignment_url(subscription, uuid.uuid4()),
        token,
        params=API,
        json=body(subscription, ACCOUNT_CONTRIBUTOR, principal, principal_type="User"),
    )
    assert (wrong_type.status_code, wrong_type.json()["error"]["code"]) == (400, "UnmatchedPrincipalType")
    bad_role = api.call(
        "PUT",
        assignment_url(subscription, uuid.uuid4()),
        token,
        params=API,
        json=body(subscription, str(uuid.uuid4()), principal),
    )
    assert (bad_role.status_code, bad_role.json()["error"]["code"]) == (400, "RoleDefinitionDoesNotExist")


def test_writes_need_owner_or_user_access_administrator(emulator, api, tenant):
    subscription = f"/subscriptions/{tenant['subscription_id']}"
    target = emulator.create_client(tenant["tenant_id"])["service_principal_id"]
    for roles, expected in (
        ([], 403),
        (["Storage Blob Data Contributor"], 403),
        (["User Access Administrator"], 201),
    ):
        caller = emulator.create_client(tenant["tenant_id"], subscription_roles=roles)
        token = api.token(tenant["tenant_id"], caller["client_id"], caller["client_secret"], scope=ARM)
        response = api.call(
            "PUT",
            assignment_url(subscription, uuid.uuid4()),
            token,
            params=API,
            json=body(subscription, ACCOUNT_CONTRIBUTOR, target),
        )
        assert response.status_code == expected, (roles, response.text)
        if expected == 403:
            assert response.json()["error"]["code"] == "AuthorizationFailed"
        target = caller["service_principal_id"]


def test_token_audience_and_api_version(arm, api, tenant):
    _unused, token, principal, subscription = arm
    graph_token = api.admin_token(tenant)
    wrong = api.call(
        "GET",
        f"/arm{subscription}/providers/Microsoft.Authorization/roleAssignments",
        graph_token,
        params=API,
    )
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "InvalidAuthenticationToken")
    missing = api.call("GET", f"/arm{subscription}/providers/Microsoft.Authorization/roleAssignments", token)
    assert missing.json()["error"]["code"] == "MissingApiVersionParameter"
    other = api.call(
        "GET",
        "/arm/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Authorization/roleAssignments",
        token,
        params=API,
    )
    assert other.status_code == 404
