"""Fault matrix, the module part.

Each scenario is one test: a fault switched on in the emulator (or a TCP proxy
that resets connections, or a process killed between two steps), the module
run through ansible-playbook, then the checks that matter: the run succeeds
(or fails with a sentence naming the cause), and a re-run converges with no
duplicate applications, service principals, secrets, grants, role
assignments or MIP accounts.

The matrix is printed as a table when a worker finishes the module (shown in
pytest's warnings summary, so also under xdist) and written to
build/fault-matrix/fault_matrix.md.
"""

import collections
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import pytest
import yaml

from conftest import ZIA_TEST_DEFAULTS
from helpers import token_with_secret
from proof_helpers import FaultMatrix, run_batch

ENTRA_TOKEN = r"/oauth2/v2.0/token$"
GRAPH_APP_BY_NAME = r"/graph/v1\.0/applications\(uniqueName="
GRAPH_APP_BY_ID = r"/graph/v1\.0/applications/[0-9a-f-]+$"
SECRET_IN_FLIGHT_TAG = "mipconnect.zia:secret-in-flight:"


def _session_tag():
    return os.environ.get("PYTEST_XDIST_TESTRUNUID") or "solo-%d" % os.getpid()


MATRIX = FaultMatrix(_session_tag())


@pytest.fixture(scope="module", autouse=True)
def matrix_table():
    yield MATRIX
    MATRIX.publish()


@pytest.fixture
def scenario(request, emulator):
    """Clean faults and ZIA config around each scenario, and record its row in the matrix."""
    emulator.clear_faults()
    emulator.configure(replication_delay=emulator.default_replication_delay)
    row = {"fault": "", "expectation": "", "started": time.monotonic()}
    yield row
    emulator.clear_faults()
    emulator.configure(replication_delay=emulator.default_replication_delay)
    emulator.configure_zia(**ZIA_TEST_DEFAULTS)
    name = request.node.name.replace("test_", "", 1)
    seconds = time.monotonic() - row["started"]
    if row.get("rows"):
        # One playbook proved several rows (one task each): each is its own row of the matrix.
        for sub in row["rows"]:
            MATRIX.record("%s: %s" % (name, sub["name"]), sub["fault"], sub["expectation"],
                          sub.get("outcome", "FAILED (see test)"), seconds)
        return
    MATRIX.record(name, row["fault"], row["expectation"], row.get("outcome", "FAILED (see test)"), seconds)


def connector(tenant, applications=("mip",), **extra):
    args = {"display_name": "Fault Connector", "unique_name": "fault-%s" % "-".join(applications).replace("_", "-"),
            "applications": list(applications)}
    if "sharepoint" in applications:
        args["private_key_json_path"] = str(tenant.tmp_path / "sharepoint.json")
    if "azure_blob_storage" in applications:
        args["subscription_id"] = tenant.subscription_id
    args.update(extra)
    return args


def ok(run):
    assert not run.result.get("failed"), run.result.get("msg") or run.output[-3000:]
    return run


def statuses(run, pattern=""):
    return [(r["method"], r["status"]) for r in run.requests if pattern in r["path"]]


def assert_no_duplicates(tenant, unique_name, secrets=1):
    """One app, one service principal, no duplicate grant, role assignment or secret."""
    state = tenant.state()
    apps = [a for a in state["applications"] if a.get("uniqueName") == unique_name]
    assert len(apps) == 1, "applications: %d" % len(apps)
    app = apps[0]
    sps = [s for s in state["servicePrincipals"] if s.get("appId") == app["appId"]]
    assert len(sps) == 1, "service principals: %d" % len(sps)
    sp_id = sps[0]["id"]
    roles = [(a["resourceId"], a["appRoleId"]) for a in state["appRoleAssignments"] if a.get("principalId") == sp_id]
    assert len(roles) == len(set(roles)), collections.Counter(roles)
    grants = [g["resourceId"] for g in state["oauth2PermissionGrants"] if g.get("clientId") == sp_id]
    assert len(grants) == len(set(grants)), collections.Counter(grants)
    assignments = [r["properties"]["roleDefinitionId"] for r in state["roleAssignments"]
                   if r["properties"]["principalId"] == sp_id]
    assert len(assignments) == len(set(assignments)), collections.Counter(assignments)
    assert len(app["passwordCredentials"]) == secrets, app["passwordCredentials"]
    assert not [t for t in app.get("tags") or [] if t.startswith(SECRET_IN_FLIGHT_TAG)], app["tags"]
    assert len(app.get("keyCredentials") or []) <= 1
    return app, sps[0], roles, grants, assignments


def mip_accounts(tenant):
    return [t for t in tenant.emulator.zia_state(tenant.zia_org["org_id"])["tenants"]
            if t.get("saasApplication") == "MIP" and not t.get("tenantDeleted")]


def account_args(tenant, client_id, client_secret, **extra):
    # validate: false - the connector made by the control API holds only the one role ZIA's own
    # validation needs (InformationProtectionPolicy.Read.All); ZIA still validates it for real.
    args = {"name": "Fault MIP", "tenant_id": tenant.tenant_id, "client_id": client_id,
            "client_secret": client_secret, "validate": False}
    args.update(extra)
    return args


# --- Throttling -------------------------------------------------------------------------------

def test_graph_429_retry_after_seconds_header(tenant, emulator, scenario):
    scenario.update(fault="Graph 429 Retry-After: 1 (x2) on app lookup", expectation="waits, succeeds, re-run idempotent")
    emulator.add_fault(method="GET", path=GRAPH_APP_BY_NAME, status=429, headers={"Retry-After": "1"}, times=2)
    run = ok(tenant.run_module(connector(tenant)))
    assert statuses(run, "applications(uniqueName=")[:3] == [("GET", 429), ("GET", 429), ("GET", 404)]
    lookups = [r for r in run.requests if "applications(uniqueName=" in r["path"]][:3]
    gaps = [_iso_seconds(b["time"]) - _iso_seconds(a["time"]) for a, b in zip(lookups, lookups[1:])]
    assert min(gaps) >= 0.9, gaps
    assert_no_duplicates(tenant, "fault-mip")
    scenario["outcome"] = "2x429 then 404 (waited %s s), created once" % "/".join("%.2f" % g for g in gaps)


def _iso_seconds(stamp):
    import datetime

    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()


