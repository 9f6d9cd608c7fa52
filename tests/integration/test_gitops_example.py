"""The GitOps example (examples/gitops) and reconcile.yml with a hostile tenants file.

A tenants file comes from pull requests. These tests play the attacker: a
tenant whose name is a template that runs a command, endpoint overrides,
extra top-level variables. The checker script must refuse them before Ansible
reads the file, reconcile.yml must refuse them before anything is templated
or sent, and the example's workflow must keep write credentials away from
pull requests.
"""

import os
import subprocess
import sys

import pytest
import yaml

from conftest import REPO_ROOT, collections_path
from playbook_runs import run_playbook

EXAMPLE = os.path.join(REPO_ROOT, "examples", "gitops")
WORKFLOW = os.path.join(EXAMPLE, ".github", "workflows", "mip-tenants.yml")
GUID = "00000000-0000-0000-0000-00000000c0de"


def run_checker(path):
    command = [sys.executable, os.path.join(EXAMPLE, "check_tenants.py"), "--collections-path", collections_path(),
               str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def hostile_command(marker):
    """A template that, if Ansible ever rendered it, would create ``marker``."""
    return "{{ lookup('ansible.builtin.pipe', 'touch %s; id -un') }}" % marker


def test_checker_accepts_the_example_tenants_file():
    run = run_checker(os.path.join(EXAMPLE, "tenants.yml"))
    assert run.returncode == 0, run.stderr
    assert "3 tenant(s), safe to plan" in run.stdout


@pytest.mark.parametrize("document, words", [
    ({"mipconnect_tenants": [{"name": "contoso", "tenant_id": GUID, "account_name": "{{ lookup('pipe', 'id') }}"}]},
     "tenant #1 (contoso), field account_name: Jinja templates"),
    ({"mipconnect_tenants": [{"name": "contoso", "tenant_id": GUID,
                              "entra_auth": {"auth_client_id": "x", "authority_url": "https://evil.example"}}]},
     "tenant #1 (contoso), field entra_auth.authority_url: endpoint and TLS overrides are not allowed"),
    ({"mipconnect_tenants": [], "mipconnect_zia_auth": {"zia_api_url": "https://evil.example"}},
     "top-level key 'mipconnect_zia_auth' is not allowed"),
])
def test_checker_refuses_templates_overrides_and_extra_variables(tmp_path, document, words):
    path = tmp_path / "tenants.yml"
    path.write_text(yaml.safe_dump(document))
    run = run_checker(path)
    assert run.returncode == 1
    assert words in run.stderr
    assert "evil.example" not in run.stderr + run.stdout and "pipe" not in run.stderr + run.stdout


def test_checker_refuses_yaml_tags_that_build_objects(tmp_path):
    path = tmp_path / "tenants.yml"
    path.write_text("mipconnect_tenants: !!python/object/apply:os.system ['touch %s']\n" % (tmp_path / "ran"))
    run = run_checker(path)
    assert run.returncode == 1 and "cannot be read as plain YAML" in run.stderr
    assert not (tmp_path / "ran").exists()


def test_checker_accepts_vaulted_secrets(tmp_path):
    path = tmp_path / "tenants.yml"
    path.write_text("mipconnect_tenants:\n  - name: contoso\n    tenant_id: %s\n    entra_auth:\n"
                    "      auth_client_id: 11111111-1111-1111-1111-111111111111\n"
                    "      auth_client_secret: !vault |\n        $ANSIBLE_VAULT;1.1;AES256\n        3132\n" % GUID)
    run = run_checker(path)
    assert run.returncode == 0, run.stderr


def test_reconcile_refuses_a_templated_tenant_before_anything_is_rendered_or_sent(tenant):
    marker = tenant.tmp_path / "command-ran"
    tenants = [{"name": "contoso", "tenant_id": tenant.tenant_id},
               {"name": hostile_command(marker), "tenant_id": tenant.tenant_id},
               {"name": "fabrikam", "tenant_id": tenant.tenant_id, "entra_auth": {"graph_url": "https://evil.example"}}]
    run = run_playbook(tenant, "reconcile.yml", {"mipconnect_tenants": tenants}, check=True)
    assert run.returncode != 0
    assert not marker.exists(), "the template in the tenant's name was rendered: it ran a command"
    assert "tenant #2, field name: Jinja templates" in run.output
    assert "tenant #3 (fabrikam), field entra_auth.graph_url: endpoint and TLS overrides" in run.output
    assert run.requests == [], "a request was sent before the tenants file was refused"


def _steps_before(job, words):
    names = []
    for step in job["steps"]:
        if words in str(step.get("run", "")):
            return names
        names.append(str(step.get("run", "")) + str(step.get("uses", "")))
    raise AssertionError("no step runs %r" % words)


def test_the_workflow_keeps_write_credentials_from_pull_requests():
    with open(WORKFLOW) as handle:
        workflow = yaml.safe_load(handle)
    triggers = workflow["on"]
    assert "pull_request_target" not in triggers
    assert workflow["permissions"] == {"contents": "read"}
    assert "secrets." not in str(workflow.get("env", ""))
    for name, job in workflow["jobs"].items():
        text = yaml.safe_dump(job)
        assert "secrets." not in str(job.get("env", "")), "%s: secrets in the job's environment" % name
        if "secrets." in text:
            # Secrets only behind a protected environment, and only after the schema check.
            assert job.get("environment"), "%s uses secrets without a protected environment" % name
            assert any("check_tenants.py" in s for s in _steps_before(job, "ansible-playbook")), name
        if "ansible-playbook" in text and "github.event_name == 'pull_request'" in str(job.get("if", "")):
            assert job["environment"] == "mip-plan" and "--check" in text
            checkout = job["steps"][0]
            assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
        if "ansible-playbook" in text and "--check" not in text:
            assert job["environment"] == "mip-production"
            assert "github.event_name == 'push'" in job["if"] and "refs/heads/main" in job["if"]
    assert "check_tenants.py" in str(workflow["jobs"]["check"])
