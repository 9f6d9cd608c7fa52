#!/usr/bin/env python
"""Set up emulated tenants and one ZIA org in a running emulator, for the demo and the benchmarks.

Reads the emulator's info file ({"url", "ca_file"}), creates the tenants and
one ZIA organisation through the control API, and writes into OUT_DIR:

- inventory.yml: one host per tenant (connection local) with the role
  variables (tenant id, account name, the tenant's own Entra admin app);
- env.sh: the environment variables the modules read (endpoints, CA, ZIA
  OneAPI client), for `source`;
- tenants.yml: the same tenants as a GitOps vars file for playbooks/reconcile.yml;
- setup.json: everything above plus the ZIA org id, for scripts.

With --assumed-write-contract the emulated ZIA also answers the write contract the
collection assumes (docs/assumptions.md); without it, ZIA answers as documented and
recorded only, and adding an MIP account is left to a person.

With --integration-config PATH it also writes the first tenant as the
integration_config.yml that `ansible-test integration` passes to the targets
in tests/integration/targets as extra vars.

Usage: emulator_tenants.py --info build/emulator.json --out-dir build/demo [--count N] [--names A,B]
                           [--assumed-write-contract] [--integration-config PATH]
"""

import argparse
import json
import os
import shlex
import sys

import requests

DEFAULT_NAMES = ["Contoso", "Fabrikam", "Northwind", "Tailspin", "Woodgrove", "Litware", "Adatum", "Proseware"]


def control(info, method, path, body=None):
    answer = requests.request(method, info["url"] + "/_emulator" + path, json=body, verify=info["ca_file"], timeout=30)
    answer.raise_for_status()
    return answer.json() if answer.content else None


def tenant_names(count, names):
    if names:
        return names
    return [DEFAULT_NAMES[i] if i < len(DEFAULT_NAMES) else "Tenant%02d" % (i + 1) for i in range(count)]


def environment(info, org):
    url = info["url"]
    return {
        "AZURE_AUTHORITY_HOST": url + "/entra",
        "MIPCONNECT_GRAPH_URL": url + "/graph",
        "MIPCONNECT_ARM_URL": url + "/arm",
        "MIPCONNECT_POWER_PLATFORM_URL": url + "/bap",
        "MIPCONNECT_CA_BUNDLE": info["ca_file"],
        "MIPCONNECT_ZIA_API_URL": url + "/zia/api/v1",
        "MIPCONNECT_ZSCALER_TOKEN_URL": url + "/zslogin/oauth2/v1/token",
        "ZSCALER_CLIENT_ID": org["oneapi_client_id"],
        "ZSCALER_CLIENT_SECRET": org["oneapi_client_secret"],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--info", required=True, help="the emulator's info file")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--count", type=int, default=2)
    parser.add_argument("--names", help="comma-separated tenant names (default: Contoso, Fabrikam, ...)")
    parser.add_argument("--assumed-write-contract", action="store_true",
                        help="let the emulated ZIA answer the write contract the collection assumes")
    parser.add_argument("--integration-config", help="also write the first tenant as ansible-test's integration_config.yml")
    args = parser.parse_args(argv)

    with open(args.info) as handle:
        info = json.load(handle)
    names = tenant_names(args.count, [n.strip() for n in args.names.split(",")] if args.names else None)
    control(info, "POST", "/zia/config", {"assumed_write_contract": args.assumed_write_contract})
    org = control(info, "POST", "/zia/orgs")
    tenants = []
    for name in names:
        made = control(info, "POST", "/tenants", {})
        tenants.append({
            "name": name,
            "host": name.lower().replace(" ", "-"),
            "tenant_id": made["tenant_id"],
            "account_name": "%s MIP" % name,
            "admin_client_id": made["admin_client_id"],
            "admin_client_secret": made["admin_client_secret"],
        })

    os.makedirs(args.out_dir, exist_ok=True)
    hosts = {}
    for t in tenants:
        hosts[t["host"]] = {
            "mipconnect_tenant_id": t["tenant_id"],
            "mipconnect_account_name": t["account_name"],
            "mipconnect_entra_auth": {"auth_client_id": t["admin_client_id"],
                                      "auth_client_secret": t["admin_client_secret"]},
        }
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    inventory = {"mip_tenants": {"hosts": hosts, "vars": local}}
    write(os.path.join(args.out_dir, "inventory.yml"), inventory)
    gitops = {"mipconnect_tenants": [
        {"name": t["host"], "tenant_id": t["tenant_id"], "account_name": t["account_name"], "state": "present",
         "entra_auth": {"auth_client_id": t["admin_client_id"], "auth_client_secret": t["admin_client_secret"]}}
        for t in tenants]}
    write(os.path.join(args.out_dir, "tenants.yml"), gitops)
    env = environment(info, org)
    with open(os.path.join(args.out_dir, "env.sh"), "w") as handle:
        handle.write("# Emulator endpoints and the ZIA org's OneAPI client; source this file.\n")
        for key, value in env.items():
            handle.write("export %s=%s\n" % (key, shlex.quote(value)))
    write(os.path.join(args.out_dir, "setup.json"), {"emulator": info, "zia_org": org["org_id"], "env": env,
                                                     "tenants": tenants})
    if args.integration_config:
        write(args.integration_config, integration_config(tenants[0], env))
    print("emulator: %d tenant(s) (%s) and ZIA org %s; inventory, env.sh and tenants.yml in %s"
          % (len(tenants), ", ".join(names), org["org_id"], args.out_dir))


def integration_config(tenant, env):
    """The variables tests/integration/targets read (tests/integration/README.md lists them)."""
    return {
        "mipconnect_test_tenant_id": tenant["tenant_id"],
        "mipconnect_test_auth_client_id": tenant["admin_client_id"],
        "mipconnect_test_auth_client_secret": tenant["admin_client_secret"],
        "mipconnect_test_zscaler_client_id": env["ZSCALER_CLIENT_ID"],
        "mipconnect_test_zscaler_client_secret": env["ZSCALER_CLIENT_SECRET"],
        "mipconnect_test_ca_bundle": env["MIPCONNECT_CA_BUNDLE"],
        "mipconnect_test_authority_url": env["AZURE_AUTHORITY_HOST"],
        "mipconnect_test_graph_url": env["MIPCONNECT_GRAPH_URL"],
        "mipconnect_test_arm_url": env["MIPCONNECT_ARM_URL"],
        "mipconnect_test_power_platform_url": env["MIPCONNECT_POWER_PLATFORM_URL"],
        "mipconnect_test_zia_api_url": env["MIPCONNECT_ZIA_API_URL"],
        "mipconnect_test_zscaler_token_url": env["MIPCONNECT_ZSCALER_TOKEN_URL"],
    }


def write(path, data):
    """JSON is YAML: no YAML library needed, and the files stay readable."""
    old = os.umask(0o077)
    try:
        with open(path, "w") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
    finally:
        os.umask(old)


if __name__ == "__main__":
    main()
