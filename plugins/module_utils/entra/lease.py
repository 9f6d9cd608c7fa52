# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A lease on a connector application, so that runs on one tenant change its secrets one at a time.

The lease is a tag on the application (Graph keeps ``tags`` on every
application and lets its owner rewrite them)::

    mipconnect.zia:lease:<owner>;<start>;<expiry>

``owner`` names the run (host, process and a random part), ``start`` and
``expiry`` are UTC times. Graph has no compare-and-swap on an application's
tags: a PATCH replaces the whole list. So a lease is taken in three steps:
read the tags; when no other run's lease is live, write the list with ours
added (and leases that expired, or whose process is gone, removed); wait
``LEASE_SETTLE_SECONDS`` so that a run which read the tags before our write
has landed its own, then read again. The run whose live lease is there and
comes first (earliest start, then owner) holds it; a run that finds its
lease gone or not first removes its tag and waits again.

A lease is a guard, not a proof: every step that adds or removes a secret
reads the application again and checks that its run still holds the lease
(``check_held``), and old secrets are removed only after ZIA validated the
new one (see the mip_onboarding and connector_secret_rotation roles).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import os
import random
import re
import socket
import time

from ansible_collections.mipconnect.zia.plugins.module_utils.errors import MipConnectError

LEASE_TAG = "mipconnect.zia:lease:"
LEASE_SETTLE_SECONDS = 2.0
LEASE_POLL_SECONDS = 2.0
DEFAULT_LEASE_SECONDS = 1800
CONTROLLER_COMMANDS = ("ansible-playbook", "ansible", "ansible-console")
OWNER_RE = re.compile(r"^[A-Za-z0-9._@/+-]{1,120}$")
_NEVER = datetime.datetime.min.replace(tzinfo=datetime.timezone.utc)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


def _parse(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


class Lease:
    """One lease tag: who holds it, since when, until when."""

    def __init__(self, owner, start, expires):
        self.owner = owner
        self.start = start
        self.expires = expires

    @classmethod
    def parse(cls, tag):
        """The lease of a lease tag; one that cannot be read counts as expired, so it is cleared."""
        try:
            owner, start, expires = tag[len(LEASE_TAG):].split(";")
            return cls(owner, _parse(start), _parse(expires))
        except ValueError:
            return cls(tag[len(LEASE_TAG):], _NEVER, _NEVER)

    def tag(self):
        return "%s%s;%s;%s" % (LEASE_TAG, self.owner, iso(self.start), iso(self.expires))

    def live(self, now):
        return self.expires > now and not owner_process_gone(self.owner)

    def describe(self):
        return "run %s (since %s, lease expires %s)" % (self.owner, iso(self.start), iso(self.expires))


def leases_of(app):
    return [Lease.parse(tag) for tag in (app or {}).get("tags") or [] if tag.startswith(LEASE_TAG)]


def holder(app, now):
    """The live lease that holds the application, or None: the first by start time, then owner."""
    live = [lease for lease in leases_of(app) if lease.live(now)]
    return min(live, key=lambda lease: (lease.start, lease.owner)) if live else None


def tags_without_leases(app, keep=None):
    """The application's tags without lease tags, except the live lease of ``keep`` (an owner)."""
    return [tag for tag in (app or {}).get("tags") or []
            if not tag.startswith(LEASE_TAG) or (keep is not None and Lease.parse(tag).owner == keep)]


# Owners -----------------------------------------------------------------------


def _start_time(pid):
    """The start time of a process (clock ticks since boot) from /proc, or None where there is none."""
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError, ValueError):
        return None


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _parent(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def controller_process():
    """The ansible-playbook (or ansible) process this module runs under, when it runs on the controller.

    Its workers are forks of it with the same command line: the topmost such ancestor is the run."""
    found = None
    pid = os.getpid()
    for _depth in range(12):
        pid = _parent(pid)
        if pid <= 1:
            break
        if any(os.path.basename(arg) in CONTROLLER_COMMANDS for arg in _cmdline(pid).split("\0")[:2]):
            found = pid
    return found


def new_owner():
    """An owner name for this run: host, the controller's process (pid.start) when known, a random part."""
    host = re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname() or "host")[:60]
    pid = controller_process()
    process = "%d.%s" % (pid, _start_time(pid)) if pid else "-"
    return "%s/%s/%08x" % (host, process, random.getrandbits(32))


