"""Graph v1.0: CRUD, upsert, credentials, consent, paging, filters, permissions and schema checks."""

import pytest

import datetime
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import jwt

GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
CREATE_IF_MISSING = {"Prefer": "create-if-missing"}


def graph_sp(api, token):
    return api.graph("GET", f"/servicePrincipals(appId='{GRAPH_APP_ID}')", token).json()


def role_id(service_principal, value):
    return next(r["id"] for r in service_principal["appRoles"] if r["value"] == value)


def test_create_get_update_delete_application(admin_graph, tenant):
    api, token = admin_graph
    created = api.graph(
        "POST",
        "/applications",
        token,
        json={"displayName": "connector", "signInAudience": "AzureADMultipleOrgs"},
    )
    assert created.status_code == 201, created.text
    app = created.json()
    assert app["@odata.context"].endswith("/graph/v1.0/$metadata#applications/$entity")
    uuid.UUID(app["id"]), uuid.UUID(app["appId"])
    assert app["publisherDomain"].endswith(".onmicrosoft.com")
    assert app["createdDateTime"].endswith("Z")
    assert app["web"]["implicitGrantSettings"] == {
        "enableAccessTokenIssuance": False,
        "enableIdTokenIssuance": False,
    }
    assert app["passwordCredentials"] == [] and app["keyCredentials"] == []
    assert {"request-id", "client-request-id"} <= set(created.headers)

    patched = api.graph(
        "PATCH",
        f"/applications/{app['id']}",
        token,
        json={"web": {"redirectUris": ["https://admin.zscaler.net/"]}},
    )
    assert (patched.status_code, patched.content) == (204, b"")
    by_app_id = api.graph("GET", f"/applications(appId='{app['appId']}')", token).json()
    assert by_app_id["web"]["redirectUris"] == ["https://admin.zscaler.net/"]
    assert by_app_id["web"]["implicitGrantSettings"]["enableIdTokenIssuance"] is False
    assert by_app_id["signInAudience"] == "AzureADMultipleOrgs"

    assert api.graph("DELETE", f"/applications(appId='{app['appId']}')", token).status_code == 204
    missing = api.graph("GET", f"/applications/{app['id']}", token)
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert error["code"] == "Request_ResourceNotFound"
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    assert "+" not in error["innerError"]["date"] and not error["innerError"]["date"].endswith("Z")


def test_upsert_by_unique_name(admin_graph):
    api, token = admin_graph
    path = "/applications(uniqueName='mipconnect-zia')"
    assert api.graph("PATCH", path, token, json={"displayName": "MIP"}).status_code == 404
    created = api.graph("PATCH", path, token, json={"displayName": "MIP"}, headers=CREATE_IF_MISSING)
    assert created.status_code == 201, created.text
    assert created.json()["uniqueName"] == "mipconnect-zia"
    again = api.graph("PATCH", path, token, json={"displayName": "MIP 2"}, headers=CREATE_IF_MISSING)
    assert (again.status_code, again.content) == (204, b"")
    fetched = api.graph("GET", path, token).json()
    assert (fetched["id"], fetched["displayName"]) == (created.json()["id"], "MIP 2")
    renamed = api.graph("PATCH", path, token, json={"uniqueName": "other"})
    assert renamed.status_code == 400


