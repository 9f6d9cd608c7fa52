"""Scale: one ZIA rate limiter per organisation across processes, and the MSP playbook run as AWX
job slices, against the emulator with ZIA's documented limits on.

The emulator counts, per organisation, the requests its rate limit let through (per kind) and
those it refused with a 429.
"""

import multiprocessing
import os
import shutil
import sys
import uuid

import ansible_runner
import yaml

from proof_helpers import collection_on_path

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --- forks of one organisation share its limiter ---------------------------------------------


def _fork(emu_url, ca_file, org, temp_dir, shared, start, client_ids):
    """One 'fork': what a module process does, a few reads and writes, all at once with the others."""
    collection_on_path()
    os.environ["TMPDIR"] = temp_dir
    import tempfile

    tempfile.tempdir = None
    from ansible_collections.mipconnect.zia.plugins.module_utils.http import transport
    from ansible_collections.mipconnect.zia.plugins.module_utils.zia import zia, zia_auth, zia_rate_limits

    http = transport.HttpClient(transport.HttpSettings(ca_bundle=ca_file, max_retries=15))
    auth = zia_auth.OneApiAuth(http, emu_url + "/zslogin/oauth2/v1/token", emu_url + "/zia/api/v1",
                               org["oneapi_client_id"], org["oneapi_client_secret"])
    limiter = zia_rate_limits.shared_limiter(auth) if shared else zia_rate_limits.RateLimiter()
    client = zia.ZiaClient(http, auth, limiter=limiter)
    auth.apply({})  # sign in before the start, so only rate-limited requests race
    start.wait()
    for client_id in client_ids:
        client.mip_accounts()
        client.activation_status()
        client.call("POST", "/casbTenant", json={
            "tenantName": "Fork %s" % client_id[:8], "saasApplication": "MIP", "connectorType": "CUSTOM",
            "enterpriseTenantId": str(uuid.uuid4()),
            "tenantAuthorizationInfo": {"clientId": client_id, "clientSecret": "not-a-real-secret"}})
    http.close()


def _run_forks(emulator, org, temp_dir, shared, forks=4, writes_each=1):
    context = multiprocessing.get_context("fork")
    start = context.Barrier(forks)
    processes = [context.Process(target=_fork, args=(
        emulator.url, emulator.ca_file, org, temp_dir, shared, start,
        [str(uuid.uuid4()) for _write in range(writes_each)])) for _fork_number in range(forks)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0] * forks
    return emulator.zia_state(org["org_id"])["requests"]


def test_forks_of_one_organisation_send_nothing_zia_refuses(emulator, tmp_path, zia_rate_limits):
    org = emulator.create_zia_org()
    counted = _run_forks(emulator, org, str(tmp_path), shared=True)
    assert counted.get("429", 0) == 0, counted
    assert counted["WRITE"] == 4 and counted["GET"] == 8


def test_forks_pacing_each_alone_are_refused(emulator, tmp_path, zia_rate_limits):
    # The same forks, each with its own limiter (as before): together they exceed ZIA's limits.
    # This is what the shared limiter prevents; it shows the test above can fail.
    org = emulator.create_zia_org()
    counted = _run_forks(emulator, org, str(tmp_path), shared=False)
    assert counted.get("429", 0) > 0, counted


# --- the MSP playbook as AWX job slices ------------------------------------------------------


def awx_slice(hosts, number, count):
    """The hosts of slice ``number`` (1-based) of ``count``, as AWX deals them: in name order, in turn."""
    return sorted(hosts)[number - 1::count]


def organisation(emulator, name, tenants):
    org = emulator.create_zia_org()
    rows = []
    for index in range(tenants):
        made = emulator.create_tenant()
        rows.append({"name": "%s-t%d" % (name, index), "tenant_id": made["tenant_id"],
                     "account_name": "%s T%d MIP" % (name.upper(), index),
                     "entra_auth": {"auth_client_id": made["admin_client_id"],
                                    "auth_client_secret": made["admin_client_secret"]}})
    auth = {"zscaler_client_id": org["oneapi_client_id"], "zscaler_client_secret": org["oneapi_client_secret"],
            "zscaler_token_url": emulator.url + "/zslogin/oauth2/v1/token",
            "zia_api_url": emulator.url + "/zia/api/v1"}
    return org, {"mipconnect_zia_auth": auth, "mipconnect_tenants": rows}


def slice_data_dir(base, number, organisations, emulator, collections):
    """A private data dir as AWX makes one for a slice: its own hosts, and its own temp dir,
    since slices run in separate pods that share no file."""
    data = base / ("slice-%d" % number)
    shutil.copytree(os.path.join(REPO_ROOT, "playbooks"), str(data / "project" / "playbooks"))
    (data / "inventory").mkdir(parents=True)
    (data / "inventory" / "hosts.yml").write_text(yaml.safe_dump(
        {"mipconnect_zia_organisations": {"hosts": organisations}}))
    (data / "env").mkdir()
    temp_dir = data / "pod-tmp"
    temp_dir.mkdir()
    (data / "env" / "envvars").write_text(yaml.safe_dump({
        "AZURE_AUTHORITY_HOST": emulator.url + "/entra", "MIPCONNECT_GRAPH_URL": emulator.url + "/graph",
        "MIPCONNECT_CA_BUNDLE": emulator.ca_file, "ANSIBLE_COLLECTIONS_PATH": collections,
        "ANSIBLE_NOCOLOR": "1", "TMPDIR": str(temp_dir),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
    }))
    return data


def test_sliced_msp_run_keeps_each_organisation_in_one_slice_within_its_limits(emulator, tmp_path, monkeypatch,
                                                                              zia_rate_limits):
    orgs = dict((name, organisation(emulator, name, 2)) for name in ("org-a", "org-b"))
    collections = collection_on_path()
    slices = 2
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    runs = []
    for number in range(1, slices + 1):  # every slice at once, as AWX starts them
        mine = dict((name, orgs[name][1]) for name in awx_slice(orgs, number, slices))
        data = slice_data_dir(tmp_path, number, mine, emulator, collections)
        runs.append(ansible_runner.run_async(private_data_dir=str(data), playbook="playbooks/msp_reconcile.yml",
                                             forks=4, quiet=True))
    for thread, runner in runs:
        thread.join(600)
        assert runner.status == "successful", runner.stdout.read()[-4000:]

    for name, (org, hostvars) in orgs.items():
        state = emulator.zia_state(org["org_id"])
        counted = state["requests"]
        assert counted.get("429", 0) == 0, (name, counted)  # its limits held, across its forks
        assert counted.get("ACTIVATE") == 1, (name, counted)  # activated once, by its own slice
        assert state["status"] == "ACTIVE"
        accounts = dict((t["tenantName"], t) for t in state["tenants"] if t["saasApplication"] == "MIP")
        for tenant in hostvars["mipconnect_tenants"]:
            account = accounts[tenant["account_name"]]  # every tenant converged
            assert account["enterpriseTenantId"] == tenant["tenant_id"]
            assert account["validation"]["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"]
            assert account["labelRetrieval"] is True
        assert len(accounts) == len(hostvars["mipconnect_tenants"])  # nothing of the other organisation
