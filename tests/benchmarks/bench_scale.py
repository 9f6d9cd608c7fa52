"""Reconcile at scale against the emulator with ZIA's documented limits on: wall time over ZIA's floors.

Scenarios (each from scratch, then again as a no-op, in --rounds rounds on fresh tenants and orgs):
  one-org   playbooks/reconcile.yml, --tenants tenants in one ZIA organisation;
  msp       playbooks/msp_reconcile.yml, --orgs organisations of --per-org tenants, on one controller;
  sliced    the same MSP inventory as AWX job slices: --slices ansible-runner runs at once, each with its
            own temp dir (separate pods share none) and its share of the organisations and forks.

Each prints min / median / max over the rounds of: wall time; ZIA's floor and the ratio wall / floor;
429 answers; activations; ZIA reads per tenant; and for msp/sliced tenants per minute and, per
organisation, the time until its last ZIA request over that organisation's own floor.

An organisation's floor is what its ZIA limits allow at best: its rate-limited requests of each kind at
that kind's rate (reads 2/s, writes 1/s, deletes 1/min, activations 10/min; the kinds have separate
windows, so the floor is the largest of them). The emulator counts them per organisation.

Usage (from the repository root, after `make install`; a script, not part of make test):
  .venv/bin/python tests/benchmarks/bench_scale.py --scenario one-org [--tenants 20] [--forks 10]
  .venv/bin/python tests/benchmarks/bench_scale.py --scenario msp --orgs 10 --per-org 20 --forks 20
  .venv/bin/python tests/benchmarks/bench_scale.py --scenario sliced --orgs 10 --per-org 20 --slices 4
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, HERE)

from bench_roles import environment, tenant_entry  # noqa: E402
from emulator import Emulator  # noqa: E402

FLOOR_GOAL = 1.2
CORES = os.cpu_count() or 1
# Per kind: requests per second ZIA allows an organisation (its first, tightest window).
RATES = {"GET": 2.0, "WRITE": 1.0, "DELETE": 1.0 / 60, "ACTIVATE": 10.0 / 60}


def floor_seconds(counted):
    return max([counted.get(kind, 0) / rate for kind, rate in RATES.items()] or [0.0])


def delta(after, before):
    return dict((k, after.get(k, 0) - before.get(k, 0)) for k in set(after) | set(before))


def spread(values, fmt="%.1f"):
    return ("min %s / median %s / max %s" % (fmt, fmt, fmt)) % (min(values), statistics.median(values), max(values))


def org_auth(emu, org):
    return {"zscaler_client_id": org["oneapi_client_id"], "zscaler_client_secret": org["oneapi_client_secret"],
            "zscaler_token_url": emu.url + "/zslogin/oauth2/v1/token", "zia_api_url": emu.url + "/zia/api/v1"}


class Measure:
    """Per-organisation counts and times of one run, from the emulator."""

    def __init__(self, emu, orgs):
        self.emu, self.orgs = emu, orgs
        self.before = dict((o["org_id"], emu.zia_state(o["org_id"])["requests"]) for o in orgs)
        self.started_epoch = time.time()
        self.started = time.monotonic()
        self.cpu = os.times()

    def finish(self, label, tenants):
        seconds = time.monotonic() - self.started
        cpu = os.times()
        # The playbook's processes (controller) and this one (the emulator's threads) share the machine's cores.
        controller_cpu = cpu.children_user + cpu.children_system - self.cpu.children_user - self.cpu.children_system
        emulator_cpu = cpu.user + cpu.system - self.cpu.user - self.cpu.system
        per_org = []
        for org in self.orgs:
            state = self.emu.zia_state(org["org_id"])
            counted = delta(state["requests"], self.before[org["org_id"]])
            floor = floor_seconds(counted)
            last = state.get("last_counted") or self.started_epoch
            per_org.append({"counted": counted, "floor": floor, "seconds": max(last - self.started_epoch, 0.0)})
        kinds = ("GET", "WRITE", "DELETE", "ACTIVATE", "429")
        total = dict((k, sum(o["counted"].get(k, 0) for o in per_org)) for k in kinds)
        floor = max(o["floor"] for o in per_org)
        return {"label": label, "seconds": seconds, "tenants": tenants, "orgs": len(self.orgs), "zia": total,
                "floor": floor, "ratio": seconds / floor if floor else float("nan"),
                "tenants_per_minute": tenants / seconds * 60,
                "controller_cpu": controller_cpu, "emulator_cpu": emulator_cpu,
                "org_ratios": [o["seconds"] / o["floor"] for o in per_org if o["floor"]],
                "org_seconds": [o["seconds"] for o in per_org]}


def playbook(env, workdir, name, args, log_name):
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook")] + args + [
        os.path.join(REPO, "playbooks", name)]
    env = dict(env, TMPDIR=tempfile.mkdtemp(dir=workdir, prefix="tmp-"))
    proc = subprocess.run(command, env=env, cwd=workdir, capture_output=True, text=True, check=False)
    with open(os.path.join(os.environ.get("BENCH_LOG_DIR", workdir), log_name + ".log"), "w") as log:
        log.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        failures = [line for line in (proc.stdout + proc.stderr).splitlines() if "fatal:" in line or "ERROR" in line]
        raise SystemExit("%s failed:\n%s" % (log_name, "\n".join(failures)[-5000:]))


# --- one organisation: reconcile.yml ------------------------------------------------------------


def one_org_round(emu, collections, workdir, args, number):
    org = emu.create_zia_org()
    env = environment(emu, org, collections)
    tenants = {"mipconnect_tenants": [tenant_entry(emu) for _unused in range(args.tenants)]}
    vars_file = os.path.join(workdir, "one-org-%d.json" % number)
    with open(vars_file, "w") as handle:
        json.dump(tenants, handle)
    results = []
    for label in ("from scratch", "no-op"):
        measure = Measure(emu, [org])
        playbook(env, workdir, "reconcile.yml", ["-i", "localhost,", "-f", str(args.forks), "-e", "@" + vars_file],
                 "one-org-%s-%d" % (label.replace(" ", "-"), number))
        results.append(measure.finish("reconcile %d tenants, 1 org, %s" % (args.tenants, label), args.tenants))
    return results


# --- many organisations: msp_reconcile.yml, on one controller or as AWX slices --------------------


def msp_inventory(emu, args):
    orgs, hosts = [], {}
    for index in range(args.orgs):
        org = emu.create_zia_org()
        orgs.append(org)
        tenants = [tenant_entry(emu) for _unused in range(args.per_org)]
        hosts["org-%02d" % index] = {"mipconnect_zia_auth": org_auth(emu, org), "mipconnect_tenants": tenants}
    return orgs, hosts


def write_inventory(path, hosts):
    with open(path, "w") as handle:
        json.dump({"mipconnect_zia_organisations": {"hosts": hosts}}, handle)


def msp_round(emu, collections, workdir, args, number):
    orgs, hosts = msp_inventory(emu, args)
    inventory = os.path.join(workdir, "msp-%d.json" % number)
    write_inventory(inventory, hosts)
    env = environment(emu, orgs[0], collections)
    for variable in ("ZSCALER_CLIENT_ID", "ZSCALER_CLIENT_SECRET"):
        env.pop(variable)  # each organisation's credentials come from the inventory
    results = []
    tenants = args.orgs * args.per_org
    for label in ("from scratch", "no-op"):
        measure = Measure(emu, orgs)
        playbook(env, workdir, "msp_reconcile.yml", ["-i", inventory, "-f", str(args.forks)],
                 "msp-%s-%d" % (label.replace(" ", "-"), number))
        results.append(measure.finish("msp %d tenants, %d orgs, %s" % (tenants, args.orgs, label), tenants))
    return results


def awx_slice(hosts, number, count):
    """AWX deals an inventory's hosts to slices in name order, in turn."""
    return sorted(hosts)[number - 1::count]