@pytest.mark.parametrize("form,headers,body", [
    pytest.param("seconds_suffix", {"Retry-After": "1s"}, None, id="seconds_suffix"),
    pytest.param("zero_seconds", {"Retry-After": "0 seconds"}, None, id="zero_seconds"),
    pytest.param("body", {}, {"code": "RATE_LIMIT_EXCEEDED", "message": "Rate Limit (2/SECOND) exceeded",
                              "Retry-After": "1 seconds"}, id="body"),
])
def test_zia_429_retry_after_forms(tenant, emulator, scenario, form, headers, body):
    scenario.update(fault="ZIA 429 (%s) x2 on /casbTenant/lite" % form,
                    expectation="waits >= 1 s each time, succeeds")
    emulator.add_fault(method="GET", path=r"/zia/api/v1/casbTenant/lite", status=429, headers=headers, body=body,
                       times=2)
    run = ok(tenant.run_module({}, module="mipconnect.zia.mip_account_info", zia="oneapi"))
    lite = [r for r in run.requests if "/casbTenant/lite" in r["path"]]
    assert [(r["method"], r["status"]) for r in lite] == [("GET", 429), ("GET", 429), ("GET", 200)]
    assert [w for w in run.writes if w["service"] != "zidentity"] == []
    gaps = [_iso_seconds(b["time"]) - _iso_seconds(a["time"]) for a, b in zip(lite, lite[1:])]
    scenario["outcome"] = "2x429 then 200; waited %s s" % "/".join("%.2f" % g for g in gaps)
    assert min(gaps) >= 0.9, gaps


def test_entra_token_endpoint_429(tenant, emulator, scenario):
    scenario.update(fault="Entra token endpoint 429 Retry-After: 1", expectation="token retried, run succeeds")
    emulator.add_fault(method="POST", path=ENTRA_TOKEN, status=429, headers={"Retry-After": "1"}, times=1)
    run = ok(tenant.run_module(connector(tenant), check=True))
    assert ("POST", 429) in statuses(run, "/oauth2/v2.0/token")
    scenario["outcome"] = "429 then token"


# --- Server errors, resets, timeouts --------------------------------------------------------------

def test_graph_503_then_success(tenant, emulator, scenario):
    scenario.update(fault="Graph 503 x2 on app lookup (no Retry-After)", expectation="backoff, succeeds")
    emulator.add_fault(method="GET", path=GRAPH_APP_BY_NAME, status=503, times=2)
    ok(tenant.run_module(connector(tenant)))
    assert_no_duplicates(tenant, "fault-mip")
    scenario["outcome"] = "retried with backoff, created once"


def test_graph_504_on_get_is_retried(tenant, emulator, scenario):
    scenario.update(fault="Graph 504 x1 on GET", expectation="GET retried, succeeds")
    emulator.add_fault(method="GET", path=GRAPH_APP_BY_NAME, status=504, times=1)
    run = ok(tenant.run_module(connector(tenant), check=True))
    assert statuses(run, "applications(uniqueName=")[:2] == [("GET", 504), ("GET", 404)]
    scenario["outcome"] = "504 then 404 (check mode)"


def test_graph_504_on_add_password_is_not_repeated_and_rerun_converges(tenant, emulator, scenario):
    scenario.update(fault="Graph 504 on POST addPassword", expectation="no blind repeat; clear error; re-run: 1 secret")
    emulator.add_fault(method="POST", path=r"/addPassword$", status=504, times=1)
    first = tenant.run_module(connector(tenant))
    assert first.result["failed"]
    assert "504" in first.result["msg"]
    assert statuses(first, "/addPassword") == [("POST", 504)]
    second = ok(tenant.run_module(connector(tenant)))
    assert second.result["client_secret"]
    assert_no_duplicates(tenant, "fault-mip")
    scenario["outcome"] = "failed once (504), re-run added the one secret"


def test_zia_503_on_token_then_success(tenant, emulator, scenario):
    scenario.update(fault="OneAPI token endpoint 503 x1", expectation="retried, succeeds")
    emulator.add_fault(method="POST", path=r"/zslogin/oauth2/v1/token$", status=503, times=1)
    run = ok(tenant.run_module({}, module="mipconnect.zia.mip_account_info", zia="oneapi"))
    assert statuses(run, "/zslogin/")[:2] == [("POST", 503), ("POST", 200)]
    scenario["outcome"] = "503 then token"


class ResettingProxy:
    """A TCP proxy to the emulator that resets the first ``resets`` connections (RST), then forwards."""

    def __init__(self, target_port, resets=1):
        self.target_port = target_port
        self.resets = resets
        self.reset_count = 0
        self.server = socket.socket()
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.port = self.server.getsockname()[1]
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while not self._stop:
            try:
                client, _addr = self.server.accept()
            except OSError:
                return
            if self.reset_count < self.resets:
                self.reset_count += 1
                client.recv(1024)
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, sink):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self):
        self._stop = True
        self.server.close()


def test_connection_reset_on_graph_is_retried(tenant, emulator, scenario):
    scenario.update(fault="TCP reset of the first Graph connection", expectation="GET retried on a new connection")
    proxy = ResettingProxy(emulator.port, resets=1)
    try:
        run = ok(tenant.run_module(connector(tenant, graph_url="https://127.0.0.1:%d/graph" % proxy.port)))
    finally:
        proxy.close()
    assert proxy.reset_count == 1
    assert_no_duplicates(tenant, "fault-mip")
    assert run.result["client_secret"]
    scenario["outcome"] = "1 reset, created once"


def test_connection_reset_on_zia_is_retried(tenant, emulator, scenario):
    scenario.update(fault="TCP reset of the first ZIA API connection", expectation="GET retried on a new connection")
    proxy = ResettingProxy(emulator.port, resets=1)
    try:
        run = ok(tenant.run_module({"zia_api_url": "https://127.0.0.1:%d/zia/api/v1" % proxy.port},
                                   module="mipconnect.zia.mip_account_info", zia="oneapi"))
    finally:
        proxy.close()
    assert proxy.reset_count == 1
    assert statuses(run, "/casbTenant/lite") == [("GET", 200)]
    scenario["outcome"] = "1 reset, then read"


def test_read_timeout_on_get_is_retried(tenant, emulator, scenario):
    scenario.update(fault="Graph GET answers after 4 s, timeout 2", expectation="read timeout, GET retried, succeeds")
    emulator.add_fault(method="GET", path=GRAPH_APP_BY_NAME, status=0, delay=4, times=1)
    ok(tenant.run_module(connector(tenant, timeout=2)))
    assert_no_duplicates(tenant, "fault-mip")
    scenario["outcome"] = "retried after timeout, created once"


