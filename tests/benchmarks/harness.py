"""Shared pieces of the benchmarks: the emulator, the environment, timed ansible runs.

Benchmarks print ratios measured within one run (module vs ansible.builtin.ping,
module vs a bare requests loop), never absolute pass/fail thresholds.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from emulator import Emulator  # noqa: E402  (needs tests/ on sys.path)
from conftest import collections_path  # noqa: E402

BIN = os.path.dirname(sys.executable)
MAXRSS_WRAPPER = os.path.join(HERE, "maxrss_python.py")


def base_env(emu, tenant, client=None, zia_org=None, rss_file=None):
    client = client or {"client_id": tenant["admin_client_id"], "client_secret": tenant["admin_client_secret"]}
    env = dict(os.environ)
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path(),
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_NOCOLOR": "1",
        "AZURE_TENANT_ID": tenant["tenant_id"],
        "AZURE_CLIENT_ID": client["client_id"],
        "AZURE_CLIENT_SECRET": client["client_secret"],
        "AZURE_AUTHORITY_HOST": emu.url + "/entra",
        "MIPCONNECT_GRAPH_URL": emu.url + "/graph",
        "MIPCONNECT_ARM_URL": emu.url + "/arm",
        "MIPCONNECT_POWER_PLATFORM_URL": emu.url + "/bap",
        "MIPCONNECT_CA_BUNDLE": emu.ca_file,
    })
    if zia_org:
        env.update({
            "ZSCALER_CLIENT_ID": zia_org["oneapi_client_id"],
            "ZSCALER_CLIENT_SECRET": zia_org["oneapi_client_secret"],
            "MIPCONNECT_ZSCALER_TOKEN_URL": emu.url + "/zslogin/oauth2/v1/token",
            "MIPCONNECT_ZIA_API_URL": emu.url + "/zia/api/v1",
        })
    if rss_file:
        # Every module process runs under a wrapper that records its peak RSS.
        env["ANSIBLE_PYTHON_INTERPRETER"] = MAXRSS_WRAPPER
        # The wrapper's `#!/usr/bin/env python` must find a python even where only python3 is installed.
        env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
        env["MIPCONNECT_BENCH_PYTHON"] = sys.executable
        env["MIPCONNECT_BENCH_RSS_FILE"] = rss_file
    return env


def adhoc(module, args, env, check=False):
    """Run one module with `ansible localhost -m`; return (seconds, parsed JSON result)."""
    command = [os.path.join(BIN, "ansible"), "localhost", "-c", "local", "-i", "localhost,", "-m", module,
               "-a", json.dumps(args), "-o"]
    if check:
        command.append("--check")
    env = dict(env, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="oneline")
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    elapsed = time.perf_counter() - started
    out = proc.stdout.strip()
    marker = out.find("{")
    result = json.loads(out[marker:]) if marker >= 0 else {"failed": True, "msg": proc.stdout + proc.stderr}
    # The oneline callback writes "host | FAILED! => {...}" without a "failed" key.
    if proc.returncode != 0 or "FAILED!" in out[:max(marker, 0)]:
        result["failed"] = True
    return elapsed, result


def ping(env):
    command = [os.path.join(BIN, "ansible"), "localhost", "-c", "local", "-i", "localhost,", "-m",
               "ansible.builtin.ping", "-o"]
    started = time.perf_counter()
    subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=True)
    return time.perf_counter() - started


def spread(values):
    return "min %.2f / median %.2f / max %.2f s" % (min(values), statistics.median(values), max(values))


def count_requests(entries, exclude_tokens=False):
    reads = [e for e in entries if e["method"] == "GET"]
    tokens = [e for e in entries if e["path"].endswith(("/oauth2/v2.0/token", "/oauth2/v1/token"))]
    writes = [e for e in entries if e["method"] != "GET" and e not in tokens]
    return {"total": len(entries), "reads": len(reads), "writes": len(writes), "token_requests": len(tokens)}


def new_emulator():
    emu = Emulator()
    emu.start()
    emu.configure_zia(assumed_write_contract=True)  # the benchmarks time the writes (docs/assumptions.md)
    return emu


def temp_dir():
    return tempfile.mkdtemp(prefix="mipconnect-bench-")
