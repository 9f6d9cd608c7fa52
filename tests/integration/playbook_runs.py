"""Run the collection's playbooks against the emulator, the way a user runs them.

``run_playbook`` runs ``playbooks/<name>`` with ansible-playbook, extra vars
from a JSON file, and returns the console output, the exit code, the
summary rows the playbook wrote (``mipconnect_summary_json``) and the
requests the emulator saw during the run.
"""

import json
import os
import subprocess
import sys


REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = os.path.join(REPO_ROOT, "playbooks")
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
LOGINS = ("/oauth2/v2.0/token", "/oauth2/v1/token", "/authenticatedSession")


class Run:
    def __init__(self, returncode, output, requests, summary):
        self.returncode = returncode
        self.output = output
        self.requests = requests
        self.summary = summary

    @property
    def writes(self):
        """Requests that change something: logins and tokens are not changes."""
        return [r for r in self.requests if r["method"] in WRITE_METHODS and not r["path"].endswith(LOGINS)]

    @property
    def reads(self):
        return [r for r in self.requests if r["method"] not in WRITE_METHODS]

    def row(self, account):
        return next(r for r in self.summary if r["account"] == account)

    def recap(self):
        """{host: {ok, changed, failed, ...}} from the PLAY RECAP."""
        hosts = {}
        for line in self.output.splitlines():
            if ": ok=" in line:
                host, counts = line.split(":", 1)
                hosts[host.strip()] = dict((k, int(v)) for k, v in (p.split("=") for p in counts.split()))
        return hosts

    def assert_ok(self):
        assert self.returncode == 0, self.output[-6000:]


def run_playbook(tenant, playbook, extra_vars=None, check=False, diff=False, tags=None, skip_tags=None,
                 zia="oneapi", inventory=None, env=None, timeout=900):
    tmp = tenant.tmp_path
    index = len(list(tmp.glob("vars-*.json")))
    summary_file = tmp / ("summary-%d.json" % index)
    variables = {"mipconnect_summary_json": str(summary_file)}
    variables.update(extra_vars or {})
    vars_file = tmp / ("vars-%d.json" % index)
    vars_file.write_text(json.dumps(variables))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
               "-i", inventory or "localhost,", "-c", "local", os.path.join(PLAYBOOKS, playbook),
               "-e", "@" + str(vars_file)]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if tags:
        command += ["--tags", tags]
    if skip_tags:
        command += ["--skip-tags", skip_tags]
    full_env = tenant.env(zia=zia)
    full_env.update(env or {})
    before = tenant.emulator.request_count()
    proc = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=timeout, cwd=str(tmp), check=False)
    summary = json.loads(summary_file.read_text()) if summary_file.exists() else []
    return Run(proc.returncode, proc.stdout + proc.stderr, tenant.emulator.requests(before), summary)