def test_read_timeout_on_add_password_leaves_no_orphaned_secret(tenant, emulator, scenario):
    scenario.update(fault="POST addPassword answered after 4 s, timeout 2 (write happened)",
                    expectation="no blind repeat; re-run removes the undelivered secret, delivers a working one")
    emulator.add_fault(method="POST", path=r"/addPassword$", status=0, delay=4, times=1)
    first = tenant.run_module(connector(tenant, timeout=2))
    assert first.result["failed"]
    assert "Could not reach" in first.result["msg"]
    assert len(statuses(first, "/addPassword")) <= 1
    time.sleep(3)  # the emulator finishes the held addPassword: the secret nobody received exists
    (orphan,) = [a for a in tenant.state()["applications"] if a.get("uniqueName") == "fault-mip"][0][
        "passwordCredentials"]
    second = ok(tenant.run_module(connector(tenant)))
    assert any("interrupted run" in change and orphan["keyId"] in change for change in second.result["changes"])
    app = assert_no_duplicates(tenant, "fault-mip")[0]
    assert app["passwordCredentials"][0]["keyId"] != orphan["keyId"]
    # The user ends up holding the one secret there is, and it works.
    assert second.result.get("client_secret"), "no run delivered the connector's secret"
    assert token_with_secret(tenant, second.result["client_id"], second.result["client_secret"])
    third = ok(tenant.run_module(connector(tenant)))
    assert third.result["changed"] is False and third.writes == [], third.result.get("changes")
    scenario["outcome"] = "failed clearly; re-run removed the undelivered secret, delivered 1; then no writes"


# --- Server errors on every kind of read, 429 storms, edit locks that ask for days, bad paging ---------
# One playbook per test (run_batch): faults are switched on before the run or by control-API tasks
# between its tasks, and each task is one row of the matrix.

ZIA = r"/zia/api/v1"


def _fault_task(tenant, case_id, **fault):
    """A batch task that switches a fault on through the emulator's control API (not logged)."""
    return {"id": case_id, "module": "ansible.builtin.uri", "args": {
        "url": tenant.emulator.url + "/_emulator/faults", "method": "POST", "body_format": "json", "body": fault,
        "status_code": 201, "validate_certs": False}}


def _clear_faults_task(tenant, case_id):
    return {"id": case_id, "module": "ansible.builtin.uri", "args": {
        "url": tenant.emulator.url + "/_emulator/faults", "method": "DELETE", "status_code": 204,
        "validate_certs": False}}


def _oneapi_args(tenant, **extra):
    org = tenant.zia_org
    args = {"zscaler_client_id": org["oneapi_client_id"], "zscaler_client_secret": org["oneapi_client_secret"],
            "zscaler_token_url": tenant.emulator.url + "/zslogin/oauth2/v1/token",
            "zia_api_url": tenant.emulator.url + ZIA, "token_cache": False}
    args.update(extra)
    return args


def _path_statuses(outcome, pattern):
    return [r["status"] for r in outcome.requests if re.search(pattern, r["path"])]


def _assert_task_ok(outcome):
    assert not outcome.result.get("failed"), (outcome.case["id"], outcome.msg, outcome.output[-2000:])


# (row, service, method, path pattern, status): every kind of read the modules make.
READ_KINDS = [
    ("entra_oidc_discovery", "Entra (MSAL)", "GET", r"/entra/[^/]+/v2\.0/\.well-known/openid-configuration$", 502),
    ("graph_get_one", "Graph", "GET", r"/graph/v1\.0/applications\(uniqueName=", 500),
    ("graph_list", "Graph", "GET", r"/graph/v1\.0/servicePrincipals/[^/]+/appRoleAssignments$", 502),
    ("graph_list_filtered", "Graph", "GET", r"/graph/v1\.0/oauth2PermissionGrants$", 504),
    ("arm_get", "ARM", "GET", r"/arm/subscriptions/.+/roleAssignments/", 503),
    ("zia_lite", "ZIA", "GET", ZIA + r"/casbTenant/lite$", 502),
    ("zia_validation_status", "ZIA", "GET", ZIA + r"/casbTenant/validate/status/", 500),
    ("zia_tags_policy", "ZIA", "GET", ZIA + r"/casbTenant/\d+/tags/policy$", 504),
    ("zia_status", "ZIA", "GET", ZIA + r"/status$", 503),
]


def test_5xx_on_every_kind_of_read_is_retried_and_the_rerun_is_a_no_op(tenant, emulator, scenario):
    args = connector(tenant, applications=("mip", "azure_blob_storage"))
    ok(tenant.run_module(args))
    emulator.seed_mip_account(tenant.zia_org["org_id"], tenantName="Fault Reads", enterpriseTenantId=tenant.tenant_id)
    for _row, _service, method, path, status in READ_KINDS:
        emulator.add_fault(method=method, path=path, status=status, times=1)
    cases = [
        # token_cache off: MSAL starts afresh and reads the tenant's OpenID configuration.
        {"id": "connector_rerun", "module": "mipconnect.zia.azure_app_connector", "args": dict(args, token_cache=False)},
        {"id": "account_info", "module": "mipconnect.zia.mip_account_info", "args": _oneapi_args(tenant, details=True)},
        {"id": "activation_check", "module": "mipconnect.zia.zia_activation", "args": _oneapi_args(tenant),
         "task": {"check_mode": True}},
    ]
    outcomes, output, _rc = run_batch(tenant, cases)
    for outcome in outcomes.values():
        _assert_task_ok(outcome)
        assert outcome.result["changed"] is False and outcome.writes == [], (outcome.case["id"], outcome.writes)
    assert outcomes["account_info"].result["count"] == 1
    everything = [r for outcome in outcomes.values() for r in outcome.requests]
    rows = []
    for row, service, method, path, status in READ_KINDS:
        seen = [r["status"] for r in everything if r["method"] == method and re.search(path, r["path"])]
        assert seen[:2] == [status, 200], (row, seen)
        rows.append({"name": row, "fault": "%s %s on %s" % (service, status, row.replace("_", " ")),
                     "expectation": "retried after a backoff; the run is the no-op it should be",
                     "outcome": "%d then 200; changed=false, 0 writes" % status})
    assert emulator.faults.describe() == [], "a fault was never reached: %s" % emulator.faults.describe()
    scenario["rows"] = rows


