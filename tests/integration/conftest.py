"""Integration harness: real modules, run by ansible-playbook, against the emulator over HTTPS.

Each test gets a fresh emulated tenant. ``run_module`` writes a one-task
playbook, runs it the way a user would (check mode, diff, verbosity are real
ansible-playbook flags) and returns the registered result, the full console
output, and the requests the emulator saw during that run.
"""

import json
import os
import subprocess
import sys
import tempfile

import pytest
import yaml

from emulator import Emulator

# Entra's replication lag, on by default so every flow proves it rides it out: each new
# application, principal, secret and app role grant (consent reaching tokens) stays invisible
# for a random time up to this, drawn from a seeded generator (replay a failure with the same
# MIPCONNECT_REPLICATION_SEED). Small, so the suite stays quick.
REPLICATION_DELAY = float(os.environ.get("MIPCONNECT_REPLICATION_DELAY", "0.5"))
REPLICATION_SEED = int(os.environ.get("MIPCONNECT_REPLICATION_SEED", "20261201"))
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# save_result, the harness's own action: saves registered results without running a module.
ACTION_PLUGINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "action_plugins")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def collections_path():
    """The collection as installed by `make install`, or a link to the work tree."""
    if os.environ.get("ANSIBLE_COLLECTIONS_PATH"):
        return os.environ["ANSIBLE_COLLECTIONS_PATH"]
    base = tempfile.mkdtemp(prefix="mipconnect-collections-")
    os.makedirs(os.path.join(base, "ansible_collections", "mipconnect"))
    os.symlink(REPO_ROOT, os.path.join(base, "ansible_collections", "mipconnect", "zia"))
    return base


# The emulated ZIA cloud as the integration tests start (and the fault scenarios leave) it.
# ZIA's per-organisation rate limits are off: every test gets its own organisation and
# the client paces itself to the documented limits anyway (tests/unit proves the pacing),
# so the emulator's limits only bit across consecutive ansible-playbook runs of one test,
# where a second DELETE waited out ZIA's DELETE-a-minute window. Tests about throttling
# and about parallel hosts sharing one organisation switch them on (``zia_rate_limits``).
# The emulator serves only recorded and documented shapes by default. Most of this suite
# tests the modules' own logic and runs them with the write contract our collection assumes
# (docs/assumptions.md); tests of the real situation switch it off, and the roles run both
# ways. Status values no recording shows stay off.
ZIA_TEST_DEFAULTS = {
    "rate_limits": False,
    "retry_after_form": "header_seconds_suffix",
    "edit_lock_writes": 0,
    "maintenance": False,
    "assumed_write_contract": True,
    "assumed_status_values": False,
    "activation_seconds": 1.0,
    "label_retrieval_seconds": 1.0,
    "session_timeout": 300.0,
}


def pytest_report_header(config):
    return "emulator replication lag: up to %.2f s per new object, seed %d (MIPCONNECT_REPLICATION_SEED)" % (
        REPLICATION_DELAY, REPLICATION_SEED)


@pytest.fixture(scope="session")
def emulator():
    emu = Emulator(replication_delay=REPLICATION_DELAY, replication_seed=REPLICATION_SEED)
    emu.start()
    emu.configure_zia(**ZIA_TEST_DEFAULTS)
    yield emu
    emu.stop()


@pytest.fixture
def zia_rate_limits(emulator):
    """ZIA's documented per-organisation rate limits, enforced with 429s, for one test."""
    emulator.configure_zia(rate_limits=True)
    yield
    emulator.configure_zia(rate_limits=ZIA_TEST_DEFAULTS["rate_limits"])


class PlaybookRun:
    def __init__(self, result, output, requests, returncode):
        self.result = result
        self.output = output
        self.requests = requests
        self.returncode = returncode

    @property
    def writes(self):
        return [r for r in self.requests if r["method"] in WRITE_METHODS and not _is_token_request(r)]


def _is_token_request(entry):
    return entry["path"].endswith("/oauth2/v2.0/token")


