"""The dependency floor, the lock file, the audit and the execution environment.

Static where the thing under test is a file (requirement floors, the image
pin); run where it is behaviour (make's install command, the CI entry point
with and without network, the audit script offline).
"""

import http.server
import os
import re
import subprocess
import threading

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import REPO_ROOT

FLOORS = {"requests": "2.32.4", "cryptography": "44.0.1", "msal": "1.24.1"}
# CVE-2024-11079: fixed in 2.16.14, 2.17.7, 2.18.1.
VULNERABLE_CORE = ("2.16.0", "2.16.13", "2.17.0", "2.17.6", "2.18.0")
# The matrix's series (tests/integration/test_version_matrix.py) are allowed too.
FIXED_CORE = ("2.16.14", "2.17.7", "2.18.1", "2.19.0", "2.20.10", "2.21.5")
CONSTRAINTS = os.path.join(REPO_ROOT, "requirements", "constraints-ansible-core-2.19.txt")
DEAD_PROXY = {"https_proxy": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9", "no_proxy": "",
              "NO_PROXY": ""}


def read(*path):
    with open(os.path.join(REPO_ROOT, *path)) as handle:
        return handle.read()


def requirements(*path):
    lines = [line.split("#")[0].strip() for line in read(*path).splitlines()]
    return dict((r.name.lower(), r) for r in (Requirement(line) for line in lines if line))


def test_runtime_requirements_are_msal_requests_cryptography_at_their_floors():
    runtime = requirements("requirements.txt")
    assert sorted(runtime) == sorted(FLOORS)
    for name, floor in FLOORS.items():
        spec = runtime[name].specifier
        assert not spec.contains(str(Version(floor).release[0]) + ".0"), name  # an old major is refused
        assert not any(spec.contains(v) for v in _below(floor)), "%s admits a release below %s" % (name, floor)
        assert spec.contains(floor)


def _below(floor):
    major, minor, micro = Version(floor).release
    return ["%d.%d.%d" % (major, minor, micro - 1)] if micro else ["%d.%d.99" % (major, minor - 1)]


@pytest.mark.parametrize("spec", [
    lambda: requirements("test-requirements.txt")["ansible-core"].specifier,
    lambda: SpecifierSet(yaml.safe_load(read("meta", "runtime.yml"))["requires_ansible"]),
    lambda: Requirement(yaml.safe_load(read("execution-environment.yml"))["dependencies"]["ansible_core"]
                        ["package_pip"]).specifier,
], ids=["test-requirements", "meta/runtime.yml", "execution-environment.yml"])
def test_ansible_core_releases_with_the_known_cve_are_refused(spec):
    allowed = spec()
    assert not [v for v in VULNERABLE_CORE if allowed.contains(v)]
    assert all(allowed.contains(v) for v in FIXED_CORE)


def test_no_plugin_imports_pyjwt():
    offenders = []
    for root, _dirs, files in os.walk(os.path.join(REPO_ROOT, "plugins")):
        for name in files:
            if name.endswith(".py"):
                text = read(root, name)
                if re.search(r"^\s*(import jwt|from jwt\b)", text, re.M):
                    offenders.append(name)
    assert offenders == []


def test_the_execution_environment_pins_its_base_by_digest_and_takes_the_version_from_galaxy_yml():
    ee = yaml.safe_load(read("execution-environment.yml"))
    image = ee["images"]["base_image"]["name"]
    assert re.match(r"^[a-z0-9.-]+/[a-z0-9./_-]+@sha256:[0-9a-f]{64}$", image), image
    version = yaml.safe_load(read("galaxy.yml"))["version"]
    assert version not in read("execution-environment.yml")
    dry_run = subprocess.run(["make", "-n", "-o", "install", "ee"], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert "mipconnect-zia-%s.tar.gz" % version in dry_run.stdout
    assert "-t \"mipconnect-zia-ee:%s\"" % version in dry_run.stdout


def test_the_lock_file_pins_every_requirement_at_or_above_its_floor():
    pins = {}
    for line in read(CONSTRAINTS).splitlines():
        if line and not line.startswith("#"):
            name, _sep, version = line.partition("==")
            assert version, "not pinned: %r" % line
            pins[name.lower().replace("_", "-")] = version
    wanted = dict(requirements("requirements.txt"), **requirements("test-requirements.txt"))
    for name, requirement in wanted.items():
        key = name.replace("_", "-")
        assert key in pins, "%s is not in the lock file" % name
        assert requirement.specifier.contains(pins[key], prereleases=True), (name, pins[key])


def test_make_venv_installs_with_the_lock_file():
    dry_run = subprocess.run(["make", "-n", "VENV=/nonexistent/venv", "venv"], cwd=REPO_ROOT,
                             capture_output=True, text=True, check=False)
    assert "-c \"requirements/constraints-ansible-core-2.19.txt\"" in dry_run.stdout, dry_run.stdout


def test_the_audit_says_it_did_not_run_when_pypi_is_unreachable(tmp_path):
    env = dict(os.environ, **DEAD_PROXY)
    run = subprocess.run([os.path.join(REPO_ROOT, "scripts", "audit.sh"), "run", "/bin/false", CONSTRAINTS,
                          str(tmp_path)], capture_output=True, text=True, env=env, timeout=60, check=False)
    assert run.returncode == 3
    assert "no audit done" in run.stderr


def _ci_with_fake_make(tmp_path, env_extra):
    """.ci/run with a `make` that only records its arguments: the CI logic, not the suites."""
    fake = tmp_path / "bin"
    fake.mkdir()
    log = tmp_path / "make.log"
    (fake / "make").write_text("#!/bin/sh\n[ \"$1\" = --version ] && { echo 'GNU Make 4'; exit 0; }\n"
                               "echo \"$*\" >> %s\n" % log)
    (fake / "make").chmod(0o755)
    env = dict(os.environ, PATH=str(fake) + os.pathsep + os.environ["PATH"], **env_extra)
    run = subprocess.run([os.path.join(REPO_ROOT, ".ci", "run")], capture_output=True, text=True, env=env,
                         timeout=120, check=False)
    return run, log.read_text().split("\n") if log.exists() else []


def test_ci_skips_the_audit_without_network_and_stays_green(tmp_path):
    run, calls = _ci_with_fake_make(tmp_path, DEAD_PROXY)
    assert run.returncode == 0, run.stdout + run.stderr
    assert [c for c in calls if c] == ["test"]
    assert "dependency audit SKIPPED" in run.stdout


def test_ci_runs_the_audit_when_pypi_answers(tmp_path):
    """PyPI stands in as a local server that answers 200, so the test needs no network."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Answers200)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        probe_url = "http://127.0.0.1:%d/pypi/pip-audit/2.10.1/json" % server.server_port
        run, calls = _ci_with_fake_make(tmp_path, {"AUDIT_PROBE_URL": probe_url, "no_proxy": "127.0.0.1",
                                                   "NO_PROXY": "127.0.0.1"})
    finally:
        server.shutdown()
    assert run.returncode == 0, run.stdout + run.stderr
    assert [c for c in calls if c] == ["test", "audit"]


class _Answers200(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass
