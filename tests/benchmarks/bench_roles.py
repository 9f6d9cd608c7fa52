"""Wall time and HTTP requests of the roles against the emulator.

Measures, in each of --rounds rounds (fresh tenants and a fresh ZIA org each):
onboarding one tenant (onboard_mip.yml) with the token cache, its no-op re-run,
onboarding another tenant without the token cache, and reconcile.yml for N
tenants (default 20) from scratch and again as a no-op. Counts requests from
the emulator's request log, split by service and into reads (GET) and writes
(POST/PUT/PATCH/DELETE; token requests, OpenID metadata and ZIA logins
counted apart as "logins").

Then prints, with min / median / max over the rounds:
  (i)   all HTTP requests of the no-op onboarding, tokens included (goal <= 12);
  (ii)  token requests of the full onboarding with the token cache on vs off;
  (iii) the reconcile's wall time over ZIA's write-rate floor (its ZIA writes
        at 1/s; 20 tenants: 20 writes = 20 s; goal <= 1.2).

Every playbook run gets its own empty TMPDIR, so no run reuses another's
tokens. The roles do not expose ``token_cache``; "off" plants a file where
the cache directory would go, which the modules treat as "no cache".

Usage (from the repository root, after `make install`; a script, not part of make test):
  .venv/bin/python tests/benchmarks/bench_roles.py [--tenants 20] [--forks 10] [--rounds 3] [--json out.json]
"""

import argparse
import collections
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests"))

from emulator import Emulator  # noqa: E402

WRITES = ("POST", "PUT", "PATCH", "DELETE")
TOKENS = ("/oauth2/v2.0/token", "/oauth2/v1/token")
LOGINS = TOKENS + ("/authenticatedSession",)
NOOP_GOAL = 12
FLOOR_GOAL = 1.2


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
        counts["total"] += 1
        if r["path"].endswith(TOKENS):
            counts["token requests"] += 1
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


def module_tmpdir(workdir, token_cache=True):
    """An empty TMPDIR for one run: the modules' token cache lives there."""
    path = tempfile.mkdtemp(dir=workdir, prefix="tmp-")
    if not token_cache:
        with open(os.path.join(path, "mipconnect-tokens-%d" % os.getuid()), "w") as handle:
            handle.write("not a directory: no token cache\n")
    return path


def run(emu, env, workdir, label, playbook, extra_vars, forks=5, token_cache=True):
    env = dict(env, TMPDIR=module_tmpdir(workdir, token_cache))
    vars_file = os.path.join(workdir, "%s.json" % label.replace(" ", "_").replace(",", ""))
    with open(vars_file, "w") as handle:
        json.dump(extra_vars, handle)
    before = len(emu.requests())
    start = time.monotonic()
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
                           "-f", str(forks), os.path.join(REPO, "playbooks", playbook), "-e", "@" + vars_file],
                          env=env, cwd=workdir, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    log_name = "%s.log" % label.replace(" ", "_").replace(",", "")
    with open(os.path.join(os.environ.get("BENCH_LOG_DIR", workdir), log_name), "w") as log:
        log.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        failures = [line for line in (proc.stdout + proc.stderr).splitlines() if "fatal:" in line or "ERROR" in line]
        raise SystemExit("%s failed:\n%s" % (label, "\n".join(failures)[-5000:]))
    requests = emu.requests()[before:]
    counts = classify(requests)
    return {"label": label, "seconds": round(seconds, 1), "counts": dict(counts),
            "requests": ["%s %s %s" % (r["service"], r["method"], r["path"]) for r in requests]}


NUMBERS = itertools.count()


def tenant_entry(emu):
    i = next(NUMBERS)
    made = emu.create_tenant()
    return {"name": "t%02d" % i, "tenant_id": made["tenant_id"], "account_name": "T%02d MIP" % i,
            "entra_auth": {"auth_client_id": made["admin_client_id"], "auth_client_secret": made["admin_client_secret"]}}


def onboarding_vars(tenant, workdir):
    return {"mip_onboarding_tenant_id": tenant["tenant_id"], "mip_onboarding_account_name": tenant["account_name"],
            "mipconnect_entra_auth": tenant["entra_auth"], "mip_onboarding_export_dir": workdir}


