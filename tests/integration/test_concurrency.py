"""Concurrent onboardings and rotations of one tenant: real ansible-playbook runs at random offsets,
with Entra replication delay on. After each round: ZIA's stored secret signs in, exactly one secret of
ours exists, nothing is left in flight, and an onboarding re-run writes nothing.

A few rounds only (each is several playbook runs); tests/benchmarks/stress_concurrency.py runs hundreds.
"""

import random

import pytest

from concurrency_runs import broken_states, rerun_writes, run_at_offsets

MAX_OFFSET = 3.0


@pytest.fixture
def replication_delay(emulator):
    emulator.configure(replication_delay=1)
    yield
    emulator.configure(replication_delay=0)


def _round(tenant, plan, seed):
    rng = random.Random(seed)
    runs = run_at_offsets(tenant, [(playbook, rng.uniform(0, MAX_OFFSET)) for playbook in plan])
    failed = [run for run in runs if run.returncode != 0]
    assert not failed, "\n\n".join(run.describe() + "\n" + run.output[-4000:] for run in failed)
    return runs


@pytest.mark.parametrize("seed", [1, 2])
def test_two_onboardings_of_one_tenant_at_once_leave_zia_a_working_secret(tenant, replication_delay, seed):
    runs = _round(tenant, ["onboard_mip.yml", "onboard_mip.yml"], seed)
    assert broken_states(tenant) == [], [run.describe() for run in runs]
    assert rerun_writes(tenant) == []


def test_three_runs_onboarding_and_rotations_at_once_leave_zia_a_working_secret(tenant, replication_delay):
    _round(tenant, ["onboard_mip.yml"], 0)
    runs = _round(tenant, ["rotate_secret.yml", "onboard_mip.yml", "rotate_secret.yml"], 3)
    assert broken_states(tenant) == [], [run.describe() for run in runs]
    assert rerun_writes(tenant) == []
