"""The emulated ZIA: sign-in (OneAPI and legacy), documented reads in the recorded shape,
a person's portal edits through the control API, recorded entries replayed, and, in the
assumed modes only, our write contract and guessed status values; validation against the
emulated Entra, activation and label retrieval, rate limits, edit lock, maintenance, and
the request log.
"""

import base64
import json
import time
import uuid

import jwt
import pytest
import requests

from emulator.catalog import DATA_DIR
from emulator.zia_auth import obfuscate_api_key

ONEAPI_AUDIENCE = "https://api.zscaler.com"
IPP = "InformationProtectionPolicy.Read.All"


class Zia:
    """A ZIA API client for tests: the CA passed per request, a cookie jar for JSESSIONID."""

    def __init__(self, emulator, org):
        self.emulator = emulator
        self.org = org
        self.session = requests.Session()
        self.headers = {}

    def call(self, method, path, **kwargs):
        url = path if path.startswith("https://") else f"{self.emulator.url}/zia/api/v1{path}"
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.session.request(
            method, url, headers=headers, verify=self.emulator.ca_file, timeout=10, **kwargs
        )

    def token_response(self, headers=None, **form):
        fields = {
            "grant_type": "client_credentials",
            "client_id": self.org["oneapi_client_id"],
            "client_secret": self.org["oneapi_client_secret"],
            "audience": ONEAPI_AUDIENCE,
            **form,
        }
        url = f"{self.emulator.url}/zslogin/oauth2/v1/token"
        return self.call("POST", url, data=fields, headers=headers or {})

    def sign_in(self):
        response = self.token_response()
        assert response.status_code == 200, response.text
        self.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return self

    def login(self, timestamp=None, api_key=None, **changes):
        timestamp = timestamp or int(time.time() * 1000)
        body = {
            "apiKey": api_key or obfuscate_api_key(self.org["api_key"], timestamp),
            "username": self.org["username"],
            "password": self.org["password"],
            "timestamp": timestamp,
            **changes,
        }
        return self.call("POST", "/authenticatedSession", json=body)

    def ok(self, method, path, status=200, **kwargs):
        response = self.call(method, path, **kwargs)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def mip_accounts(self):
        return [t for t in self.ok("GET", "/casbTenant/lite") if t["saasApplication"] == "MIP"]


def wait_until(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


@pytest.fixture
def quick(emulator):
    """No rate limits and short activation and retrieval, for tests about something else."""
    emulator.configure_zia(rate_limits=False, activation_seconds=0.2, label_retrieval_seconds=0.2)


@pytest.fixture
def zia(emulator, quick):
    return Zia(emulator, emulator.create_zia_org()).sign_in()


@pytest.fixture
def assumed(emulator):
    """The assumed world (docs/assumptions.md): our write contract and the guessed status values."""
    emulator.configure_zia(assumed_write_contract=True, assumed_status_values=True)


RECORDED = json.loads((DATA_DIR / "zia_recorded_samples.json").read_text())
RECORDED_LITE = RECORDED["GET /zia/api/v1/casbTenant/lite (200)"]
RECORDED_MIP = next(entry for entry in RECORDED_LITE if entry["saasApplication"] == "MIP")
RECORDED_STATUSES = {value for entry in RECORDED_LITE for value in entry["status"]}
DOCUMENTED_TAG_FIELDS = {"tagId", "tagName", "tagUUID", "tenantId", "deleted"}


@pytest.fixture
def connector(emulator, tenant):
    """A custom connector app in the tenant holding the permission ZIA checks."""
    client = emulator.create_client(tenant["tenant_id"], graph_roles=[IPP], display_name="Zscaler MIP")
    return {"tenant_id": tenant["tenant_id"], **client}


def account(connector, name="Contoso MIP", secret=None, **extra):
    return {
        "tenantName": name,
        "saasApplication": "MIP",
        "enterpriseTenantId": connector["tenant_id"],
        "connectorType": "CUSTOM",
        "tenantAuthorizationInfo": {
            "clientId": connector["client_id"],
            "clientSecret": secret or connector["client_secret"],
        },
        **extra,
    }


# --- sign-in ------------------------------------------------------------------------


def test_obfuscation_matches_a_worked_example():
    # digits 123456 pick key[1..6]; 123456 >> 1 = 061728 picks key[2,8,3,9,4,10].
    assert obfuscate_api_key("ABCDEFGHIJKL", 1700000123456) == "BCDEFGCIDJEK"


def test_oneapi_token_secret_basic_and_errors(emulator, quick):
    org = emulator.create_zia_org()
    client = Zia(emulator, org)
    answer = client.token_response()
    assert answer.status_code == 200
    body = answer.json()
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 3600) and body["access_token"]
    basic = base64.b64encode(f"{org['oneapi_client_id']}:{org['oneapi_client_secret']}".encode()).decode()
    assert (
        client.token_response(client_secret="", headers={"Authorization": f"Basic {basic}"}).status_code
        == 200
    )
    wrong = client.token_response(client_secret="nope")
    assert (wrong.status_code, wrong.json()["error"]) == (401, "invalid_client")
    assert "error_description" in wrong.json()
    assert client.token_response(client_id="unknown").status_code == 401
    assert client.token_response(audience="https://example.com").status_code == 400
    assert client.token_response(grant_type="password").json()["error"] == "unsupported_grant_type"
    client.headers["Authorization"] = f"Bearer {body['access_token']}"
    assert client.ok("GET", "/status") == {"status": "ACTIVE"}
    client.headers["Authorization"] = "Bearer forged"
    refused = client.call("GET", "/status")
    assert (refused.status_code, refused.json()["code"]) == (401, "AUTHENTICATION_FAILED")
    assert "x-request-id" in refused.headers


