"""Secret hygiene.

Every module runs with canary secrets - the Entra admin client secret, a
wrong secret, a certificate's private key, the ZIA password and API key, the
OneAPI client secret and private key, a Power Platform token, and the secrets
the modules themselves create - at -vvvv with --diff, in check mode, on
failure paths (wrong secret, wrong tenant, ZIA maintenance, no write contract
-> manual steps) and through ansible-runner. Then every byte is searched:
console output, ansible-runner's job events and stdout, registered results
(except azure_app_connector's designated ``client_secret``), every file the
modules wrote (the SharePoint private-key JSON excepted, which must be 0600),
Ansible's temp dirs and the emulator's request log. Any access token (a JWT)
in those places counts too. Zero hits is the pass.

The playbooks and their roles (onboard_mip, rotate_secret forced, offboard
plan, saas_connector) run at -vvvv with --diff the same way; there any
Azure-style client secret (``xxx8Q~...``) or JWT anywhere is a hit, since
the secrets they create are never shown to the test.

Redirects: each request that carries a credential (OneAPI and Entra token
requests, the legacy ZIA login, Graph and ZIA reads with a bearer token) is
answered with a redirect to another host; a listener there must receive
nothing, and a bare read redirected on the same host is still followed.
"""

import json
import os
import re
import shutil
import stat
import sys

import ansible_runner

from conftest import collections_path
from proof_helpers import JWT_RE, canary_hits, run_batch, scan_tree

WRONG_SECRET = "CanaryWrongSecret~Q7zX9pL2vK8mN4rT6yB1"
UNKNOWN_TENANT = "99999999-9999-4999-9999-999999999999"