def test_filter_select_and_paging(emulator, admin_graph):
    api, token = admin_graph
    for name in ("zia-a", "zia-b", "zia-c", "other"):
        api.graph("POST", "/applications", token, json={"displayName": name})
    emulator.configure(page_size=2)
    first = api.graph(
        "GET",
        "/applications",
        token,
        params={"$filter": "startswith(displayName,'zia-')", "$select": "id,displayName"},
    ).json()
    assert [a["displayName"] for a in first["value"]] == ["zia-a", "zia-b"]
    assert set(first["value"][0]) == {"id", "displayName"}
    assert first["@odata.nextLink"].startswith(f"{emulator.url}/graph/v1.0/applications?")
    second = api.call("GET", first["@odata.nextLink"], token).json()
    assert [a["displayName"] for a in second["value"]] == ["zia-c"]
    assert "@odata.nextLink" not in second

    combined = api.graph(
        "GET",
        "/applications",
        token,
        params={"$filter": "displayName eq 'ZIA-B' and startswith(displayName,'zia')"},
    ).json()
    assert [a["displayName"] for a in combined["value"]] == ["zia-b"]
    top = api.graph("GET", "/applications", token, params={"$top": "1"}).json()
    assert len(top["value"]) == 1 and "$top=1" in top["@odata.nextLink"]
    unsupported = api.graph("GET", "/applications", token, params={"$filter": "displayName ne 'x'"})
    assert unsupported.status_code == 400


def test_add_password_shows_secret_once(emulator, admin_graph, tenant):
    api, token = admin_graph
    app = api.graph("POST", "/applications", token, json={"displayName": "secretive"}).json()
    end = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=365)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    added = api.graph(
        "POST",
        f"/applications/{app['id']}/addPassword",
        token,
        json={"passwordCredential": {"displayName": "zscaler", "endDateTime": end}},
    )
    assert added.status_code == 200, added.text
    credential = added.json()
    secret = credential["secretText"]
    assert len(secret) == 40 and credential["hint"] == secret[:3]
    assert (credential["displayName"], credential["endDateTime"]) == ("zscaler", end)

    listed = api.graph("GET", f"/applications/{app['id']}", token).json()["passwordCredentials"]
    credential.pop("@odata.context")
    assert listed == [dict(credential, secretText=None)]
    dump = json.dumps(emulator.state(tenant["tenant_id"]))
    assert secret not in dump
    assert all(secret not in json.dumps(entry) for entry in emulator.requests())

    api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]})
    assert api.token(tenant["tenant_id"], app["appId"], secret)

    gone = api.graph(
        "POST", f"/applications/{app['id']}/removePassword", token, json={"keyId": credential["keyId"]}
    )
    assert gone.status_code == 204
    again = api.graph(
        "POST", f"/applications/{app['id']}/removePassword", token, json={"keyId": credential["keyId"]}
    )
    assert again.status_code == 404
    assert api.token_response(tenant["tenant_id"], app["appId"], secret).json()["error_codes"] == [7000215]


def test_key_credentials_hide_key_and_add_key_needs_proof(admin_graph, certificate, other_certificate):
    api, token = admin_graph
    app = api.graph("POST", "/applications", token, json={"displayName": "cert app"}).json()
    assert (
        api.graph(
            "PATCH",
            f"/applications/{app['id']}",
            token,
            json={"keyCredentials": [certificate.key_credential(displayName="CN=first")]},
        ).status_code
        == 204
    )
    keys = api.graph("GET", f"/applications/{app['id']}", token).json()["keyCredentials"]
    assert len(keys) == 1 and keys[0]["key"] is None
    assert keys[0]["customKeyIdentifier"] == certificate.sha1_hex.upper()
    assert (keys[0]["type"], keys[0]["usage"], keys[0]["displayName"]) == (
        "AsymmetricX509Cert",
        "Verify",
        "CN=first",
    )

    now = int(time.time())
    claims = {"aud": "00000002-0000-0000-c000-000000000000", "iss": app["id"], "nbf": now, "exp": now + 600}
    forged = jwt.encode(claims, other_certificate.key, algorithm="RS256")
    refused = api.graph(
        "POST",
        f"/applications/{app['id']}/addKey",
        token,
        json={
            "keyCredential": other_certificate.key_credential(),
            "passwordCredential": None,
            "proof": forged,
        },
    )
    assert refused.status_code == 400
    proof = jwt.encode(claims, certificate.key, algorithm="RS256")
    added = api.graph(
        "POST",
        f"/applications/{app['id']}/addKey",
        token,
        json={
            "keyCredential": other_certificate.key_credential(),
            "passwordCredential": None,
            "proof": proof,
        },
    )
    assert added.status_code == 200, added.text
    assert added.json()["key"] is None
    keys = api.graph("GET", f"/applications/{app['id']}", token).json()["keyCredentials"]
    assert len(keys) == 2
    removed = api.graph(
        "POST",
        f"/applications/{app['id']}/removeKey",
        token,
        json={"keyId": keys[0]["keyId"], "proof": proof},
    )
    assert removed.status_code == 204
    assert [
        k["keyId"] for k in api.graph("GET", f"/applications/{app['id']}", token).json()["keyCredentials"]
    ] == [keys[1]["keyId"]]


