"""Concurrent onboardings and rotations of one tenant, and the checks of what they leave behind.

Shared by the concurrency rows of tests/integration/test_fault_matrix.py (a few rounds in `make test`)
and tests/benchmarks/stress_concurrency.py (hundreds). Each run is a real
``ansible-playbook`` of playbooks/onboard_mip.yml or rotate_secret.yml,
started after a random offset, against the emulator.

``broken_states`` says everything that is wrong with the tenant once every
run has ended: the invariant is that ZIA's stored client secret signs in,
exactly one secret of ours exists (the one ZIA holds), no secret is marked
in flight and no lease is left.
"""

import json
import os
import subprocess
import sys
import threading
import time

from helpers import token_with_secret

PLAYBOOKS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "playbooks")
ACCOUNT = "Race MIP"
UNIQUE_NAME = "zscaler-mip-connector"
OUR_SECRET = "Zscaler connector (mipconnect.zia)"
MARKER_TAGS = ("mipconnect.zia:secret-in-flight:", "mipconnect.zia:lease:")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
LOGINS = ("/oauth2/v2.0/token", "/oauth2/v1/token", "/authenticatedSession")


def onboard_vars(tenant, account=ACCOUNT):
    return {"mip_onboarding_tenant_id": tenant.tenant_id, "mip_onboarding_account_name": account,
            "mip_onboarding_export_csv": False, "mip_onboarding_wait_for": "validated"}


def rotation_vars(tenant, account=ACCOUNT):
    return {"mipconnect_tenant_id": tenant.tenant_id, "mipconnect_account_name": account,
            "connector_secret_rotation_force": True}


class RoleRun:
    def __init__(self, playbook, offset):
        self.playbook = playbook
        self.offset = offset
        self.returncode = None
        self.output = ""

    def describe(self):
        return "%s at +%.2f s: rc=%s" % (self.playbook, self.offset, self.returncode)


def _command(tenant, playbook, variables, index):
    vars_file = tenant.tmp_path / ("race-vars-%d-%d.json" % (index, time.time_ns()))
    vars_file.write_text(json.dumps(variables))
    return [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
            os.path.join(PLAYBOOKS, playbook), "-e", "@" + str(vars_file)]


def run_at_offsets(tenant, runs, account=ACCOUNT, timeout=900):
    """Start every (playbook, offset) run at its offset (seconds), in parallel; wait for all. Returns RoleRuns."""
    started = []
    env = tenant.env(zia="oneapi")

    def one(run, command):
        time.sleep(run.offset)
        proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout,
                              cwd=str(tenant.tmp_path), check=False)
        run.returncode, run.output = proc.returncode, proc.stdout + proc.stderr

    threads = []
    for index, (playbook, offset) in enumerate(runs):
        variables = onboard_vars(tenant, account) if playbook == "onboard_mip.yml" else rotation_vars(tenant, account)
        run = RoleRun(playbook, offset)
        started.append(run)
        threads.append(threading.Thread(target=one, args=(run, _command(tenant, playbook, variables, index))))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return started


def stored_credentials(tenant, account=ACCOUNT):
    """(client id, client secret) ZIA holds for the account, read from the emulator's memory; None when absent."""
    emu = tenant.emulator
    with emu.store.lock:
        org = emu.zia_control.cloud.org(tenant.zia_org["org_id"])
        mip = [t for t in org.live_tenants() if t.is_mip and t.name.lower() == account.lower()]
        if len(mip) != 1:
            return None
        return mip[0].client_id, mip[0].client_secret


def broken_states(tenant, account=ACCOUNT):
    """Everything wrong with the tenant after concurrent runs ended; [] when the invariant holds."""
    problems = []
    apps = [a for a in tenant.state()["applications"] if a.get("uniqueName") == UNIQUE_NAME]
    if len(apps) != 1:
        return ["%d connector applications" % len(apps)]
    app = apps[0]
    ours = [c for c in app["passwordCredentials"] if c["displayName"] == OUR_SECRET]
    if len(ours) != 1:
        problems.append("%d secrets of ours (expected exactly 1)" % len(ours))
    left = [t for t in app.get("tags") or [] if t.startswith(MARKER_TAGS)]
    if left:
        problems.append("left in flight: %s" % left)
    accounts = [t for t in tenant.emulator.zia_state(tenant.zia_org["org_id"])["tenants"]
                if t["saasApplication"] == "MIP" and not t["tenantDeleted"]]
    if len(accounts) != 1:
        problems.append("%d MIP accounts" % len(accounts))
    stored = stored_credentials(tenant, account)
    if stored is None:
        problems.append("ZIA holds no credentials for %r" % account)
        return problems
    client_id, secret = stored
    if client_id != app["appId"]:
        problems.append("ZIA holds client id %s, the connector is %s" % (client_id, app["appId"]))
    try:
        token_with_secret(tenant, client_id, secret)
    except AssertionError as err:
        problems.append("ZIA's stored secret does not sign in: %s" % err)
    return problems


def writes_of(requests, tenant_id):
    return [r for r in requests if r["method"] in WRITE_METHODS and not r["path"].endswith(LOGINS)
            and r.get("tenant") in (None, tenant_id)]


def rerun_writes(tenant, account=ACCOUNT):
    """Writes of a plain onboarding re-run after the races: [] when it is the no-op it must be."""
    before = len(tenant.emulator.requests())
    (run,) = run_at_offsets(tenant, [("onboard_mip.yml", 0.0)], account)
    if run.returncode != 0:
        return ["re-run failed: %s" % run.output[-2000:]]
    return ["%s %s" % (w["method"], w["path"]) for w in writes_of(tenant.emulator.requests()[before:], tenant.tenant_id)]