def test_oneapi_private_key_jwt(emulator, quick):
    org = emulator.create_zia_org()
    key = emulator.zia_oneapi_key(org["org_id"])
    client = Zia(emulator, org)
    token_url = f"{emulator.url}/zslogin/oauth2/v1/token"
    now = int(time.time())
    # Exactly the claims both Zscaler SDKs sign (Python oneapi_oauth_client.py, Go oneapiclient.go).
    claims = {
        "iss": org["oneapi_client_id"],
        "sub": org["oneapi_client_id"],
        "aud": ONEAPI_AUDIENCE,
        "exp": now + 600,
    }
    assertion = jwt.encode(claims, key["private_key"], algorithm="RS256")
    form = {"client_secret": "", "client_assertion": assertion}
    form["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert client.token_response(**form).status_code == 200
    for audience in (token_url, "https://elsewhere"):
        form["client_assertion"] = jwt.encode(
            {**claims, "aud": audience, "jti": str(uuid.uuid4())}, key["private_key"], algorithm="RS256"
        )
        assert client.token_response(**form).status_code == 401


def test_legacy_session_login_cookie_and_logout(emulator, quick):
    client = Zia(emulator, emulator.create_zia_org())
    assert client.call("GET", "/status").json()["code"] == "AUTHENTICATION_FAILED"
    answer = client.login()
    assert answer.status_code == 200
    assert answer.json() == {
        "authType": "ADMIN_LOGIN",
        "obfuscateApiKey": False,
        "passwordExpiryTime": 0,
        "passwordExpiryDays": 0,
    }
    cookie = answer.headers["Set-Cookie"]
    assert (
        cookie.startswith("JSESSIONID=")
        and "Secure" in cookie
        and "HttpOnly" in cookie
        and "Path=/" in cookie
    )
    assert client.ok("GET", "/status") == {"status": "ACTIVE"}
    assert client.ok("GET", "/authenticatedSession")["authType"] == "ADMIN_LOGIN"
    assert client.call("DELETE", "/authenticatedSession").status_code == 204
    gone = client.call("GET", "/status")
    assert (gone.status_code, gone.json()) == (
        401,
        {"code": "SESSION_NOT_VALID", "message": "Session is not valid"},
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"api_key": "wrong-key-123456"},
        {"password": "wrong"},
        {"username": "nobody@example.com"},
        {"timestamp": int(time.time() * 1000) - 10 * 60 * 1000},
    ],
    ids=["api-key", "password", "username", "stale-timestamp"],
)
def test_legacy_login_refused(emulator, quick, changes):
    client = Zia(emulator, emulator.create_zia_org())
    refused = client.login(**changes)
    assert (refused.status_code, refused.json()["code"]) == (401, "AUTHENTICATION_FAILED")
    assert "Set-Cookie" not in refused.headers


