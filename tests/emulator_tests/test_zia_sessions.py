"""The emulated ZIA's session ends: a legacy session activates the changes it saved when
it logs out or goes idle; a OneAPI token does not by itself. POST and PUT need
Content-Type: application/json (415 otherwise).
"""

import time

import pytest
from test_zia import IPP, Zia, account, wait_until


@pytest.fixture
def quick_sessions(emulator):
    emulator.configure_zia(rate_limits=False, activation_seconds=0.0, label_retrieval_seconds=0.2)


@pytest.fixture
def org(emulator, quick_sessions):
    return emulator.create_zia_org()


@pytest.fixture
def connector(emulator, tenant):
    client = emulator.create_client(tenant["tenant_id"], graph_roles=[IPP], display_name="Zscaler MIP")
    return {"tenant_id": tenant["tenant_id"], **client}


def legacy(emulator, org):
    client = Zia(emulator, org)
    assert client.login().status_code == 200
    return client


def status(emulator, org_id):
    return emulator.zia_state(org_id)["status"]


def test_legacy_logout_activates_what_the_session_saved(emulator, org, connector):
    client = legacy(emulator, org)
    client.ok("POST", "/casbTenant", json=account(connector))
    assert status(emulator, org["org_id"]) == "PENDING"
    assert client.call("DELETE", "/authenticatedSession").status_code == 204
    assert status(emulator, org["org_id"]) == "ACTIVE"


def test_legacy_logout_leaves_what_others_saved(emulator, org, connector):
    oneapi = Zia(emulator, org).sign_in()
    oneapi.ok("POST", "/casbTenant", json=account(connector))
    reader = legacy(emulator, org)
    reader.ok("GET", "/casbTenant/lite")
    assert reader.call("DELETE", "/authenticatedSession").status_code == 204
    assert status(emulator, org["org_id"]) == "PENDING"


def test_legacy_idle_timeout_activates_what_the_session_saved(emulator, org, connector):
    emulator.configure_zia(session_timeout=0.3)
    client = legacy(emulator, org)
    client.ok("POST", "/casbTenant", json=account(connector))
    assert status(emulator, org["org_id"]) == "PENDING"
    assert wait_until(lambda: status(emulator, org["org_id"]) == "ACTIVE", timeout=3.0)
    expired = client.call("GET", "/status")
    assert (expired.status_code, expired.json()["code"]) == (401, "SESSION_NOT_VALID")


def test_an_explicit_activation_leaves_nothing_for_the_session_end(emulator, org, connector):
    emulator.configure_zia(activation_seconds=0.5)
    client = legacy(emulator, org)
    client.ok("POST", "/casbTenant", json=account(connector))
    assert client.ok("POST", "/status/activate", json={}) == {"status": "INPROGRESS"}
    other = Zia(emulator, org).sign_in()
    other.ok("POST", "/casbTenant", json=account(connector, "Other MIP"))
    wait_until(lambda: status(emulator, org["org_id"]) == "PENDING")
    client.call("DELETE", "/authenticatedSession")
    assert status(emulator, org["org_id"]) == "PENDING"


def test_oneapi_changes_stay_staged_until_activated(emulator, org, connector):
    client = Zia(emulator, org).sign_in()
    client.ok("POST", "/casbTenant", json=account(connector))
    emulator.configure_zia(session_timeout=0.1)  # legacy idle timeouts do not touch tokens
    time.sleep(0.2)
    assert client.ok("GET", "/status") == {"status": "PENDING"}
    # Zscaler's Python SDK ends a OneAPI client's ZIA session this way to activate.
    assert client.call("DELETE", "/authenticatedSession").status_code == 204
    assert client.ok("GET", "/status") == {"status": "ACTIVE"}


@pytest.mark.parametrize("headers", [{}, {"Content-Type": "text/plain"}], ids=["none", "text"])
def test_activate_without_json_content_type_is_415(emulator, org, headers):
    client = Zia(emulator, org).sign_in()
    refused = client.call("POST", "/status/activate", headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (415, "UNSUPPORTED_MEDIA_TYPE")
    assert client.ok("POST", "/status/activate", json={}) == {"status": "ACTIVE"}
