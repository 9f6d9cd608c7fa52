"""azure_app_connector, run by ansible-playbook against the emulator."""

import json
import os
import re
import stat

import pytest
import requests

from helpers import token_with_secret

APPLICATIONS = ["mip", "exchange", "onedrive", "sharepoint", "teams", "azure_blob_storage", "copilot"]
SECRET_FREE_KEYS = ("secrets", "diff", "changes", "permissions")


def connector_args(tenant, applications, **extra):
    args = {
        "display_name": "Zscaler %s Connector" % "/".join(applications),
        "unique_name": "zscaler-%s" % "-".join(applications).replace("_", "-"),
        "applications": applications,
    }
    if "sharepoint" in applications:
        args["private_key_json_path"] = str(tenant.tmp_path / "sharepoint.json")
    if "azure_blob_storage" in applications:
        args["subscription_id"] = tenant.subscription_id
    args.update(extra)
    return args


def without_times(changes):
    return [re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<time>", change) for change in changes]


def assert_ok(run):
    assert not run.result.get("failed"), run.result.get("msg") or run.output


@pytest.mark.parametrize("application", APPLICATIONS)
def test_first_run_builds_the_connector_and_second_run_changes_nothing(tenant, application):
    args = connector_args(tenant, [application])
    first = tenant.run_module(args)
    assert_ok(first)
    assert first.result["changed"] is True
    assert first.result["client_secret"]
    granted = first.result["permissions"]
    assert all(not entry["missing"] for entry in granted.values()), granted

    # The secret the module returned really authenticates the connector.
    assert token_with_secret(tenant, first.result["client_id"], first.result["client_secret"])

    second = tenant.run_module(args)
    assert_ok(second)
    assert second.result["changed"] is False, second.result["changes"]
    assert "client_secret" not in second.result
    assert second.writes == []
    assert second.result["client_id"] == first.result["client_id"]
    if application == "mip":
        # The token comes from the shared cache; then application, service principal
        # and its app role assignments: nothing else.
        assert [r["service"] for r in second.requests] == ["graph"] * 3, [r["path"] for r in second.requests]

    state = tenant.state()
    ours = [a for a in state["applications"] if a.get("uniqueName") == args["unique_name"]]
    assert len(ours) == 1
    assert len(ours[0]["passwordCredentials"]) == 1

    if application == "sharepoint":
        path = args["private_key_json_path"]
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with open(path) as handle:
            assert set(json.load(handle)) == {"private_key", "public_cert"}
        assert first.result["certificate"]["thumbprint"] == second.result["certificate"]["thumbprint"]
        assert len(ours[0]["keyCredentials"]) == 1
    if application == "azure_blob_storage":
        assignments = [r for r in state["roleAssignments"]
                       if r["properties"]["principalId"] == first.result["service_principal_id"]]
        assert len(assignments) == 2
        assert all(r["properties"]["principalType"] == "ServicePrincipal" for r in assignments)
    if application == "copilot":
        assert first.result["power_platform"]["registered"] is None
        assert "New-PowerAppManagementApp -ApplicationId <Zscaler SaaS Connector ID>" in first.result["pending_steps"][0]
        assert "copy the Zscaler SaaS Connector ID that ZIA shows after Authorize" in first.result["pending_steps"][0]
        assert any("Zscaler SaaS Connector ID" in step for step in first.result["portal_steps"])


def test_mip_connector_token_carries_the_granted_roles(tenant):
    run = tenant.run_module(connector_args(tenant, ["mip"]))
    assert_ok(run)
    claims = token_with_secret(tenant, run.result["client_id"], run.result["client_secret"])
    assert "InformationProtectionPolicy.Read.All" in claims["roles"]


def test_check_mode_sends_only_reads_and_predicts_the_changes(tenant):
    args = connector_args(tenant, ["mip"])
    planned = tenant.run_module(args, check=True, diff=True)
    assert_ok(planned)
    assert planned.result["changed"] is True
    assert planned.writes == [], planned.writes
    assert any("create application" in change for change in planned.result["changes"])
    assert "client_secret" not in planned.result
    assert not [a for a in tenant.state()["applications"] if a.get("uniqueName") == args["unique_name"]]

    real = tenant.run_module(args)
    assert_ok(real)
    assert without_times(real.result["changes"]) == without_times(planned.result["changes"])

    again = tenant.run_module(args, check=True)
    assert again.result["changed"] is False
    assert again.writes == []


def test_diff_shows_before_and_after_without_secret_values(tenant):
    run = tenant.run_module(connector_args(tenant, ["mip"]), diff=True)
    assert_ok(run)
    diff = run.result["diff"]
    assert diff["before"]["exists"] is False
    assert diff["after"]["exists"] is True
    assert "Microsoft Graph: InformationProtectionPolicy.Read.All (application)" in diff["after"]["required_permissions"]
    assert len(diff["after"]["secrets"]) == 1
    assert run.result["client_secret"] not in json.dumps(diff)


def test_secret_is_absent_from_verbose_output(tenant):
    run = tenant.run_module(connector_args(tenant, ["mip"]), verbosity=3, diff=True)
    assert_ok(run)
    secret = run.result["client_secret"]
    assert secret not in run.output
    assert "censored" in run.output or "no_log" in run.output


def test_without_no_log_a_new_secret_is_refused_before_any_write(tenant):
    run = tenant.run_module(connector_args(tenant, ["mip"]), no_log=False)
    assert run.result["failed"]
    assert "no_log" in run.result["msg"]
    assert run.writes == []


def test_rotation_adds_then_removes_only_when_asked(tenant):
    args = connector_args(tenant, ["mip"])
    first = tenant.run_module(args)
    assert_ok(first)
    assert first.result["secret_rotation"] == {"due": False, "reason": "not due",
                                               "expires": first.result["secrets"][0]["expires"]}

    rotated = tenant.run_module(dict(args, rotate="always"))
    assert_ok(rotated)
    assert rotated.result["client_secret"] != first.result["client_secret"]
    assert len(rotated.result["secrets"]) == 2
    # The old one is not removed yet: to the rotation role, a rotation that did not finish.
    assert rotated.result["secret_rotation"]["reason"] == "an earlier rotation did not finish (2 secrets)"
    assert rotated.result["secret_rotation"]["due"] is True
    # The old secret still works until it is removed.
    assert token_with_secret(tenant, first.result["client_id"], first.result["client_secret"])

    cleaned = tenant.run_module(dict(args, remove_old_secrets_after=0))
    assert_ok(cleaned)
    assert cleaned.result["changed"] is True
    assert len(cleaned.result["secrets"]) == 1
    assert token_with_secret(tenant, first.result["client_id"], rotated.result["client_secret"])
    with pytest.raises(AssertionError):
        token_with_secret(tenant, first.result["client_id"], first.result["client_secret"])

    steady = tenant.run_module(dict(args, rotate="when_expiring", remove_old_secrets_after=0))
    assert steady.result["changed"] is False


def test_when_expiring_rotates_a_short_lived_secret(tenant):
    args = connector_args(tenant, ["mip"], secret_expires_in_days=10)
    made = tenant.run_module(args)
    assert_ok(made)
    expires = made.result["secrets"][0]["expires"]
    assert made.result["secret_rotation"] == {"due": True, "reason": "the secret expires %s" % expires,
                                              "expires": expires}
    rotated = tenant.run_module(dict(args, rotate="when_expiring", rotate_before_days=9,
                                     secret_expires_in_days=730))
    assert_ok(rotated)
    assert rotated.result["changed"] is False  # 10 days left > 9
    assert rotated.result["secret_rotation"]["due"] is False
    rotated = tenant.run_module(dict(args, rotate="when_expiring", rotate_before_days=30,
                                     secret_expires_in_days=730))
    assert_ok(rotated)
    assert rotated.result["client_secret"]


def test_absent_removes_what_the_module_made(tenant):
    args = connector_args(tenant, ["azure_blob_storage"])
    made = tenant.run_module(args)
    assert_ok(made)
    gone = tenant.run_module(dict(args, state="absent"))
    assert_ok(gone)
    assert gone.result["changed"] is True
    state = tenant.state()
    assert not [a for a in state["applications"] if a.get("uniqueName") == args["unique_name"]]
    assert not [r for r in state["roleAssignments"]
                if r["properties"]["principalId"] == made.result["service_principal_id"]]
    again = tenant.run_module(dict(args, state="absent"))
    assert again.result["changed"] is False


def test_replication_delay_is_waited_out(tenant, emulator):
    emulator.configure(replication_delay=2.0)
    try:
        run = tenant.run_module(connector_args(tenant, ["mip", "azure_blob_storage"]))
    finally:
        emulator.configure(replication_delay=emulator.default_replication_delay)
    assert_ok(run)
    assert all(not entry["missing"] for entry in run.result["permissions"].values())


def test_throttling_is_survived(tenant, emulator):
    emulator.add_fault(method="GET", path=r"^/graph/v1\.0/applications", status=429,
                       headers={"Retry-After": "1"}, times=2)
    try:
        run = tenant.run_module(connector_args(tenant, ["mip"]))
    finally:
        emulator.clear_faults()
    assert_ok(run)
    statuses = [r["status"] for r in run.requests if r["path"].startswith("/graph/v1.0/applications")]
    assert statuses[:3] == [429, 429, 404]


def test_copilot_registration_with_an_admin_token(tenant, emulator):
    token = emulator.user_token(tenant.tenant_id, audience="https://service.powerapps.com/", admin=True)
    args = connector_args(tenant, ["copilot"], power_platform_token=token)
    first = tenant.run_module(args)
    assert_ok(first)
    assert first.result["power_platform"]["registered"] is True
    # Zscaler's steps register the Zscaler SaaS Connector ID shown after Authorize: the person compares it.
    assert len(first.result["pending_steps"]) == 1
    assert "Zscaler SaaS Connector ID" in first.result["pending_steps"][0]
    assert first.result["client_id"] in first.result["pending_steps"][0]
    second = tenant.run_module(args)
    assert second.result["changed"] is False
    assert second.result["pending_steps"] == first.result["pending_steps"]


def test_caller_without_consent_rights_gets_the_consent_url(tenant, emulator):
    limited = emulator.create_client(tenant.tenant_id, graph_roles=["Application.ReadWrite.All"])
    run = tenant.run_module(connector_args(tenant, ["mip"]), client=limited)
    assert run.result["failed"]
    assert "/common/adminconsent?client_id=" in run.result["msg"]
    assert "state=administration%2Fmip-labels" in run.result["msg"]
    assert run.result["changes"]  # the application was made before consent failed


@pytest.mark.parametrize("args, option", [
    ({"tenant_id": "not-a-guid"}, "tenant_id"),
    ({"app_id": "1234"}, "app_id"),
    ({"secret_expires_in_days": 0}, "secret_expires_in_days"),
    ({"secret_expires_in_days": 5000}, "secret_expires_in_days"),
    ({"applications": ["mip", "sharepoint"]}, "private_key_json_path"),
    ({"applications": ["azure_blob_storage"]}, "subscription_id"),
    ({"display_name": "bad\nname"}, "display_name"),
    ({"redirect_uris": ["http://console.zscaler.com"]}, "redirect_uris"),
    ({"graph_url": "http://graph.example"}, "graph_url"),
    ({"applications": ["wordpad"]}, "applications"),
])
def test_bad_input_fails_before_any_request(tenant, args, option):
    base = {"display_name": "Zscaler", "unique_name": "bad-input", "applications": ["mip"]}
    base.update(args)
    run = tenant.run_module(base)
    assert run.result["failed"]
    assert option in run.result["msg"]
    assert "Traceback" not in run.output
    assert run.requests == []


def test_emulator_rejects_a_graph_request_that_breaks_the_schema(tenant, emulator):
    """Guards the harness itself: the emulator validates requests like Graph."""
    token = token_with_secret(tenant, tenant.info["admin_client_id"], tenant.info["admin_client_secret"],
                              raw=True)
    answer = requests.post(emulator.url + "/graph/v1.0/applications", json={"displayName": 5},
                           headers={"Authorization": "Bearer " + token}, verify=emulator.ca_file, timeout=10)
    assert answer.status_code == 400


def test_token_cache_can_be_turned_off(tenant):
    args = connector_args(tenant, ["mip"])
    assert_ok(tenant.run_module(args))
    cached = tenant.run_module(args)
    uncached = tenant.run_module(dict(args, token_cache=False))

    def token_calls(run):
        return [r for r in run.requests if r["path"].endswith("/oauth2/v2.0/token")]
    assert token_calls(cached) == []
    assert len(token_calls(uncached)) == 1


@pytest.mark.parametrize("change, words", [
    ({"client_secret": "wrong-secret"}, "AADSTS7000215"),
    ({"client_id": "00000000-1111-2222-3333-444444444444"}, "AADSTS700016"),
])
def test_token_errors_become_sentences(tenant, change, words):
    client = {"client_id": tenant.info["admin_client_id"], "client_secret": tenant.info["admin_client_secret"]}
    client.update(change)
    run = tenant.run_module(connector_args(tenant, ["mip"]), client=client)
    assert run.result["failed"]
    assert words in run.result["msg"]
    assert "wrong-secret" not in run.output
    assert run.writes == []


def test_unknown_tenant_is_named(tenant):
    run = tenant.run_module(dict(connector_args(tenant, ["mip"]), tenant_id="99999999-9999-9999-9999-999999999999"))
    assert run.result["failed"]
    assert "AADSTS90002" in run.result["msg"], run.result["msg"]


def test_certificate_authentication(tenant):
    """The caller can sign in with a certificate: use the SharePoint connector's own certificate."""
    made = tenant.run_module(connector_args(tenant, ["sharepoint"]))
    assert_ok(made)
    with open(str(tenant.tmp_path / "sharepoint.json")) as handle:
        stored = json.load(handle)
    pem = tenant.tmp_path / "connector.pem"
    pem.write_text(stored["private_key"] + stored["public_cert"])
    args = dict(connector_args(tenant, ["sharepoint"]), auth_certificate_path=str(pem))
    client = {"client_id": made.result["client_id"], "client_secret": ""}
    run = tenant.run_module(args, client=client, check=True)
    assert_ok(run)
    assert run.result["changed"] is False
    token_paths = [r for r in run.requests if r["path"].endswith("/oauth2/v2.0/token")]
    assert token_paths and all(r["status"] == 200 for r in token_paths)


def test_purge_removes_permissions_no_application_asks_for(tenant):
    wide = connector_args(tenant, ["mip", "exchange"])
    made = tenant.run_module(wide)
    assert_ok(made)
    narrow = dict(wide, applications=["mip"])
    kept = tenant.run_module(narrow)
    assert_ok(kept)
    assert kept.result["changed"] is False  # without purge, extra permissions stay

    purged = tenant.run_module(dict(narrow, purge_permissions=True), diff=True)
    assert_ok(purged)
    assert any(change.startswith("revoke app role") for change in purged.result["changes"])
    after = purged.result["diff"]["after"]["required_permissions"]
    assert not [p for p in after if "Mail.Send" in p]
    assert [p for p in after if "InformationProtectionPolicy.Read.All" in p]
    claims = token_with_secret(tenant, made.result["client_id"], made.result["client_secret"])
    assert "Mail.Send" not in claims.get("roles", [])
    assert "InformationProtectionPolicy.Read.All" in claims["roles"]
    again = tenant.run_module(dict(narrow, purge_permissions=True))
    assert again.result["changed"] is False, again.result["changes"]


def test_certificate_renewal_keeps_the_old_certificate_until_zia_has_the_new_one(tenant):
    args = connector_args(tenant, ["sharepoint"], unique_name="zscaler-renewal", certificate_validity_days=20,
                          certificate_renew_before_days=5)
    made = tenant.run_module(args)
    assert_ok(made)
    old = made.result["certificate"]["thumbprint"]
    renewing = dict(args, certificate_validity_days=1461, certificate_renew_before_days=30)
    renewed = tenant.run_module(renewing)
    assert_ok(renewed)
    new = renewed.result["certificate"]["thumbprint"]
    assert new != old
    assert any("keeping %s until it expires" % old in c for c in renewed.result["changes"])
    assert any(args["private_key_json_path"] in step and old in step for step in renewed.result["pending_steps"])
    keys = [a for a in tenant.state()["applications"] if a.get("uniqueName") == "zscaler-renewal"][0]["keyCredentials"]
    assert len(keys) == 2  # ZIA can still sign in with the old private key
    with open(args["private_key_json_path"]) as handle:
        assert json.load(handle)["public_cert"].startswith("-----BEGIN CERTIFICATE-----")
    again = tenant.run_module(renewing)
    assert again.result["changed"] is False, again.result["changes"]
    assert again.result["certificate"]["thumbprint"] == new


def test_purge_removes_unlisted_delegated_scopes_and_their_grants(tenant):
    wide = connector_args(tenant, ["mip", "azure_blob_storage"], unique_name="zscaler-purge-delegated")
    made = tenant.run_module(wide)
    assert_ok(made)
    sp_id = made.result["service_principal_id"]

    def grants():
        return [g for g in tenant.state()["oauth2PermissionGrants"] if g["clientId"] == sp_id]

    assert grants() and all("user_impersonation" in g["scope"] for g in grants())
    narrow = dict(wide, applications=["mip"], purge_permissions=True)
    narrow.pop("subscription_id")
    planned = tenant.run_module(narrow, check=True)
    assert_ok(planned)
    assert [c for c in planned.result["changes"] if c.startswith("revoke delegated user_impersonation")]
    assert [r for r in planned.requests if r["method"] != "GET" and "/oauth2/" not in r["path"]] == []
    assert len(grants()) == 2
    purged = tenant.run_module(narrow)
    assert_ok(purged)
    assert len([c for c in purged.result["changes"] if c.startswith("revoke delegated")]) == 2
    assert grants() == []
    again = tenant.run_module(narrow)
    assert again.result["changed"] is False, again.result["changes"]


def test_upsert_of_an_app_the_lookup_missed_reads_it_back(tenant, emulator):
    """The lookup misses an existing app (a lagging replica): the upsert answers 204 with no body."""
    args = connector_args(tenant, ["mip"])
    first = tenant.run_module(args)
    assert_ok(first)
    emulator.add_fault(method="GET", path=r"/graph/v1\.0/applications\(uniqueName=", status=404, times=1)
    try:
        missed = tenant.run_module(args)
    finally:
        emulator.clear_faults()
    assert_ok(missed)
    upserts = [(r["method"], r["status"]) for r in missed.requests if "applications(uniqueName=" in r["path"]]
    assert upserts == [("GET", 404), ("PATCH", 204), ("GET", 200)], upserts
    assert missed.result["client_id"] == first.result["client_id"]
    assert missed.result["object_id"] == first.result["object_id"]
    assert missed.result["service_principal_id"] == first.result["service_principal_id"]
    assert "client_secret" not in missed.result
    assert not missed.result["permissions"]["Microsoft Graph"]["missing"]
    state = tenant.state()
    assert len([a for a in state["applications"] if a.get("uniqueName") == args["unique_name"]]) == 1
    assert len([s for s in state["servicePrincipals"] if s.get("appId") == first.result["client_id"]]) == 1
    again = tenant.run_module(args)
    assert_ok(again)
    assert again.result["changed"] is False and again.writes == [], again.result["changes"]


def test_without_consent_grants_the_report_shows_what_is_granted(tenant):
    args = connector_args(tenant, ["azure_blob_storage"])  # application and delegated permissions
    assert_ok(tenant.run_module(args))
    report = tenant.run_module(dict(args, grant_admin_consent=False))
    assert_ok(report)
    assert report.result["changed"] is False and report.writes == []
    permissions = report.result["permissions"]
    assert all(not entry["missing"] for entry in permissions.values()), permissions
    assert any(entry["granted"] for entry in permissions.values())

    fresh = connector_args(tenant, ["mip"], unique_name="zscaler-no-consent")
    made = tenant.run_module(dict(fresh, grant_admin_consent=False))
    assert_ok(made)
    assert not [c for c in made.result["changes"] if c.startswith("grant")]
    assert made.result["permissions"]["Microsoft Graph"]["granted"] == []
    assert "InformationProtectionPolicy.Read.All" in made.result["permissions"]["Microsoft Graph"]["missing"]


def test_a_private_key_file_others_can_read_is_refused_before_any_write(tenant):
    args = connector_args(tenant, ["sharepoint"])
    assert_ok(tenant.run_module(args))
    os.chmod(args["private_key_json_path"], 0o640)
    run = tenant.run_module(args)
    assert run.result["failed"]
    assert "private_key_json_path" in run.result["msg"]
    assert "chmod 600" in run.result["msg"]
    assert run.requests == []
    os.chmod(args["private_key_json_path"], 0o600)
    again = tenant.run_module(args)
    assert_ok(again)
    assert again.result["changed"] is False


def test_offboarding_then_onboarding_the_same_unique_name(tenant):
    """Entra keeps a deleted application, with its uniqueName, in deleted items: onboarding again restores it
    (same client id, consent granted again); permanently_delete frees the name for a new application."""
    args = connector_args(tenant, ["mip"])
    first = tenant.run_module(args)
    assert_ok(first)
    assert tenant.run_module(dict(args, state="absent")).result["changed"] is True
    assert [a["uniqueName"] for a in tenant.state()["deletedApplications"]] == [args["unique_name"]]

    predicted = tenant.run_module(args, check=True)
    assert_ok(predicted)
    assert predicted.writes == []
    assert any(c.startswith("restore application") for c in predicted.result["changes"])
    again = tenant.run_module(args)
    assert_ok(again)
    assert again.result["changes"] == predicted.result["changes"]
    assert again.result["client_id"] == first.result["client_id"]
    assert any(c.startswith("restore application") for c in again.result["changes"])
    assert all(not entry["missing"] for entry in again.result["permissions"].values())
    assert "client_secret" not in again.result
    assert any("rotate: always" in step for step in again.result["pending_steps"])
    assert tenant.state()["deletedApplications"] == []

    gone = tenant.run_module(dict(args, state="absent", permanently_delete=True))
    assert_ok(gone)
    assert tenant.state()["deletedApplications"] == []
    fresh = tenant.run_module(args)
    assert_ok(fresh)
    assert fresh.result["client_id"] != first.result["client_id"] and fresh.result["client_secret"]


def _recorded_graph(prefix):
    """A real Graph answer recorded by the Azure CLI's tests (tests/unit/.../fixtures/graph_recorded_samples.json)."""
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "unit", "plugins",
                        "module_utils", "fixtures", "graph_recorded_samples.json")
    with open(path) as handle:
        return next(sample for name, sample in json.load(handle).items() if name.startswith(prefix))


def test_recorded_graph_answers_replayed_through_the_module(tenant):
    """Graph's own addPassword answer and its 403 body (innerError.date without a zone) as the module meets them."""
    args = connector_args(tenant, ["mip"])
    refused = _recorded_graph("GET /v1.0/applications?$filter=... (403)")["response_body"]
    tenant.emulator.add_fault(method="GET", path=r"^/graph/v1\.0/applications\(uniqueName=", status=403, body=refused)
    run = tenant.run_module(args)
    assert run.result["failed"] and run.writes == []
    assert "ff33533c-35c1-4cfb-a5f1-b4938a33db80" in run.result["msg"]
    assert "Application.ReadWrite.All" in run.result["error"]["hint"]

    added = _recorded_graph("POST /v1.0/applications/{id}/addPassword (200)")["response_body"]
    tenant.emulator.add_fault(method="POST", path=r"/addPassword$", status=200, body=added)
    run = tenant.run_module(args)
    assert_ok(run)
    assert run.result["client_secret"] == added["secretText"]
    assert added["keyId"] in [s["key_id"] for s in run.result["secrets"]]