def test_session_dies_after_idle_timeout(emulator, quick):
    emulator.configure_zia(session_timeout=0.4)
    client = Zia(emulator, emulator.create_zia_org())
    assert client.login().status_code == 200
    for _unused in range(3):  # activity keeps it alive past the timeout
        time.sleep(0.2)
        assert client.call("GET", "/status").status_code == 200
    time.sleep(0.5)
    expired = client.call("GET", "/status")
    assert (expired.status_code, expired.json()["code"]) == (401, "SESSION_NOT_VALID")


# --- documented reads ----------------------------------------------------------------


def test_lite_lists_every_saas_tenant_and_pages(emulator, zia):
    for index in range(5):
        emulator.seed_mip_account(zia.org["org_id"], tenantName=f"Seeded {index}")
    everything = zia.ok("GET", "/casbTenant/lite")
    assert [t["saasApplication"] for t in everything] == ["BITBUCKET"] + ["MIP"] * 5
    assert set(everything[0]) >= {"tenantId", "enterpriseTenantId", "zscalerAppTenantId", "featuresSupported"}
    seeded = everything[1]
    assert not {"connectorType", "labelRetrieval", "tenantInactive"} & set(seeded)
    pages = [zia.ok("GET", "/casbTenant/lite", params={"page": page, "pageSize": 4}) for page in (1, 2, 3)]
    assert [len(page) for page in pages] == [4, 2, 0]
    assert [t["tenantId"] for t in pages[0] + pages[1]] == [t["tenantId"] for t in everything]
    assert len(zia.ok("GET", "/casbTenant/lite", params={"pageSize": 5000, "activeOnly": "true"})) == 6
    assert zia.call("GET", "/casbTenant/lite", params={"page": 0}).json()["code"] == "INVALID_INPUT_ARGUMENT"
    scan = zia.ok("GET", "/casbTenant/scanInfo", params={"pageSize": 2})
    assert [set(s) for s in scan][0] >= {"tenantId", "tenantName", "saasApplication", "scanInfo"}


def test_create_validates_with_entra_and_exposes_the_secret(emulator, zia, connector, assumed):
    created = zia.ok("POST", "/casbTenant", json=account(connector, labelRetrieval=True))
    assert created["saasApplication"] == "MIP" and created["enterpriseTenantId"] == connector["tenant_id"]
    assert created["status"] == ["CASB_TENANT_ACTIVE", "CASB_TENANT_VALIDATION_SUCCESS"]
    assert created["connectorType"] == "CUSTOM" and created["labelRetrieval"] is True
    assert "tagsScanInfo" not in created and created["reAuth"] is False
    assert zia.ok("GET", "/status") == {"status": "PENDING"}
    status = zia.ok("GET", f"/casbTenant/validate/status/{created['tenantId']}")
    assert status["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"]
    assert status["lastValidationMsg"] == {"errorCode": 0, "errorMsg": ""}
    info = status["tenantAuthorizationInfo"]
    assert (info["type"], info["clientId"], info["clientSecret"]) == (
        "CUSTOM",
        connector["client_id"],
        connector["client_secret"],
    )
    assert jwt.decode(info["accessToken"], options={"verify_signature": False})["roles"] == [IPP]
    state = json.dumps(emulator.zia_state(zia.org["org_id"]))
    assert connector["client_secret"] not in state and info["accessToken"] not in state


def test_validation_failures_are_saved_with_the_reason(emulator, api, zia, tenant, connector, assumed):
    wrong = zia.ok("POST", "/casbTenant", json=account(connector, "Wrong secret", secret="not-it"))
    assert (
        wrong["status"] == ["CASB_TENANT_ACTIVE", "CASB_TENANT_VALIDATION_FAILED"] and wrong["reAuth"] is True
    )
    reason = zia.ok("GET", f"/casbTenant/validate/status/{wrong['tenantId']}")["lastValidationMsg"]
    assert reason["errorCode"] == 7000215 and reason["errorMsg"].startswith("AADSTS7000215")

    elsewhere = dict(connector, tenant_id=str(uuid.uuid4()))
    lost = zia.ok("POST", "/casbTenant", json=account(elsewhere, "Unknown tenant"))
    assert (
        "AADSTS90002"
        in zia.ok("GET", f"/casbTenant/validate/status/{lost['tenantId']}")["lastValidationMsg"]["errorMsg"]
    )

    bare = emulator.create_client(tenant["tenant_id"], graph_roles=[], display_name="No consent")
    unconsented = zia.ok("POST", "/casbTenant", json=account(dict(connector, **bare), "No consent"))
    message = zia.ok("GET", f"/casbTenant/validate/status/{unconsented['tenantId']}")["lastValidationMsg"]
    assert "VALIDATION_FAILED" in unconsented["status"][1] and IPP in message["errorMsg"]

    # Admin consent through Graph, then Reauthorize: validation now succeeds.
    token = api.admin_token(tenant)
    graph_sp = api.graph(
        "GET", "/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')", token
    ).json()
    role_id = next(r["id"] for r in graph_sp["appRoles"] if r["value"] == IPP)
    granted = api.graph(
        "POST",
        f"/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo",
        token,
        json={
            "principalId": bare["service_principal_id"],
            "resourceId": graph_sp["id"],
            "appRoleId": role_id,
        },
    )
    assert granted.status_code == 201, granted.text
    body = account(dict(connector, **bare), "No consent", reAuth=True)
    del body["tenantAuthorizationInfo"]  # kept from before
    again = zia.ok("PUT", f"/casbTenant/{unconsented['tenantId']}", json=body)
    assert again["status"][1] == "CASB_TENANT_VALIDATION_SUCCESS" and again["reAuth"] is False


