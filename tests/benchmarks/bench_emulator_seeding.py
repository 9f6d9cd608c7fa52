"""How long the emulator takes to seed sensitivity labels (moved out of the test suites: no wall-clock
assertion belongs there). Prints min / median / max seconds for seeding N labels with one sub-label each.

Usage (from the repository root; a script, not part of make test):
  .venv/bin/python tests/benchmarks/bench_emulator_seeding.py [--count 5000] [--rounds 5]
"""

import argparse
import os
import statistics
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests"))

from emulator import Emulator  # noqa: E402  (needs tests/ on sys.path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    emu = Emulator()
    emu.start()
    try:
        timings = []
        for round_number in range(args.rounds):
            tenant = emu.create_tenant()
            started = time.perf_counter()
            emu.seed_labels(tenant["tenant_id"], count=args.count, sublabels_per_label=1, seed=round_number)
            timings.append(time.perf_counter() - started)
    finally:
        emu.stop()
    print("seeding %d labels (+%d sub-labels), %d rounds: min %.3f s, median %.3f s, max %.3f s"
          % (args.count, args.count, args.rounds, min(timings), statistics.median(timings), max(timings)))


if __name__ == "__main__":
    main()