def test_429_storms_are_bounded_by_the_total_wait_not_a_count(tenant, emulator, scenario):
    lite = ZIA + r"/casbTenant/lite$"
    emulator.add_fault(method="GET", path=lite, status=429, headers={"Retry-After": "0 seconds"}, times=4)
    cases = [
        # Four 429s against one retry: throttling does not count against max_retries.
        {"id": "storm_past_max_retries", "module": "mipconnect.zia.mip_account_info",
         "args": _oneapi_args(tenant, max_retries=1)},
        _fault_task(tenant, "endless_storm_on", method="GET", path=lite, status=429, headers={"Retry-After": "1"},
                    times=None),
        {"id": "endless_storm", "module": "mipconnect.zia.mip_account_info",
         "args": _oneapi_args(tenant, max_retry_wait=3)},
        _clear_faults_task(tenant, "storm_over"),
        {"id": "after_the_storm", "module": "mipconnect.zia.mip_account_info", "args": _oneapi_args(tenant)},
    ]
    outcomes, output, _rc = run_batch(tenant, cases)
    past = outcomes["storm_past_max_retries"]
    _assert_task_ok(past)
    assert _path_statuses(past, lite) == [429, 429, 429, 429, 200]
    endless = outcomes["endless_storm"]
    assert endless.result.get("failed"), endless.result
    assert "429" in endless.msg and "max_retry_wait" in endless.msg, endless.msg
    tries = _path_statuses(endless, lite)
    assert set(tries) == {429} and 2 <= len(tries) <= 4, tries  # waits of 1-1.5 s within 3 s
    assert endless.writes == []
    _assert_task_ok(outcomes["after_the_storm"])
    scenario["rows"] = [
        {"name": "storm_longer_than_max_retries", "fault": "ZIA 429 x4 (Retry-After: 0 seconds), max_retries 1",
         "expectation": "waited out: 429s are bounded by max_retry_wait, not the count",
         "outcome": "4x429 then 200"},
        {"name": "endless_storm", "fault": "ZIA 429 on every read (Retry-After: 1), max_retry_wait 3",
         "expectation": "stops within max_retry_wait with a sentence naming it; next run after the storm reads",
         "outcome": "%d tries then a clear error; after the storm: read ok" % len(tries)},
    ]


def test_edit_lock_asking_for_a_day_fails_at_once_and_the_rerun_converges(tenant, emulator, scenario):
    client_id, secret = _connector_for_zia(tenant)
    emulator.add_fault(method="POST", path=ZIA + r"/casbTenant$", status=409, headers={"Retry-After": "86400"},
                       body={"code": "EDIT_LOCK_NOT_AVAILABLE", "message": "Another admin holds the edit lock."})
    account = dict(_oneapi_args(tenant), **account_args(tenant, client_id, secret))
    cases = [{"id": run, "module": "mipconnect.zia.mip_account", "args": account}
             for run in ("locked", "rerun", "again")]
    outcomes, output, _rc = run_batch(tenant, cases, no_log=True, timeout=300)
    locked = outcomes["locked"]
    assert locked.result.get("failed"), locked.result
    assert "EDIT_LOCK_NOT_AVAILABLE" in locked.msg and "max_retry_wait" in locked.msg, locked.msg
    assert [(w["method"], w["status"]) for w in locked.writes] == [("POST", 409)]
    _assert_task_ok(outcomes["rerun"])
    assert outcomes["rerun"].result["changed"] is True
    again = outcomes["again"]
    _assert_task_ok(again)
    assert again.result["changed"] is False and again.writes == [], again.writes
    assert len(mip_accounts(tenant)) == 1
    scenario.update(fault="ZIA 409 EDIT_LOCK_NOT_AVAILABLE with Retry-After: 86400 on the save",
                    expectation="fails at once naming max_retry_wait (no sleep for a day); re-run: 1 account; "
                                "then no change",
                    outcome="failed at once; re-run saved 1 account; third run 0 writes")


def test_servers_that_ignore_paging_are_not_read_forever(tenant, emulator, scenario):
    org = tenant.zia_org["org_id"]
    for number in range(100):
        emulator.seed_mip_account(org, tenantName="Paged MIP %03d" % number)
    lite = ZIA + r"/casbTenant/lite$"
    emulator.add_fault(method="GET", path=lite, status=0, query={"page": 1}, skip=1, times=1)
    labels_path = r"/graph/beta/security/informationProtection/sensitivityLabels$"
    emulator.seed_labels(tenant.tenant_id, count=120)
    emulator.add_fault(method="GET", path=labels_path, status=0, query={"$skiptoken": None}, skip=1, times=1)
    reader = emulator.create_client(tenant.tenant_id, graph_roles=["InformationProtectionPolicy.Read.All"])
    labels = {"id": "labels", "module": "mipconnect.zia.mip_labels_info",
              "args": {"auth_client_id": reader["client_id"], "auth_client_secret": reader["client_secret"],
                       "endpoint": "beta", "token_cache": False}}
    accounts = {"id": "accounts", "module": "mipconnect.zia.mip_account_info", "args": _oneapi_args(tenant)}
    cases = [dict(accounts, id="zia_page_ignored"), dict(accounts, id="zia_rerun"),
             dict(labels, id="graph_skiptoken_ignored"), dict(labels, id="graph_rerun")]
    outcomes, output, _rc = run_batch(tenant, cases)
    zia_loop = outcomes["zia_page_ignored"]
    assert zia_loop.result.get("failed"), zia_loop.result
    assert "page 2 repeats an earlier page" in zia_loop.msg and "zia_api_url" in zia_loop.msg, zia_loop.msg
    assert [r["query"] for r in zia_loop.requests if re.search(lite, r["path"])] == [
        "page=1&pageSize=100", "page=2&pageSize=100"]
    _assert_task_ok(outcomes["zia_rerun"])
    assert outcomes["zia_rerun"].result["count"] == 100
    graph_loop = outcomes["graph_skiptoken_ignored"]
    assert graph_loop.result.get("failed"), graph_loop.result
    assert "repeats an earlier page" in graph_loop.msg and "graph_url" in graph_loop.msg, graph_loop.msg
    assert len(_path_statuses(graph_loop, labels_path)) == 2
    _assert_task_ok(outcomes["graph_rerun"])
    assert len(outcomes["graph_rerun"].result["labels"]) == 120
    scenario["rows"] = [
        {"name": "zia_page_ignored", "fault": "ZIA answers page 1 for page 2 of /casbTenant/lite (100 accounts)",
         "expectation": "stops at the repeated page with a clear error; re-run reads every account",
         "outcome": "stopped after 2 requests; re-run: 100 accounts"},
        {"name": "graph_skiptoken_ignored", "fault": "Graph drops $skiptoken on the second labels page (120 labels)",
         "expectation": "stops at the repeated page with a clear error; re-run reads every label",
         "outcome": "stopped after 2 requests; re-run: 120 labels"},
    ]