def test_write_contract_input_rules(emulator, zia, connector, assumed):
    created = zia.ok("POST", "/casbTenant", json=account(connector))
    for name in ("contoso mip", "BITBUCKET1"):
        duplicate = zia.call("POST", "/casbTenant", json=account(connector, name))
        assert (duplicate.status_code, duplicate.json()["code"]) == (409, "DUPLICATE_ITEM")
    bad_bodies = [
        account(connector, "ZS", connectorType="ZSCALER_DEFINED"),
        account(connector, "No app", saasApplication="BOX"),
        account(dict(connector, tenant_id="not-a-guid"), "Bad tenant"),
        account(connector, "Flag", labelRetrieval="yes"),
        {k: v for k, v in account(connector, "No creds").items() if k != "tenantAuthorizationInfo"},
        account(connector, ""),
    ]
    for body in bad_bodies:
        refused = zia.call("POST", "/casbTenant", json=body)
        assert (refused.status_code, refused.json()["code"]) == (400, "INVALID_INPUT_ARGUMENT"), body
    tenant_id = created["tenantId"]
    renamed = zia.ok(
        "PUT", f"/casbTenant/{tenant_id}", json={**account(connector, "Renamed"), "tenantInactive": True}
    )
    assert renamed["tenantName"] == "Renamed"
    assert renamed["status"] == ["CASB_TENANT_INACTIVE", "CASB_TENANT_VALIDATION_SUCCESS"]
    assert zia.call("PUT", "/casbTenant/999", json=account(connector)).json()["code"] == "RESOURCE_NOT_FOUND"
    bitbucket = zia.ok("GET", "/casbTenant/lite")[0]["tenantId"]
    assert zia.call("PUT", f"/casbTenant/{bitbucket}", json=account(connector, "X")).status_code == 400
    assert zia.call("DELETE", f"/casbTenant/{tenant_id}").status_code == 204
    assert zia.mip_accounts() == []
    deleted = zia.ok("GET", "/casbTenant/lite", params={"includeDeleted": "true"})[-1]
    assert deleted["tenantDeleted"] is True
    assert zia.call("DELETE", f"/casbTenant/{tenant_id}").status_code == 404
    assert zia.call("GET", f"/casbTenant/{tenant_id}/tags/policy").status_code == 404
    assert zia.ok("POST", "/casbTenant", json=account(connector, "Renamed"))["tenantName"] == "Renamed"


def test_zscaler_defined_accounts_change_only_what_needs_no_sign_in(emulator, zia, connector, assumed):
    seeded = emulator.seed_mip_account(
        zia.org["org_id"], tenantName="ZS", enterpriseTenantId=connector["tenant_id"]
    )
    path = f"/casbTenant/{seeded['tenantId']}"
    body = dict(account(connector, "ZS", connectorType="ZSCALER_DEFINED"))
    del body["tenantAuthorizationInfo"]
    assert zia.ok("PUT", path, json={**body, "labelRetrieval": True})["labelRetrieval"] is True
    for refused in (
        {**body, "reAuth": True},
        {**body, "tenantAuthorizationInfo": account(connector)["tenantAuthorizationInfo"]},
        {**body, "enterpriseTenantId": str(uuid.uuid4())},
        {**body, "connectorType": "CUSTOM"},  # without credentials
    ):
        assert zia.call("PUT", path, json=refused).status_code == 400, refused
    custom = zia.ok("PUT", path, json=account(connector, "ZS"))
    assert (custom["connectorType"], custom["status"][1]) == ("CUSTOM", "CASB_TENANT_VALIDATION_SUCCESS")
    assert zia.call("PUT", path, json=body).status_code == 400  # and never back