def test_service_principals_create_upsert_select_and_cascade(admin_graph):
    api, token = admin_graph
    app = api.graph("POST", "/applications", token, json={"displayName": "with sp"}).json()
    sp_path = f"/servicePrincipals(appId='{app['appId']}')"
    assert api.graph("PATCH", sp_path, token, json={}).status_code == 404
    created = api.graph(
        "PATCH",
        sp_path,
        token,
        json={"tags": ["WindowsAzureActiveDirectoryIntegratedApp"]},
        headers=CREATE_IF_MISSING,
    )
    assert created.status_code == 201, created.text
    sp = created.json()
    assert (sp["appId"], sp["displayName"], sp["appRoles"], sp["oauth2PermissionScopes"]) == (
        app["appId"],
        "with sp",
        [],
        [],
    )
    duplicate = api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]})
    assert duplicate.status_code == 409

    selected = api.graph(
        "GET",
        f"/servicePrincipals(appId='{GRAPH_APP_ID}')",
        token,
        params={"$select": "id,appId,displayName,appRoles,oauth2PermissionScopes"},
    ).json()
    assert set(selected) == {
        "@odata.context",
        "id",
        "appId",
        "displayName",
        "appRoles",
        "oauth2PermissionScopes",
    }
    assert selected["displayName"] == "Microsoft Graph"
    assert role_id(selected, "Sites.Read.All") == "332a536c-c7ef-4017-ab91-336970924f0d"
    sharepoint = api.graph(
        "GET",
        "/servicePrincipals",
        token,
        params={"$filter": "appId eq '00000003-0000-0ff1-ce00-000000000000'"},
    ).json()["value"][0]
    assert role_id(sharepoint, "Sites.Read.All") == "d13f72ca-a275-4b96-b789-48ebcc4da984"
    powerapps = api.graph(
        "GET", "/servicePrincipals(appId='475226c6-020e-4fb2-8a90-7a972cbfc1d4')", token
    ).json()
    assert powerapps["displayName"] == "PowerApps Service"

    grant = api.graph(
        "POST",
        f"/servicePrincipals/{selected['id']}/appRoleAssignedTo",
        token,
        json={
            "principalId": sp["id"],
            "resourceId": selected["id"],
            "appRoleId": role_id(selected, "Sites.Read.All"),
        },
    )
    assert grant.status_code == 201
    assert api.graph("DELETE", f"/applications/{app['id']}", token).status_code == 204
    assert api.graph("GET", sp_path, token).status_code == 404
    assigned = api.graph("GET", f"/servicePrincipals/{selected['id']}/appRoleAssignedTo", token).json()[
        "value"
    ]
    assert sp["id"] not in [a["principalId"] for a in assigned]


