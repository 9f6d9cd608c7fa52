"""Import cost of each module's code vs `import msal, requests`, measured in one run.

    .venv/bin/python tests/benchmarks/bench_imports.py [--rounds 15]

Each measurement is a fresh interpreter (`python -c ...`), interleaved, so
start-up noise hits both sides alike; the ratio of medians is printed.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from harness import collections_path, spread

MODULES = ["azure_app_connector", "mip_account", "mip_account_info", "mip_labels_info", "mip_labels_export",
           "connector_credentials_info", "zia_activation"]
BASELINE = "import msal, requests"


def timed(code, env):
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    env = dict(os.environ, PYTHONPATH=collections_path())
    codes = dict((name, "import ansible_collections.mipconnect.zia.plugins.modules.%s" % name) for name in MODULES)
    times = dict((name, []) for name in list(codes) + ["baseline"])
    for _round in range(rounds):
        times["baseline"].append(timed(BASELINE, env))
        for name, code in codes.items():
            times[name].append(timed(code, env))
    base = statistics.median(times["baseline"])
    print("\n== import cost, %d rounds ==" % rounds)
    print("%-28s %s" % ("import msal, requests", spread(times["baseline"])))
    for name in MODULES:
        print("%-28s %s  ratio %.2f" % (name, spread(times[name]), statistics.median(times[name]) / base))


if __name__ == "__main__":
    main()
