"""onboard_mip.yml through ansible-runner, with a private data dir laid out as AWX lays it out.

AWX renders each credential type's injectors with the credential's inputs
into the job's environment (env/envvars), puts the survey answers in
env/extravars, checks the project out under project/ and runs the playbook
with ansible-runner. This test does the same with the credential types in
awx/credential_types/, against the emulator.
"""

import json
import os
import re
import runpy
import shutil
import sys
import types

import ansible_runner
import jinja2
import jinja2.sandbox
import yaml

from proof_helpers import run_batch

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CREDENTIAL_TYPES = os.path.join(REPO_ROOT, "awx", "credential_types")
SECRET_PATTERN = re.compile(r"[A-Za-z0-9]{3}8Q~[A-Za-z0-9_.~-]{20,}")


def credential_type(name):
    with open(os.path.join(CREDENTIAL_TYPES, name + ".yml")) as handle:
        return yaml.safe_load(handle)


def inject(kind, inputs, files_dir=None):
    """What AWX does with a custom credential type (awx_plugins' ``inject_credential``).

    The template namespace holds the credential's stored inputs only: no field defaults,
    empty values left out, a boolean field not stored is False. Templates render in a
    sandbox where a missing field is "" (jinja2's default Undefined). Every file injector
    is written (0600) and named in ``tower.filename``; every env injector is set, even to "".
    """
    spec = credential_type(kind)
    fields = {f["id"]: f for f in spec["inputs"]["fields"]}
    assert set(inputs) <= set(fields), set(inputs) - set(fields)
    for required in spec["inputs"].get("required", []):
        assert inputs.get(required), "%s needs %s" % (kind, required)
    namespace = dict((k, v) for k, v in inputs.items() if isinstance(v, bool) or v)
    for name, field in fields.items():
        if field.get("type") == "boolean" and name not in inputs:
            namespace[name] = False
    env = jinja2.sandbox.ImmutableSandboxedEnvironment()
    filenames = {}
    for label, template in spec["injectors"].get("file", {}).items():
        assert files_dir, "%s has file injectors" % kind
        path = os.path.join(str(files_dir), "tmp_%s" % label.replace(".", "_"))
        with open(path, "w") as handle:
            handle.write(env.from_string(template).render(**namespace))
        os.chmod(path, 0o600)
        filenames[label.split(".", 1)[1]] = path
    namespace["tower"] = types.SimpleNamespace(filename=types.SimpleNamespace(**filenames))
    return dict((k, env.from_string(v).render(**namespace)) for k, v in spec["injectors"]["env"].items())


def azure_resource_manager(subscription="", client="", secret="", tenant=""):
    """The environment of AWX's built-in Azure Resource Manager credential (a service principal)."""
    env = {"AZURE_SUBSCRIPTION_ID": subscription}
    if client and tenant:
        env.update(AZURE_CLIENT_ID=client, AZURE_TENANT=tenant, AZURE_SECRET=secret)
    return env


def test_credential_types_are_well_formed():
    for name in ("entra_admin", "zia_oneapi", "zia_legacy"):
        spec = credential_type(name)
        assert spec["kind"] == "cloud" and spec["name"].startswith("mipconnect ")
        ids = [f["id"] for f in spec["inputs"]["fields"]]
        assert set(spec["inputs"]["required"]) <= set(ids)
        secret_fields = {f["id"] for f in spec["inputs"]["fields"] if f.get("secret")}
        assert secret_fields, name
        for variable in spec["injectors"]["env"]:
            assert re.match(r"^(AZURE|ZSCALER|ZIA)_[A-Z_]+$", variable)


def test_entra_admin_signs_in_with_a_secret_or_a_certificate_file(tmp_path):
    with_secret = inject("entra_admin", {"client_id": "c", "client_secret": "s"}, tmp_path)
    assert with_secret["AZURE_CLIENT_SECRET"] == "s"
    # No certificate: no path, so the modules see none (an empty file would count as one).
    assert with_secret["AZURE_CLIENT_CERTIFICATE_PATH"] == ""

    pem = "-----BEGIN PRIVATE KEY-----\nMIIE...\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\n..."
    with_cert = inject("entra_admin", {"client_id": "c", "certificate": pem, "certificate_password": "p"}, tmp_path)
    path = with_cert["AZURE_CLIENT_CERTIFICATE_PATH"]
    assert path and open(path).read() == pem
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert with_cert["AZURE_CLIENT_SECRET"] == "" and with_cert["AZURE_CLIENT_CERTIFICATE_PASSWORD"] == "p"
    fields = {f["id"]: f for f in credential_type("entra_admin")["inputs"]["fields"]}
    assert fields["certificate"]["secret"] and fields["certificate"]["multiline"]
    assert fields["certificate_password"]["secret"]


def test_a_field_left_empty_is_injected_as_an_empty_string(tmp_path):
    rendered = inject("entra_admin", {"client_id": "c", "client_secret": "s"}, tmp_path)
    # The field's default (public) is a form hint; AWX does not store or render it.
    assert rendered["AZURE_CLOUD"] == "" and rendered["AZURE_TENANT_ID"] == ""