# --- Replication delay --------------------------------------------------------------------------

def test_graph_replication_delay_after_app_sp_and_grant_creation(tenant, emulator, scenario):
    scenario.update(fault="replication_delay 2 s (app, SP, grants invisible)",
                    expectation="retries while replicating; one of each; re-run no writes")
    emulator.configure(replication_delay=2)
    first = ok(tenant.run_module(connector(tenant, applications=("mip", "azure_blob_storage"),
                                           unique_name="fault-repl")))
    retried = [r for r in first.requests if r["status"] in (400, 404) and r["method"] != "GET"]
    assert retried, "no replication error was met: the scenario did not exercise the delay"
    time.sleep(2)
    second = ok(tenant.run_module(connector(tenant, applications=("mip", "azure_blob_storage"),
                                            unique_name="fault-repl")))
    assert second.writes == [], second.writes
    assert_no_duplicates(tenant, "fault-repl")
    scenario["outcome"] = "%d not-yet answers retried; re-run clean" % len(retried)


def test_arm_principal_not_found(tenant, emulator, scenario):
    scenario.update(fault="ARM PUT roleAssignment 400 PrincipalNotFound x2",
                    expectation="retried while replicating; 2 assignments")
    emulator.add_fault(method="PUT", path=r"/roleAssignments/", status=400, times=2, body={
        "error": {"code": "PrincipalNotFound", "message": "Principal fault does not exist in the directory."}})
    run = ok(tenant.run_module(connector(tenant, applications=("azure_blob_storage",))))
    assert [s for _m, s in statuses(run, "/roleAssignments/") if s == 400] == [400, 400]
    _app, _sp, _roles, _grants, assignments = assert_no_duplicates(tenant, "fault-azure-blob-storage")
    assert len(assignments) == 2
    scenario["outcome"] = "2x PrincipalNotFound then created"


# --- ZIA sessions, locks, maintenance, activation --------------------------------------------------

def _connector_for_zia(tenant):
    """A consented connector made through the control API (no module run): ZIA validates it for real."""
    made = tenant.emulator.create_client(tenant.tenant_id, graph_roles=["InformationProtectionPolicy.Read.All"])
    return made["client_id"], made["client_secret"]


def test_zia_session_expiry_mid_run(tenant, emulator, scenario):
    scenario.update(fault="legacy session_timeout 2 s, polls 2 s apart (wait_for labels_retrieved)",
                    expectation="re-login on SESSION_NOT_VALID, succeeds")
    client_id, secret = _connector_for_zia(tenant)
    emulator.configure_zia(session_timeout=2, label_retrieval_seconds=5)
    run = ok(tenant.run_module(account_args(tenant, client_id, secret, label_retrieval=True,
                                            wait_for="labels_retrieved", wait_timeout=60),
                               module="mipconnect.zia.mip_account", zia="legacy"))
    expired = [r for r in run.requests if r["status"] == 401 and "/zia/" in r["path"]]
    logins = [r for r in run.requests if r["method"] == "POST" and r["path"].endswith("/authenticatedSession")]
    assert expired and len(logins) >= 2, (expired, logins)
    assert len(mip_accounts(tenant)) == 1
    scenario["outcome"] = "%d expiries, %d logins" % (len(expired), len(logins))


def test_zia_edit_lock(tenant, emulator, scenario):
    scenario.update(fault="edit_lock_writes 2", expectation="waits for the lock; one account")
    client_id, secret = _connector_for_zia(tenant)
    emulator.configure_zia(edit_lock_writes=2)
    run = ok(tenant.run_module(account_args(tenant, client_id, secret), module="mipconnect.zia.mip_account",
                               zia="oneapi"))
    assert [s for _m, s in statuses(run, "/casbTenant") if s == 409] == [409, 409]
    assert len(mip_accounts(tenant)) == 1
    scenario["outcome"] = "2x409 EDIT_LOCK then saved"


def test_zia_maintenance_mode_is_a_clear_error_and_rerun_converges(tenant, emulator, scenario):
    scenario.update(fault="maintenance (writes 403 STATE_READONLY)",
                    expectation="clear error, nothing saved; re-run after: one account")
    client_id, secret = _connector_for_zia(tenant)
    emulator.configure_zia(maintenance=True)
    first = tenant.run_module(account_args(tenant, client_id, secret), module="mipconnect.zia.mip_account",
                              zia="oneapi")
    assert first.result["failed"]
    assert "maintenance" in first.result["msg"].lower(), first.result["msg"]
    assert mip_accounts(tenant) == []
    emulator.configure_zia(maintenance=False)
    ok(tenant.run_module(account_args(tenant, client_id, secret), module="mipconnect.zia.mip_account", zia="oneapi"))
    again = ok(tenant.run_module(account_args(tenant, client_id, secret), module="mipconnect.zia.mip_account",
                                 zia="oneapi"))
    assert again.result["changed"] is False
    assert len(mip_accounts(tenant)) == 1
    scenario["outcome"] = "failed clearly, then 1 account, then no change"


def test_zia_activation_stuck_past_the_timeout(tenant, emulator, scenario):
    scenario.update(fault="activation_seconds 600 (stuck INPROGRESS), wait_timeout 5",
                    expectation="clear activation timeout error within wait_timeout")
    client_id, secret = _connector_for_zia(tenant)
    emulator.configure_zia(activation_seconds=600)
    # Ansible's task timeout is far above wait_timeout, so that a busy machine (token, validation and save
    # before the wait) cannot fire it, and below the two minutes or more a module ignoring wait_timeout waits.
    run = _run_with_task_timeout(tenant, account_args(tenant, client_id, secret, wait_timeout=5), 60)
    assert run["failed"]
    assert "activation" in run["msg"].lower(), run["msg"]
    assert "timed out" not in run["msg"], "Ansible's task timeout fired: the module ignored wait_timeout"
    scenario["outcome"] = "clear activation error: %s" % run["msg"][:60]


