"""The token endpoint and discovery, driven by real MSAL as our modules use it."""

import jwt
import msal
import pytest
import requests

GRAPH = "https://graph.microsoft.com/.default"
ARM = "https://management.azure.com/.default"


class CaSession(requests.Session):
    """Passes the CA on every request: a Session's own verify loses to REQUESTS_CA_BUNDLE."""

    def __init__(self, ca_file):
        super().__init__()
        self.ca_file = ca_file

    def request(self, method, url, **kwargs):
        kwargs["verify"] = self.ca_file
        return super().request(method, url, **kwargs)


def msal_app(emulator, tenant_id, client_id, credential):
    return msal.ConfidentialClientApplication(
        client_id,
        client_credential=credential,
        authority=f"{emulator.url}/entra/{tenant_id}",
        instance_discovery=False,
        http_client=CaSession(emulator.ca_file),
        token_cache=msal.TokenCache(),
    )


def claims_of(token):
    return jwt.decode(token, options={"verify_signature": False})


def test_discovery_points_back_at_the_emulator(api, tenant):
    for segment in (tenant["tenant_id"], "organizations", "common"):
        config = api.call("GET", f"/entra/{segment}/v2.0/.well-known/openid-configuration").json()
        assert config["token_endpoint"] == f"{api.emulator.url}/entra/{segment}/oauth2/v2.0/token"
        assert config["authorization_endpoint"].startswith(f"{api.emulator.url}/entra/{segment}/")
        assert api.call("GET", config["jwks_uri"].removeprefix(api.emulator.url)).json()["keys"]


def test_msal_client_secret_token_verifies_against_jwks(emulator, api, tenant):
    app = msal_app(emulator, tenant["tenant_id"], tenant["admin_client_id"], tenant["admin_client_secret"])
    result = app.acquire_token_for_client(scopes=[GRAPH])
    assert result.get("token_type") == "Bearer", result
    assert result["expires_in"] > 3500
    keys = api.call("GET", f"/entra/{tenant['tenant_id']}/discovery/v2.0/keys").json()["keys"]
    key = jwt.PyJWK(keys[0])
    claims = jwt.decode(
        result["access_token"], key.key, algorithms=["RS256"], audience="https://graph.microsoft.com"
    )
    assert claims["tid"] == tenant["tenant_id"]
    assert claims["appid"] == claims["azp"] == tenant["admin_client_id"]
    assert claims["idtyp"] == "app"
    assert claims["exp"] - claims["iat"] == 3600
    assert sorted(claims["roles"]) == [
        "AppRoleAssignment.ReadWrite.All",
        "Application.ReadWrite.All",
        "DelegatedPermissionGrant.ReadWrite.All",
    ]


@pytest.mark.parametrize("send_x5c", [False, True], ids=["thumbprint", "x5c"])
def test_msal_certificate_credential(emulator, api, tenant, certificate, send_x5c):
    client = emulator.create_client(tenant["tenant_id"])
    token = api.admin_token(tenant)
    patch = api.graph(
        "PATCH",
        f"/applications/{client['object_id']}",
        token,
        json={"keyCredentials": [certificate.key_credential()]},
    )
    assert patch.status_code == 204, patch.text
    credential = {"private_key": certificate.key_pem, "thumbprint": certificate.sha1_hex}
    if send_x5c:
        credential = {"private_key": certificate.key_pem, "public_certificate": certificate.cert_pem}
    app = msal_app(emulator, tenant["tenant_id"], client["client_id"], credential)
    result = app.acquire_token_for_client(scopes=[ARM])
    assert "access_token" in result, result
    claims = claims_of(result["access_token"])
    assert claims["appidacr"] == "2"
    assert claims["oid"] == client["service_principal_id"]
    assert "roles" not in claims  # nothing granted on ARM


def test_unregistered_certificate_is_refused(emulator, tenant, certificate, other_certificate, api):
    client = emulator.create_client(tenant["tenant_id"])
    api.graph(
        "PATCH",
        f"/applications/{client['object_id']}",
        api.admin_token(tenant),
        json={"keyCredentials": [certificate.key_credential()]},
    )
    credential = {"private_key": other_certificate.key_pem, "thumbprint": other_certificate.sha1_hex}
    result = msal_app(
        emulator, tenant["tenant_id"], client["client_id"], credential
    ).acquire_token_for_client([GRAPH])
    assert result["error"] == "invalid_client"
    assert result["error_codes"] == [700027]


