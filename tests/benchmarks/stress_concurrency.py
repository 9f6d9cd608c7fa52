"""Concurrent onboardings and rotations of one tenant, at length: hundreds of rounds against the emulator.

Each round takes a fresh Entra tenant and ZIA organisation and starts two or three real ansible-playbook
runs of playbooks/onboard_mip.yml and rotate_secret.yml (forced) at random offsets, with Entra replication
delay on. Half the rounds start from nothing (onboardings only); the others onboard first, then race
rotations and onboardings. After every round it checks what the concurrency rows of
tests/integration/test_fault_matrix.py check: ZIA's stored secret signs in, exactly one secret of ours
exists, nothing is left in flight (no in-flight tag, no lease), one MIP account; and every --rerun-every
rounds that an onboarding re-run writes nothing.

Prints runs tried, rounds, failed runs (a run may only fail with the lease's clear message) and broken
states found (must be 0), with the seed of each broken round so it can be replayed (--seed, --rounds 1).

Usage (from the repository root, after `make install`; a script, not part of make test):
  .venv/bin/python tests/benchmarks/stress_concurrency.py [--rounds 200] [--parallel 2] [--seed 1]
      [--max-offset 3] [--replication-delay 1] [--rerun-every 5] [--json out.json]
"""

import argparse
import json
import os
import pathlib
import random
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests"))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))

from emulator import Emulator  # noqa: E402  (needs tests/ on sys.path)
from conftest import Tenant  # noqa: E402
from concurrency_runs import broken_states, rerun_writes, run_at_offsets  # noqa: E402

PLAYBOOK_CHOICES = ("onboard_mip.yml", "rotate_secret.yml")


def plan_round(rng):
    """(runs to do first, one at a time; runs to race): from nothing, or after an onboarding."""
    count = rng.choice((2, 3))
    if rng.random() < 0.5:
        return [], ["onboard_mip.yml"] * count
    return ["onboard_mip.yml"], [rng.choice(PLAYBOOK_CHOICES) for _unused in range(count)]


def one_round(emu, seed, args):
    rng = random.Random(seed)
    tenant = Tenant(emu, pathlib.Path(tempfile.mkdtemp(prefix="mipconnect-stress-")))
    first, race = plan_round(rng)
    report = {"seed": seed, "race": race, "runs": 0, "failed": [], "broken": []}
    for playbook in first:
        (run,) = run_at_offsets(tenant, [(playbook, 0.0)])
        report["runs"] += 1
        if run.returncode != 0:
            report["broken"].append("set-up %s failed: %s" % (playbook, run.output[-1500:]))
            return report
    runs = run_at_offsets(tenant, [(playbook, rng.uniform(0, args.max_offset)) for playbook in race])
    report["runs"] += len(runs)
    report["offsets"] = [round(run.offset, 2) for run in runs]
    for run in runs:
        if run.returncode != 0:
            report["failed"].append(run.describe())
            if "being changed by" not in run.output:  # only the lease's clear refusal is an acceptable failure
                report["broken"].append("%s failed without naming the other run: %s"
                                        % (run.describe(), run.output[-1500:]))
    report["broken"] += broken_states(tenant)
    if args.rerun_every and seed % args.rerun_every == 0 and not report["broken"]:
        report["runs"] += 1
        writes = rerun_writes(tenant)
        report["rerun_checked"] = True
        if writes:
            report["broken"].append("re-run wrote: %s" % writes)
    return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--parallel", type=int, default=1, help="rounds (tenants) raced at the same time")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first round; round i uses seed+i")
    parser.add_argument("--max-offset", type=float, default=3.0)
    parser.add_argument("--replication-delay", type=float, default=1.0)
    parser.add_argument("--rerun-every", type=int, default=5, help="check an onboarding re-run every N rounds")
    parser.add_argument("--json", help="write every round's report here")
    args = parser.parse_args()

    reports = []
    lock = threading.Lock()
    seeds = list(range(args.seed, args.seed + args.rounds))
    started = time.monotonic()

    def worker():
        # One emulator per worker: its request log then holds only this round's requests.
        emu = Emulator(replication_delay=args.replication_delay)
        emu.start()
        try:
            rounds(emu)
        finally:
            emu.stop()

    def rounds(emu):
        while True:
            with lock:
                if not seeds:
                    return
                seed = seeds.pop(0)
            report = one_round(emu, seed, args)
            with lock:
                reports.append(report)
                print("round seed=%d race=%s offsets=%s failed=%d broken=%d" % (
                    seed, ",".join(r.replace(".yml", "") for r in report["race"]), report.get("offsets"),
                    len(report["failed"]), len(report["broken"])), flush=True)
                for problem in report["broken"]:
                    print("  BROKEN: %s" % problem[:400], flush=True)

    threads = [threading.Thread(target=worker) for _unused in range(max(1, args.parallel))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    broken = [r for r in reports if r["broken"]]
    print("")
    print("rounds: %d, playbook runs tried: %d (%d raced), failed runs: %d, re-runs checked: %d"
          % (len(reports), sum(r["runs"] for r in reports), sum(len(r["race"]) for r in reports),
             sum(len(r["failed"]) for r in reports), sum(1 for r in reports if r.get("rerun_checked"))))
    print("broken states found: %d%s" % (len(broken), (" (seeds %s)" % [r["seed"] for r in broken]) if broken else ""))
    print("wall time: %.0f s" % (time.monotonic() - started))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(reports, handle, indent=1)
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
