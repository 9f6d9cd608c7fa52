"""The roles and playbooks, run by ansible-playbook against the emulator."""

import csv
import re
import threading
import time

import pytest

from playbook_runs import run_playbook

ACCOUNT = "Contoso MIP"
SECRET_PATTERN = re.compile(r"[A-Za-z0-9]{3}8Q~[A-Za-z0-9_.~-]{20,}")


def onboard_vars(tenant, **extra):
    variables = {"mip_onboarding_tenant_id": tenant.tenant_id, "mip_onboarding_account_name": ACCOUNT,
                 "mip_onboarding_export_dir": str(tenant.tmp_path / "labels")}
    variables.update(extra)
    return variables


def zia_account(tenant, name=ACCOUNT):
    accounts = [t for t in tenant.emulator.zia_state(tenant.zia_org["org_id"])["tenants"]
                if t["saasApplication"] == "MIP" and t["tenantName"] == name and not t["tenantDeleted"]]
    assert len(accounts) <= 1
    return accounts[0] if accounts else None


def connector_app(tenant, unique_name="zscaler-mip-connector"):
    apps = [a for a in tenant.state()["applications"] if a.get("uniqueName") == unique_name]
    return apps[0] if apps else None


def connector_app_in(tenant, tenant_id, unique_name):
    apps = [a for a in tenant.emulator.state(tenant_id)["applications"] if a.get("uniqueName") == unique_name]
    return apps[0] if apps else None


def our_secrets(app):
    return [c for c in app["passwordCredentials"] if c["displayName"] == "Zscaler connector (mipconnect.zia)"]