class Tenant:
    """One emulated tenant, of one national cloud, and the environment that points the modules at it."""

    def __init__(self, emulator, tmp_path, info=None, cloud="public"):
        """``info``: an existing emulated Entra tenant to share (its own ZIA organisation is still new)."""
        self.emulator = emulator
        self.tmp_path = tmp_path
        self.cloud = cloud
        self.info = info or emulator.create_tenant(cloud=cloud)
        self.tenant_id = self.info["tenant_id"]
        self.subscription_id = self.info["subscription_id"]
        self.collections = collections_path()
        self._zia_org = None

    @property
    def zia_org(self):
        """A ZIA organisation in the emulator, made on first use."""
        if self._zia_org is None:
            self._zia_org = self.emulator.create_zia_org()
        return self._zia_org

    def zia_env(self, mode):
        org = self.zia_org
        env = {"MIPCONNECT_ZIA_API_URL": self.emulator.url + "/zia/api/v1"}
        if mode == "oneapi":
            env.update({"ZSCALER_CLIENT_ID": org["oneapi_client_id"], "ZSCALER_CLIENT_SECRET": org["oneapi_client_secret"],
                        "MIPCONNECT_ZSCALER_TOKEN_URL": self.emulator.url + "/zslogin/oauth2/v1/token"})
        else:
            env.update({"ZIA_USERNAME": org["username"], "ZIA_PASSWORD": org["password"],
                        "ZIA_API_KEY": org["api_key"]})
        return env

    def env(self, client=None, zia=None):
        client = client or {"client_id": self.info["admin_client_id"], "client_secret": self.info["admin_client_secret"]}
        url = self.emulator.url
        env = dict(os.environ)
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": self.collections,
            "ANSIBLE_ACTION_PLUGINS": ACTION_PLUGINS,
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_LOCALHOST_WARNING": "0",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "AZURE_TENANT_ID": self.tenant_id,
            "AZURE_CLIENT_ID": client["client_id"],
            "AZURE_CLIENT_SECRET": client["client_secret"],
            "AZURE_AUTHORITY_HOST": url + "/entra",
            "MIPCONNECT_GRAPH_URL": url + "/graph",
            "MIPCONNECT_ARM_URL": url + "/arm",
            "MIPCONNECT_POWER_PLATFORM_URL": url + "/bap",
            "MIPCONNECT_CA_BUNDLE": self.emulator.ca_file,
            "AZURE_CLOUD": self.cloud,
        })
        if not client["client_secret"]:
            del env["AZURE_CLIENT_SECRET"]
        if zia:
            env.update(self.zia_env(zia))
        return env

    def run_module(self, args, module="mipconnect.zia.azure_app_connector", check=False, diff=False,
                   verbosity=0, no_log=True, client=None, zia=None):
        """Run one module task; return a PlaybookRun with the registered result."""
        result_file = self.tmp_path / ("result-%d.json" % len(list(self.tmp_path.glob("result-*.json"))))
        playbook = [{
            "name": "integration",
            "hosts": "localhost",
            "gather_facts": False,
            "tasks": [
                {"name": "Module under test", module: args, "register": "result", "no_log": no_log,
                 "ignore_errors": True},
                {"name": "Save the registered result", "save_result": {
                    "content": "{{ result | to_json }}", "dest": str(result_file)},
                 "no_log": True, "check_mode": False, "diff": False},
            ],
        }]
        playbook_file = self.tmp_path / "playbook.yml"
        playbook_file.write_text(yaml.safe_dump(playbook, sort_keys=False))
        command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                   "-c", "local", str(playbook_file)]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        before = self.emulator.request_count()
        proc = subprocess.run(command, env=self.env(client, zia), capture_output=True, text=True, timeout=600, check=False)
        output = proc.stdout + proc.stderr
        if not result_file.exists():
            raise AssertionError("playbook did not finish:\n" + output)
        result = json.loads(result_file.read_text())
        requests = [r for r in self.emulator.requests(before) if r.get("tenant") in (None, self.tenant_id)]
        return PlaybookRun(result, output, requests, proc.returncode)

    def state(self):
        return self.emulator.state(self.tenant_id)

    def make_connector(self, applications=("mip",), unique_name="zscaler-mip"):
        """A consented connector made by azure_app_connector; returns (client_id, client_secret)."""
        run = self.run_module({"display_name": "Zscaler MIP Connector", "unique_name": unique_name,
                               "applications": list(applications)})
        assert not run.result.get("failed"), run.result.get("msg")
        return run.result["client_id"], run.result["client_secret"]


@pytest.fixture
def tenant(emulator, tmp_path):
    return Tenant(emulator, tmp_path)


@pytest.fixture
def tenant_in(emulator, tmp_path):
    """A tenant of the national cloud given: tenant_in("usgov")."""
    return lambda cloud: Tenant(emulator, tmp_path, cloud=cloud)
