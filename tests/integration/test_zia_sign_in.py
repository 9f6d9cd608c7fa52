"""ZIA sign-in through the real modules: what a legacy session's end activates under each
sign-in, and the OneAPI private key (key text or path) that never reaches the output."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from proof_helpers import run_batch
from test_mip_account import ACTIVATION, INFO, MIP, account_args, assert_ok, zia_writes

SESSION_END_WARNING = "when its legacy API session ended"


@pytest.fixture
def connector(tenant):
    return tenant.make_connector()


def test_activate_false_holds_changes_back_under_oneapi_only(tenant, connector, emulator):
    org_id = tenant.zia_org["org_id"]
    oneapi = tenant.run_module(account_args(tenant, connector, name="Held MIP", activate=False), module=MIP,
                               zia="oneapi", no_log=False)
    assert_ok(oneapi)
    assert oneapi.result["activation"]["activated_by_session_end"] is False
    assert SESSION_END_WARNING not in oneapi.output
    assert emulator.zia_state(org_id)["status"] == "PENDING"

    legacy = tenant.run_module(account_args(tenant, connector, name="Logout MIP", activate=False), module=MIP,
                               zia="legacy", no_log=False)
    assert_ok(legacy)
    assert legacy.result["changed"] is True and legacy.result["activation"]["activated"] is False
    assert not any(r["path"].endswith("/status/activate") for r in legacy.requests)
    # The logout activated what the session saved; ZIA's configuration is no longer staged.
    assert legacy.result["activation"]["activated_by_session_end"] is True
    assert SESSION_END_WARNING in legacy.output and "OneAPI" in legacy.output
    assert emulator.zia_state(org_id)["status"] != "PENDING"

    activation = tenant.run_module({}, module=ACTIVATION, zia="legacy")
    assert_ok(activation)
    assert activation.result["changed"] is False and zia_writes(activation) == []


def test_legacy_run_that_activates_itself_reports_no_session_end_activation(tenant, connector):
    run = tenant.run_module(account_args(tenant, connector, name="Active MIP"), module=MIP, zia="legacy")
    assert_ok(run)
    assert run.result["activation"]["activated"] is True
    assert run.result["activation"]["activated_by_session_end"] is False


def test_private_key_as_text_or_path_signs_in_and_never_reaches_the_output(tenant, emulator):
    key = emulator.zia_oneapi_key(tenant.zia_org["org_id"])
    pem = key["private_key"]
    path = tenant.tmp_path / "oneapi.pem"
    path.write_text(pem)
    path.chmod(0o600)
    lines = pem.splitlines()
    damaged = "\n".join(lines[:3] + lines[5:])
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    oneapi = {"zscaler_client_id": key["client_id"],
              "zscaler_token_url": emulator.url + "/zslogin/oauth2/v1/token"}
    cases = [
        {"id": "text", "module": INFO, "args": dict(oneapi, zscaler_private_key=pem)},
        {"id": "path", "module": INFO, "args": dict(oneapi, zscaler_private_key=str(path))},
        {"id": "damaged", "module": INFO, "args": dict(oneapi, zscaler_private_key=damaged)},
        {"id": "unknown key", "module": INFO, "args": dict(oneapi, zscaler_private_key=other)},
        {"id": "certificate path", "module": "mipconnect.zia.azure_app_connector",
         "args": {"display_name": "Zscaler MIP", "unique_name": "zscaler-mip", "applications": ["mip"],
                  "auth_certificate_path": other}, "task": {"check_mode": True}},
    ]
    outcomes, output, _code = run_batch(tenant, cases, zia="oneapi", drop_env=("ZSCALER_CLIENT_SECRET", "AZURE_CLIENT_SECRET"),
                                        verbosity=3, diff=True)
    for case in ("text", "path"):
        assert not outcomes[case].result.get("failed"), outcomes[case].result.get("msg")
        assert outcomes[case].result["accounts"] == []
    assert "zscaler_private_key" in outcomes["damaged"].result["msg"]
    assert outcomes["unknown key"].result["failed"] and "invalid_client" in outcomes["unknown key"].result["msg"]
    assert "auth_certificate_path" in outcomes["certificate path"].result["msg"]
    assert "PEM text, not a path" in outcomes["certificate path"].result["msg"]
    secret_lines = [line for text in (pem, other) for line in text.splitlines() if not line.startswith("-----")]
    assert secret_lines and not [line for line in secret_lines if line in output]
    assert str(path) not in output  # no_log hides the path too