def test_awx_azure_resource_manager_credential_signs_the_modules_in(tenant):
    """AWX's built-in Azure credential alone (AZURE_TENANT, AZURE_SECRET, AZURE_SUBSCRIPTION_ID), with the
    variables of a custom credential type left empty, is enough for azure_app_connector."""
    arm = azure_resource_manager(subscription=tenant.subscription_id, client=tenant.info["admin_client_id"],
                                 secret=tenant.info["admin_client_secret"], tenant=tenant.tenant_id)
    cases = [{"id": "plan", "module": "mipconnect.zia.azure_app_connector", "task": {"check_mode": True},
              "args": {"display_name": "Blob connector", "unique_name": "awx-arm-blob",
                       "applications": ["mip", "azure_blob_storage"]}}]
    empty = dict.fromkeys(("AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_CLOUD", "AZURE_CLIENT_CERTIFICATE_PATH"), "")
    outcomes, output, _rc = run_batch(tenant, cases, env_extra=dict(empty, **arm))
    plan = outcomes["plan"]
    assert not plan.result.get("failed"), plan.msg or output[-3000:]
    assert plan.result["changed"] is True and plan.writes == []
    scope = "/subscriptions/%s" % tenant.subscription_id
    assert any(scope in change for change in plan.result["changes"]), plan.result["changes"]


def test_onboard_mip_through_ansible_runner_as_awx_runs_it(tenant, tmp_path, monkeypatch):
    emu = tenant.emulator
    org = tenant.zia_org
    envvars = {}
    (tmp_path / "awx" / "env").mkdir(parents=True)
    # A secret credential: the certificate variables are injected empty, as AWX does, and must not get in the way.
    envvars.update(inject("entra_admin", {"client_id": tenant.info["admin_client_id"],
                                          "client_secret": tenant.info["admin_client_secret"]},
                          tmp_path / "awx" / "env"))
    envvars.update(inject("zia_oneapi", {"client_id": org["oneapi_client_id"],
                                         "client_secret": org["oneapi_client_secret"],
                                         "vanity_domain": org["vanity"]}))
    # Not credentials: where the emulator answers instead of Microsoft and Zscaler (a job template's
    # environment, or an EE setting, would carry proxies and CA bundles the same way).
    envvars.update({
        "AZURE_AUTHORITY_HOST": emu.url + "/entra", "MIPCONNECT_GRAPH_URL": emu.url + "/graph",
        "MIPCONNECT_ZIA_API_URL": emu.url + "/zia/api/v1",
        "MIPCONNECT_ZSCALER_TOKEN_URL": emu.url + "/zslogin/oauth2/v1/token",
        "MIPCONNECT_CA_BUNDLE": emu.ca_file,
        "ANSIBLE_COLLECTIONS_PATH": tenant.collections, "ANSIBLE_NOCOLOR": "1",
    })

    data = tmp_path / "awx"
    shutil.copytree(os.path.join(REPO_ROOT, "playbooks"), str(data / "project" / "playbooks"))
    (data / "inventory").mkdir(parents=True)
    (data / "inventory" / "hosts").write_text(
        "localhost ansible_connection=local ansible_python_interpreter=%s\n" % sys.executable)
    (data / "env" / "envvars").write_text(yaml.safe_dump(envvars))
    survey = {"mipconnect_tenant_id": tenant.tenant_id, "mipconnect_account_name": "Contoso MIP",
              "mip_onboarding_export_dir": str(tmp_path / "labels")}
    (data / "env" / "extravars").write_text(yaml.safe_dump(survey))

    before = emu.request_count()
    # In an execution environment ansible-playbook is on PATH; here it is next to this Python.
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    result = ansible_runner.run(private_data_dir=str(data), playbook="playbooks/onboard_mip.yml", quiet=True)
    stdout = result.stdout.read()
    assert result.status == "successful" and result.rc == 0, stdout[-4000:]

    facts = [e["event_data"]["res"]["ansible_facts"]["mip_onboarding_summary"] for e in result.events
             if e["event"] == "runner_on_ok"
             and "mip_onboarding_summary" in (e["event_data"].get("res", {}).get("ansible_facts") or {})]
    assert len(facts) == 1
    summary = facts[0]
    assert summary["status"] == "Active" and summary["label_count"] == 8 and summary["changed"] is True
    assert os.path.exists(summary["csv_path"])
    accounts = [t for t in emu.zia_state(org["org_id"])["tenants"] if t["tenantName"] == "Contoso MIP"]
    assert accounts and accounts[0]["enterpriseTenantId"] == tenant.tenant_id
    assert any(r["service"] == "zidentity" for r in emu.requests(before))

    # The connector's secret reached neither the job output nor the job events AWX stores.
    artifacts = json.dumps(list(result.events)) + stdout
    assert not SECRET_PATTERN.search(artifacts)


def test_entra_admin_cloud_choices_are_the_modules():
    """The job template's cloud picker offers exactly the clouds the modules know (US Gov DoD included)."""
    fragment = runpy.run_path(os.path.join(REPO_ROOT, "plugins", "doc_fragments", "entra_endpoints.py"))
    options = yaml.safe_load(fragment["ModuleDocFragment"].DOCUMENTATION)["options"]
    fields = {f["id"]: f for f in credential_type("entra_admin")["inputs"]["fields"]}
    assert sorted(fields["cloud"]["choices"]) == sorted(options["cloud"]["choices"])