def _pem_body(pem):
    """A line from the middle of a PEM: enough to recognise the key anywhere."""
    lines = [line for line in pem.strip().splitlines() if not line.startswith("-----")]
    return lines[len(lines) // 2]


def _zia_oneapi(tenant):
    org = tenant.zia_org
    return {"zscaler_client_id": org["oneapi_client_id"], "zscaler_client_secret": org["oneapi_client_secret"],
            "zscaler_token_url": tenant.emulator.url + "/zslogin/oauth2/v1/token",
            "zia_api_url": tenant.emulator.url + "/zia/api/v1"}


def _zia_legacy(tenant):
    org = tenant.zia_org
    return {"zia_username": org["username"], "zia_password": org["password"], "zia_api_key": org["api_key"],
            "zia_api_url": tenant.emulator.url + "/zia/api/v1"}


def _control(tenant, path, body):
    """A task that calls the emulator's control API (not logged) to switch a fault on or off."""
    return {"ansible.builtin.uri": {"url": tenant.emulator.url + path, "method": "POST", "body_format": "json",
                                    "body": body, "validate_certs": False}}


def _cases(tenant, out, key_pem_path):
    emu = tenant.emulator
    org = tenant.zia_org
    private = emu.zia_oneapi_key(org["org_id"])
    key_file = os.path.join(str(tenant.tmp_path), "oneapi-key.pem")
    with open(key_file, "w") as handle:
        handle.write(private["private_key"])
    os.chmod(key_file, 0o600)
    power_token = emu.user_token(tenant.tenant_id, audience="https://service.powerapps.com/", admin=True)
    sharepoint_json = os.path.join(out, "sharepoint-private-key.json")
    connector = {"display_name": "Canary Connector", "unique_name": "canary-connector",
                 "applications": ["mip", "sharepoint", "copilot"], "private_key_json_path": sharepoint_json,
                 "power_platform_token": power_token}
    connector_creds = {"tenant_id": tenant.tenant_id, "client_id": "{{ r0.client_id }}",
                       "client_secret": "{{ r0.client_secret }}"}
    account = dict(_zia_oneapi(tenant), name="Canary MIP", tenant_id=tenant.tenant_id,
                   client_id="{{ r0.client_id }}", client_secret="{{ r0.client_secret }}",
                   validation_wait=60, label_retrieval=True, wait_for="validated", wait_timeout=60)
    app = "mipconnect.zia.azure_app_connector"
    cases = [
        # 0: the real run that creates the connector and its secret (no_log, as the module demands)
        {"id": "create_connector", "module": app, "args": connector, "no_log": True},
        {"id": "rerun_check_diff", "module": app, "args": connector, "task": {"check_mode": True, "diff": True}},
        {"id": "rotate_check", "module": app, "args": dict(connector, rotate="always"),
         "task": {"check_mode": True, "diff": True}},
        {"id": "rerun_real_diff", "module": app, "args": connector, "task": {"diff": True}},
        {"id": "wrong_secret", "module": app, "args": dict(connector, auth_client_secret=WRONG_SECRET)},
        {"id": "wrong_tenant", "module": app, "args": dict(connector, tenant_id=UNKNOWN_TENANT)},
        {"id": "certificate_auth", "module": app,
         "args": dict(connector, auth_client_secret="", auth_client_id="{{ r0.client_id }}",
                      auth_certificate_path=key_pem_path), "task": {"check_mode": True}},
        {"id": "credentials_ok", "module": "mipconnect.zia.connector_credentials_info",
         "args": dict(connector_creds, applications=["mip", "sharepoint"], validation_wait=60)},
        {"id": "credentials_wrong", "module": "mipconnect.zia.connector_credentials_info",
         "args": dict(connector_creds, client_secret=WRONG_SECRET, fail_on_invalid=True)},
        {"id": "labels_graph_export", "module": "mipconnect.zia.mip_labels_export",
         "args": {"auth_client_id": "{{ r0.client_id }}", "auth_client_secret": "{{ r0.client_secret }}",
                  "csv_path": os.path.join(out, "labels.csv"), "json_path": os.path.join(out, "labels.json")}},
        {"id": "account_create", "module": "mipconnect.zia.mip_account", "args": account, "task": {"diff": True}},
        {"id": "account_rotate_legacy_check", "module": "mipconnect.zia.mip_account",
         "args": dict(dict((k, v) for k, v in account.items() if not k.startswith("zscaler_")),
                      update_secret="always", **_zia_legacy(tenant)),
         "task": {"check_mode": True, "diff": True}},
        {"id": "account_info_details", "module": "mipconnect.zia.mip_account_info",
         "args": dict(_zia_legacy(tenant), details=True)},
        {"id": "activation_legacy", "module": "mipconnect.zia.zia_activation", "args": _zia_legacy(tenant),
         "task": {"diff": True}},
        {"id": "account_info_private_key", "module": "mipconnect.zia.mip_account_info",
         "args": {"zscaler_client_id": private["client_id"], "zscaler_private_key": key_file,
                  "zscaler_token_url": emu.url + "/zslogin/oauth2/v1/token", "zia_api_url": emu.url + "/zia/api/v1",
                  "details": True}},
        {"id": "labels_both", "module": "mipconnect.zia.mip_labels_export",
         "args": dict(_zia_oneapi(tenant), source="both", account_name="Canary MIP",
                      auth_client_id="{{ r0.client_id }}", auth_client_secret="{{ r0.client_secret }}",
                      json_path=os.path.join(out, "drift.json"))},
        {"id": "maintenance_on", "module": "ansible.builtin.uri",
         "args": _control(tenant, "/_emulator/zia/config", {"maintenance": True})["ansible.builtin.uri"]},
        {"id": "account_in_maintenance", "module": "mipconnect.zia.mip_account",
         "args": dict(account, update_secret="always", wait_for="none")},
        {"id": "maintenance_off", "module": "ansible.builtin.uri",
         "args": _control(tenant, "/_emulator/zia/config", {"maintenance": False})["ansible.builtin.uri"]},
        {"id": "contract_off", "module": "ansible.builtin.uri",
         "args": _control(tenant, "/_emulator/zia/config", {"assumed_write_contract": False})["ansible.builtin.uri"]},
        {"id": "account_manual_steps", "module": "mipconnect.zia.mip_account",
         "args": dict(account, name="Canary MIP 2", wait_for="none")},
        {"id": "contract_on", "module": "ansible.builtin.uri",
         "args": _control(tenant, "/_emulator/zia/config", {"assumed_write_contract": True})["ansible.builtin.uri"]},
        {"id": "account_absent_check", "module": "mipconnect.zia.mip_account",
         "args": dict(_zia_oneapi(tenant), name="Canary MIP", state="absent"), "task": {"check_mode": True}},
    ]
    canaries = {
        "entra_admin_client_secret": tenant.info["admin_client_secret"],
        "wrong_secret": WRONG_SECRET,
        "zia_password": org["password"],
        "zia_api_key": org["api_key"],
        "oneapi_client_secret": org["oneapi_client_secret"],
        "oneapi_private_key": _pem_body(private["private_key"]),
        "power_platform_token": power_token,
    }
    return cases, canaries


def _assert_paths_behaved(outcomes):
    """The runs did what they should, so the scan covers real success and failure paths."""
    ok = ["create_connector", "rerun_check_diff", "rotate_check", "rerun_real_diff", "certificate_auth",
          "credentials_ok", "labels_graph_export", "account_create", "account_rotate_legacy_check",
          "account_info_details", "account_info_private_key", "labels_both", "account_absent_check"]
    for case_id in ok:
        assert not outcomes[case_id].result.get("failed"), (case_id, outcomes[case_id].result.get("msg"))
    failing = {"wrong_secret": "AADSTS7000215", "wrong_tenant": "AADSTS90002", "credentials_wrong": "not valid",
               "account_in_maintenance": "STATE_READONLY", "account_manual_steps": "Admin Portal"}
    for case_id, words in failing.items():
        result = outcomes[case_id].result
        assert result.get("failed"), (case_id, result)
        assert words in str(result.get("msg")), (case_id, result.get("msg"))
    assert outcomes["create_connector"].result["client_secret"]
    assert outcomes["account_info_details"].result["count"] >= 1


def _request_log_hits(canaries, requests):
    hits = []
    for entry in requests:
        text = "%s %s?%s" % (entry["method"], entry["path"], entry.get("query", ""))
        hits += canary_hits(canaries, text, "request log")
        if JWT_RE.search(text):
            hits.append(("request log", "a JWT"))
    return hits


def _token_cache_problems(module_tmp):
    """The shared token cache was used, lives in a 0700 directory, and holds only 0600 ciphertext."""
    directory = module_tmp / ("mipconnect-tokens-%d" % os.getuid())
    assert directory.is_dir(), "the modules wrote no token cache under TMPDIR (%s)" % sorted(module_tmp.iterdir())
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    files = [path for path in directory.iterdir() if path.is_file()]
    assert files, "the token cache directory is empty"
    problems = []
    for path in files:
        if stat.S_IMODE(path.stat().st_mode) != 0o600:
            problems.append((str(path), "mode %o" % stat.S_IMODE(path.stat().st_mode)))
        blob = path.read_bytes().decode("latin-1")
        if JWT_RE.search(blob) or "access_token" in blob or "expires_on" in blob:
            problems.append((str(path), "a token in clear"))
    return problems


def test_no_canary_secret_anywhere(tenant, tmp_path):
    out = str(tmp_path / "out")
    os.makedirs(out)
    ansible_tmp = tmp_path / "ansible-tmp"
    # The certificate credential: the SharePoint connector's own key, written by a harness task after run 0.
    key_pem_path = str(tmp_path / "connector-auth.pem")
    cases, canaries = _cases(tenant, out, key_pem_path)
    make_pem = {"id": "harness_pem", "module": "ansible.builtin.copy", "no_log": True,
                "args": {"content": "{{ (lookup('file', '%s') | from_json).private_key }}"
                                    "{{ (lookup('file', '%s') | from_json).public_cert }}"
                                    % ((os.path.join(out, "sharepoint-private-key.json"),) * 2),
                         "dest": key_pem_path, "mode": "0600"}}
    cases.insert(1, make_pem)
    # The modules' temp dir, where the shared token cache lives, is the test's own: its files are scanned too.
    module_tmp = tmp_path / "module-tmp"
    module_tmp.mkdir()
    env = {"ANSIBLE_LOCAL_TEMP": str(ansible_tmp / "local"), "ANSIBLE_REMOTE_TEMP": str(ansible_tmp / "remote"),
           "TMPDIR": str(module_tmp)}
    try:
        outcomes, output, _rc = run_batch(tenant, cases, verbosity=4, diff=True, env_extra=env)
    finally:  # the batch switches maintenance and the write contract on and off; never leave them switched
        tenant.emulator.configure_zia(maintenance=False, assumed_write_contract=True)
    harness_files = set(run_batch.last_files)
    _assert_paths_behaved(outcomes)

    connector = outcomes["create_connector"].result
    key_json = os.path.join(out, "sharepoint-private-key.json")
    assert stat.S_IMODE(os.stat(key_json).st_mode) == 0o600
    with open(key_json) as handle:
        stored = json.load(handle)
    canaries["connector_client_secret"] = connector["client_secret"]
    canaries["sharepoint_private_key"] = _pem_body(stored["private_key"])

    # The scanner can fail: the designated secret IS found where it is designated to be.
    assert ("designated", "connector_client_secret") in canary_hits(canaries, json.dumps(connector), "designated")

    hits = canary_hits(canaries, output, "console output (-vvvv --diff)")
    hits += [("console output", "a JWT")] if JWT_RE.search(output) else []
    for case_id, outcome in outcomes.items():
        result = dict(outcome.result)
        if case_id == "create_connector":
            result.pop("client_secret")  # the one designated place
        blob = json.dumps(result)
        hits += canary_hits(canaries, blob, "registered result of %s" % case_id)
        if JWT_RE.search(blob):
            hits.append(("registered result of %s" % case_id, "a JWT"))
    hits += scan_tree(canaries, out, exempt={key_json})
    hits += scan_tree(canaries, ansible_tmp)
    hits += scan_tree(canaries, module_tmp)
    hits += _token_cache_problems(module_tmp)
    everything = tenant.emulator.requests()
    hits += _request_log_hits(canaries, everything)
    assert not hits, hits
    assert harness_files  # the playbook and results file are the harness's own, not scanned


def test_no_canary_secret_through_ansible_runner(tenant, tmp_path, monkeypatch):
    """playbooks/connector.yml through ansible-runner at -vvvv: stdout, every job event JSON, artifacts."""
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    data_dir = tmp_path / "runner"
    (data_dir / "project").mkdir(parents=True)
    (data_dir / "env").mkdir()
    playbook_src = os.path.join(collections_path(), "ansible_collections", "mipconnect", "zia", "playbooks",
                                "connector.yml")
    shutil.copy(playbook_src, str(data_dir / "project" / "connector.yml"))
    env = tenant.env()
    env["ANSIBLE_PYTHON_INTERPRETER"] = sys.executable
    env["TMPDIR"] = str(tmp_path / "module-tmp")
    (tmp_path / "module-tmp").mkdir()
    result = ansible_runner.run(
        private_data_dir=str(data_dir), playbook="connector.yml", inventory="localhost ansible_connection=local",
        envvars=dict((k, v) for k, v in env.items() if k.startswith(("ANSIBLE_", "AZURE_", "MIPCONNECT_"))
                     or k == "TMPDIR"),
        extravars={"connector_unique_name": "canary-runner", "connector_applications": ["mip"]},
        verbosity=4, quiet=True, cmdline="--diff")
    assert result.status == "successful", result.stdout.read()[-3000:]
    events = list(result.events)
    created = [e for e in events if e.get("event") == "runner_on_ok"
               and "azure_app_connector" in json.dumps(e.get("event_data", {}).get("task_action", ""))]
    assert created, "the connector task did not run"
    state = tenant.state()
    ours = [a for a in state["applications"] if a.get("uniqueName") == "canary-runner"]
    assert len(ours) == 1 and len(ours[0]["passwordCredentials"]) == 1
    canaries = {"entra_admin_client_secret": tenant.info["admin_client_secret"]}
    # ansible-runner's own record of its input (artifacts/<id>/command holds the environment we gave it)
    # is the runner's, as env/ is; everything the play produced is scanned.
    inputs = set(str(p) for p in (data_dir / "artifacts").rglob("command"))
    # The Azure-style pattern must recognise the admin secret, or scanning for it proves nothing.
    assert AZURE_SECRET_RE.search(canaries["entra_admin_client_secret"])
    hits = scan_tree(canaries, data_dir / "artifacts", exempt=inputs)
    hits += canary_hits(canaries, json.dumps(events), "runner events")
    hits += _pattern_hits(json.dumps(events), "runner events")
    hits += _pattern_hits(result.stdout.read(), "runner stdout")
    for path in (data_dir / "artifacts").rglob("*"):
        if path.is_file() and str(path) not in inputs:
            hits += _pattern_hits(path.read_text(errors="replace"), str(path))
    hits += scan_tree(canaries, tmp_path / "module-tmp")
    hits += _token_cache_problems(tmp_path / "module-tmp")
    hits += _request_log_hits(canaries, tenant.emulator.requests())
    assert not hits, hits
    # The connector's secret is never shown again, so ansible-runner cannot have it; what it
    # must not have is the admin secret the playbook authenticated with, nor any token.
    assert any((data_dir / "artifacts").rglob("job_events/*.json"))


# The playbooks and roles ---------------------------------------------------------------------------

# The emulated Entra makes secrets like Azure's: three characters, "8Q~", then more.
AZURE_SECRET_RE = re.compile(r"[A-Za-z0-9]{3}8Q~[A-Za-z0-9_.~-]{20,}")


def _pattern_hits(text, where):
    hits = []
    if AZURE_SECRET_RE.search(text):
        hits.append((where, "an Azure-style client secret"))
    if JWT_RE.search(text):
        hits.append((where, "a JWT"))
    return hits


def _playbook_hygiene(tenant, runs, canaries, exempt, harness):
    hits = []
    for label, run in runs:
        hits += canary_hits(canaries, run.output, "output of %s" % label)
        hits += _pattern_hits(run.output, "output of %s" % label)
        hits += _request_log_hits(canaries, run.requests)
    for path in tenant.tmp_path.rglob("*"):
        if not path.is_file() or str(path) in exempt or path.name in harness or path.name.startswith(harness):
            continue
        text = path.read_text(errors="replace")
        hits += canary_hits(canaries, text, str(path)) + _pattern_hits(text, str(path))
    return hits


def test_playbooks_onboard_rotate_offboard_leak_nothing(tenant):
    from playbook_runs import run_playbook

    org = tenant.zia_org
    canaries = {"entra_admin_client_secret": tenant.info["admin_client_secret"], "zia_password": org["password"],
                "zia_api_key": org["api_key"]}
    env = {"ANSIBLE_VERBOSITY": "4", "ANSIBLE_LOCAL_TEMP": str(tenant.tmp_path / "ansible-local"),
           "ANSIBLE_REMOTE_TEMP": str(tenant.tmp_path / "ansible-remote")}
    onboard = {"mip_onboarding_tenant_id": tenant.tenant_id, "mip_onboarding_account_name": "Canary MIP",
               "mip_onboarding_export_dir": str(tenant.tmp_path / "labels"), "mip_onboarding_wait_for": "validated"}
    rotation = {"mipconnect_tenant_id": tenant.tenant_id, "mipconnect_account_name": "Canary MIP"}
    runs = []
    for label, playbook, variables, check in [
        ("onboard", "onboard_mip.yml", onboard, False),
        ("rotate (forced)", "rotate_secret.yml", dict(rotation, connector_secret_rotation_force=True), False),
        ("offboard plan", "offboard.yml", dict(rotation, mip_offboarding_delete_connector=True), True),
    ]:
        run = run_playbook(tenant, playbook, variables, check=check, diff=True, zia="legacy", env=env)
        run.assert_ok()
        runs.append((label, run))
    assert list((tenant.tmp_path / "labels").glob("*.csv")), "the onboarding exported no labels"
    hits = _playbook_hygiene(tenant, runs, canaries, exempt=set(), harness=("vars-",))
    assert not hits, hits


def test_playbook_saas_connector_leaks_nothing_but_its_0600_secret_file(tenant):
    from playbook_runs import run_playbook

    out = tenant.tmp_path / "saas"
    variables = {"mipconnect_tenant_id": tenant.tenant_id, "saas_connector_output_dir": str(out),
                 "saas_connector_applications": ["sharepoint", "teams"]}
    run = run_playbook(tenant, "saas_connector.yml", variables, diff=True, env={"ANSIBLE_VERBOSITY": "4"})
    run.assert_ok()
    secret_file = out / "zscaler-saas-connector-client-secret.txt"
    key_file = out / "zscaler-saas-connector-private-key.json"
    for path in (secret_file, key_file):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # The pattern scan is only worth something if it recognises a real secret of the emulated Entra.
    assert AZURE_SECRET_RE.search(secret_file.read_text())
    canaries = {"entra_admin_client_secret": tenant.info["admin_client_secret"],
                "saas_connector_secret": secret_file.read_text().strip(),
                "saas_private_key": _pem_body(json.loads(key_file.read_text())["private_key"])}
    hits = _playbook_hygiene(tenant, [("saas_connector", run)], canaries,
                             exempt={str(secret_file), str(key_file)}, harness=("vars-",))
    assert not hits, hits


# Redirects -----------------------------------------------------------------------------------------

class CaptureServer:
    """Another host, on plain http, that a redirect points at: it records every request it gets."""

    def __init__(self):
        import http.server
        import threading

        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                received.append({"method": self.command, "path": self.path, "headers": str(self.headers),
                                 "body": body.decode("latin-1")})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def _redirect_task(tenant, case_id, method, path, location, status=307):
    return {"id": case_id, "module": "ansible.builtin.uri", "args": {
        "url": tenant.emulator.url + "/_emulator/faults", "method": "POST", "body_format": "json",
        "body": {"method": method, "path": path, "status": status, "headers": {"Location": location}, "times": 1},
        "status_code": 201, "validate_certs": False}}


def test_no_credential_follows_a_redirect_to_another_host(tenant, tmp_path):
    """Every request that carries a credential, redirected by a 307/308/302 to another host (plain http,
    or another name on https): none is followed, so no secret, password, key or token reaches it, and
    each run fails with a sentence saying why. A bare read redirected on the same host is followed."""
    emu = tenant.emulator
    org = tenant.zia_org
    capture = CaptureServer()
    other_https = emu.url.replace("127.0.0.1", "localhost") + "/__redirected__"
    zia_oneapi = dict(_zia_oneapi(tenant), token_cache=False)
    connector = {"display_name": "Redirect Connector", "unique_name": "redirect-connector", "applications": ["mip"],
                 "token_cache": False}
    app = "mipconnect.zia.azure_app_connector"
    discovery = r"/entra/[^/]+/v2\.0/\.well-known/openid-configuration$"
    followed = "%s/entra/%s/v2.0/.well-known/openid-configuration?followed=1" % (emu.url, tenant.tenant_id)
    cases = [
        _redirect_task(tenant, "oneapi_token_redirected", "POST", r"/zslogin/oauth2/v1/token$",
                       capture.url + "/steal/oneapi-token"),
        {"id": "oneapi_token", "module": "mipconnect.zia.mip_account_info", "args": zia_oneapi},
        _redirect_task(tenant, "legacy_login_redirected", "POST", r"/zia/api/v1/authenticatedSession$",
                       other_https + "/legacy-login", status=308),
        {"id": "legacy_login", "module": "mipconnect.zia.mip_account_info", "args": _zia_legacy(tenant)},
        _redirect_task(tenant, "entra_token_redirected", "POST", r"/entra/[^/]+/oauth2/v2\.0/token$",
                       capture.url + "/steal/entra-token"),
        {"id": "entra_token", "module": app, "args": connector, "task": {"check_mode": True}},
        _redirect_task(tenant, "graph_read_redirected", "GET", r"/graph/v1\.0/applications\(uniqueName=",
                       capture.url + "/steal/graph", status=302),
        {"id": "graph_read", "module": app, "args": connector, "task": {"check_mode": True}},
        _redirect_task(tenant, "zia_read_redirected", "GET", r"/zia/api/v1/casbTenant/lite$",
                       other_https + "/zia-read", status=302),
        {"id": "zia_read", "module": "mipconnect.zia.mip_account_info", "args": zia_oneapi},
        _redirect_task(tenant, "discovery_redirected", "GET", discovery, followed, status=302),
        {"id": "bare_read_same_host", "module": app, "args": connector, "task": {"check_mode": True}},
    ]
    try:
        outcomes, output, _rc = run_batch(tenant, cases, verbosity=4, diff=True)
    finally:
        capture.close()
    refused = ["oneapi_token", "legacy_login", "entra_token", "graph_read", "zia_read"]
    for case_id in refused:
        outcome = outcomes[case_id]
        assert outcome.result.get("failed"), (case_id, outcome.result)
        assert "it was not followed" in outcome.msg and "credentials" in outcome.msg, (case_id, outcome.msg)
        # The redirected request itself (the legacy login is a POST) is the only one of its kind.
        assert [w for w in outcome.writes if not 300 <= w["status"] < 400] == [], (case_id, outcome.writes)
    # The one redirect that may be followed was: a bare read, https, same host.
    bare = outcomes["bare_read_same_host"]
    assert not bare.result.get("failed"), bare.msg
    assert [r["status"] for r in bare.requests if re.search(discovery, r["path"])] == [302, 200]
    # Nothing reached the other hosts: the plain-http one, nor another name for the emulator.
    assert capture.received == [], capture.received
    assert [r for r in emu.requests() if r["path"].startswith("/__redirected__")] == []
    canaries = {"oneapi_client_secret": org["oneapi_client_secret"], "zia_password": org["password"],
                "zia_api_key": org["api_key"], "entra_admin_client_secret": tenant.info["admin_client_secret"]}
    hits = canary_hits(canaries, output, "console output (-vvvv --diff)")
    hits += [("console output", "a JWT")] if JWT_RE.search(output) else []
    for case_id, outcome in outcomes.items():
        hits += canary_hits(canaries, json.dumps(outcome.result), "registered result of %s" % case_id)
    assert not hits, hits


def test_a_token_with_a_line_break_is_reported_by_type_and_host_only(tenant):
    """requests refuses a header value with CR/LF and quotes the whole header in its message; the
    module must say what failed (type, host) without the token, at -vvvv too."""
    canary = "eyJCanaryToken.Q7zX9pL2vK8mN4rT6yB1"
    broken = canary + "\r\nX-Injected: CanaryHeader-Q7zX9pL2"
    connector = {"display_name": "CRLF Connector", "unique_name": "crlf-connector", "applications": ["mip"]}
    cases = [
        {"id": "create", "module": "mipconnect.zia.azure_app_connector", "args": connector, "no_log": True},
        {"id": "broken_token", "module": "mipconnect.zia.azure_app_connector",
         "args": dict(connector, applications=["mip", "copilot"], power_platform_token=broken),
         "task": {"check_mode": True}},
    ]
    outcomes, output, _rc = run_batch(tenant, cases, verbosity=4)
    assert not outcomes["create"].result.get("failed"), outcomes["create"].msg
    broken_run = outcomes["broken_token"]
    assert broken_run.result.get("failed"), broken_run.result
    host = tenant.emulator.url.split("://", 1)[1]
    assert "InvalidHeader" in broken_run.msg and host in broken_run.msg, broken_run.msg
    assert "Unexpected error" not in broken_run.msg
    assert broken_run.result.get("exception") in (None, "(traceback unavailable)"), broken_run.result["exception"]
    hits = canary_hits({"token": canary, "injected_header": "CanaryHeader-Q7zX9pL2"}, output, "console output")
    hits += canary_hits({"token": canary}, json.dumps(broken_run.result), "registered result")
    assert not hits, hits


def test_gitops_example_dry_run_leaks_nothing(tenant):
    """examples/gitops as its workflow runs it: the checker, then the plan (--check --diff) at -vvvv."""
    import subprocess

    import yaml

    from conftest import REPO_ROOT

    work = tenant.tmp_path / "gitops"
    shutil.copytree(os.path.join(REPO_ROOT, "examples", "gitops"), str(work))
    other = tenant.emulator.create_tenant()
    tenants = {"mipconnect_tenants": [
        {"name": "contoso", "tenant_id": tenant.tenant_id, "account_name": "Contoso MIP"},
        {"name": "fabrikam", "tenant_id": other["tenant_id"], "account_name": "Fabrikam MIP",
         "applications": ["mip", "teams"],
         "entra_auth": {"auth_client_id": other["admin_client_id"], "auth_client_secret": other["admin_client_secret"]}},
    ]}
    (work / "tenants.yml").write_text(yaml.safe_dump(tenants))
    env = tenant.env(zia="oneapi")
    env.update({"ANSIBLE_CONFIG": str(work / "ansible.cfg"), "ANSIBLE_VERBOSITY": "4",
                "ANSIBLE_LOCAL_TEMP": str(tenant.tmp_path / "ansible-local"), "TMPDIR": str(tenant.tmp_path)})
    bin_dir = os.path.dirname(sys.executable)
    check = subprocess.run([sys.executable, "check_tenants.py", "--collections-path", collections_path(),
                            "tenants.yml"], cwd=str(work), env=env, capture_output=True, text=True, timeout=60, check=False)
    assert check.returncode == 0, check.stderr
    before = len(tenant.emulator.requests())
    plan = subprocess.run([os.path.join(bin_dir, "ansible-playbook"), "-i", "localhost,",
                           "mipconnect.zia.reconcile", "-e", "@tenants.yml", "--check", "--diff"],
                          cwd=str(work), env=env, capture_output=True, text=True, timeout=900, check=False)
    output = check.stdout + check.stderr + plan.stdout + plan.stderr
    assert plan.returncode == 0, output[-4000:]
    assert "Plan (check mode: nothing was sent) for 2 tenant(s)" in output
    requests = tenant.emulator.requests()[before:]
    assert requests and not [r for r in requests if r["method"] in ("PATCH", "PUT", "DELETE")
                             or (r["method"] == "POST" and not r["path"].endswith(("/token", "/authenticatedSession")))]
    org = tenant.zia_org
    canaries = {"entra_admin_client_secret": tenant.info["admin_client_secret"],
                "tenant_entra_secret": other["admin_client_secret"],
                "oneapi_client_secret": org["oneapi_client_secret"]}
    hits = canary_hits(canaries, output, "gitops plan output (-vvvv --diff)") + _pattern_hits(output, "gitops plan")
    hits += _request_log_hits(canaries, requests)
    # tenants.yml holds the per-tenant secret by design (the test wrote it there).
    hits += scan_tree(canaries, work, exempt={str(work / "tenants.yml")})
    hits += scan_tree(canaries, tenant.tmp_path / "ansible-local")
    assert not hits, hits
