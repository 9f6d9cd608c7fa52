"""mip_account, mip_account_info and connector_credentials_info against the emulated ZIA and Entra."""

import datetime
import threading
import time

import pytest

from conftest import Tenant

MIP = "mipconnect.zia.mip_account"
INFO = "mipconnect.zia.mip_account_info"
CHECK = "mipconnect.zia.connector_credentials_info"
ACTIVATION = "mipconnect.zia.zia_activation"
ZIA_WRITES = ("POST", "PUT", "DELETE")


@pytest.fixture(scope="module")
def entra_with_connector(emulator, tmp_path_factory):
    """One Entra tenant with a consented connector for the whole module: these tests are about the ZIA
    account, never change the connector, and each still gets a ZIA organisation of its own."""
    owner = Tenant(emulator, tmp_path_factory.mktemp("connector"))
    return owner.info, owner.make_connector()


@pytest.fixture
def tenant(emulator, tmp_path, entra_with_connector):
    return Tenant(emulator, tmp_path, info=entra_with_connector[0])


@pytest.fixture
def connector(entra_with_connector):
    return entra_with_connector[1]


def account_args(tenant, connector, **extra):
    client_id, client_secret = connector
    args = {"name": "Contoso MIP", "tenant_id": tenant.tenant_id, "client_id": client_id,
            "client_secret": client_secret, "label_retrieval": True}
    args.update(extra)
    return args


def zia_writes(run):
    """ZIA requests that change something (logins and tokens are not changes)."""
    return [r for r in run.requests if r["service"] == "zia" and r["method"] in ZIA_WRITES
            and not r["path"].endswith(("/authenticatedSession", "/oauth2/v1/token"))]


def assert_ok(run):
    assert not run.result.get("failed"), run.result.get("msg") or run.output


@pytest.mark.parametrize("mode", ["oneapi", "legacy"])
def test_create_activate_wait_for_labels_then_no_change(tenant, connector, mode):
    args = account_args(tenant, connector, wait_for="labels_retrieved", wait_timeout=60)
    first = tenant.run_module(args, module=MIP, zia=mode)
    assert_ok(first)
    assert first.result["changed"] is True
    assert first.result["validation"]["valid"] is True
    assert first.result["activation"]["activated"] is True
    account = first.result["account"]
    assert account["status"] == "Active"
    assert account["policy_tag_count"] and account["policy_tag_count"] > 0
    assert account["tenant_id"] == tenant.tenant_id

    second = tenant.run_module(args, module=MIP, zia=mode)
    assert_ok(second)
    assert second.result["changed"] is False, second.result["changes"]
    assert zia_writes(second) == []
    # A no-op run trusts what it just read: one listing, one validation status, even with wait_for.
    reads = [r["path"].split("/api/v1")[-1] for r in second.requests if r["method"] == "GET" and "/api/v1/" in r["path"]]
    assert sum(path == "/casbTenant/lite" for path in reads) == 1, reads
    assert sum(path.startswith("/casbTenant/validate/status/") for path in reads) == 1, reads
    assert second.result["account"]["status"] == "Active"
    if mode == "legacy":
        assert any(r["method"] == "DELETE" and r["path"].endswith("/authenticatedSession") for r in second.requests)


def test_secret_never_in_output_or_result(tenant, connector):
    run = tenant.run_module(account_args(tenant, connector), module=MIP, zia="oneapi", verbosity=3, diff=True,
                            no_log=False)
    assert_ok(run)
    secret = connector[1]
    assert secret not in run.output
    assert secret not in str(run.result)
    assert run.result["diff"]["after"]["client_secret"] in ("********", "(changed)")


def test_check_mode_sends_no_write_and_never_activates(tenant, connector):
    planned = tenant.run_module(account_args(tenant, connector), module=MIP, zia="oneapi", check=True)
    assert_ok(planned)
    assert planned.result["changed"] is True
    assert zia_writes(planned) == []
    assert not any(r["path"].endswith("/status/activate") for r in planned.requests)
    info = tenant.run_module({"name": "Contoso MIP"}, module=INFO, zia="oneapi")
    assert info.result["count"] == 0


def test_wrong_secret_fails_validation_and_saves_nothing(tenant, connector):
    run = tenant.run_module(account_args(tenant, (connector[0], "not-the-secret")), module=MIP, zia="oneapi")
    assert run.result["failed"]
    assert "AADSTS7000215" in run.result["msg"]
    assert "nothing was saved" in run.result["msg"]
    assert zia_writes(run) == []
    assert run.result["validation"]["valid"] is False
    assert run.result["validation"]["aadsts"] == 7000215
    assert run.result["changed"] is False
    assert "not-the-secret" not in str(run.result)