def _run_with_task_timeout(tenant, args, seconds):
    """mip_account with Ansible's task keyword timeout; returns the registered result."""
    result_file = tenant.tmp_path / "timeout-result.json"
    playbook = [{"name": "t", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "mip_account", "mipconnect.zia.mip_account": args, "register": "result", "ignore_errors": True,
         "no_log": True, "timeout": seconds},
        {"name": "save", "save_result": {"content": "{{ result | to_json }}", "dest": str(result_file)},
         "no_log": True}]}]
    path = tenant.tmp_path / "timeout.yml"
    path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c",
                    "local", str(path)], env=tenant.env(zia="oneapi"), capture_output=True, text=True, timeout=120, check=False)
    import json

    result = json.loads(result_file.read_text())
    if result.get("censored"):
        result["msg"] = "(censored) task timed out" if "timed out" in json.dumps(result) else result["censored"]
    return result


# --- Crashes between steps, then a re-run ----------------------------------------------------------

HOLD_SECONDS = 2


def _descendants(root):
    children = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/stat" % entry) as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
                children[int(fields[1])].append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _run_and_kill(tenant, emulator, args, method, path, module="mipconnect.zia.azure_app_connector", zia=None,
                  skip=0):
    """Start the module; when it sends the request of the next step, kill it and every process under it."""
    playbook = [{"name": "crash", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "module", module: args, "no_log": True}]}]
    book = tenant.tmp_path / "crash.yml"
    book.write_text(yaml.safe_dump(playbook, sort_keys=False))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
               str(book)]
    _kill_at_step(emulator, command, tenant.env(zia=zia), method, path, str(tenant.tmp_path), skip=skip)


