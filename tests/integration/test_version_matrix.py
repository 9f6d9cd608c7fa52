"""The ansible-core version matrix, the release checks and the version in one place.

Static where the thing under test is a file (lock files, galaxy-importer's
settings); run where it is behaviour (what `make` would run, matrix.sh's
answer for a series it cannot run). Nothing here installs a venv: `make
matrix` itself is the test of the series.
"""

import os
import re
import subprocess

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from conftest import REPO_ROOT

MATRIX = ("2.16", "2.18", "2.20", "2.21")
MAIN_SERIES = "2.19"
# CVE-2026-11332 (ansible-galaxy passed role dependencies to git clone as options):
# the first fixed release per series; 2.17 never got the fix.
CVE_2026_11332_FIXED = {"2.16": "2.16.19", "2.18": "2.18.18", "2.19": "2.19.11", "2.20": "2.20.7",
                        "2.21": "2.21.1"}


def read(*path):
    with open(os.path.join(REPO_ROOT, *path)) as handle:
        return handle.read()


def requirement_names(*path):
    lines = [line.split("#")[0].strip() for line in read(*path).splitlines()]
    return {Requirement(line).name.lower().replace("_", "-"): Requirement(line) for line in lines if line}


def lock_pins(series):
    pins = {}
    for line in read("requirements", "constraints-ansible-core-%s.txt" % series).splitlines():
        if line and not line.startswith("#"):
            name, _sep, version = line.partition("==")
            assert version, "not pinned: %r" % line
            pins[name.lower().replace("_", "-")] = version
    return pins


def make_dry_run(*args):
    run = subprocess.run(["make", "-n", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.parametrize("series", MATRIX + (MAIN_SERIES,))
def test_each_series_lock_file_pins_its_series_at_a_release_without_known_cve(series):
    core = Version(lock_pins(series)["ansible-core"])
    assert "%d.%d" % core.release[:2] == series
    assert core >= Version(CVE_2026_11332_FIXED[series])


@pytest.mark.parametrize("series", MATRIX)
def test_each_matrix_lock_file_pins_what_the_matrix_venv_installs(series):
    pins = lock_pins(series)
    wanted = dict(requirement_names("requirements.txt"), **requirement_names("requirements", "matrix.txt"))
    for name, requirement in wanted.items():
        assert name in pins, "%s is not in the %s lock file" % (name, series)
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name])


def test_every_series_of_the_matrix_is_allowed_by_runtime_yml_and_the_test_requirements():
    claimed = SpecifierSet(yaml.safe_load(read("meta", "runtime.yml"))["requires_ansible"])
    tested = requirement_names("test-requirements.txt")["ansible-core"].specifier
    for series in MATRIX + (MAIN_SERIES,):
        core = lock_pins(series)["ansible-core"]
        assert claimed.contains(core), "meta/runtime.yml refuses the tested %s" % core
        assert tested.contains(core), "test-requirements.txt refuses the tested %s" % core


def test_make_matrix_runs_every_series_and_make_test_the_lowest_and_highest():
    assert "scripts/matrix.sh run %s" % " ".join(MATRIX) in make_dry_run("matrix")
    assert "scripts/matrix.sh run %s %s" % (MATRIX[0], MATRIX[-1]) in make_dry_run("matrix-ends")
    suites = re.search(r"^suites=\((.*)\)$", read("scripts", "run_suites.sh"), re.M).group(1).split()
    assert "matrix-ends" in suites and "importer" in suites


def test_make_lock_refreshes_the_main_series_and_every_matrix_series():
    assert "scripts/matrix.sh lock %s %s" % (MAIN_SERIES, " ".join(MATRIX)) in make_dry_run("lock")


def _matrix_run(series, **env):
    return subprocess.run([os.path.join(REPO_ROOT, "scripts", "matrix.sh"), "run", series], cwd=REPO_ROOT,
                          capture_output=True, text=True, env=dict(os.environ, **env), timeout=60, check=False)


def test_a_series_without_its_python_is_skipped_out_loud_and_fails_when_strict():
    run = _matrix_run("2.16", MATRIX_PYTHON_2_16="3.99", MATRIX_STRICT="0")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SKIPPED: Python 3.99 is not on this machine" in run.stderr
    assert re.search(r"^2\.16 .* SKIPPED \(no Python 3\.99\)$", run.stdout, re.M), run.stdout
    assert "NOT every series ran" in run.stdout

    strict = _matrix_run("2.16", MATRIX_PYTHON_2_16="3.99", MATRIX_STRICT="1")
    assert strict.returncode == 1
    assert "MATRIX_STRICT=1" in strict.stdout


def test_a_series_the_matrix_does_not_know_fails():
    run = _matrix_run("2.99")
    assert run.returncode == 1
    assert "FAILED (unknown series)" in run.stdout


def test_galaxy_importer_config_refuses_a_version_below_1_0_0(monkeypatch):
    from galaxy_importer import schema  # pylint: disable=import-outside-toplevel  # only this test needs it
    monkeypatch.setenv("GALAXY_IMPORTER_CONFIG", os.path.join(REPO_ROOT, "galaxy-importer.cfg"))
    galaxy = yaml.safe_load(read("galaxy.yml"))
    fields = {key: galaxy[key] for key in ("namespace", "name", "readme", "authors", "repository", "tags", "license")}
    with pytest.raises(ValueError, match="1.0.0 or greater"):
        schema.CollectionInfo(version="0.1.0", **fields)
    assert schema.CollectionInfo(version="1.0.0", **fields).version == "1.0.0"


def test_the_collection_version_is_written_only_in_galaxy_yml():
    version = yaml.safe_load(read("galaxy.yml"))["version"]
    # The version as something a build uses (a tarball name, a path, an assignment); the importer's
    # rule "1.0.0 or later" names a threshold, not our version, even when the two are equal.
    used = re.compile(r"(zia-|/|version\s*[:=]\s*[\"']?)" + re.escape(version))
    offenders = []
    for folder in ("scripts",):
        for name in sorted(os.listdir(os.path.join(REPO_ROOT, folder))):
            if os.path.isfile(os.path.join(REPO_ROOT, folder, name)) and used.search(read(folder, name)):
                offenders.append(os.path.join(folder, name))
    for name in ("Makefile", "execution-environment.yml", "galaxy-importer.cfg"):
        if used.search(read(name)):
            offenders.append(name)
    assert offenders == []
    assert "build/dist/mipconnect-zia-%s.tar.gz" % version in make_dry_run("-o", "install", "importer")