def test_missing_consent_names_the_permissions(tenant):
    made = tenant.run_module({"display_name": "No consent", "unique_name": "no-consent", "applications": ["mip"],
                              "grant_admin_consent": False})
    assert_ok(made)
    run = tenant.run_module(account_args(tenant, (made.result["client_id"], made.result["client_secret"])),
                            module=MIP, zia="oneapi")
    assert run.result["failed"]
    assert "InformationProtectionPolicy.Read.All" in run.result["msg"]
    assert "UnifiedPolicy.Tenant.Read" in run.result["msg"]
    missing = run.result["validation"]["missing_permissions"]
    assert "InformationProtectionPolicy.Read.All" in missing["Microsoft Graph"]
    assert made.result["client_secret"] not in str(run.result)


def test_update_inactive_then_delete(tenant, connector):
    assert_ok(tenant.run_module(account_args(tenant, connector), module=MIP, zia="oneapi"))
    inactive = tenant.run_module({"name": "Contoso MIP", "status": "inactive"}, module=MIP, zia="oneapi", diff=True)
    assert_ok(inactive)
    assert inactive.result["changed"] is True
    assert inactive.result["account"]["status"] == "Tenant Inactive"
    assert inactive.result["diff"]["before"]["inactive"] is False
    assert inactive.result["diff"]["after"]["inactive"] is True
    again = tenant.run_module({"name": "Contoso MIP", "status": "inactive"}, module=MIP, zia="oneapi")
    assert again.result["changed"] is False

    listed = tenant.run_module({"status": "Tenant Inactive", "details": True}, module=INFO, zia="oneapi")
    assert_ok(listed)
    assert [a["name"] for a in listed.result["accounts"]] == ["Contoso MIP"]
    assert connector[1] not in str(listed.result)
    assert listed.result["accounts"][0]["client_id"] == connector[0]
    assert listed.result["accounts"][0]["validation_status"] == "CASB_TENANT_VALIDATION_SUCCESS"

    gone = tenant.run_module({"name": "Contoso MIP", "state": "absent"}, module=MIP, zia="oneapi")
    assert_ok(gone)
    assert gone.result["changed"] is True
    assert tenant.run_module({"name": "Contoso MIP", "state": "absent"}, module=MIP, zia="oneapi").result[
        "changed"] is False


def test_duplicate_names_are_an_error_naming_both(tenant, emulator, connector):
    for _unused in range(2):
        emulator.seed_mip_account(tenant.zia_org["org_id"], tenantName="Twins", enterpriseTenantId=tenant.tenant_id,
                                  connectorType="ZSCALER_DEFINED")
    run = tenant.run_module({"name": "Twins", "connector": "zscaler_defined"}, module=MIP, zia="oneapi")
    assert run.result["failed"]
    assert "Two MIP accounts are named 'Twins'" in run.result["msg"]


def test_names_match_without_regard_to_case(tenant, emulator, connector):
    first = emulator.seed_mip_account(tenant.zia_org["org_id"], tenantName="Twins", connectorType="ZSCALER_DEFINED",
                                      enterpriseTenantId=tenant.tenant_id)
    one = tenant.run_module({"name": "TWINS", "connector": "zscaler_defined"}, module=MIP, zia="oneapi")
    assert_ok(one)
    assert one.result["account"]["id"] == first["tenantId"]
    assert one.result["changed"] is False and zia_writes(one) == []

    second = emulator.seed_mip_account(tenant.zia_org["org_id"], tenantName="twins", connectorType="ZSCALER_DEFINED",
                                       enterpriseTenantId=tenant.tenant_id)
    run = tenant.run_module({"name": "Twins", "connector": "zscaler_defined"}, module=MIP, zia="oneapi")
    assert run.result["failed"]
    assert "'Twins' (id %s)" % first["tenantId"] in run.result["msg"]
    assert "'twins' (id %s)" % second["tenantId"] in run.result["msg"]


def test_zscaler_defined_creation_stops_with_portal_steps(tenant):
    run = tenant.run_module({"name": "ZS defined", "connector": "zscaler_defined"}, module=MIP, zia="oneapi")
    assert run.result["failed"]
    assert "Zscaler Defined" in run.result["msg"]
    assert run.result["error"]["manual_steps"]
    assert zia_writes(run) == []


