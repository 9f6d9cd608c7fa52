# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ZIA rate limiter per organisation, shared by the processes of a controller through a
locked file, with an injected clock: two limiters on one file stand for two forks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.mipconnect.zia.plugins.module_utils.zia import zia_rate_limits
from ansible_collections.mipconnect.zia.plugins.module_utils.zia.zia_rate_limits import RateLimiter, SharedWindows
from ansible_collections.mipconnect.zia.tests.unit.plugins.module_utils.fakes import Clock

# One clock for every limiter of a test, as CLOCK_MONOTONIC is one for every process; it starts
# late enough that "a flight older than IN_FLIGHT_SECONDS" is still a positive time.
START = 5000.0


def forks(clock, directory, count=2, api_url="https://api.zsapi.net/zia/api/v1", identity="oneapi:abc"):
    return [RateLimiter(clock.sleep, clock, SharedWindows(api_url, identity, directory=str(directory)))
            for _fork in range(count)]


def send(limiter, method="GET", path="/status"):
    limiter.wait(method, path)
    limiter.record(method, path)


def test_forks_of_one_organisation_share_the_window(tmp_path):
    clock = Clock(START)
    first, second = forks(clock, tmp_path)
    send(first)
    send(second)
    assert clock.sleeps == []  # ZIA allows two reads a second: one each
    send(first)
    assert clock.sleeps == [1.0]  # the third waits, although this fork sent only one before


def test_limiters_alone_would_each_allow_the_full_rate():
    # What the forks did before they shared a file: each its own window, so together twice ZIA's rate.
    clock = Clock(START)
    first, second = RateLimiter(clock.sleep, clock), RateLimiter(clock.sleep, clock)
    for limiter in (first, second, first, second):
        send(limiter)
    assert clock.sleeps == []


def test_organisations_do_not_share_a_window(tmp_path):
    clock = Clock(START)
    (one,) = forks(clock, tmp_path, count=1, identity="oneapi:org-one")
    (other,) = forks(clock, tmp_path, count=1, identity="oneapi:org-two")
    for limiter in (one, one, other, other):
        send(limiter, "POST", "/status/activate")
        send(limiter)
    assert clock.sleeps == []
    names = sorted(os.listdir(str(tmp_path)))
    assert len(names) == 2
    assert not any("org-" in name or "oneapi" in name for name in names)  # hashed, never the identity


def test_a_request_in_flight_holds_its_place_until_answered(tmp_path):
    clock = Clock(START)
    first, second = forks(clock, tmp_path)
    first.wait("PUT", "/casbTenant/1")  # sent, no answer yet
    clock.now += 0.7
    second_waited = []

    def answer_meanwhile(seconds):
        second_waited.append(round(seconds, 3))
        clock.now += seconds
        if len(second_waited) == 1:
            first.record("PUT", "/casbTenant/1")  # the answer arrives while the second fork waits

    second._sleep = answer_meanwhile
    second.wait("POST", "/casbTenant")
    # It looked again shortly while the PUT was in flight, then waited a full second from the
    # PUT's answer (ZIA counted the PUT when it got it, after it was sent).
    assert second_waited == [zia_rate_limits.IN_FLIGHT_POLL_SECONDS, 1.0]


def test_requests_are_dated_when_answered(tmp_path):
    clock = Clock(START)
    first, second = forks(clock, tmp_path)
    first.wait("POST", "/casbTenant")
    clock.now += 0.4  # the write takes 0.4 s to answer
    first.record("POST", "/casbTenant")
    send(second, "PUT", "/casbTenant/1")
    assert clock.sleeps == [1.0]  # one second from the answer, not 0.6 from the send