# --- activation and label retrieval -----------------------------------------------------


def test_activation_then_label_retrieval(emulator, zia, connector, assumed):
    labels = emulator.seed_labels(connector["tenant_id"], count=3, sublabels_per_label=2)
    assert labels == {"count": 9}
    created = zia.ok("POST", "/casbTenant", json=account(connector, labelRetrieval=True))
    tags_path = f"/casbTenant/{created['tenantId']}/tags/policy"
    time.sleep(0.3)  # nothing happens before an activation
    assert zia.mip_accounts()[0]["status"] == ["CASB_TENANT_ACTIVE", "CASB_TENANT_VALIDATION_SUCCESS"]
    assert zia.ok("GET", tags_path) == []
    assert zia.ok("POST", "/status/activate", json={}) == {"status": "INPROGRESS"}
    assert zia.ok("GET", "/status") == {"status": "INPROGRESS"}
    assert "CASB_TENANT_RETRIEVAL_PENDING" in zia.mip_accounts()[0]["status"]
    assert wait_until(lambda: zia.ok("GET", "/status") == {"status": "ACTIVE"})
    done = wait_until(lambda: "tagsScanInfo" in zia.mip_accounts()[0] and zia.mip_accounts()[0])
    assert done["status"] == ["CASB_TENANT_ACTIVE", "CASB_TENANT_VALIDATION_SUCCESS"]
    scan = done["tagsScanInfo"]
    assert scan["tag_latest_success_scan_time"] >= created["modifiedTime"]
    tags = zia.ok("GET", tags_path)
    source = emulator.labels(connector["tenant_id"])
    assert [t["tagUUID"] for t in tags] == [label["id"] for label in source]
    assert all(set(t) == DOCUMENTED_TAG_FIELDS for t in tags)
    assert {t["tenantId"] for t in tags} == {created["tenantId"]} and not any(t["deleted"] for t in tags)
    assert len(zia.ok("GET", tags_path, params={"pageSize": 4, "page": 3})) == 1
    assert zia.ok("GET", "/casbTenant/scanInfo")[-1]["tagsScanInfo"] == scan

    # Purview changes reach ZIA at the next retrieval, which the next activation starts.
    emulator.rename_label(connector["tenant_id"], source[0]["id"], "Renamed")
    emulator.delete_label(connector["tenant_id"], source[3]["id"])
    zia.ok("POST", "/status/activate", json={})
    wait_until(lambda: "CASB_TENANT_RETRIEVAL_PENDING" not in zia.mip_accounts()[0]["status"])
    tags = {t["tagUUID"]: t for t in zia.ok("GET", tags_path)}
    assert tags[source[0]["id"]]["tagName"] == "Renamed"
    assert tags[source[3]["id"]]["deleted"] and tags[source[4]["id"]]["deleted"]
    assert zia.mip_accounts()[0]["tagsScanInfo"]["tag_prev_scan_time"] == scan["tag_latest_success_scan_time"]


def test_inactive_or_failed_accounts_retrieve_nothing(emulator, zia, connector, assumed):
    inactive = zia.ok(
        "POST", "/casbTenant", json=account(connector, "Off", labelRetrieval=True, tenantInactive=True)
    )
    failed = zia.ok("POST", "/casbTenant", json=account(connector, "Bad", secret="x", labelRetrieval=True))
    assert inactive["status"][0] == "CASB_TENANT_INACTIVE"
    zia.ok("POST", "/status/activate", json={})
    time.sleep(0.5)
    for created in (inactive, failed):
        assert zia.ok("GET", f"/casbTenant/{created['tenantId']}/tags/policy") == []
    assert all("tagsScanInfo" not in a for a in zia.mip_accounts())


