# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connector's lease: taken only when free, lost to a run whose write landed later, checked before
secret writes, and cleared when its run is gone or it expired. A fake application, a fake clock."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import socket

import pytest

from ansible_collections.mipconnect.zia.plugins.module_utils.entra import lease

T0 = datetime.datetime(2026, 12, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


class FakeApp:
    """One application's tags; ``during_settle`` plays another run while this one waits."""

    def __init__(self, tags=()):
        self.app = {"id": "obj", "appId": "app", "tags": list(tags)}
        self.writes = []
        self.during_settle = None
        self.elapsed = 0.0

    def read(self):
        return {"id": "obj", "appId": "app", "tags": list(self.app["tags"])}

    def write_tags(self, _app, tags):
        self.writes.append(list(tags))
        self.app["tags"] = list(tags)

    def sleep(self, seconds):
        self.elapsed += seconds
        if self.during_settle is not None:
            action, self.during_settle = self.during_settle, None
            action(self)

    def clock(self):
        return self.elapsed

    def now(self):
        return T0 + datetime.timedelta(seconds=self.elapsed)


def keeper(app, owner, wait=0):
    return lease.LeaseKeeper(app.read, app.write_tags, owner, duration=600, wait=wait, sleep=app.sleep,
                             clock=app.clock, now=app.now)


def other_lease(owner="other-host/-/1", start=T0, minutes=10):
    return lease.Lease(owner, start, start + datetime.timedelta(minutes=minutes)).tag()


def test_a_free_lease_is_taken_and_other_tags_are_kept():
    app = FakeApp(["keep-me"])
    held = keeper(app, "me").acquire()
    assert held.owner == "me"
    assert app.app["tags"][0] == "keep-me" and lease.holder(app.app, app.now()).owner == "me"


def test_a_live_lease_of_another_run_makes_the_run_wait_then_stop_naming_it_without_writing():
    app = FakeApp([other_lease()])
    with pytest.raises(lease.LeaseHeld) as caught:
        keeper(app, "me", wait=10).acquire()
    assert "other-host/-/1" in str(caught.value) and "changed nothing" in str(caught.value)
    assert app.writes == []
    assert app.elapsed >= 8  # it waited (on the fake clock)


def test_the_lease_is_taken_once_the_other_run_gives_it_back_while_we_wait():
    app = FakeApp([other_lease()])
    app.during_settle = lambda fake: fake.app.update(tags=[])  # the other run releases during our first poll
    assert keeper(app, "me", wait=10).acquire().owner == "me"


def test_an_expired_lease_is_cleared_and_taken():
    app = FakeApp([other_lease(start=T0 - datetime.timedelta(hours=2))])
    assert keeper(app, "me").acquire().owner == "me"
    assert len([t for t in app.app["tags"] if t.startswith(lease.LEASE_TAG)]) == 1


def test_a_run_whose_write_was_overwritten_by_a_later_one_does_not_hold():
    app = FakeApp()
    # Another run read the tags before our write and lands its own list (without ours) while we settle.
    app.during_settle = lambda fake: fake.app.update(tags=[other_lease(start=T0 + datetime.timedelta(seconds=1))])
    with pytest.raises(lease.LeaseHeld):
        keeper(app, "me", wait=0).acquire()
    assert lease.holder(app.app, app.now()).owner == "other-host/-/1"


def test_when_both_leases_are_there_the_earlier_one_holds_and_the_other_steps_aside():
    app = FakeApp()
    app.during_settle = lambda fake: fake.app.update(
        tags=fake.app["tags"] + [other_lease(start=T0 - datetime.timedelta(seconds=1))])
    with pytest.raises(lease.LeaseHeld):
        keeper(app, "me", wait=0).acquire()
    assert [lease.Lease.parse(t).owner for t in app.app["tags"]] == ["other-host/-/1"]


def test_release_removes_only_our_lease():
    app = FakeApp(["keep-me"])
    keeper(app, "me").acquire()
    assert keeper(app, "me").release() is True
    assert app.app["tags"] == ["keep-me"]
    assert keeper(app, "me").release() is False


def test_check_held_before_a_secret_write():
    mine = {"tags": [lease.Lease("me", T0, T0 + datetime.timedelta(minutes=5)).tag()]}
    lease.check_held(mine, "me", T0)
    lease.check_held({"tags": []}, None, T0)  # no lease anywhere: a plain run may write
    with pytest.raises(lease.LeaseHeld) as caught:
        lease.check_held(mine, None, T0)
    assert "me" in str(caught.value) and "nothing was changed" in str(caught.value)
    with pytest.raises(lease.LeaseHeld) as caught:
        lease.check_held(mine, "me", T0 + datetime.timedelta(minutes=6))  # ours expired
    assert "no longer holds" in str(caught.value)
    with pytest.raises(lease.LeaseHeld):
        lease.check_held(mine, "someone-else", T0)


def test_a_lease_whose_process_on_this_host_is_gone_holds_nothing():
    host = lease.new_owner().split("/")[0]
    alive = "%s/%d.%s/1" % (host, os.getpid(), lease._start_time(os.getpid()))
    assert not lease.owner_process_gone(alive)
    assert lease.owner_process_gone("%s/%d.%s/1" % (host, os.getpid(), "1"))  # the pid was reused: another process
    assert not lease.owner_process_gone("elsewhere-%s/1.1/1" % socket.gethostname())  # another host: cannot tell
    assert not lease.owner_process_gone("%s/-/1" % host)  # no process recorded


def test_an_unreadable_lease_tag_counts_as_expired():
    assert not lease.Lease.parse(lease.LEASE_TAG + "garbage").live(T0)