def _kill_at_step(emulator, command, env, method, path, cwd, skip=0):
    """Run ``command``; the request of the step at (method, path) is held by a delaying fault that then
    answers 503, so that step is NOT done; the moment it arrives, SIGKILL everything: the crash lands
    exactly between the previous step and this one. With ``skip``, the first ``skip`` such requests pass."""
    emulator.faults.add(method=method, path=path, status=503, delay=HOLD_SECONDS, times=1, skip=skip)
    logged = emulator.request_count()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True, cwd=cwd)
    deadline = time.monotonic() + 120
    try:
        while any(f["path"] == path for f in emulator.faults.describe()):
            assert proc.poll() is None, "the run ended before reaching the step (%s %s)" % (method, path)
            assert time.monotonic() < deadline, "the step was never reached"
            time.sleep(0.05)
    finally:
        # Ansible's workers call setsid(): kill every descendant, not just the process group.
        for pid in [proc.pid] + _descendants(proc.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.wait()
    emulator.clear_faults()
    # The held request is answered (503, to nobody) and logged HOLD_SECONDS later: wait for it so it
    # does not show up in the request log of the next run.
    deadline = time.monotonic() + HOLD_SECONDS + 10
    while not any(r["status"] == 503 and re.search(path, r["path"]) for r in emulator.requests(logged)):
        assert time.monotonic() < deadline, "the held request never finished"
        time.sleep(0.1)


CRASH_POINTS = [
    # (name, applications, method, path of the step that never happens, matching requests let through first)
    ("after_app_before_sp", ("mip",), "POST", r"/graph/v1\.0/servicePrincipals$", 0),
    ("after_sp_before_grants", ("mip",), "POST", r"/appRoleAssignedTo$", 0),
    ("after_app_role_grants_before_delegated_grant", ("azure_blob_storage",), "POST", r"/oauth2PermissionGrants$",
     0),
    ("after_grants_before_certificate_upload", ("sharepoint",), "PATCH", GRAPH_APP_BY_ID, 0),
    ("after_grants_before_role_assignments", ("azure_blob_storage",), "PUT", r"/roleAssignments/", 0),
    # The secret is the last step: in-flight tag (1st PATCH of the app), addPassword, clearing (2nd PATCH).
    ("after_grants_before_secret_marker", ("mip",), "PATCH", GRAPH_APP_BY_ID, 0),
    ("after_secret_marker_before_add_password", ("mip",), "POST", r"/addPassword$", 0),
    ("after_add_password_before_marker_cleared", ("mip",), "PATCH", GRAPH_APP_BY_ID, 1),
]


@pytest.mark.parametrize("name,applications,method,path,skip", CRASH_POINTS, ids=[p[0] for p in CRASH_POINTS])
def test_crash_between_connector_steps_then_rerun_converges(tenant, emulator, scenario, name, applications,
                                                            method, path, skip):
    scenario.update(fault="SIGKILL %s (%s)" % (name.replace("_", " "), "+".join(applications)),
                    expectation="re-run converges: no duplicates, a working secret delivered")
    args = connector(tenant, applications=applications)
    _run_and_kill(tenant, emulator, args, method, path, skip=skip)
    left = [a for a in tenant.state()["applications"] if a.get("uniqueName") == args["unique_name"]]
    if name == "after_add_password_before_marker_cleared":
        # The kill came after addPassword answered: a secret exists that the run never returned.
        assert len(left[0]["passwordCredentials"]) == 1
        assert [t for t in left[0]["tags"] if t.startswith(SECRET_IN_FLIGHT_TAG)]
    elif "marker" in name:
        assert left and left[0]["passwordCredentials"] == []
    else:
        # Every step that can fail comes before the secret: none was made.
        assert not left or left[0]["passwordCredentials"] == []
    rerun = ok(tenant.run_module(args))
    _app, _sp, roles, grants, assignments = assert_no_duplicates(tenant, args["unique_name"])
    again = ok(tenant.run_module(args))
    assert again.result["changed"] is False and again.writes == [], (again.result.get("changes"), again.writes)
    secret = rerun.result.get("client_secret")
    assert secret, "the re-run delivered no client secret"
    assert token_with_secret(tenant, rerun.result["client_id"], secret)
    if "azure_blob_storage" in applications:
        assert len(assignments) == 2 and grants
    scenario.setdefault("outcome", "converged: %d grants, %d role assignments, 1 secret" % (
        len(roles) + len(grants), len(assignments)))


def test_zia_read_timeout_on_account_create_then_rerun_converges(tenant, emulator, scenario):
    scenario.update(fault="ZIA POST /casbTenant answered after 4 s, timeout 2 (the save happened)",
                    expectation="clear error, no blind repeat; re-run: one account, activated, validated")
    client_id, secret = _connector_for_zia(tenant)
    emulator.add_fault(method="POST", path=r"/zia/api/v1/casbTenant$", status=0, delay=4, times=1)
    args = account_args(tenant, client_id, secret, timeout=2)
    first = tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi")
    assert first.result["failed"]
    assert "Could not reach" in first.result["msg"], first.result["msg"]
    time.sleep(3)  # the emulator finishes the held save
    assert len([r for r in emulator.requests() if r["method"] == "POST" and r["path"].endswith("/casbTenant")]) >= 1
    ok(tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi"))
    again = ok(tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi"))
    assert again.result["changed"] is False, again.result.get("changes")
    accounts = mip_accounts(tenant)
    assert len(accounts) == 1
    assert accounts[0]["validation"]["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"]
    assert tenant.emulator.zia_state(tenant.zia_org["org_id"])["status"] == "ACTIVE"
    scenario["outcome"] = "failed clearly; re-run activated the one account; then no change"


@pytest.mark.parametrize("name,method,path", [
    pytest.param("after_validation_before_save", "POST", r"/zia/api/v1/casbTenant$", id="after_validation_before_save"),
    pytest.param("after_save_before_activation", "POST", r"/zia/api/v1/status/activate$",
                 id="after_save_before_activation"),
])
def test_crash_between_mip_account_steps_then_rerun_converges(tenant, emulator, scenario, name, method, path):
    scenario.update(fault="SIGKILL mip_account %s" % name.replace("_", " "),
                    expectation="re-run: one account, activated, then no change")
    client_id, secret = _connector_for_zia(tenant)
    args = account_args(tenant, client_id, secret)
    _run_and_kill(tenant, emulator, args, method, path, module="mipconnect.zia.mip_account", zia="oneapi")
    rerun = ok(tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi"))
    again = ok(tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi"))
    assert len(mip_accounts(tenant)) == 1
    assert again.result["changed"] is False, again.result.get("changes")
    status = tenant.emulator.zia_state(tenant.zia_org["org_id"])["status"]
    scenario["outcome"] = "1 account; re-run changed=%s; ZIA status %s" % (rerun.result["changed"], status)
    # A crash after the save left the change staged (PENDING): the re-run must still activate it.
    assert status != "PENDING", "the staged change of the crashed run was never activated"


# --- Crashes in the roles (onboard_mip.yml, rotate_secret.yml), then a re-run -------------------------

OUR_SECRET = "Zscaler connector (mipconnect.zia)"
ROLE_ACCOUNT = "Crash MIP"


def _playbook_command(tenant, playbook, variables):
    from playbook_runs import PLAYBOOKS

    index = len(list(tenant.tmp_path.glob("crash-vars-*.json")))
    vars_file = tenant.tmp_path / ("crash-vars-%d.json" % index)
    vars_file.write_text(__import__("json").dumps(variables))
    return [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", "-c", "local",
            os.path.join(PLAYBOOKS, playbook), "-e", "@" + str(vars_file)]


def _onboard_vars(tenant):
    return {"mip_onboarding_tenant_id": tenant.tenant_id, "mip_onboarding_account_name": ROLE_ACCOUNT,
            "mip_onboarding_export_csv": False, "mip_onboarding_wait_for": "validated"}


def _rotation_vars(tenant, **extra):
    return dict({"mipconnect_tenant_id": tenant.tenant_id, "mipconnect_account_name": ROLE_ACCOUNT}, **extra)


def _role_state(tenant):
    """(our secrets' key ids, the one MIP account) after asserting nothing is duplicated."""
    app, _sp, _roles, _grants, _assignments = assert_no_duplicates(
        tenant, "zscaler-mip-connector", secrets=len(
            [a for a in tenant.state()["applications"] if a.get("uniqueName") == "zscaler-mip-connector"][0]
            ["passwordCredentials"]))
    ours = sorted(c["keyId"] for c in app["passwordCredentials"] if c["displayName"] == OUR_SECRET)
    accounts = [a for a in mip_accounts(tenant) if a["tenantName"] == ROLE_ACCOUNT]
    assert len(accounts) == 1, accounts
    return ours, accounts[0]


ROLE_CRASHES = [
    # (name, playbook, method, path of the step that never happens)
    ("onboard_after_secret_before_zia_save", "onboard_mip.yml", "POST", r"/zia/api/v1/casbTenant$"),
    # (after the ZIA save, before activation: the same step as the mip_account crash scenario above)
    ("rotate_after_zia_store_before_removal", "rotate_secret.yml", "POST", r"/removePassword$"),
]


@pytest.mark.parametrize("name,playbook,method,path", ROLE_CRASHES, ids=[c[0] for c in ROLE_CRASHES])
def test_crash_between_role_steps_then_rerun_converges(tenant, emulator, scenario, name, playbook, method, path):
    from playbook_runs import run_playbook

    scenario.update(fault="SIGKILL %s" % name.replace("_", " "),
                    expectation="old secret works until the new one is validated; re-run: 1 secret, 1 account, "
                                "validated; then no writes")
    original = None
    if playbook == "rotate_secret.yml":
        run_playbook(tenant, "onboard_mip.yml", _onboard_vars(tenant)).assert_ok()
        original, _account = _role_state(tenant)
        assert len(original) == 1
        variables = _rotation_vars(tenant, connector_secret_rotation_force=True)
    else:
        variables = _onboard_vars(tenant)
    _kill_at_step(emulator, _playbook_command(tenant, playbook, variables), tenant.env(zia="oneapi"), method, path,
                  str(tenant.tmp_path))
    if original is not None:
        # Mid-rotation: the secret ZIA holds is still on the application.
        ours, account = _role_state(tenant)
        assert set(original) <= set(ours) or account["validation"]["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"]
    rerun = run_playbook(tenant, playbook, _rotation_vars(tenant) if original is not None else _onboard_vars(tenant))
    rerun.assert_ok()
    ours, account = _role_state(tenant)
    assert len(ours) == 1, ours
    assert account["validation"]["status"] == ["CASB_TENANT_VALIDATION_SUCCESS"], account["validation"]
    assert tenant.emulator.zia_state(tenant.zia_org["org_id"])["status"] == "ACTIVE"
    again = run_playbook(tenant, playbook, _rotation_vars(tenant) if original is not None else _onboard_vars(tenant))
    again.assert_ok()
    assert again.writes == [], [(w["method"], w["path"]) for w in again.writes]
    scenario["outcome"] = "converged: 1 secret (%s), 1 validated account, re-run no writes" % (
        "rotated" if original and ours != original else "kept" if original else "new")


# --- Concurrent runs on one tenant ----------------------------------------------------------------
# Real ansible-playbook runs raced at random offsets (tests/benchmarks/stress_concurrency.py runs
# hundreds). After each: ZIA's stored secret signs in, exactly one secret of ours, nothing left in
# flight (no in-flight tag, no lease), one account; then an onboarding re-run writes nothing.

def _race(tenant, plan, seed, max_offset=3.0):
    import random

    from concurrency_runs import run_at_offsets

    rng = random.Random(seed)
    runs = run_at_offsets(tenant, [(playbook, rng.uniform(0, max_offset)) for playbook in plan], account=ROLE_ACCOUNT)
    failed = [run for run in runs if run.returncode != 0]
    assert not failed, "\n\n".join(run.describe() + "\n" + run.output[-4000:] for run in failed)
    return runs


def _converged(tenant):
    from concurrency_runs import broken_states, rerun_writes

    assert broken_states(tenant, ROLE_ACCOUNT) == []
    assert rerun_writes(tenant, ROLE_ACCOUNT) == []


@pytest.mark.parametrize("plan,onboarded_first", [
    pytest.param(("onboard_mip.yml", "onboard_mip.yml"), False, id="two_onboardings_from_nothing"),
    pytest.param(("rotate_secret.yml", "onboard_mip.yml", "rotate_secret.yml"), True,
                 id="two_rotations_and_an_onboarding"),
])
def test_concurrent_runs_on_one_tenant_converge(tenant, emulator, scenario, plan, onboarded_first):
    scenario.update(fault="%d runs at random offsets (%s), replication delay 1 s"
                    % (len(plan), "+".join(p.split("_")[0] for p in plan)),
                    expectation="one at a time (lease); ZIA's secret signs in; 1 secret; re-run no writes")
    emulator.configure(replication_delay=1)
    if onboarded_first:
        _race(tenant, ["onboard_mip.yml"], 0)
    runs = _race(tenant, list(plan), len(plan))
    _converged(tenant)
    scenario["outcome"] = "converged: ZIA secret works, 1 secret, no lease left; re-run no writes (%s)" % (
        ", ".join("%s +%.1fs" % (run.playbook.split("_")[0], run.offset) for run in runs))


def test_onboarding_that_believes_the_account_is_missing_keeps_the_secret_zia_holds(tenant, emulator, scenario):
    """The interleaving of two onboardings, made exact: run B read 'no account' before run A created it
    (known_accounts: []). B must not add a secret it does not deliver, nor remove the one ZIA holds."""
    from concurrency_runs import broken_states
    from playbook_runs import run_playbook

    scenario.update(fault="second onboarding with a stale 'account missing' view (known_accounts: [])",
                    expectation="re-reads under the lease: no secret added or removed; ZIA's secret works")
    run_playbook(tenant, "onboard_mip.yml", _onboard_vars(tenant)).assert_ok()
    held = _role_state(tenant)[0]
    stale = run_playbook(tenant, "onboard_mip.yml", dict(_onboard_vars(tenant), mip_onboarding_known_accounts=[]))
    stale.assert_ok()
    assert _role_state(tenant)[0] == held, "the secret ZIA holds was replaced or removed"
    assert broken_states(tenant, ROLE_ACCOUNT) == []
    secret_writes = [w for w in stale.writes if w["path"].endswith(("/addPassword", "/removePassword"))]
    assert secret_writes == []
    again = run_playbook(tenant, "onboard_mip.yml", _onboard_vars(tenant))
    again.assert_ok()
    assert again.writes == [], [(w["method"], w["path"]) for w in again.writes]
    scenario["outcome"] = "no secret added or removed (%d lease writes); ZIA's secret works; re-run no writes" % len(
        stale.writes)


# --- Names as ZIA compares them ----------------------------------------------------------------------

def test_onboarding_under_another_case_of_the_name_is_a_no_op(tenant, emulator, scenario):
    from playbook_runs import run_playbook

    scenario.update(fault="onboard 'Case MIP', then again as 'case mip'",
                    expectation="same account; no secret added; re-run zero writes")
    run_playbook(tenant, "onboard_mip.yml", dict(_onboard_vars(tenant), mip_onboarding_account_name="Case MIP")
                 ).assert_ok()
    again = run_playbook(tenant, "onboard_mip.yml", dict(_onboard_vars(tenant), mip_onboarding_account_name="case mip"))
    again.assert_ok()
    assert again.writes == [], [(w["method"], w["path"]) for w in again.writes]
    assert [a["tenantName"] for a in mip_accounts(tenant)] == ["Case MIP"]
    scenario["outcome"] = "matched 'Case MIP'; 0 writes"


def test_a_name_with_surrounding_whitespace_is_stored_trimmed_and_rerun_is_a_no_op(tenant, emulator, scenario):
    scenario.update(fault="mip_account name 'Trim MIP ' (ZIA stores names trimmed)",
                    expectation="created once as 'Trim MIP'; re-run changed:false, zero writes")
    client_id, secret = _connector_for_zia(tenant)
    args = account_args(tenant, client_id, secret, name="Trim MIP ")
    ok(tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi"))
    again = ok(tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi"))
    assert again.result["changed"] is False
    assert [w for w in again.writes if w["service"] == "zia"] == []
    assert [a["tenantName"] for a in mip_accounts(tenant)] == ["Trim MIP"]
    labels = ok(tenant.run_module({"source": "zia", "account_name": "  trim  MIP", "return_labels": False},
                                  module="mipconnect.zia.mip_labels_info", zia="oneapi"))
    assert labels.result["changed"] is False
    scenario["outcome"] = "1 account 'Trim MIP'; re-run 0 writes; labels found as '  trim  MIP'"


def test_a_write_ZIA_refuses_reports_no_change(tenant, emulator, scenario):
    scenario.update(fault="ZIA answers 409 DUPLICATE_ITEM to the create (a name ZIA merges)",
                    expectation="fails, changed:false, nothing written; re-run converges")
    client_id, secret = _connector_for_zia(tenant)
    emulator.add_fault(method="POST", path=r"/zia/api/v1/casbTenant$", status=409, times=1,
                       body={"code": "DUPLICATE_ITEM", "message": "A SaaS application tenant named 'Fault MIP' "
                                                                  "already exists."})
    args = account_args(tenant, client_id, secret)
    first = tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi")
    assert first.result["failed"] and first.result["changed"] is False, first.result
    assert mip_accounts(tenant) == []
    ok(tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi"))
    again = ok(tenant.run_module(args, module="mipconnect.zia.mip_account", zia="oneapi"))
    assert again.result["changed"] is False and [w for w in again.writes if w["service"] == "zia"] == []
    scenario["outcome"] = "failed with changed:false; re-run created 1 account; then 0 writes"