def test_wrong_secret_is_7000215(api, tenant):
    response = api.token_response(tenant["tenant_id"], tenant["admin_client_id"], "not-the-secret")
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_client"
    assert body["error_codes"] == [7000215]
    assert body["error_description"].startswith("AADSTS7000215: Invalid client secret provided.")
    assert f"app '{tenant['admin_client_id']}'" in body["error_description"]
    assert "\r\nTrace ID: " in body["error_description"]
    assert {"timestamp", "trace_id", "correlation_id", "error_uri"} <= body.keys()


def test_expired_secret_is_7000222(emulator, api, tenant):
    client = emulator.create_client(tenant["tenant_id"])
    assert emulator.expire_secrets(tenant["tenant_id"], client["client_id"]) == 1
    response = api.token_response(tenant["tenant_id"], client["client_id"], client["client_secret"])
    assert response.status_code == 401
    assert response.json()["error_codes"] == [7000222]


def test_unknown_client_and_client_without_service_principal_are_700016(emulator, api, tenant):
    response = api.token_response(tenant["tenant_id"], "11111111-2222-3333-4444-555555555555", "x")
    assert (response.status_code, response.json()["error"]) == (400, "unauthorized_client")
    assert response.json()["error_codes"] == [700016]

    client = emulator.create_client(tenant["tenant_id"])
    token = api.admin_token(tenant)
    assert (
        api.graph("DELETE", f"/servicePrincipals/{client['service_principal_id']}", token).status_code == 204
    )
    response = api.token_response(tenant["tenant_id"], client["client_id"], client["client_secret"])
    assert response.json()["error_codes"] == [700016]


def test_unknown_tenant_is_90002(api, tenant):
    response = api.token_response("00000000-1111-2222-3333-444444444444", tenant["admin_client_id"], "x")
    assert (response.status_code, response.json()["error"], response.json()["error_codes"]) == (
        400,
        "invalid_request",
        [90002],
    )


def test_scope_must_be_one_default_scope(api, tenant):
    response = api.token_response(
        tenant["tenant_id"], tenant["admin_client_id"], tenant["admin_client_secret"], scope="User.Read"
    )
    assert response.json()["error"] == "invalid_scope"
    response = api.token_response(
        tenant["tenant_id"],
        tenant["admin_client_id"],
        tenant["admin_client_secret"],
        scope="https://nowhere.example/.default",
    )
    assert response.json()["error_codes"] == [500011]


@pytest.mark.parametrize(
    "scope",
    [
        "https://management.azure.com/.default",
        "https://management.core.windows.net//.default",
        "https://service.powerapps.com//.default",
        "00000003-0000-0000-c000-000000000000/.default",
    ],
)
def test_first_party_resources_by_uri_or_app_id(api, tenant, scope):
    api.token(tenant["tenant_id"], tenant["admin_client_id"], tenant["admin_client_secret"], scope=scope)


def test_roles_claim_follows_app_role_grants(emulator, api, tenant):
    client = emulator.create_client(tenant["tenant_id"], graph_roles=["Application.ReadWrite.All"])
    token = api.token(tenant["tenant_id"], client["client_id"], client["client_secret"])
    assert claims_of(token)["roles"] == ["Application.ReadWrite.All"]

    admin = api.admin_token(tenant)
    graph_sp = api.graph(
        "GET", "/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')", admin
    ).json()
    role_id = next(
        r["id"] for r in graph_sp["appRoles"] if r["value"] == "InformationProtectionPolicy.Read.All"
    )
    assert role_id == "19da66cb-0fb0-4390-b071-ebc76a349482"
    grant = api.graph(
        "POST",
        f"/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo",
        admin,
        json={
            "principalId": client["service_principal_id"],
            "resourceId": graph_sp["id"],
            "appRoleId": role_id,
        },
    )
    assert grant.status_code == 201, grant.text

    token = api.token(tenant["tenant_id"], client["client_id"], client["client_secret"])
    assert claims_of(token)["roles"] == ["Application.ReadWrite.All", "InformationProtectionPolicy.Read.All"]
    arm_token = api.token(tenant["tenant_id"], client["client_id"], client["client_secret"], scope=ARM)
    assert "roles" not in claims_of(arm_token)