def test_the_hourly_windows_hold_too(tmp_path):
    clock = Clock(START)
    (limiter,) = forks(clock, tmp_path, count=1)
    for _write in range(400):
        send(limiter, "PUT", "/casbTenant/1")
    first_hour = clock.now - 5000.0
    send(limiter, "PUT", "/casbTenant/1")
    # 400 writes an hour: the 401st waits until the first of them is an hour old.
    assert round(clock.now - 5000.0, 3) == 3600.0 and first_hour < 400
    state = json.loads(open(os.path.join(str(tmp_path), os.listdir(str(tmp_path))[0])).read())
    assert len(state["WRITE"]) == 400  # no more than the longest window needs is kept


def test_a_corrupt_file_counts_as_empty_and_is_rewritten(tmp_path):
    clock = Clock(START)
    first, second = forks(clock, tmp_path)
    send(first)
    path = os.path.join(str(tmp_path), os.listdir(str(tmp_path))[0])
    for garbage in ('{"GET": [[1, 2, 3]', "[]", '{"GET": "x", "OTHER": []}', '{"GET": [["x", null]]}'):
        with open(path, "w") as handle:
            handle.write(garbage)
        send(second)
        assert json.loads(open(path).read())["GET"][-1][1] is None
    assert clock.sleeps == []  # each garbage file counted as empty, so nothing waited


def test_an_unusable_directory_degrades_to_pacing_in_this_process(tmp_path):
    clock = Clock(START)
    planted = tmp_path / "not-a-directory"
    planted.write_text("planted")
    limiter = RateLimiter(clock.sleep, clock, SharedWindows("https://h", "oneapi:x", directory=str(planted)))
    for _request in range(3):
        send(limiter)
    assert clock.sleeps == [1.0]  # still paced, no exception, nothing written


def test_a_directory_others_may_write_in_is_not_trusted(tmp_path):
    clock = Clock(START)
    shared = tmp_path / "open"
    shared.mkdir()
    os.chmod(str(shared), 0o777)
    limiter = RateLimiter(clock.sleep, clock, SharedWindows("https://h", "oneapi:x", directory=str(shared)))
    send(limiter)
    assert os.listdir(str(shared)) == []


def test_entries_from_the_future_and_stale_flights_are_forgotten(tmp_path):
    clock = Clock(START)
    first, second = forks(clock, tmp_path)
    send(first)
    path = os.path.join(str(tmp_path), os.listdir(str(tmp_path))[0])
    # Left by a boot before (the monotonic clock started again) and by a fork killed mid-request.
    with open(path, "w") as handle:
        json.dump({"WRITE": [[clock.now + 86400.0, None], [clock.now - zia_rate_limits.IN_FLIGHT_SECONDS - 1, "dead-1"]]},
                  handle)
    send(second, "PUT", "/casbTenant/1")
    assert clock.sleeps == []


def test_a_flight_of_a_killed_process_counts_from_when_it_was_sent(tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid now belongs to no process
    clock = Clock(START)
    (survivor,) = forks(clock, tmp_path, count=1)
    send(survivor)
    path = os.path.join(str(tmp_path), os.listdir(str(tmp_path))[0])
    # The killed run took its place for a POST 0.5 s ago and never got (or recorded) the answer.
    with open(path, "w") as handle:
        json.dump({"WRITE": [[clock.now - 0.5, "%d-0a1b2c3d-1" % dead.pid]]}, handle)
    send(survivor, "PUT", "/casbTenant/1")
    # ZIA may have got it: the next write waits out the rest of its second, not IN_FLIGHT_SECONDS.
    assert clock.sleeps == [0.5]


def test_shared_limiter_is_keyed_by_the_identity_never_the_secret():
    class Auth:
        api_url = "https://api.zsapi.net/zia/api/v1"
        identity = "oneapi:client-1"

    limiter = zia_rate_limits.shared_limiter(Auth())
    assert isinstance(limiter._windows, SharedWindows)
    name = limiter._windows._name
    assert name.startswith("zia-") and "client-1" not in name

    class NoIdentity:
        api_url = "https://x"

    assert not isinstance(zia_rate_limits.shared_limiter(NoIdentity())._windows, SharedWindows)