def test_portal_made_account_retrieves_without_activation(emulator, zia, connector, assumed):
    seeded = emulator.seed_mip_account(
        zia.org["org_id"],
        tenantName="From the portal",
        enterpriseTenantId=connector["tenant_id"],
        connectorType="CUSTOM",
        clientId=connector["client_id"],
        clientSecret=connector["client_secret"],
        labelRetrieval=True,
    )
    assert "CASB_TENANT_RETRIEVAL_PENDING" in seeded["status"]
    assert zia.ok("GET", "/status") == {"status": "ACTIVE"}
    assert wait_until(lambda: zia.ok("GET", f"/casbTenant/{seeded['tenantId']}/tags/policy"))
    twin = emulator.seed_mip_account(zia.org["org_id"], tenantName="From the portal", validationSuccess=False)
    assert twin["status"][1] == "CASB_TENANT_VALIDATION_FAILED"
    assert [a["tenantName"] for a in zia.mip_accounts()] == ["From the portal"] * 2


# --- limits, locks, maintenance, contract switch ---------------------------------------------


def test_rate_limited_reads_tell_an_accurate_wait_in_each_form(emulator):
    expected = {
        "header_seconds_suffix": ("1s", None),
        "header_zero_seconds": ("0 seconds", None),  # ZIA's way of saying "under a second"
        "body": (None, "1 seconds"),
    }
    clients = {}
    for form, (header, body_field) in expected.items():
        emulator.configure_zia(retry_after_form=form)
        zia = clients[form] = Zia(emulator, emulator.create_zia_org()).sign_in()
        first = zia.call("GET", "/status")
        assert (first.headers["x-ratelimit-limit"], first.headers["x-ratelimit-remaining"]) == (
            "2, 2;w=1",
            "1",
        )
        assert zia.call("GET", "/status").status_code == 200
        limited = zia.call("GET", "/status")
        assert limited.status_code == 429
        assert limited.json()["code"] == "RATE_LIMIT_EXCEEDED"
        assert limited.headers.get("Retry-After") == header
        assert limited.json().get("Retry-After") == body_field
        assert limited.headers["x-ratelimit-remaining"] == "0"
    time.sleep(1.0)  # the told wait
    for zia in clients.values():
        assert zia.call("GET", "/status").status_code == 200


def test_rate_limited_writes_and_deletes(emulator, connector, assumed):
    emulator.configure_zia(activation_seconds=0.1, label_retrieval_seconds=0.1)
    zia = Zia(emulator, emulator.create_zia_org()).sign_in()
    first = zia.ok("POST", "/casbTenant", json=account(connector, "One"))
    limited = zia.call("POST", "/casbTenant", json=account(connector, "Two"))
    assert (limited.status_code, limited.headers["Retry-After"]) == (429, "1s")
    time.sleep(1)
    second = zia.ok("POST", "/casbTenant", json=account(connector, "Two"))
    assert zia.call("DELETE", f"/casbTenant/{first['tenantId']}").status_code == 204
    limited = zia.call("DELETE", f"/casbTenant/{second['tenantId']}")
    assert limited.status_code == 429 and limited.headers["Retry-After"] in ("59s", "60s")
    assert limited.headers["x-ratelimit-limit"] == "1, 1;w=60"
    # Limits are per org: another org is not slowed down.
    other = Zia(emulator, emulator.create_zia_org()).sign_in()
    assert other.call("GET", "/casbTenant/lite").status_code == 200


def test_edit_lock_and_maintenance(emulator, zia, connector, assumed):
    emulator.configure_zia(edit_lock_writes=2)
    for _unused in range(2):
        locked = zia.call("POST", "/casbTenant", json=account(connector))
        assert (locked.status_code, locked.json()["code"]) == (409, "EDIT_LOCK_NOT_AVAILABLE")
    assert zia.call("POST", "/casbTenant", json=account(connector)).status_code == 200
    emulator.configure_zia(maintenance=True)
    for method, path in (("POST", "/casbTenant"), ("POST", "/status/activate")):
        readonly = zia.call(method, path, json=account(connector, "Other"))
        assert (readonly.status_code, readonly.json()["code"]) == (403, "STATE_READONLY")
    assert len(zia.mip_accounts()) == 1


def test_write_contract_switched_off(emulator, zia, connector, assumed):
    created = zia.ok("POST", "/casbTenant", json=account(connector))
    emulator.configure_zia(assumed_write_contract=False)
    for method, path in (
        ("POST", "/casbTenant"),
        ("PUT", f"/casbTenant/{created['tenantId']}"),
        ("DELETE", f"/casbTenant/{created['tenantId']}"),
    ):
        missing = zia.call(method, path, json=account(connector, "Other"))
        assert (missing.status_code, missing.json()["code"]) == (404, "RESOURCE_NOT_FOUND")
    assert [a["tenantName"] for a in zia.mip_accounts()] == ["Contoso MIP"]
    assert zia.ok("POST", "/status/activate", json={}) == {"status": "INPROGRESS"}