def test_onboarding_plans_then_onboards_then_changes_nothing(tenant):
    planned = run_playbook(tenant, "onboard_mip.yml", onboard_vars(tenant), check=True, diff=True)
    planned.assert_ok()
    assert planned.writes == [], planned.writes
    assert "would create MIP account 'Contoso MIP'" in planned.output
    assert planned.row(ACCOUNT)["changed"] is True
    assert connector_app(tenant) is None and zia_account(tenant) is None

    first = run_playbook(tenant, "onboard_mip.yml", onboard_vars(tenant))
    first.assert_ok()
    row = first.row(ACCOUNT)
    assert row["changed"] is True
    assert row["status"] == "Active"
    assert row["policy_tag_count"] == 8
    assert row["secret_expires"] and row["secret_recovered"] is False
    with open(row["csv_path"], newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 8
    account = zia_account(tenant)
    app = connector_app(tenant)
    assert account["connectorType"] == "CUSTOM" and account["labelRetrieval"] is True
    assert account["zscalerAppTenantId"]["name"] == app["appId"] == row["client_id"]
    assert len(account["labels"]) == 8
    assert len(our_secrets(app)) == 1
    assert "ACCOUNT" in first.output and "1 tenant(s), 1 changed" in first.output
    # The write went through the contract the collection assumes, and the summary says so.
    assert row["assumed_contract_writes"] == ["POST /casbTenant"]
    assert "ZIA writes through the assumed write contract" in first.output
    assert "Contoso MIP: POST /casbTenant" in first.output

    second = run_playbook(tenant, "onboard_mip.yml", onboard_vars(tenant))
    second.assert_ok()
    assert second.writes == [], second.writes
    assert second.recap()["localhost"]["changed"] == 0
    assert second.row(ACCOUNT)["changed"] is False
    assert second.row(ACCOUNT)["policy_tag_count"] == 8
    # The no-op reads each ZIA answer once (the lookup's listing serves mip_account, the export's
    # policy tags serve the count), and sends 10 requests in all, tokens included.
    zia_reads = [r["path"] for r in second.requests if r["service"] == "zia"]
    assert len(zia_reads) == len(set(zia_reads)) == 4, zia_reads
    assert len(second.requests) <= 10, [(r["service"], r["method"], r["path"]) for r in second.requests]

    again = run_playbook(tenant, "onboard_mip.yml", onboard_vars(tenant), check=True, diff=True)
    again.assert_ok()
    assert again.writes == []
    assert again.recap()["localhost"]["changed"] == 0


def _person_adds_the_account(tenant, secret_file):
    """A person in the ZIA Admin Portal: once the module's write was refused and the role wrote the
    secret for them, they add the account (custom connector, Label Retrieval on), save and activate."""
    emulator, done = tenant.emulator, {}
    start = len(emulator.requests())

    def refused():
        return any(r["service"] == "zia" and r["method"] == "POST" and r["path"].endswith("/casbTenant")
                   and r["status"] == 404 for r in emulator.requests()[start:])

    def act():
        deadline = time.time() + 300
        while not (refused() and secret_file.exists()) and time.time() < deadline:
            time.sleep(0.2)
        done["account"] = emulator.seed_mip_account(
            tenant.zia_org["org_id"], tenantName=ACCOUNT, enterpriseTenantId=tenant.tenant_id,
            connectorType="CUSTOM", clientId=connector_app(tenant)["appId"],
            clientSecret=secret_file.read_text().strip(), labelRetrieval=True)

    thread = threading.Thread(target=act, daemon=True)
    thread.start()
    return thread, done


def test_onboarding_without_a_write_api_shows_the_steps_and_waits_for_the_person(tenant):
    """ZIA as documented: no API writes MIP accounts. The role shows the portal steps, waits, and a
    person (this test, through the emulator's control API) does them."""
    secret_file = tenant.tmp_path / "mip-secret.txt"
    variables = onboard_vars(tenant, mip_onboarding_secret_file=str(secret_file), mip_onboarding_wait_timeout=120)
    tenant.emulator.configure_zia(assumed_write_contract=False)
    thread, person = _person_adds_the_account(tenant, secret_file)
    try:
        first = run_playbook(tenant, "onboard_mip.yml", variables)
        thread.join()
        second = run_playbook(tenant, "onboard_mip.yml", variables)
    finally:
        tenant.emulator.configure_zia(assumed_write_contract=True)
    first.assert_ok()
    assert "Add MIP Account" in first.output and "Waiting up to 120 s" in first.output
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    assert secret_file.read_text().strip() not in first.output
    zia_writes = [w for w in first.writes if "/zia/api/v1/" in w["path"]]
    assert zia_writes and all(w["status"] == 404 for w in zia_writes), zia_writes
    row = first.row(ACCOUNT)
    assert row["account_id"] == person["account"]["tenantId"]
    assert row["status"] == "Active" and row["policy_tag_count"] == 8
    assert row["assumed_contract_writes"] == []
    assert "ZIA writes through the assumed write contract (not a documented Zscaler API): none" in first.output
    second.assert_ok()
    assert second.writes == [] and second.row(ACCOUNT)["changed"] is False


def test_onboarding_completes_a_run_interrupted_before_zia_stored_the_secret(tenant):
    # The interrupted run: the connector (with its only secret, now lost) exists, the account does not.
    tenant.make_connector(unique_name="zscaler-mip-connector")
    assert len(our_secrets(connector_app(tenant))) == 1

    run = run_playbook(tenant, "onboard_mip.yml", onboard_vars(tenant, mip_onboarding_export_csv=False))
    run.assert_ok()
    row = run.row(ACCOUNT)
    assert row["secret_recovered"] is True
    assert row["status"] == "Active"
    assert row["csv_path"] is None
    assert any("remove client secret" in c for c in row["changes"])
    # One secret left: the fresh one ZIA validated; the lost one is gone.
    assert len(our_secrets(connector_app(tenant))) == 1
    assert zia_account(tenant)["validation"]["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"]

    again = run_playbook(tenant, "onboard_mip.yml", onboard_vars(tenant, mip_onboarding_export_csv=False))
    again.assert_ok()
    assert again.writes == []
    assert again.row(ACCOUNT)["secret_recovered"] is False


def test_onboarding_rides_out_entra_replication(tenant):
    """Objects made through Graph stay invisible for a while, as in Entra: validation waits for them."""
    tenant.emulator.configure(replication_delay=4)
    try:
        run = run_playbook(tenant, "onboard_mip.yml", onboard_vars(tenant, **FAST_ONBOARD))
    finally:
        tenant.emulator.configure(replication_delay=tenant.emulator.default_replication_delay)
    run.assert_ok()
    # Entra answered "not yet" at least once (unknown app or secret, missing object) and the role waited.
    assert any(r["status"] >= 400 for r in run.requests if r["service"] in ("graph", "entra")), run.requests
    assert run.row(ACCOUNT)["status"] in ("Active", "Validation Successful", "Retrieval Pending")
    assert zia_account(tenant)["validation"]["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"]


def test_onboarding_never_prints_the_secret(tenant):
    variables = onboard_vars(tenant, mip_onboarding_wait_for="validated", mip_onboarding_export_csv=False)
    run = run_playbook(tenant, "onboard_mip.yml", variables,
                       diff=True, env={"ANSIBLE_VERBOSITY": "3"})
    run.assert_ok()
    # The emulated Entra makes secrets like Azure's: three characters, "8Q~", then more.
    assert not SECRET_PATTERN.search(run.output), SECRET_PATTERN.search(run.output).group(0)


# Rotation ------------------------------------------------------------------

FAST_ONBOARD = {"mip_onboarding_export_csv": False, "mip_onboarding_wait_for": "validated"}


def rotation_vars(tenant, **extra):
    variables = {"mipconnect_tenant_id": tenant.tenant_id, "mipconnect_account_name": ACCOUNT}
    variables.update(extra)
    return variables


def onboarded(tenant):
    run = run_playbook(tenant, "onboard_mip.yml", onboard_vars(tenant, **FAST_ONBOARD))
    run.assert_ok()
    return run


def zia_secret_works(tenant, name=ACCOUNT):
    """ZIA validates its stored credentials again against Entra (the portal's Reauthorize)."""
    run = tenant.run_module({"name": name, "reauthorize": True, "wait_for": "validated", "wait_timeout": 60},
                            module="mipconnect.zia.mip_account", zia="oneapi")
    return not run.result.get("failed") and zia_account(tenant, name)["validation"]["status"] == [
        "CASB_TENANT_VALIDATION_SUCCESS"]


def key_ids(tenant):
    return sorted(c["keyId"] for c in our_secrets(connector_app(tenant)))


def test_rotation_not_due_then_forced_then_interrupted_after_add_converges(tenant):
    onboarded(tenant)
    original = key_ids(tenant)

    idle = run_playbook(tenant, "rotate_secret.yml", rotation_vars(tenant))
    idle.assert_ok()
    assert idle.writes == []
    assert "no rotation (not due)" in idle.output

    planned = run_playbook(tenant, "rotate_secret.yml", rotation_vars(tenant, connector_secret_rotation_force=True),
                           check=True)
    planned.assert_ok()
    assert planned.writes == []
    assert "would rotate" in planned.output

    forced = run_playbook(tenant, "rotate_secret.yml", rotation_vars(tenant, connector_secret_rotation_force=True))
    forced.assert_ok()
    rotated = key_ids(tenant)
    assert len(rotated) == 1 and rotated != original
    assert any(w["service"] == "zia" and w["method"] == "PUT" for w in forced.writes)
    assert any(w["path"].endswith("/status/activate") for w in forced.writes)

    # Interrupted right after the new secret was added: ZIA still holds the old one, which still works.
    interrupted = run_playbook(tenant, "rotate_secret.yml", rotation_vars(tenant, connector_secret_rotation_force=True),
                               tags="rotation_add")
    interrupted.assert_ok()
    assert len(key_ids(tenant)) == 2 and rotated[0] in key_ids(tenant)
    assert zia_secret_works(tenant)

    finished = run_playbook(tenant, "rotate_secret.yml", rotation_vars(tenant))
    finished.assert_ok()
    assert "an earlier rotation did not finish (2 secrets)" in finished.output
    final = key_ids(tenant)
    assert len(final) == 1 and final[0] not in rotated
    assert zia_secret_works(tenant)

    settled = run_playbook(tenant, "rotate_secret.yml", rotation_vars(tenant))
    settled.assert_ok()
    assert settled.writes == []


def test_rotation_interrupted_by_a_zia_failure_keeps_the_working_secret_and_converges(tenant):
    onboarded(tenant)
    original = key_ids(tenant)
    # A PUT is retried after a 500 (max_retries): a failure that lasts is what interrupts the rotation.
    tenant.emulator.add_fault(method="PUT", path=r"/zia/api/v1/casbTenant/\d+$", status=500, times=None)
    failed = run_playbook(tenant, "rotate_secret.yml", rotation_vars(
        tenant, connector_secret_rotation_force=True, mipconnect_connection={"max_retries": 1}))
    tenant.emulator.clear_faults()
    assert failed.returncode != 0
    assert [r["status"] for r in failed.requests if r["method"] == "PUT" and "/casbTenant/" in r["path"]] == [500, 500]
    # Nothing was removed: the old secret ZIA holds is still there and works.
    assert original[0] in key_ids(tenant) and len(key_ids(tenant)) == 2
    assert zia_secret_works(tenant)

    retried = run_playbook(tenant, "rotate_secret.yml", rotation_vars(tenant))
    retried.assert_ok()
    assert len(key_ids(tenant)) == 1 and original[0] not in key_ids(tenant)
    assert zia_secret_works(tenant)


# Offboarding and export -------------------------------------------------------

def test_export_then_offboarding_removes_account_and_connector(tenant):
    """With ZIA's legacy API key sign-in, the other tests use OneAPI."""
    onboarded(tenant)
    csv_dir = tenant.tmp_path / "export"
    export = run_playbook(tenant, "export_labels.yml", rotation_vars(tenant, export_labels_dir=str(csv_dir)),
                          zia="legacy")
    export.assert_ok()
    assert export.writes == []
    assert "8 labels in" in export.output
    assert len((csv_dir / "contoso-mip-labels.csv").read_text().splitlines()) == 9

    offboard = rotation_vars(tenant, mip_offboarding_delete_connector=True)
    planned = run_playbook(tenant, "offboard.yml", offboard, check=True, diff=True, zia="legacy")
    planned.assert_ok()
    assert planned.writes == []
    assert "delete MIP account 'Contoso MIP'" in planned.output
    assert zia_account(tenant) is not None and connector_app(tenant) is not None

    gone = run_playbook(tenant, "offboard.yml", offboard, zia="legacy")
    gone.assert_ok()
    assert zia_account(tenant) is None
    assert connector_app(tenant) is None
    assert not [sp for sp in tenant.state()["servicePrincipals"] if sp.get("displayName") == "Zscaler MIP Connector"]
    assert any(w["method"] == "DELETE" and w["service"] == "zia" for w in gone.writes)
    assert any(w["path"].endswith("/status/activate") for w in gone.writes)

    again = run_playbook(tenant, "offboard.yml", offboard, zia="legacy")
    again.assert_ok()
    assert again.writes == []
    assert "nothing to remove" in again.output


def test_onboarding_under_a_new_name_keeps_the_secret_the_old_account_uses(tenant):
    onboarded(tenant)
    variables = onboard_vars(tenant, mip_onboarding_account_name="Contoso Labels", **FAST_ONBOARD)
    renamed = run_playbook(tenant, "onboard_mip.yml", variables)
    renamed.assert_ok()
    assert renamed.row("Contoso Labels")["secret_recovered"] is True
    assert "Not removing the connector's older client secrets" in renamed.output
    assert len(key_ids(tenant)) == 2
    assert zia_secret_works(tenant)  # the old account's secret still works

    # Rotating the new account: two secrets are no unfinished rotation while the old account may hold one.
    new_account = rotation_vars(tenant, mipconnect_account_name="Contoso Labels")
    idle = run_playbook(tenant, "rotate_secret.yml", new_account)
    idle.assert_ok()
    assert idle.writes == [] and "no rotation (not due)" in idle.output
    before = key_ids(tenant)
    forced = run_playbook(tenant, "rotate_secret.yml", dict(new_account, connector_secret_rotation_force=True))
    forced.assert_ok()
    assert "Contoso Labels: rotated" in forced.output
    assert "Not removing the connector's older client secrets" in forced.output and "Contoso MIP" in forced.output
    after = key_ids(tenant)
    assert len(after) == 3 and set(before) < set(after)
    assert zia_secret_works(tenant)  # the old account's secret survived the rotation
    assert zia_secret_works(tenant, "Contoso Labels")

    # Offboarding the old account keeps the connector the new one uses, though asked to delete it.
    offboarded = run_playbook(tenant, "offboard.yml", rotation_vars(tenant, mip_offboarding_delete_connector=True))
    offboarded.assert_ok()
    assert zia_account(tenant) is None
    assert "Not deleting the connector app (zscaler-mip-connector)" in offboarded.output
    assert "Contoso Labels" in offboarded.output
    assert connector_app(tenant) is not None
    assert not [w for w in offboarded.writes if w["service"] in ("graph", "arm")], offboarded.writes

    # Once the old account is gone, the next rotation finishes the job.
    finished = run_playbook(tenant, "rotate_secret.yml", new_account)
    finished.assert_ok()
    assert "an earlier rotation did not finish (3 secrets)" in finished.output
    assert len(key_ids(tenant)) == 1 and key_ids(tenant)[0] not in after
    assert zia_secret_works(tenant, "Contoso Labels")


# Reconcile (GitOps) -----------------------------------------------------------

def gitops_tenants(tenant, count):
    entries = [{"name": "t0", "tenant_id": tenant.tenant_id, "account_name": "T0 MIP"}]
    for i in range(1, count):
        made = tenant.emulator.create_tenant()
        entries.append({"name": "t%d" % i, "tenant_id": made["tenant_id"], "account_name": "T%d MIP" % i,
                        "entra_auth": {"auth_client_id": made["admin_client_id"],
                                       "auth_client_secret": made["admin_client_secret"]}})
    return entries


def zia_reads(run):
    """The paths of a run's ZIA reads, ids left out, sorted (tenants run side by side)."""
    paths = [re.sub(r"/\d+(?=/|$)", "", r["path"].replace("/zia/api/v1", "", 1))
             for r in run.requests if r["service"] == "zia" and r["method"] == "GET" and r["status"] == 200]
    return sorted(paths)


def test_reconcile_plans_without_writes_applies_in_parallel_then_is_a_no_op(tenant, zia_rate_limits):
    """Parallel hosts share one ZIA organisation, so ZIA's rate limits are on: the forks pace
    through the organisation's one limiter, shared on the controller."""
    tenants = gitops_tenants(tenant, 3)
    tenant_ids = {t["tenant_id"] for t in tenants}

    def reconcile(check=False, **extra):
        variables = dict(extra, mipconnect_tenants=tenants, reconcile_saas_output_dir=str(tenant.tmp_path / "saas"))
        run = run_playbook(tenant, "reconcile.yml", variables, check=check, diff=check)
        run.requests = [r for r in run.requests if r.get("tenant") in tenant_ids | {None}]
        run.assert_ok()
        return run

    plan = reconcile(check=True)
    assert plan.writes == []
    assert "3 to change, 0 in sync, 0 failed" in plan.output
    assert "create MIP account 'T2 MIP'" in plan.output

    applied = reconcile()
    assert "3 changed, 0 in sync, 0 failed" in applied.output
    # One activation for the three accounts, after all of them were saved.
    activations = [i for i, r in enumerate(applied.requests) if r["path"].endswith("/status/activate")]
    saves = [i for i, r in enumerate(applied.requests)
             if r["method"] == "POST" and r["path"].endswith("/casbTenant") and r["status"] == 200]  # not the 429s
    assert len(activations) == 1 and len(saves) == 3 and max(saves) < activations[0], (saves, activations)
    assert "ZIA activation: activated once for every tenant (status ACTIVE)" in applied.output
    # ZIA's reads, 2 an organisation a second: the play's one listing; per tenant the listing
    # mip_account reads before it creates (the play's may be stale) and the validation after its
    # write; the activation's status before and after. No listing under the lease: the run had
    # just made the connector. No policy-tag count: the reconcile does not read it.
    assert zia_reads(applied) == ["/casbTenant/lite"] * 4 + ["/casbTenant/validate/status"] * 3 + ["/status"] * 2, \
        zia_reads(applied)
    assert sorted(t["tenantName"] for t in tenant.emulator.zia_state(tenant.zia_org["org_id"])["tenants"]
                  if t["saasApplication"] == "MIP" and not t["tenantDeleted"]) == ["T0 MIP", "T1 MIP", "T2 MIP"]

    settled = reconcile()
    assert settled.writes == []
    assert "0 changed, 3 in sync, 0 failed" in settled.output
    # A no-op: the play's listing, one validation status per tenant (the only answer naming the
    # client id an account signs in with), the activation's status (a staged change left by an
    # interrupted run is activated).
    assert zia_reads(settled) == ["/casbTenant/lite"] + ["/casbTenant/validate/status"] * 3 + ["/status"], \
        zia_reads(settled)

    # A SaaS connector for one tenant, next to its MIP account.
    tenants[2]["applications"] = ["mip", "teams", "exchange"]
    saas = reconcile()
    assert "1 changed, 2 in sync" in saas.output and "t2 [SaaS: teams, exchange]: changed" in saas.output
    assert connector_app_in(tenant, tenants[2]["tenant_id"], "zscaler-saas-connector") is not None
    counted = reconcile(reconcile_policy_tag_count=True)  # asked for: one read of the policy labels per tenant
    assert "0 changed, 3 in sync" in counted.output
    assert zia_reads(counted).count("/casbTenant/tags/policy") == 3, zia_reads(counted)
    assert "Policy labels:  8 (labels ZIA's policy rules use)" in counted.output

    tenants[1]["state"] = "absent"
    tenants[1]["delete_connector"] = True
    removal_plan = reconcile(check=True)
    assert removal_plan.writes == []
    assert "1 to change, 2 in sync" in removal_plan.output and "delete MIP account 'T1 MIP'" in removal_plan.output
    removed = reconcile()
    assert "1 changed, 2 in sync" in removed.output
    assert zia_account(tenant, "T1 MIP") is None


def test_reconcile_never_prints_a_per_tenant_entra_secret(tenant):
    """A tenant's own entra_auth reaches its modules, but neither the add_host results nor any other output."""
    tenants = gitops_tenants(tenant, 2)
    secret = tenants[1]["entra_auth"]["auth_client_secret"]
    run = run_playbook(tenant, "reconcile.yml", {"mipconnect_tenants": tenants}, env={"ANSIBLE_VERBOSITY": "3"})
    run.assert_ok()
    assert "2 changed, 0 in sync, 0 failed" in run.output
    # The second tenant was reached with its own admin client (the first with the environment's).
    assert zia_account(tenant, "T1 MIP") is not None
    assert secret not in run.output, "the per-tenant auth_client_secret is in the output"
    assert tenant.info["admin_client_secret"] not in run.output, "the environment's client secret is in the output"
    assert not SECRET_PATTERN.search(run.output), "a secret-shaped value is in the output"


def test_reconcile_absent_removes_the_saas_connector_and_its_role_assignments(tenant):
    tenants = [{"name": "t0", "tenant_id": tenant.tenant_id, "account_name": "T0 MIP",
                "applications": ["mip", "azure_blob_storage"], "subscription_id": tenant.subscription_id}]
    variables = {"mipconnect_tenants": tenants, "reconcile_saas_output_dir": str(tenant.tmp_path / "saas")}
    assignments_before = tenant.state()["roleAssignments"]
    run_playbook(tenant, "reconcile.yml", variables).assert_ok()
    assert connector_app(tenant) is not None and connector_app(tenant, "zscaler-saas-connector") is not None
    assert len(tenant.state()["roleAssignments"]) == len(assignments_before) + 2

    tenants[0].update(state="absent", delete_connector=True)
    plan = run_playbook(tenant, "reconcile.yml", variables, check=True, diff=True)
    plan.assert_ok()
    assert plan.writes == []
    assert "remove role assignment 'Storage Blob Data Contributor'" in plan.output, plan.output[-3000:]
    removed = run_playbook(tenant, "reconcile.yml", variables)
    removed.assert_ok()
    assert zia_account(tenant, "T0 MIP") is None
    assert connector_app(tenant) is None and connector_app(tenant, "zscaler-saas-connector") is None
    assert tenant.state()["roleAssignments"] == assignments_before
    again = run_playbook(tenant, "reconcile.yml", variables)
    again.assert_ok()
    assert again.writes == [] and "0 changed, 1 in sync" in again.output


# SaaS connector -----------------------------------------------------------------

def test_saas_connector_prepares_entra_and_prints_the_portal_steps(tenant):
    out = tenant.tmp_path / "saas"
    variables = {"mipconnect_tenant_id": tenant.tenant_id, "saas_connector_output_dir": str(out),
                 "saas_connector_applications": ["exchange", "sharepoint", "teams", "azure_blob_storage"],
                 "saas_connector_subscription_id": tenant.subscription_id}
    first = run_playbook(tenant, "saas_connector.yml", variables)
    first.assert_ok()
    secret_file = out / "zscaler-saas-connector-client-secret.txt"
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    secret = secret_file.read_text().strip()
    assert secret and secret not in first.output
    assert (out / "zscaler-saas-connector-private-key.json").exists()
    assert "add-casb-tenants" in first.output, first.output[-3000:]
    assert "in %s (mode 0600)" % secret_file in first.output
    # Zscaler's steps for a SaaS application tenant, in its words (seed: Authorizing a Custom Zscaler Connector).
    for words in ("Policies > Common Configuration > Out-of-Band CASB > SaaS Application Tenants",
                  "Choose the SaaS Application Provider", "Tenant Name", "Click Authorize.",
                  "upload the private-key JSON file %s" % (out / "zscaler-saas-connector-private-key.json")):
        assert words in first.output, words
    assert "Administration > SaaS Application Tenants" not in first.output
    app = connector_app(tenant, "zscaler-saas-connector")
    assert app["keyCredentials"] and len(tenant.state()["roleAssignments"]) >= 2

    second = run_playbook(tenant, "saas_connector.yml", variables)
    second.assert_ok()
    assert second.writes == []
    assert secret_file.read_text().strip() == secret


def test_saas_connector_new_secret_rotates_instead_of_piling_up_secrets(tenant):
    """new_secret adds, stores, then removes the earlier secrets: one of ours, the one in the file, every run."""
    from helpers import token_with_secret

    out = tenant.tmp_path / "saas"
    variables = {"mipconnect_tenant_id": tenant.tenant_id, "saas_connector_output_dir": str(out),
                 "saas_connector_applications": ["teams"]}
    run_playbook(tenant, "saas_connector.yml", variables).assert_ok()
    secret_file = out / "zscaler-saas-connector-client-secret.txt"
    first = secret_file.read_text().strip()

    plan = run_playbook(tenant, "saas_connector.yml", dict(variables, saas_connector_new_secret=True), check=True)
    plan.assert_ok()
    assert plan.writes == [] and secret_file.read_text().strip() == first

    for _unused in range(2):
        previous = secret_file.read_text().strip()
        run = run_playbook(tenant, "saas_connector.yml", dict(variables, saas_connector_new_secret=True))
        run.assert_ok()
        app = connector_app(tenant, "zscaler-saas-connector")
        current = secret_file.read_text().strip()
        assert current != previous and current not in run.output
        assert len(our_secrets(app)) == 1, "the earlier secret was not removed: %d secrets" % len(our_secrets(app))
        assert token_with_secret(tenant, app["appId"], current)
        with pytest.raises(AssertionError):
            token_with_secret(tenant, app["appId"], previous)
        assert "the earlier one was removed" in run.output