def test_app_role_assignments(admin_graph):
    api, token = admin_graph
    app = api.graph("POST", "/applications", token, json={"displayName": "consented"}).json()
    sp = api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]}).json()
    graph = graph_sp(api, token)
    body = {
        "principalId": sp["id"],
        "resourceId": graph["id"],
        "appRoleId": role_id(graph, "InformationProtectionPolicy.Read.All"),
    }
    created = api.graph("POST", f"/servicePrincipals/{graph['id']}/appRoleAssignedTo", token, json=body)
    assert created.status_code == 201, created.text
    assignment = created.json()
    assert {
        k: assignment[k]
        for k in (
            "appRoleId",
            "principalId",
            "principalType",
            "principalDisplayName",
            "resourceId",
            "resourceDisplayName",
        )
    } == {
        **body,
        "principalType": "ServicePrincipal",
        "principalDisplayName": "consented",
        "resourceDisplayName": "Microsoft Graph",
    }
    assert assignment["createdDateTime"]

    duplicate = api.graph("POST", f"/servicePrincipals/{graph['id']}/appRoleAssignedTo", token, json=body)
    assert duplicate.status_code == 400
    assert duplicate.json()["error"]["code"] == "Request_BadRequest"
    assert "already exists" in duplicate.json()["error"]["message"]
    unknown_role = api.graph(
        "POST",
        f"/servicePrincipals/{graph['id']}/appRoleAssignedTo",
        token,
        json=dict(body, appRoleId=str(uuid.uuid4())),
    )
    assert unknown_role.status_code == 400

    by_principal = api.graph(
        "GET",
        f"/servicePrincipals/{graph['id']}/appRoleAssignedTo",
        token,
        params={"$filter": f"principalId eq {sp['id']}"},
    ).json()["value"]
    assert [a["id"] for a in by_principal] == [assignment["id"]]
    held = api.graph("GET", f"/servicePrincipals/{sp['id']}/appRoleAssignments", token).json()["value"]
    assert [a["id"] for a in held] == [assignment["id"]]
    deleted = api.graph(
        "DELETE", f"/servicePrincipals/{graph['id']}/appRoleAssignedTo/{assignment['id']}", token
    )
    assert deleted.status_code == 204
    assert api.graph("GET", f"/servicePrincipals/{sp['id']}/appRoleAssignments", token).json()["value"] == []


def test_oauth2_permission_grants(admin_graph):
    api, token = admin_graph
    app = api.graph("POST", "/applications", token, json={"displayName": "delegated"}).json()
    client = api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]}).json()
    storage = api.graph(
        "GET", "/servicePrincipals(appId='e406a681-f3d4-42a8-90b6-c2b029497af1')", token
    ).json()
    assert storage["oauth2PermissionScopes"][0]["value"] == "user_impersonation"
    body = {
        "clientId": client["id"],
        "consentType": "AllPrincipals",
        "resourceId": storage["id"],
        "scope": "user_impersonation",
    }
    created = api.graph("POST", "/oauth2PermissionGrants", token, json=body)
    assert created.status_code == 201, created.text
    grant = created.json()
    assert grant["principalId"] is None
    assert api.graph("POST", "/oauth2PermissionGrants", token, json=body).status_code == 409

    query = {"$filter": f"clientId eq '{client['id']}' and resourceId eq '{storage['id']}'"}
    assert [
        g["id"] for g in api.graph("GET", "/oauth2PermissionGrants", token, params=query).json()["value"]
    ] == [grant["id"]]
    assert (
        api.graph(
            "PATCH",
            f"/oauth2PermissionGrants/{grant['id']}",
            token,
            json={"scope": "user_impersonation extra"},
        ).status_code
        == 204
    )
    assert (
        api.graph("GET", f"/oauth2PermissionGrants/{grant['id']}", token).json()["scope"]
        == "user_impersonation extra"
    )
    assert api.graph("DELETE", f"/oauth2PermissionGrants/{grant['id']}", token).status_code == 204
    assert api.graph("GET", f"/oauth2PermissionGrants/{grant['id']}", token).status_code == 404


