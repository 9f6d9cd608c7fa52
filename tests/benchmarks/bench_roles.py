#!/usr/bin/env python3
"""Wall time and HTTP requests of the roles against the emulator (issue 5, section 6).

Measures: onboarding one tenant (onboard_mip.yml), its no-op re-run, and
reconcile.yml for N tenants (default 20) from scratch and again as a no-op.
Counts requests from the emulator's request log, split by service and into
reads (GET) and writes (POST/PUT/PATCH/DELETE; token requests and ZIA logins
counted apart), and compares ZIA writes with ZIA's write-rate floor.

Usage (from the repository root, after `make install`):
  .venv/bin/python tests/benchmarks/bench_roles.py [--tenants 20] [--forks 10] [--json out.json]
"""

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests"))

from emulator import Emulator  # noqa: E402

WRITES = ("POST", "PUT", "PATCH", "DELETE")
LOGINS = ("/oauth2/v2.0/token", "/oauth2/v1/token", "/authenticatedSession")


def classify(requests):
    counts = collections.Counter()
    for r in requests:
        if r["path"].endswith(LOGINS) or r["path"].endswith("openid-configuration"):
            kind = "login"
        elif r["method"] in WRITES:
            kind = "write"
        else:
            kind = "read"
        counts[kind] += 1
        counts["%s %s" % (r["service"], kind)] += 1
        if r["status"] == 429:
            counts["429"] += 1
        if r["path"].endswith("/status/activate"):
            counts["zia activations"] += 1
    return counts


def environment(emu, org, collections_path):
    env = dict(os.environ)
    url = emu.url
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": collections_path, "ANSIBLE_NOCOLOR": "1", "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
        "AZURE_AUTHORITY_HOST": url + "/entra", "MIPCONNECT_GRAPH_URL": url + "/graph",
        "MIPCONNECT_ARM_URL": url + "/arm", "MIPCONNECT_POWER_PLATFORM_URL": url + "/bap",
        "MIPCONNECT_CA_BUNDLE": emu.ca_file, "MIPCONNECT_ZIA_API_URL": url + "/zia/api/v1",
        "MIPCONNECT_ZSCALER_TOKEN_URL": url + "/zslogin/oauth2/v1/token",
        "ZSCALER_CLIENT_ID": org["oneapi_client_id"], "ZSCALER_CLIENT_SECRET": org["oneapi_client_secret"],
    })
    return env


def run(emu, env, workdir, label, playbook, extra_vars, forks=5):
    vars_file = os.path.join(workdir, "%s.json" % label.replace(" ", "_"))
    with open(vars_file, "w") as handle:
        json.dump(extra_vars, handle)
    before = len(emu.requests())
    start = time.monotonic()
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                           "-f", str(forks), os.path.join(REPO, "playbooks", playbook), "-e", "@" + vars_file],
                          env=env, cwd=workdir, capture_output=True, text=True)
    seconds = time.monotonic() - start
    with open(os.path.join(os.environ.get("BENCH_LOG_DIR", workdir), "%s.log" % label.replace(" ", "_")), "w") as log:
        log.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        failures = [line for line in (proc.stdout + proc.stderr).splitlines() if "fatal:" in line or "ERROR" in line]
        raise SystemExit("%s failed:\n%s" % (label, "\n".join(failures)[-5000:]))
    counts = classify(emu.requests()[before:])
    return {"label": label, "seconds": round(seconds, 1), "counts": dict(counts)}


def tenant_entry(emu, i):
    made = emu.create_tenant()
    return {"name": "t%02d" % i, "tenant_id": made["tenant_id"], "account_name": "T%02d MIP" % i,
            "entra_auth": {"auth_client_id": made["admin_client_id"], "auth_client_secret": made["admin_client_secret"]}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--zia-throttle", type=int, default=None,
                        help="hosts talking to ZIA at once in reconcile.yml (default: the playbook's, 2)")
    parser.add_argument("--json")
    args = parser.parse_args()
    installed = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(REPO, "build", "collections")
    results = []
    with Emulator() as emu, tempfile.TemporaryDirectory() as workdir:
        # A private copy: a `make install` during the run must not pull the collection away.
        collections_path = os.path.join(workdir, "collections")
        shutil.copytree(installed, collections_path)
        org = emu.create_zia_org()
        env = environment(emu, org, collections_path)
        one = tenant_entry(emu, 0)
        one_vars = {"mip_onboarding_tenant_id": one["tenant_id"], "mip_onboarding_account_name": one["account_name"],
                    "mipconnect_entra_auth": one["entra_auth"], "mip_onboarding_export_dir": workdir}
        results.append(run(emu, env, workdir, "onboard 1 tenant", "onboard_mip.yml", one_vars))
        results.append(run(emu, env, workdir, "onboard 1 tenant, no-op", "onboard_mip.yml", one_vars))
        tenants = [tenant_entry(emu, i + 1) for i in range(args.tenants)]
        gitops = {"mipconnect_tenants": tenants}
        if args.zia_throttle is not None:
            gitops["mipconnect_zia_throttle"] = args.zia_throttle
        results.append(run(emu, env, workdir, "reconcile %d from scratch" % args.tenants, "reconcile.yml", gitops,
                           forks=args.forks))
        results.append(run(emu, env, workdir, "reconcile %d, no-op" % args.tenants, "reconcile.yml", gitops,
                           forks=args.forks))
    print("forks %d, ZIA throttle %s" % (args.forks, args.zia_throttle if args.zia_throttle is not None else "2 (default)"))
    print("%-32s %8s %7s %7s %7s %7s %7s %5s %5s" % ("run", "seconds", "reads", "writes", "logins", "zia rd",
                                                     "zia wr", "act", "429"))
    for r in results:
        c = r["counts"]
        print("%-32s %8.1f %7d %7d %7d %7d %7d %5d %5d" % (
            r["label"], r["seconds"], c.get("read", 0), c.get("write", 0), c.get("login", 0), c.get("zia read", 0),
            c.get("zia write", 0), c.get("zia activations", 0), c.get("429", 0)))
    scratch = results[2]["counts"]
    print("ZIA write-rate floor for the reconcile from scratch: %d ZIA writes at 1/s = %d s "
          "(activations alone: %d at 10/min = %d s)" % (
              scratch.get("zia write", 0), scratch.get("zia write", 0), scratch.get("zia activations", 0),
              max(0, (scratch.get("zia activations", 0) - 1) // 10) * 60))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
