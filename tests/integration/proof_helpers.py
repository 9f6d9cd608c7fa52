"""Helpers for the hostile-input, secret-hygiene and fault-matrix suites.

- ``run_batch``: many module tasks in ONE ansible-playbook run (each task
  ``ignore_errors`` and registered), with a marker request to the emulator
  before each task so every request in the emulator's log is attributed to
  the task that sent it. One playbook costs ~3 s; sixty one-task playbooks
  would cost three minutes.
- ``run_module_inprocess``: a module's real ``main()`` in this process (the way
  ansible-test unit tests run modules), for hypothesis.
- ``scan_for_canaries``: every place a secret could leak, searched for bytes.
- ``FaultMatrix``: rows of the fault matrix, shared across xdist workers through
  files under ``build/``, printed as a table when a worker finishes.
"""

import contextlib
import glob
import io
import json
import os
import re
import subprocess
import sys
import time
import warnings

import yaml

from conftest import REPO_ROOT, WRITE_METHODS

MARKER_PREFIX = "/__proof_marker__/"
TRACEBACK_SIGNS = ("Traceback (most recent call last)", "An exception occurred during task execution",
                   "Unexpected error in mipconnect.zia", "MODULE FAILURE")


class TaskOutcome:
    """One task of a batch: its registered result, its console text and its requests."""

    def __init__(self, case, result, output, requests):
        self.case = case
        self.result = result or {}
        self.output = output
        self.requests = requests

    @property
    def writes(self):
        return [r for r in self.requests if r["method"] in WRITE_METHODS and not _is_token(r)]

    @property
    def msg(self):
        return str(self.result.get("msg", ""))

    def problems(self, option=None, allow_reads=False):
        """What is wrong with this outcome for a bad input; [] when it is a clean refusal."""
        found = []
        if not self.result.get("failed"):
            found.append("did not fail (changed=%s)" % self.result.get("changed"))
        if option is not None and not names_option(option, self.msg):
            found.append("message does not name %r: %r" % (option, self.msg[:300]))
        blob = json.dumps(self.result) + self.output
        for sign in TRACEBACK_SIGNS:
            if sign in blob:
                found.append("traceback/unexpected error in output (%s)" % sign)
        if self.result.get("exception") not in (None, "(traceback unavailable)"):
            found.append("result carries a traceback")
        if self.writes:
            found.append("remote writes: %s" % [(r["method"], r["path"]) for r in self.writes])
        if self.requests and not allow_reads:
            found.append("requests sent: %s" % [(r["method"], r["path"]) for r in self.requests])
        return found


def names_option(option, msg):
    """Whether ``msg`` names ``option`` as a word: 'name' is not named by 'display_name'."""
    return re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(option), str(msg)) is not None


JWT_RE = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+")


def _is_token(entry):
    return entry["path"].endswith("/oauth2/v2.0/token") or entry["path"].endswith("/oauth2/v1/token")


def base_env(tenant, zia=None, drop=()):
    env = tenant.env(zia=zia)
    for name in drop:
        env.pop(name, None)
    return env