def test_authentication_and_insufficient_privileges(emulator, api, tenant):
    assert api.graph("GET", "/applications", None).json()["error"]["code"] == "InvalidAuthenticationToken"
    assert api.graph("GET", "/applications", "not.a.jwt").status_code == 401
    arm_token = api.admin_token(tenant, scope="https://management.azure.com/.default")
    assert api.graph("GET", "/applications", arm_token).status_code == 401

    reader = emulator.create_client(tenant["tenant_id"], graph_roles=["Application.ReadWrite.All"])
    token = api.token(tenant["tenant_id"], reader["client_id"], reader["client_secret"])
    assert api.graph("GET", "/applications", token).status_code == 200
    app = api.graph("POST", "/applications", token, json={"displayName": "can create"}).json()
    sp = api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]}).json()
    graph = graph_sp(api, token)
    denied = api.graph(
        "POST",
        f"/servicePrincipals/{graph['id']}/appRoleAssignedTo",
        token,
        json={
            "principalId": sp["id"],
            "resourceId": graph["id"],
            "appRoleId": role_id(graph, "Sites.Read.All"),
        },
    )
    assert denied.status_code == 403
    assert denied.json()["error"] | {"innerError": None} == {
        "code": "Authorization_RequestDenied",
        "message": "Insufficient privileges to complete the operation.",
        "innerError": None,
    }
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
    assert grant.status_code == 403

    nobody = emulator.create_client(tenant["tenant_id"])
    token = api.token(tenant["tenant_id"], nobody["client_id"], nobody["client_secret"])
    assert api.graph("POST", "/applications", token, json={"displayName": "nope"}).status_code == 403


def test_owned_by_permits_only_own_applications(emulator, admin_graph, tenant):
    api, admin = admin_graph
    foreign = api.graph("POST", "/applications", admin, json={"displayName": "someone else's"}).json()
    owner = emulator.create_client(tenant["tenant_id"], graph_roles=["Application.ReadWrite.OwnedBy"])
    token = api.token(tenant["tenant_id"], owner["client_id"], owner["client_secret"])
    own = api.graph("POST", "/applications", token, json={"displayName": "mine"}).json()
    assert api.graph("PATCH", f"/applications/{own['id']}", token, json={"notes": "ok"}).status_code == 204
    assert (
        api.graph(
            "POST", f"/applications/{own['id']}/addPassword", token, json={"passwordCredential": {}}
        ).status_code
        == 200
    )
    assert (
        api.graph("PATCH", f"/applications/{foreign['id']}", token, json={"notes": "no"}).status_code == 403
    )


def test_requests_not_matching_the_schema_are_400(admin_graph):
    api, token = admin_graph
    wrong_type = api.graph("POST", "/applications", token, json={"displayName": 5})
    assert wrong_type.status_code == 400
    assert wrong_type.json()["error"]["code"] == "BadRequest"
    assert "5 is not of type 'string'" in wrong_type.json()["error"]["message"]
    bad_uuid = api.graph(
        "POST",
        "/applications",
        token,
        json={
            "displayName": "x",
            "requiredResourceAccess": [
                {"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": "Sites.Read.All", "type": "Role"}]}
            ],
        },
    )
    assert bad_uuid.status_code == 400
    assert api.graph("GET", "/applications", token, params={"$top": "many"}).status_code == 400
    bad_date = api.graph(
        "POST",
        "/applications/whatever/addPassword",
        token,
        json={"passwordCredential": {"endDateTime": "2030-01-01"}},
    )
    assert bad_date.status_code == 400
    not_json = api.graph(
        "POST", "/applications", token, data="{", headers={"Content-Type": "application/json"}
    )
    assert not_json.status_code == 400
    unknown = api.graph("GET", "/groups", token)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (400, "BadRequest")


UNDECLARED = "does not exist as a declared property or extension property"