def sliced_round(emu, collections, workdir, args, number):
    import ansible_runner

    orgs, hosts = msp_inventory(emu, args)
    base_env = environment(emu, orgs[0], collections)
    envvars = dict((k, base_env[k]) for k in ("AZURE_AUTHORITY_HOST", "MIPCONNECT_GRAPH_URL", "MIPCONNECT_CA_BUNDLE",
                                              "ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_PYTHON_INTERPRETER"))
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    data_dirs = []
    for slice_number in range(1, args.slices + 1):
        data = os.path.join(workdir, "sliced-%d-%d" % (number, slice_number))
        shutil.copytree(os.path.join(REPO, "playbooks"), os.path.join(data, "project", "playbooks"))
        os.makedirs(os.path.join(data, "inventory"))
        os.makedirs(os.path.join(data, "env"))
        os.makedirs(os.path.join(data, "pod-tmp"))
        write_inventory(os.path.join(data, "inventory", "hosts.json"),
                        dict((h, hosts[h]) for h in awx_slice(hosts, slice_number, args.slices)))
        with open(os.path.join(data, "env", "envvars"), "w") as handle:
            json.dump(dict(envvars, TMPDIR=os.path.join(data, "pod-tmp")), handle)
        data_dirs.append(data)
    results = []
    tenants = args.orgs * args.per_org
    forks = max(1, args.forks // args.slices)
    for label in ("from scratch", "no-op"):
        measure = Measure(emu, orgs)
        runs = [ansible_runner.run_async(private_data_dir=data, playbook="playbooks/msp_reconcile.yml",
                                         forks=forks, quiet=True) for data in data_dirs]
        for thread, runner in runs:
            thread.join()
            if runner.status != "successful":
                raise SystemExit("a slice failed:\n%s" % runner.stdout.read()[-5000:])
        results.append(measure.finish("sliced x%d: %d tenants, %d orgs, %s" % (
            args.slices, tenants, args.orgs, label), tenants))
    return results


SCENARIOS = {"one-org": one_org_round, "msp": msp_round, "sliced": sliced_round}


def report(rounds, scenario, args):
    print("\n== %s (%d round(s); shared 2-core machine: other jobs ran at the same time) ==" % (scenario, len(rounds)))
    for index in range(len(rounds[0])):
        runs = [r[index] for r in rounds]
        first = runs[0]

        def zia(key):
            return [r["zia"].get(key, 0) for r in runs]
        print("%s" % first["label"])
        print("  wall              %s s" % spread([r["seconds"] for r in runs]))
        print("  ZIA floor         %s s (largest organisation's)" % spread([r["floor"] for r in runs]))
        print("  ratio wall/floor  %s (goal <= %.1f)" % (spread([r["ratio"] for r in runs], "%.2f"), FLOOR_GOAL))
        print("  429 answers       %s" % spread(zia("429"), "%d"))
        print("  CPU seconds       controller %s, emulator %s (%d cores: controller CPU / cores / ZIA floor %s)" % (
            spread([r["controller_cpu"] for r in runs]), spread([r["emulator_cpu"] for r in runs]), CORES,
            spread([r["controller_cpu"] / CORES / r["floor"] for r in runs if r["floor"]], "%.2f")))
        print("  ZIA reads         %s (%s per tenant), writes %s, activations %s" % (
            spread(zia("GET"), "%d"), spread([r["zia"]["GET"] / r["tenants"] for r in runs], "%.2f"),
            spread(zia("WRITE"), "%d"), spread(zia("ACTIVATE"), "%d")))
        if first["orgs"] > 1:
            print("  tenants/min       %s" % spread([r["tenants_per_minute"] for r in runs]))
            print("  per organisation: time to its last ZIA request %s s; over its floor %s" % (
                spread([s for r in runs for s in r["org_seconds"]]),
                spread([x for r in runs for x in r["org_ratios"]], "%.2f")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=sorted(SCENARIOS) + ["all"], default="one-org")
    parser.add_argument("--tenants", type=int, default=20, help="one-org: tenants")
    parser.add_argument("--orgs", type=int, default=10, help="msp, sliced: ZIA organisations")
    parser.add_argument("--per-org", type=int, default=20, help="msp, sliced: tenants per organisation")
    parser.add_argument("--forks", type=int, default=20, help="forks in all (sliced: split over the slices)")
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-zia-limits", action="store_true",
                        help="turn the emulator's ZIA rate limits off (the modules still pace themselves at ZIA's "
                             "documented rates): a wall time that does not change shows ZIA refused nothing")
    parser.add_argument("--json")
    args = parser.parse_args()
    installed = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.path.join(REPO, "build", "collections")
    scenarios = sorted(SCENARIOS) if args.scenario == "all" else [args.scenario]
    everything = {}
    with Emulator() as emu, tempfile.TemporaryDirectory() as workdir:
        # A private copy: a `make install` during the run must not pull the collection away.
        collections = os.path.join(workdir, "collections")
        shutil.copytree(installed, collections)
        emu.configure_zia(assumed_write_contract=True)  # the reconciles' writes are timed (docs/assumptions.md)
        if args.no_zia_limits:
            emu.configure_zia(rate_limits=False)
            print("ZIA rate limits OFF in the emulator (the modules still pace themselves at ZIA's documented rates)")
        for scenario in scenarios:
            rounds = [SCENARIOS[scenario](emu, collections, workdir, args, n) for n in range(1, args.rounds + 1)]
            everything[scenario] = rounds
            report(rounds, scenario, args)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(everything, handle, indent=2)


if __name__ == "__main__":
    main()