def one_round(emu, collections_path, workdir, args, number):
    """One round of every measurement on fresh tenants and a fresh ZIA org."""
    org = emu.create_zia_org()
    env = environment(emu, org, collections_path)
    tag = " (round %d)" % number
    results = {}
    on = tenant_entry(emu)
    results["onboard"] = run(emu, env, workdir, "onboard 1 tenant" + tag, "onboard_mip.yml",
                             onboarding_vars(on, workdir))
    results["noop"] = run(emu, env, workdir, "onboard 1 tenant, no-op" + tag, "onboard_mip.yml",
                          onboarding_vars(on, workdir))
    off = tenant_entry(emu)
    results["onboard_nocache"] = run(emu, env, workdir, "onboard 1 tenant, no cache" + tag, "onboard_mip.yml",
                                     onboarding_vars(off, workdir), token_cache=False)
    gitops = {"mipconnect_tenants": [tenant_entry(emu) for _unused in range(args.tenants)]}
    if args.zia_throttle is not None:
        gitops["mipconnect_zia_throttle"] = args.zia_throttle
    results["reconcile"] = run(emu, env, workdir, "reconcile %d from scratch%s" % (args.tenants, tag),
                               "reconcile.yml", gitops, forks=args.forks)
    results["reconcile_noop"] = run(emu, env, workdir, "reconcile %d, no-op%s" % (args.tenants, tag),
                                    "reconcile.yml", gitops, forks=args.forks)
    return results


def spread(values, fmt="%d"):
    return ("min %s / median %s / max %s" % (fmt, fmt, fmt)) % (min(values), statistics.median(values), max(values))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=20)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every measurement (min/median/max)")
    parser.add_argument("--zia-throttle", type=int, default=None,
                        help="hosts talking to ZIA at once in reconcile.yml (default: the playbook's, 2)")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.rounds < 1 or args.tenants < 1:
        parser.error("--rounds and --tenants must be at least 1")
    installed = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(REPO, "build", "collections")
    rounds = []
    with Emulator() as emu, tempfile.TemporaryDirectory() as workdir:
        emu.configure_zia(assumed_write_contract=True)  # the roles' writes are timed (docs/assumptions.md)
        # A private copy: a `make install` during the run must not pull the collection away.
        collections_path = os.path.join(workdir, "collections")
        shutil.copytree(installed, collections_path)
        for number in range(1, args.rounds + 1):
            rounds.append(one_round(emu, collections_path, workdir, args, number))
    print("forks %d, ZIA throttle %s, %d tenants, %d round(s)" % (
        args.forks, args.zia_throttle if args.zia_throttle is not None else "2 (default)", args.tenants,
        args.rounds))
    print("%-40s %8s %7s %7s %7s %7s %7s %7s %5s %5s" % ("run", "seconds", "total", "reads", "writes", "logins",
                                                         "zia rd", "zia wr", "act", "429"))
    for results in rounds:
        for r in results.values():
            c = r["counts"]
            print("%-40s %8.1f %7d %7d %7d %7d %7d %7d %5d %5d" % (
                r["label"], r["seconds"], c.get("total", 0), c.get("read", 0), c.get("write", 0),
                c.get("login", 0), c.get("zia read", 0), c.get("zia write", 0), c.get("zia activations", 0),
                c.get("429", 0)))

    def counts(key, name):
        return [results[key]["counts"].get(name, 0) for results in rounds]

    noop_total = counts("noop", "total")
    print("\n(i)   no-op full onboarding, all HTTP requests incl. tokens: %s (goal <= %d: %s); of which "
          "token requests %s, OpenID metadata/logins %s, writes %s" % (
              spread(noop_total), NOOP_GOAL, "met" if max(noop_total) <= NOOP_GOAL else "MISSED",
              spread(counts("noop", "token requests")), spread(counts("noop", "login")),
              spread(counts("noop", "write"))))
    print("      the no-op onboarding's requests (round 1):")
    for line, number in sorted(collections.Counter(rounds[0]["noop"]["requests"]).items()):
        print("        %2d x %s" % (number, line))
    print("(ii)  token requests of the full onboarding: token cache off (before) %s -> on (after) %s" % (
        spread(counts("onboard_nocache", "token requests")), spread(counts("onboard", "token requests"))))
    print("      all requests of the full onboarding: off %s -> on %s" % (
        spread(counts("onboard_nocache", "total")), spread(counts("onboard", "total"))))
    ratios, floors = [], []
    for results in rounds:
        scratch = results["reconcile"]
        floor = scratch["counts"].get("zia write", 0)  # ZIA's write rate: 1 per second
        floors.append(floor)
        ratios.append(scratch["seconds"] / floor if floor else float("nan"))
    print("(iii) reconcile %d from scratch: wall %s over ZIA's write-rate floor (%s ZIA writes at 1/s = %s): "
          "ratio %s (goal <= %.1f: %s)" % (
              args.tenants, spread([r["reconcile"]["seconds"] for r in rounds], "%.1f s"), spread(floors),
              spread(floors, "%d s"), spread(ratios, "%.2f"), FLOOR_GOAL,
              "met" if max(ratios) <= FLOOR_GOAL else "MISSED"))
    if args.tenants < 20:
        print("      (fewer than 20 tenants: the fixed cost of a play weighs more than at 20)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rounds, handle, indent=2)


if __name__ == "__main__":
    main()