@pytest.mark.parametrize("method, path, body, name", [
    ("POST", "/applications", {"displayName": "x", "colour": "red"}, "colour"),
    ("PATCH", "/applications(uniqueName='undeclared')", {"displayName": "x", "web": {"redirectUri": "https://a"}},
     "redirectUri"),
    ("POST", "/applications", {"displayName": "x", "requiredResourceAccess": [
        {"resourceAppId": GRAPH_APP_ID, "resourceAccess": [{"id": GRAPH_APP_ID, "type": "Role", "name": "x"}]}]},
     "name"),
    ("POST", "/applications/whatever/addPassword", {"passwordCredential": {"displayName": "x"}, "secret": "y"},
     "secret"),
    ("POST", "/oauth2PermissionGrants", {"clientId": "a", "consentType": "AllPrincipals", "resourceId": "b",
                                         "scope": "x", "expires": "never"}, "expires"),
])
def test_undeclared_body_properties_are_400_at_any_depth(admin_graph, method, path, body, name):
    api, token = admin_graph
    answer = api.graph(method, path, token, json=body, headers={"Prefer": "create-if-missing"})
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["code"] == "Request_BadRequest" and f"'{name}' {UNDECLARED}" in error["message"]


def test_annotations_are_not_properties(admin_graph):
    api, token = admin_graph
    made = api.graph("POST", "/applications", token,
                     json={"@odata.type": "#microsoft.graph.application", "displayName": "annotated"})
    assert made.status_code == 201, made.text


def test_concurrent_writes_are_all_kept(admin_graph):
    api, token = admin_graph

    def create(index):
        response = api.graph("POST", "/applications", token, json={"displayName": f"parallel-{index:02d}"})
        return response.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert set(pool.map(create, range(24))) == {201}
    listed = api.graph(
        "GET", "/applications", token, params={"$filter": "startswith(displayName,'parallel-')"}
    )
    names = sorted(a["displayName"] for a in listed.json()["value"])
    assert names == [f"parallel-{i:02d}" for i in range(24)]


def test_deleted_applications_go_to_deleted_items_and_keep_their_unique_name(admin_graph):
    api, token = admin_graph
    upsert = "/applications(uniqueName='recycled')"
    app = api.graph("PATCH", upsert, token, json={"displayName": "r"}, headers={"Prefer": "create-if-missing"}).json()
    api.graph("POST", "/servicePrincipals", token, json={"appId": app["appId"]})
    assert api.graph("DELETE", f"/applications/{app['id']}", token).status_code == 204
    assert api.graph("GET", upsert, token).status_code == 404
    listed = api.graph("GET", "/directory/deletedItems/microsoft.graph.application", token).json()["value"]
    deleted = next(item for item in listed if item["id"] == app["id"])
    assert deleted["uniqueName"] == "recycled" and deleted["deletedDateTime"]
    principals = api.graph("GET", "/directory/deletedItems/microsoft.graph.servicePrincipal", token).json()["value"]
    assert [sp["appId"] for sp in principals if sp["appId"] == app["appId"]] == [app["appId"]]
    taken = api.graph("PATCH", upsert, token, json={"displayName": "r"}, headers={"Prefer": "create-if-missing"})
    assert (taken.status_code, taken.json()["error"]["code"]) == (400, "Request_BadRequest")
    assert "uniqueName" in taken.json()["error"]["message"]

    restored = api.graph("POST", f"/directory/deletedItems/{app['id']}/restore", token)
    assert restored.status_code == 200 and restored.json()["deletedDateTime"] is None
    assert api.graph("GET", upsert, token).json()["appId"] == app["appId"]

    assert api.graph("DELETE", f"/applications/{app['id']}", token).status_code == 204
    assert api.graph("DELETE", f"/directory/deletedItems/{app['id']}", token).status_code == 204
    assert api.graph("GET", f"/directory/deletedItems/{app['id']}", token).status_code == 404
    fresh = api.graph("PATCH", upsert, token, json={"displayName": "r"}, headers={"Prefer": "create-if-missing"})
    assert fresh.status_code == 201 and fresh.json()["id"] != app["id"]