def run_batch(tenant, cases, zia=None, drop_env=(), check=False, diff=False, verbosity=0, no_log=False,
              extra_args=(), timeout=900, env_extra=None):
    """Run ``cases`` (dicts: id, module, args, optional task keywords in ``task``) as one playbook.

    Returns (outcomes by id, full console output, returncode).
    """
    emu = tenant.emulator
    tasks = []
    for index, case in enumerate(cases):
        tasks.append({
            "name": "marker %d" % index,
            "ansible.builtin.set_fact": {"_marker": "{{ lookup('ansible.builtin.url', '%s%s%d', "
                                                    "validate_certs=false, errors='ignore') }}"
                                         % (emu.url, MARKER_PREFIX, index)},
        })
        task = {"name": "case %s" % case["id"], case["module"]: case["args"], "register": "r%d" % index,
                "ignore_errors": True, "no_log": case.get("no_log", no_log)}
        task.update(case.get("task", {}))
        tasks.append(task)
    tasks.append({"name": "marker end", "ansible.builtin.set_fact": {
        "_marker": "{{ lookup('ansible.builtin.url', '%s%send', validate_certs=false, errors='ignore') }}"
                   % (emu.url, MARKER_PREFIX)}})
    result_file = tenant.tmp_path / ("batch-%d.json" % time.time_ns())
    everything = "{{ {%s} | to_json }}" % ", ".join("'r%d': r%d" % (i, i) for i in range(len(cases)))
    tasks.append({"name": "Save the registered results", "save_result": {
        "content": everything, "dest": str(result_file)},
        "no_log": True, "check_mode": False, "diff": False})
    playbook = [{"name": "batch", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    playbook_file = tenant.tmp_path / ("batch-%d.yml" % time.time_ns())
    playbook_file.write_text(yaml.safe_dump(playbook, sort_keys=False, width=100000))
    command = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
               "-c", "local", str(playbook_file)] + list(extra_args)
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if verbosity:
        command.append("-" + "v" * verbosity)
    before = emu.request_count()
    env = base_env(tenant, zia, drop_env)
    env.update(env_extra or {})
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    output = proc.stdout + proc.stderr
    if not result_file.exists():
        raise AssertionError("batch playbook did not finish:\n" + output[-5000:])
    results = json.loads(result_file.read_text())
    requests = emu.requests(before)
    per_task = _split_requests(requests, len(cases))
    per_output = _split_output(output, cases)
    outcomes = {}
    outcomes_playbook = playbook_file
    for index, case in enumerate(cases):
        outcomes[case["id"]] = TaskOutcome(case, results.get("r%d" % index), per_output.get(case["id"], ""),
                                           per_task[index])
    run_batch.last_files = (str(outcomes_playbook), str(result_file))
    return outcomes, output, proc.returncode


def _split_requests(requests, count):
    """Requests between marker i and marker i+1 belong to case i."""
    buckets = [[] for _unused in range(count)]
    current = None
    for entry in requests:
        if entry["path"].startswith(MARKER_PREFIX):
            tail = entry["path"][len(MARKER_PREFIX):]
            current = int(tail) if tail.isdigit() else None
            continue
        if current is not None:
            buckets[current].append(entry)
    return buckets


def _split_output(output, cases):
    parts = {}
    for case in cases:
        header = "TASK [case %s]" % case["id"]
        start = output.find(header)
        if start < 0:
            continue
        end = output.find("TASK [", start + len(header))
        parts[case["id"]] = output[start:end if end >= 0 else len(output)]
    return parts


# In-process runs ---------------------------------------------------------------

def collection_on_path():
    """Make ``ansible_collections.mipconnect.zia`` importable in this process."""
    from conftest import collections_path

    base = collections_path()
    if base not in sys.path:
        sys.path.insert(0, base)
    return base


@contextlib.contextmanager
def patched_environ(env):
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_module_inprocess(module, args, env):
    """Run ``module.main()`` with ``args``; return (result dict, captured stdout+stderr)."""
    from ansible.module_utils.testing import patch_module_args

    out, err = io.StringIO(), io.StringIO()
    with patched_environ(env), patch_module_args(args), \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            module.main()
        except SystemExit:
            pass
    text = out.getvalue()
    match = re.search(r"\{.*\}\s*$", text, re.S)
    try:
        result = json.loads(match.group(0)) if match else {}
    except ValueError:
        result = {"unparsable_output": text}
    return result, text + err.getvalue()


# Secret scanning ----------------------------------------------------------------

def canary_hits(canaries, blob, where):
    """[(where, canary name)] for every canary found in ``blob`` (str or bytes).

    An empty canary would match nothing, silently: it is a broken test, not a pass.
    """
    if isinstance(blob, bytes):
        blob = blob.decode("utf-8", "replace")
    hits = []
    for name, value in canaries.items():
        if not isinstance(value, str) or len(value) < 8:
            shape = "%d characters" % len(value) if isinstance(value, str) else type(value).__name__
            raise AssertionError("canary %r is empty or too short to search for (%s)" % (name, shape))
        if value in blob:
            hits.append((where, name))
    return hits


def scan_tree(canaries, root, exempt=()):
    hits = []
    for path in glob.glob(os.path.join(str(root), "**"), recursive=True):
        if os.path.isfile(path) and path not in exempt:
            with open(path, "rb") as handle:
                hits += canary_hits(canaries, handle.read(), path)
    return hits


# The fault matrix table ----------------------------------------------------------

MATRIX_DIR = os.path.join(REPO_ROOT, "build", "fault-matrix")


class FaultMatrixTable(UserWarning):
    """Carries the fault matrix table to pytest's warnings summary (shown under xdist too)."""


class FaultMatrix:
    def __init__(self, session_tag):
        self.directory = os.path.join(MATRIX_DIR, session_tag)
        os.makedirs(self.directory, exist_ok=True)

    def record(self, scenario, fault, expectation, outcome, seconds):
        row = {"scenario": scenario, "fault": fault, "expectation": expectation, "outcome": outcome,
               "seconds": round(seconds, 1)}
        with open(os.path.join(self.directory, re.sub(r"[^\w.-]", "_", scenario) + ".json"), "w") as handle:
            json.dump(row, handle)

    def rows(self):
        rows = []
        for path in sorted(glob.glob(os.path.join(self.directory, "*.json"))):
            with open(path) as handle:
                rows.append(json.load(handle))
        return rows

    def table(self):
        rows = self.rows()
        headers = ("scenario", "fault", "expectation", "outcome", "seconds")
        widths = [max([len(h)] + [len(str(r[h])) for r in rows]) for h in headers]
        line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
        rule = "|-" + "-|-".join("-" * w for w in widths) + "-|"
        body = ["| " + " | ".join(str(r[h]).ljust(w) for h, w in zip(headers, widths)) + " |" for r in rows]
        return "\n".join(["Fault matrix (%d scenarios)" % len(rows), line, rule] + body)

    def publish(self):
        text = self.table()
        with open(os.path.join(MATRIX_DIR, "fault_matrix.md"), "w") as handle:
            handle.write(text + "\n")
        print("\n" + text)
        warnings.warn(FaultMatrixTable("\n" + text), stacklevel=2)
        return text