def test_faults_answer_in_zia_shape(emulator, zia):
    emulator.add_fault(
        method="GET", path="^/zia/api/v1/casbTenant/lite", status=429, headers={"Retry-After": "2s"}
    )
    emulator.add_fault(path="^/zslogin/", status=503)
    throttled = zia.call("GET", "/casbTenant/lite")
    assert (throttled.status_code, throttled.json()["code"], throttled.headers["Retry-After"]) == (
        429,
        "RATE_LIMIT_EXCEEDED",
        "2s",
    )
    assert "x-request-id" in throttled.headers
    unavailable = zia.token_response()
    assert (unavailable.status_code, unavailable.json()["error"]) == (503, "temporarily_unavailable")


def test_request_log_keeps_zia_calls_without_secrets(emulator, zia, connector, assumed):
    emulator.clear_requests()
    legacy = Zia(emulator, zia.org)
    legacy.login()
    session_id = legacy.session.cookies["JSESSIONID"]
    legacy.ok("GET", "/casbTenant/lite", params={"page": 1, "pageSize": 10})
    zia.sign_in().ok("POST", "/casbTenant", json=account(connector))
    entries = emulator.requests()
    assert [(e["method"], e["service"], e["path"], e["query"], e["status"]) for e in entries] == [
        ("POST", "zia", "/zia/api/v1/authenticatedSession", "", 200),
        ("GET", "zia", "/zia/api/v1/casbTenant/lite", "page=1&pageSize=10", 200),
        ("POST", "zidentity", "/zslogin/oauth2/v1/token", "", 200),
        ("POST", "zia", "/zia/api/v1/casbTenant", "", 200),
    ]
    dumped = json.dumps(entries)
    for secret in (
        session_id,
        zia.org["oneapi_client_secret"],
        zia.org["password"],
        connector["client_secret"],
    ):
        assert secret not in dumped
    assert zia.headers["Authorization"].split()[1] not in dumped


def test_zia_control_api_over_https(emulator):
    def control(method, path, **kwargs):
        return requests.request(
            method, f"{emulator.url}/_emulator/zia{path}", verify=emulator.ca_file, timeout=10, **kwargs
        )

    org = control("POST", "/orgs").json()
    assert set(org) == {
        "org_id",
        "vanity",
        "oneapi_client_id",
        "oneapi_client_secret",
        "username",
        "password",
        "api_key",
    }
    assert len(org["api_key"]) >= 12 and org["api_key"].isalnum()
    seeded = control("POST", f"/orgs/{org['org_id']}/mip_accounts", json={"tenantName": "Portal"})
    assert seeded.status_code == 201 and seeded.json()["status"] == RECORDED_MIP["status"]
    edited = control(
        "PATCH",
        f"/orgs/{org['org_id']}/mip_accounts/{seeded.json()['tenantId']}",
        json={"tenantInactive": True},
    )
    assert edited.status_code == 200 and edited.json()["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"]
    assert control("PATCH", f"/orgs/{org['org_id']}/mip_accounts/1", json={}).status_code == 404
    state = control("GET", f"/orgs/{org['org_id']}").json()
    assert [t["tenantName"] for t in state["tenants"]] == ["Bitbucket1", "Portal"]
    assert org["password"] not in json.dumps(state) and org["api_key"] not in json.dumps(state)
    changed = control("POST", "/config", json={"retry_after_form": "body", "edit_lock_writes": 1}).json()
    assert (changed["retry_after_form"], changed["edit_lock_writes"]) == ("body", 1)
    assert control("POST", "/config", json={"retry_after_form": "smoke"}).status_code == 400
    assert control("POST", "/config", json={"surprise": 1}).status_code == 400
    assert control("GET", "/orgs/1").status_code == 404


# --- the default mode: recorded and documented shapes only ------------------------------------