def test_manual_path_when_the_write_contract_is_missing(tenant, emulator, connector):
    emulator.configure_zia(assumed_write_contract=False)
    try:
        run = tenant.run_module(account_args(tenant, connector), module=MIP, zia="oneapi")
    finally:
        emulator.configure_zia(assumed_write_contract=True)
    assert run.result["failed"]
    steps = run.result["error"]["manual_steps"]
    assert any("adminconsent" in step for step in steps)
    assert any(connector[0] in step for step in steps)
    assert connector[1] not in run.output
    assert run.result["changed"] is False


def _seed_after_refused_write(emulator, org_id, method, **fields):
    """A person adding the account in the Admin Portal a second after the module's write was refused."""
    seeded = {}
    start = emulator.request_count()

    def refused():
        return any(r["service"] == "zia" and r["method"] == method and r["status"] == 404
                   and "/casbTenant" in r["path"] for r in emulator.requests(start))

    def person():
        deadline = time.time() + 120
        while not refused() and time.time() < deadline:
            time.sleep(0.2)
        time.sleep(1)
        seeded["account"] = emulator.seed_mip_account(org_id, **fields)
        seeded["at"] = time.time()

    thread = threading.Thread(target=person, daemon=True)
    thread.start()
    return thread, seeded


def _at(entry):
    return datetime.datetime.strptime(entry["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def test_manual_path_with_wait_sees_the_portal_change(tenant, emulator, connector):
    """No write API: the module tries, waits, and a person adds the account in the portal meanwhile."""
    emulator.configure_zia(assumed_write_contract=False)
    thread, seeded = _seed_after_refused_write(emulator, tenant.zia_org["org_id"], "POST", tenantName="Contoso MIP",
                                               enterpriseTenantId=tenant.tenant_id, connectorType="CUSTOM",
                                               clientId=connector[0], clientSecret=connector[1],
                                               labelRetrieval=True)
    try:
        run = tenant.run_module(account_args(tenant, connector, wait_for="active", wait_timeout=60),
                                module=MIP, zia="oneapi", diff=True)
    finally:
        thread.join()
        emulator.configure_zia(assumed_write_contract=True)
    assert_ok(run)
    attempts = zia_writes(run)
    assert [(r["method"], r["path"], r["status"]) for r in attempts[:1]] == [("POST", "/zia/api/v1/casbTenant", 404)]
    # The read API does not show Label Retrieval before a scan: if the module saw the account before ZIA
    # scanned it, it asked for Label Retrieval on too (in vain, no write API).
    assert all((r["method"], r["status"]) == ("PUT", 404) for r in attempts[1:]), attempts
    # It waited: it read the list again after the person had added the account, and returned that account.
    listed_after = [r for r in run.requests if r["path"].endswith("/casbTenant/lite") and _at(r) > seeded["at"]]
    assert listed_after
    assert run.result["account"]["id"] == seeded["account"]["tenantId"]
    assert run.result["account"]["status"] == "Active"
    # Nothing was written by the module, and it does not say otherwise.
    assert run.result["changed"] is False
    assert not any("create" in change for change in run.result["changes"])
    assert run.result["diff"]["after"]["client_secret"] == "********"
    assert connector[1] not in run.output


def test_manual_create_steps_name_label_retrieval_and_status(tenant, emulator, connector):
    emulator.configure_zia(assumed_write_contract=False)
    try:
        run = tenant.run_module(account_args(tenant, connector, status="inactive"), module=MIP, zia="oneapi")
    finally:
        emulator.configure_zia(assumed_write_contract=True)
    assert run.result["failed"]
    steps = " ".join(run.result["error"]["manual_steps"])
    assert "Label Retrieval to On" in steps
    assert "Tenant Inactive" in steps


def test_manual_create_with_wait_then_sets_what_the_person_left_out(tenant, emulator, connector):
    """The person adds the account without Label Retrieval: the module asks for it, and waits again."""
    emulator.configure_zia(assumed_write_contract=False)
    thread, _seeded = _seed_after_refused_write(emulator, tenant.zia_org["org_id"], "POST",
                                                tenantName="Contoso MIP", enterpriseTenantId=tenant.tenant_id,
                                                connectorType="CUSTOM", clientId=connector[0],
                                                clientSecret=connector[1], labelRetrieval=False)
    try:
        run = tenant.run_module(account_args(tenant, connector, wait_for="active", wait_timeout=12),
                                module=MIP, zia="oneapi")
    finally:
        thread.join()
        emulator.configure_zia(assumed_write_contract=True)
    assert run.result["failed"]
    assert [r["method"] for r in zia_writes(run)] == ["POST", "PUT"]
    assert all(r["status"] == 404 for r in zia_writes(run))
    assert any("label retrieval on" in step.lower() for step in run.result["error"]["manual_steps"])
    assert run.result["changed"] is False


def test_manual_secret_rotation_with_wait_is_not_reported_done(tenant, emulator, connector):
    """A new secret cannot be seen in the read model: without a fresh validation it is not done."""
    assert_ok(tenant.run_module(account_args(tenant, connector), module=MIP, zia="oneapi"))
    emulator.configure_zia(assumed_write_contract=False)
    try:
        run = tenant.run_module(account_args(tenant, connector, update_secret="always", wait_for="validated",
                                             wait_timeout=5), module=MIP, zia="oneapi")
    finally:
        emulator.configure_zia(assumed_write_contract=True)
    assert run.result["failed"], run.result
    assert [(r["method"], r["status"]) for r in zia_writes(run)] == [("PUT", 404)]
    assert any("client secret" in step for step in run.result["error"]["manual_steps"])
    assert run.result["changed"] is False
    assert connector[1] not in run.output


def test_throttling_and_edit_lock_are_survived(tenant, emulator, connector, zia_rate_limits):
    emulator.configure_zia(edit_lock_writes=1)
    emulator.add_fault(method="GET", path=r"^/zia/api/v1/casbTenant/lite", status=429,
                       headers={"Retry-After": "1s"}, times=1)
    try:
        run = tenant.run_module(account_args(tenant, connector), module=MIP, zia="oneapi")
    finally:
        emulator.clear_faults()
        emulator.configure_zia(edit_lock_writes=0)
    assert_ok(run)
    statuses = [r["status"] for r in run.requests if r["service"] == "zia"]
    assert 429 in statuses and 409 in statuses


def test_session_expiry_mid_run_logs_in_again(tenant, emulator, connector):
    emulator.configure_zia(session_timeout=2)
    try:
        run = tenant.run_module(account_args(tenant, connector, wait_for="labels_retrieved", wait_timeout=60),
                                module=MIP, zia="legacy")
    finally:
        emulator.configure_zia(session_timeout=300)
    assert_ok(run)
    logins = [r for r in run.requests if r["method"] == "POST" and r["path"].endswith("/authenticatedSession")]
    assert len(logins) >= 2


def test_mixed_auth_modes_are_refused(tenant, connector):
    args = account_args(tenant, connector, zia_username="admin@example.com")
    run = tenant.run_module(args, module=MIP, zia="oneapi")
    assert run.result["failed"]
    assert "zscaler_client_id" in run.result["msg"]
    assert run.requests == []


def test_credentials_info_reports_valid_and_missing(tenant, connector):
    good = tenant.run_module({"tenant_id": tenant.tenant_id, "client_id": connector[0], "client_secret": connector[1]},
                             module=CHECK)
    assert_ok(good)
    assert good.result["valid"] is True
    assert good.result["labels_probe"]["ok"] is True
    bad = tenant.run_module({"tenant_id": tenant.tenant_id, "client_id": connector[0], "client_secret": connector[1],
                             "applications": ["mip", "exchange"]}, module=CHECK)
    assert_ok(bad)
    assert bad.result["valid"] is False
    assert "Mail.Send" in bad.result["missing_permissions"]["Microsoft Graph"]


def test_zia_validation_failure_is_reported_then_fixed(tenant, connector):
    wrong = account_args(tenant, (connector[0], "wrong-secret"), validate=False, wait_for="validated",
                         wait_timeout=30)
    failed = tenant.run_module(wrong, module=MIP, zia="oneapi")
    assert failed.result["failed"]
    assert "could not validate" in failed.result["msg"]
    assert "7000215" in failed.result["msg"]
    info = tenant.run_module({"name": "Contoso MIP", "details": True}, module=INFO, zia="oneapi")
    assert info.result["accounts"][0]["status"] == "Validation Failed"

    fixed = tenant.run_module(account_args(tenant, connector, update_secret="always", wait_for="validated",
                                           wait_timeout=30), module=MIP, zia="oneapi")
    assert_ok(fixed)
    assert fixed.result["account"]["status"] in ("Retrieval Pending", "Active")
    assert fixed.result["validation"]["valid"] is True


def test_existing_zscaler_defined_account_is_managed(tenant, emulator):
    emulator.seed_mip_account(tenant.zia_org["org_id"], tenantName="Portal made", enterpriseTenantId=tenant.tenant_id,
                              connectorType="ZSCALER_DEFINED", labelRetrieval=False)
    args = {"name": "Portal made", "connector": "zscaler_defined", "label_retrieval": True,
            "wait_for": "labels_retrieved", "wait_timeout": 60}
    run = tenant.run_module(args, module=MIP, zia="oneapi")
    assert_ok(run)
    assert run.result["changed"] is True
    assert run.result["account"]["connector"] == "zscaler_defined"
    assert run.result["account"]["status"] == "Active"
    assert run.result["account"]["policy_tag_count"] > 0
    again = tenant.run_module(dict(args, wait_for="none"), module=MIP, zia="oneapi")
    assert again.result["changed"] is False


def test_many_accounts_saved_then_activated_once(tenant, connector, emulator):
    """activate: false on each account, then zia_activation once: one activation for all of them."""
    for name in ("Batch one", "Batch two"):
        saved = tenant.run_module(account_args(tenant, connector, name=name, activate=False), module=MIP, zia="oneapi")
        assert_ok(saved)
        assert saved.result["activation"]["activated"] is False
        assert not any(r["path"].endswith("/status/activate") for r in saved.requests)
    assert emulator.zia_state(tenant.zia_org["org_id"])["status"] == "PENDING"

    planned = tenant.run_module({}, module=ACTIVATION, zia="oneapi", check=True, diff=True)
    assert_ok(planned)
    assert planned.result["changed"] is True and planned.result["activated"] is False
    assert planned.result["diff"] == {"before": {"status": "PENDING"}, "after": {"status": "ACTIVE"}}
    assert zia_writes(planned) == []
    assert emulator.zia_state(tenant.zia_org["org_id"])["status"] == "PENDING"

    done = tenant.run_module({}, module=ACTIVATION, zia="oneapi")
    assert_ok(done)
    assert done.result["changed"] is True and done.result["activated"] is True
    assert done.result["status_before"] == "PENDING" and done.result["status"] == "ACTIVE"
    assert [r["path"] for r in zia_writes(done)] == ["/zia/api/v1/status/activate"]
    assert emulator.zia_state(tenant.zia_org["org_id"])["status"] == "ACTIVE"

    again = tenant.run_module({}, module=ACTIVATION, zia="oneapi")
    assert_ok(again)
    assert again.result["changed"] is False and zia_writes(again) == []


@pytest.mark.parametrize("cloud, extra, probed, not_checked", [
    # The beta label API that Zscaler's permission opens does not exist in US Government: v1.0 is probed when the
    # connector holds its permission; otherwise the run says that labels could not be checked.
    ("usgov", ["SensitivityLabels.Read.All"], "v1.0/security/dataSecurityAndGovernance/sensitivityLabels", None),
    ("usgov_dod", [], None, "SensitivityLabels.Read.All"),
    ("china", [], None, "has no sensitivity label API"),
])
def test_credentials_info_probes_only_what_the_cloud_has(tenant_in, cloud, extra, probed, not_checked):
    tenant = tenant_in(cloud)
    made = tenant.run_module({"display_name": "Zscaler MIP Connector", "unique_name": "zscaler-mip-" + cloud,
                              "applications": ["mip"],
                              "extra_permissions": [{"resource": "microsoft_graph", "permission": p} for p in extra]})
    assert_ok(made)
    run = tenant.run_module({"tenant_id": tenant.tenant_id, "client_id": made.result["client_id"],
                             "client_secret": made.result["client_secret"], "validation_wait": 30}, module=CHECK)
    assert_ok(run)
    assert run.result["valid"] is True, run.result["reason"]
    assert not [r for r in run.requests if r["path"].startswith("/graph/beta")]
    if probed:
        assert run.result["labels_probe"]["endpoint"] == probed and run.result["labels_probe"]["ok"] is True
        assert run.result["not_checked"] == []
    else:
        assert run.result["labels_probe"] is None
        assert len(run.result["not_checked"]) == 1 and not_checked in run.result["not_checked"][0]
        assert "Not checked" in run.result["reason"]
