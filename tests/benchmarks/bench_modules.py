"""No-op runs of every module against ansible.builtin.ping, and HTTP requests per run.

    .venv/bin/python tests/benchmarks/bench_modules.py [--rounds 7]   (at least 3 rounds)

For each module: the requests of a first run (that creates; for the _info
modules simply the first read) and of a second, no-op run, from the
emulator's request log; then the wall time of the no-op run and of
`ansible localhost -m ansible.builtin.ping`, interleaved in one loop, with
the ratio of their medians (goal <= 1.3). A table of all ratios closes.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess

from harness import BIN, adhoc, base_env, count_requests, new_emulator, ping, spread, temp_dir

MIN_ROUNDS = 3  # min / median / max of fewer rounds say nothing about the noise
GOAL = 1.3


def playbook_run(module, args, env):
    """The creating run goes through a playbook: it must be no_log, which ad-hoc cannot set."""
    workdir = temp_dir()
    result_file = os.path.join(workdir, "result.json")
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "run", module: args, "register": "r", "no_log": True},
        {"name": "save", "ansible.builtin.copy": {"content": "{{ r | to_json }}", "dest": result_file}, "no_log": True},
    ]}]
    path = os.path.join(workdir, "play.yml")
    with open(path, "w") as handle:
        json.dump(play, handle)
    subprocess.run([os.path.join(BIN, "ansible-playbook"), "-i", "localhost,", "-c", "local", path],
                   env=env, capture_output=True, check=True, timeout=900)
    with open(result_file) as handle:
        return json.load(handle)


def zia_request_offsets(entries):
    """(path, seconds after the run's first ZIA request) of each ZIA request, from the emulator's log."""
    zia = [e for e in entries if e["service"] == "zia"]
    times = [datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00")) for e in zia]
    return [(e["method"] + " " + e["path"], (t - times[0]).total_seconds()) for e, t in zip(zia, times)]


def measure(emu, name, module, args, env, rounds):
    emu.clear_requests()
    first = playbook_run(module, args, env)
    assert not first.get("failed"), first
    first_requests = count_requests(emu.requests())
    emu.clear_requests()
    _elapsed, second = adhoc(module, args, env)
    assert not second.get("failed") and not second.get("changed"), second
    noop_log = emu.requests()
    noop_requests = count_requests(noop_log)
    module_times, ping_times = [], []
    for _round in range(rounds):
        elapsed, result = adhoc(module, args, env)
        assert not result.get("failed") and not result.get("changed"), result
        module_times.append(elapsed)
        ping_times.append(ping(env))
    ratio = statistics.median(module_times) / statistics.median(ping_times)
    print("\n== %s ==" % name)
    print("first run requests : %s" % first_requests)
    print("no-op run requests : %s" % noop_requests)
    zia_reads = zia_request_offsets(noop_log)
    if zia_reads:
        # ZIA allows an organisation 2 reads a second: a third read in a run waits until a second
        # after the first, a wait ansible.builtin.ping never pays.
        print("no-op ZIA requests : %s" % ", ".join("%s at +%.2f s" % pair for pair in zia_reads))
    print("no-op run          : %s" % spread(module_times))
    print("ansible ping       : %s" % spread(ping_times))
    print("ratio (median no-op / median ping): %.2f" % ratio)
    ratios = [m / p for m, p in zip(module_times, ping_times)]
    return {"name": name, "ratio": ratio, "round_ratios": ratios, "noop_requests": noop_requests["total"]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7, help="at least %d" % MIN_ROUNDS)
    rounds = parser.parse_args().rounds
    if rounds < MIN_ROUNDS:
        parser.error("--rounds must be at least %d" % MIN_ROUNDS)
    rows = []
    emu = new_emulator()
    try:
        emu.configure_zia(rate_limits=True)
        tenant = emu.create_tenant()
        org = emu.create_zia_org()
        env = base_env(emu, tenant, zia_org=org)
        connector_args = {"display_name": "Bench connector", "unique_name": "bench-mip", "applications": ["mip"]}
        rows.append(measure(emu, "azure_app_connector (applications: [mip])", "mipconnect.zia.azure_app_connector",
                            connector_args, env, rounds))
        made = playbook_run("mipconnect.zia.azure_app_connector",
                            dict(connector_args, unique_name="bench-mip-2"), env)
        account_args = {"name": "Bench MIP", "tenant_id": tenant["tenant_id"], "client_id": made["client_id"],
                        "client_secret": made["client_secret"], "label_retrieval": True}
        rows.append(measure(emu, "mip_account", "mipconnect.zia.mip_account", account_args, env, rounds))
        rows.append(measure(emu, "mip_account_info (name: Bench MIP)", "mipconnect.zia.mip_account_info",
                            {"name": "Bench MIP"}, env, rounds))
        rows.append(measure(emu, "zia_activation (nothing staged)", "mipconnect.zia.zia_activation",
                            {"wait_timeout": 300}, env, rounds))
        credentials = {"tenant_id": tenant["tenant_id"], "client_id": made["client_id"],
                       "client_secret": made["client_secret"], "applications": ["mip"], "validation_wait": 60}
        rows.append(measure(emu, "connector_credentials_info (applications: [mip])",
                            "mipconnect.zia.connector_credentials_info", credentials, env, rounds))
        reader = emu.create_client(tenant["tenant_id"], graph_roles=["InformationProtectionPolicy.Read.All"])
        label_env = base_env(emu, tenant, client=reader)
        csv_path = os.path.join(temp_dir(), "labels.csv")
        rows.append(measure(emu, "mip_labels_export (csv, unchanged file)", "mipconnect.zia.mip_labels_export",
                            {"csv_path": csv_path}, label_env, rounds))
    finally:
        emu.stop()
    print("\n== no-op run / ansible.builtin.ping, %d rounds (goal <= %.1f) ==" % (rounds, GOAL))
    print("%-52s %6s %20s %9s %5s" % ("module", "ratio", "per round min/med/max", "requests", "goal"))
    for row in rows:
        per_round = row["round_ratios"]
        print("%-52s %6.2f %6.2f/%6.2f/%6.2f %9d %5s" % (
            row["name"], row["ratio"], min(per_round), statistics.median(per_round), max(per_round),
            row["noop_requests"], "met" if row["ratio"] <= GOAL else "MISSED"))


if __name__ == "__main__":
    main()
