"""mip_labels_export at scale: 10,000 labels over pages of 100, exported to CSV.

    .venv/bin/python tests/benchmarks/bench_labels.py [--rounds 3]

Measured in one run against the emulator:
- wall time of the module (ansible ad-hoc run, CSV export, labels not returned)
  divided by that of a bare `requests` loop that gets a token, fetches the same
  pages and writes the same CSV (the module's columns and normalisation,
  imported from module_utils; the two files are checked byte-identical);
- peak resident memory of the module's process at 1,000 and at 10,000 labels.
"""

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import time

import requests

from harness import adhoc, base_env, new_emulator, spread, temp_dir
from conftest import collections_path

# The module's own column mapping and label normalisation, imported, not copied: the bare loop
# must write the very CSV the module writes, or the ratio compares different work.
sys.path.insert(0, collections_path())
from ansible_collections.mipconnect.zia.plugins.module_utils.labels.export import CSV_COLUMNS, _cell  # noqa: E402
from ansible_collections.mipconnect.zia.plugins.module_utils.labels.labels import from_beta  # noqa: E402

PAGE = 100


def bare_script(emu, tenant_id, client, csv_path):
    """The bare loop as its own script (python start-up and imports included)."""
    started = time.perf_counter()
    spec = json.dumps({"url": emu.url, "ca_file": emu.ca_file, "tenant_id": tenant_id, "client": client,
                       "csv_path": csv_path})
    out = subprocess.run([sys.executable, __file__, "--bare", spec], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, int(out.stdout.split()[-1])


class _Url:
    def __init__(self, url, ca_file):
        self.url = url
        self.ca_file = ca_file


def bare_loop(emu, tenant_id, client, csv_path):
    """What a person would write by hand: token, page loop, csv.writer."""
    started = time.perf_counter()
    session = requests.Session()
    token = session.post("%s/entra/%s/oauth2/v2.0/token" % (emu.url, tenant_id), verify=emu.ca_file, data={
        "grant_type": "client_credentials", "client_id": client["client_id"],
        "client_secret": client["client_secret"], "scope": "https://graph.microsoft.com/.default"}).json()
    headers = {"Authorization": "Bearer " + token["access_token"]}
    url = "%s/graph/beta/security/informationProtection/sensitivityLabels?$top=%d" % (emu.url, PAGE)
    count = 0
    with open(csv_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow([title for title, _key in CSV_COLUMNS])
        while url:
            page = session.get(url, headers=headers, verify=emu.ca_file).json()
            for item in page["value"]:
                record = from_beta(item)
                # As the module does for source: graph without account_name: the tenant read.
                record["account"] = tenant_id
                writer.writerow([_cell(record.get(key)) for _title, key in CSV_COLUMNS])
                count += 1
            url = page.get("@odata.nextLink")
    return time.perf_counter() - started, count


def module_run(emu, tenant, client, csv_path, rss_file=None):
    env = base_env(emu, tenant, client=client, rss_file=rss_file)
    elapsed, result = adhoc("mipconnect.zia.mip_labels_export", {"csv_path": csv_path, "page_size": PAGE}, env)
    assert not result.get("failed"), result
    return elapsed, result["count"]


def peak_rss(emu, tenant, client, count):
    emu.seed_labels(tenant["tenant_id"], count=count)
    rss_file = os.path.join(temp_dir(), "rss.txt")
    module_run(emu, tenant, client, os.path.join(temp_dir(), "labels.csv"), rss_file=rss_file)
    with open(rss_file) as handle:
        return max(int(line) for line in handle if line.strip())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--labels", type=int, default=10000)
    parser.add_argument("--bare", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        spec = json.loads(args.bare)
        print(bare_loop(_Url(spec["url"], spec["ca_file"]), spec["tenant_id"], spec["client"], spec["csv_path"])[1])
        return
    emu = new_emulator()
    try:
        tenant = emu.create_tenant()
        client = emu.create_client(tenant["tenant_id"], graph_roles=["InformationProtectionPolicy.Read.All"])
        emu.seed_labels(tenant["tenant_id"], count=args.labels)
        module_times, bare_times, script_times = [], [], []
        for _round in range(args.rounds):
            # A new path each round: every module run really writes the file.
            module_csv = os.path.join(temp_dir(), "labels.csv")
            elapsed, count = module_run(emu, tenant, client, module_csv)
            assert count == args.labels, count
            module_times.append(elapsed)
            bare_csv = os.path.join(temp_dir(), "bare.csv")
            elapsed, count = bare_loop(emu, tenant["tenant_id"], client, bare_csv)
            assert count == args.labels, count
            bare_times.append(elapsed)
            with open(module_csv, "rb") as mine, open(bare_csv, "rb") as theirs:
                assert mine.read() == theirs.read(), "the bare loop must write the module's CSV"
            elapsed, count = bare_script(emu, tenant["tenant_id"], client, os.path.join(temp_dir(), "script.csv"))
            assert count == args.labels, count
            script_times.append(elapsed)
        print("\n== mip_labels_export, %d labels, pages of %d, CSV export ==" % (args.labels, PAGE))
        print("module (ansible ad-hoc run) : %s" % spread(module_times))
        print("bare requests loop          : %s" % spread(bare_times))
        print("bare loop as a script       : %s" % spread(script_times))
        print("ratio (median module / median bare loop in-process): %.2f"
              % (statistics.median(module_times) / statistics.median(bare_times)))
        print("ratio (median module / median bare loop as a script): %.2f"
              % (statistics.median(module_times) / statistics.median(script_times)))
        small = peak_rss(emu, tenant, client, 1000)
        large = peak_rss(emu, tenant, client, args.labels)
        print("peak RSS of the module process: %d KiB at 1,000 labels, %d KiB at %d labels (x%.2f)"
              % (small, large, args.labels, large / float(small)))
    finally:
        emu.stop()


if __name__ == "__main__":
    main()