def owner_process_gone(owner):
    """Whether ``owner`` ran on this host under a process that has ended: its lease holds nothing."""
    parts = owner.split("/")
    if len(parts) != 3 or parts[1] == "-" or parts[0] != re.sub(r"[^A-Za-z0-9.-]", "-", socket.gethostname())[:60]:
        return False
    try:
        pid, started = parts[1].split(".", 1)
        return _start_time(int(pid)) != started
    except ValueError:
        return False


# Taking and giving back ----------------------------------------------------------


class LeaseHeld(MipConnectError):
    """Another run holds the connector's lease."""


class LeaseKeeper:
    """Takes, checks and gives back the lease of ``owner`` on one application.

    ``read()`` returns the application (with ``id`` and ``tags``) as Graph has it now;
    ``write_tags(app, tags)`` replaces its tags."""

    def __init__(self, read, write_tags, owner, duration=DEFAULT_LEASE_SECONDS, wait=0, sleep=time.sleep,
                 clock=time.monotonic, now=None, settle=LEASE_SETTLE_SECONDS, poll=LEASE_POLL_SECONDS):
        self.read = read
        self.write_tags = write_tags
        self.owner = owner
        self.duration = duration
        self.wait = wait
        self._sleep = sleep
        self._clock = clock
        self._now = now or now_utc
        self.settle = settle
        self.poll = poll
        self.waited = 0.0
        self.writes = 0
        self.app = None  # the application as last read

    def acquire(self):
        """Hold the lease (waiting up to ``wait`` seconds for another run's); returns the Lease."""
        begun = self._clock()
        while True:
            app = self.read()
            now = self._now()
            current = holder(app, now)
            if current is None or current.owner == self.owner:
                mine = Lease(self.owner, current.start if current else now,
                             now + datetime.timedelta(seconds=self.duration))
                tags = tags_without_leases(app) + [mine.tag()]
                if tags != list(app.get("tags") or []):
                    self._write(app, tags)
                    self._sleep(self.settle)  # let a run that read before our write land its own
                    app = self.read()
                current = holder(app, self._now())
                if current is not None and current.owner == self.owner:
                    self.app = app
                    self.waited = self._clock() - begun
                    return current
                self._step_aside(app)
            if self._clock() - begun + self.poll > self.wait:
                raise self._held_error(holder(app, self._now()))
            self._sleep(self.poll)

    def _step_aside(self, app):
        """Another run's lease came first: take ours out, keeping theirs."""
        if any(lease.owner == self.owner for lease in leases_of(app)):
            kept = [tag for tag in app.get("tags") or []
                    if not (tag.startswith(LEASE_TAG) and Lease.parse(tag).owner == self.owner)]
            self._write(app, kept)

    def _write(self, app, tags):
        self.write_tags(app, tags)
        self.writes += 1

    def _held_error(self, current):
        other = current.describe() if current else "another run"
        return LeaseHeld(
            "The connector app is being changed by %s; this run waited %d seconds and changed nothing."
            % (other, self.wait),
            hint="Let that run finish and re-run, or raise lease_wait. A lease left by a run that was killed on "
                 "another machine expires at the time shown.")

    def release(self):
        """Give the lease back; returns whether a tag was removed."""
        app = self.read()
        if app is None or not any(lease.owner == self.owner for lease in leases_of(app)):
            return False
        self._step_aside(app)
        return True


def check_held(app, owner, now):
    """Refuse to go on when ``owner`` does not hold the application's lease (None: when another run does)."""
    current = holder(app, now)
    if owner is None:
        if current is not None:
            raise LeaseHeld("The connector app is being changed by %s; nothing was changed." % current.describe(),
                            hint="Let that run finish, then re-run. Playbooks that change the connector's secrets "
                                 "take the lease with mipconnect.zia.connector_lease and pass lease_owner.")
        return
    if current is None or current.owner != owner:
        raise LeaseHeld("This run (%s) no longer holds the connector app's lease%s; it stopped before changing "
                        "a client secret." % (owner, ", %s does" % current.describe() if current else
                                              " (it expired or was removed)"),
                        hint="Re-run; raise the lease duration if runs take longer than it.")