def test_default_mode_lists_accounts_in_the_recorded_shape(emulator, zia, connector):
    emulator.seed_labels(connector["tenant_id"], count=2, sublabels_per_label=1)
    seeded = emulator.seed_mip_account(
        zia.org["org_id"],
        tenantName="Recorded shape",
        enterpriseTenantId=connector["tenant_id"],
        connectorType="CUSTOM",
        clientId=connector["client_id"],
        clientSecret=connector["client_secret"],
        labelRetrieval=True,
    )
    entry = wait_until(lambda: next((a for a in zia.mip_accounts() if "tagsScanInfo" in a), None))
    assert list(entry) == list(RECORDED_MIP)  # the recorded keys, in the recorded order, and no others
    assert set(entry["status"]) <= RECORDED_STATUSES and entry["status"] == RECORDED_MIP["status"]
    assert entry["zscalerAppTenantId"]["name"] == connector["client_id"]
    tags = zia.ok("GET", f"/casbTenant/{seeded['tenantId']}/tags/policy")
    assert len(tags) == 4 and all(set(tag) == DOCUMENTED_TAG_FIELDS for tag in tags)
    for method, path in (("POST", "/casbTenant"), ("PUT", f"/casbTenant/{seeded['tenantId']}")):
        missing = zia.call(method, path, json=account(connector, "Other"))
        assert (missing.status_code, missing.json()["code"]) == (404, "RESOURCE_NOT_FOUND")


def test_default_mode_leaves_unrecorded_status_values_out(emulator, zia, connector):
    org_id = zia.org["org_id"]
    failed = emulator.seed_mip_account(org_id, tenantName="Failed", validationSuccess=False)
    inactive = emulator.seed_mip_account(org_id, tenantName="Off", tenantInactive=True)
    assert failed["status"] == ["CASB_TENANT_ACTIVE"] and failed["reAuth"] is False
    assert inactive["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"]
    assert zia.ok("GET", f"/casbTenant/validate/status/{failed['tenantId']}")["status"] == []
    for entry in zia.mip_accounts():
        assert set(entry["status"]) <= RECORDED_STATUSES
    emulator.configure_zia(assumed_status_values=True)
    guessed = {a["tenantName"]: a["status"] for a in zia.mip_accounts()}
    assert guessed == {
        "Failed": ["CASB_TENANT_ACTIVE", "CASB_TENANT_VALIDATION_FAILED"],
        "Off": ["CASB_TENANT_INACTIVE", "CASB_TENANT_VALIDATION_SUCCESS"],
    }


def test_a_person_edits_and_deletes_through_the_control_api(emulator, zia, connector):
    emulator.seed_labels(connector["tenant_id"], count=2)
    org_id = zia.org["org_id"]
    seeded = emulator.seed_mip_account(
        org_id, tenantName="Manual", enterpriseTenantId=connector["tenant_id"], validationSuccess=True
    )
    emulator.edit_mip_account(
        org_id, seeded["tenantId"], clientId=connector["client_id"], clientSecret="wrong", labelRetrieval=True
    )
    reason = zia.ok("GET", f"/casbTenant/validate/status/{seeded['tenantId']}")["lastValidationMsg"]
    assert reason["errorMsg"].startswith("AADSTS7000215")
    edited = emulator.edit_mip_account(org_id, seeded["tenantId"], clientSecret=connector["client_secret"])
    assert edited["status"] == RECORDED_MIP["status"]
    assert wait_until(lambda: zia.ok("GET", f"/casbTenant/{seeded['tenantId']}/tags/policy"))
    state = emulator.zia_state(org_id)["tenants"][-1]
    assert state["portal"] == {"connectorType": "CUSTOM", "labelRetrieval": True, "tenantInactive": False}
    assert zia.ok("GET", "/status") == {"status": "ACTIVE"} or wait_until(
        lambda: zia.ok("GET", "/status") == {"status": "ACTIVE"}
    )
    emulator.delete_mip_account(org_id, seeded["tenantId"])
    assert zia.mip_accounts() == []


def test_a_recorded_entry_is_replayed_verbatim(emulator, zia):
    tags = [
        {
            "tagId": 1,
            "tagName": "Public",
            "tagUUID": str(uuid.uuid4()),
            "tenantId": RECORDED_MIP["tenantId"],
            "deleted": False,
        }
    ]
    emulator.replay_recorded_tenant(zia.org["org_id"], RECORDED_MIP, tags)
    assert zia.mip_accounts() == [RECORDED_MIP]
    assert zia.ok("GET", f"/casbTenant/{RECORDED_MIP['tenantId']}/tags/policy") == tags
    assert zia.call("GET", f"/casbTenant/validate/status/{RECORDED_MIP['tenantId']}").status_code == 404
