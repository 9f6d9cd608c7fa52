# -*- coding: utf-8 -*-
# Copyright (c) mipconnect.zia contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pacing of ZIA requests inside ZIA's documented rate limits.

ZIA documents per-kind limits (GET 2/s, POST and PUT together 1/s, DELETE
1/min, activation 10/min) per organisation and answers 429 past them. Every
task process on a controller paces itself against the same sliding windows
(``SharedWindows``), so forks running side by side stay inside them together.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import stat
import tempfile
import time
import uuid
from urllib.parse import urlparse

ACTIVATE_PATH = "/status/activate"
# ZIA's documented limits, per kind of request: ((requests, per seconds), ...). POST and PUT
# share one window; activation has its own (10 a minute) and does not count as a write.
RATE_LIMITS = {
    "GET": ((2, 1.0), (1000, 3600.0)),
    "WRITE": ((1, 1.0), (400, 3600.0)),
    "DELETE": ((1, 60.0), (4, 3600.0)),
    "ACTIVATE": ((10, 60.0),),
}
# A request still marked in flight after this long belongs to a process that died: forget it.
IN_FLIGHT_SECONDS = 900.0
IN_FLIGHT_POLL_SECONDS = 0.2


def limit_kind(method, path=""):
    """The rate-limit window a request counts against, as ZIA counts it."""
    if path.rstrip("/").endswith(ACTIVATE_PATH):
        return "ACTIVATE"
    if method in ("GET", "HEAD"):
        return "GET"
    return "DELETE" if method == "DELETE" else "WRITE"


class InProcessWindows:
    """The recent requests of one process, per kind: the fallback when no file can be shared."""

    def __init__(self):
        self._state = {}

    def transact(self, change):
        return change(self._state)


class SharedWindows:
    """The recent requests of one ZIA organisation, shared by every process on this controller.

    ZIA counts requests per organisation, while each task of a play is its own
    process, and forks run tasks side by side: each pacing itself alone, they
    sum to more than ZIA allows. So the recent requests live in one file per
    organisation (its API host and identity, hashed: never a secret) under a
    0700 directory of the controller's temp dir, read and rewritten under an
    exclusive fcntl lock. The file holds timestamps only.

    Any failure of the file system (no fcntl, unwritable or planted temp dir,
    a file another user owns) degrades, without a warning, to pacing within
    this process, as before; a file that does not parse counts as empty.
    """

    def __init__(self, api_url, identity, directory=None):
        material = "%s|%s" % (urlparse(api_url).netloc.lower() or api_url, identity)
        self._name = "zia-%s.json" % hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]
        self._directory = directory
        self._fallback = None

    def _path(self):
        directory = self._directory or os.path.join(tempfile.gettempdir(), "mipconnect-zia-limits-%d" % os.getuid())
        # exist_ok: forks make it at the same time.
        os.makedirs(directory, 0o700, exist_ok=True)
        info = os.lstat(directory)
        # Another user's directory, one others may write in, or a link: not ours to trust.
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            raise OSError("unsafe directory for ZIA rate limit windows: %s" % directory)
        return os.path.join(directory, self._name)

    def transact(self, change):
        if self._fallback is None:
            try:
                return self._locked(change)
            except (IOError, OSError, ImportError):
                self._fallback = InProcessWindows()
        return self._fallback.transact(change)

    def _locked(self, change):
        import fcntl  # POSIX only; elsewhere the ImportError degrades to in-process pacing

        flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self._path(), flags, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            with os.fdopen(os.dup(fd), "r+") as handle:
                state = _parse_windows(handle.read())
                result = change(state)
                handle.seek(0)
                handle.write(json.dumps(state, separators=(",", ":")))
                handle.truncate()
            return result
        finally:
            os.close(fd)  # also releases the lock


def _parse_windows(text):
    """The stored windows, or empty ones when the file is new, cut short or not ours."""
    try:
        state = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(state, dict):
        return {}
    clean = {}
    for kind, entries in state.items():
        if kind in RATE_LIMITS and isinstance(entries, list):
            clean[kind] = [e for e in entries if isinstance(e, list) and len(e) == 2
                           and isinstance(e[0], (int, float)) and isinstance(e[1], (str, type(None)))]
    return clean


class RateLimiter:
    """Keeps requests inside ZIA's per-kind limits (sliding windows), across every process that
    shares ``windows`` (see SharedWindows; by default, this process alone).

    A request takes its place in the window before it is sent, marked as in
    flight, so that no other process takes the same place meanwhile; while in
    flight it counts as if sent now. ``record`` then dates it to when its
    answer arrived: ZIA counts a request when it got it, which is after we
    sent it, so dating it from the send would run ahead of ZIA.
    """

    def __init__(self, sleep=time.sleep, clock=time.monotonic, windows=None):
        self._sleep = sleep
        self._clock = clock
        self._windows = windows or InProcessWindows()
        self._owner = "%d-%s" % (os.getpid(), uuid.uuid4().hex[:8])
        self._sequence = 0
        self._in_flight = {}

    def wait(self, method, path=""):
        """Sleep until one more request of this kind fits in every window, then take its place."""
        kind = limit_kind(method, path)
        self._sequence += 1
        marker = "%s-%d" % (self._owner, self._sequence)
        while True:
            delay = self._windows.transact(lambda state: _take(state, kind, marker, self._clock()))
            if delay <= 0:
                self._in_flight[kind] = marker
                return
            self._sleep(delay)

    def record(self, method, path=""):
        """Date the request this process sent last (of this kind) to now, when its answer arrived."""
        kind = limit_kind(method, path)
        marker = self._in_flight.pop(kind, None)
        self._windows.transact(lambda state: _settle(state, kind, marker, self._clock()))


def _take(state, kind, marker, now):
    """Seconds until a request of ``kind`` fits; 0 once its place is taken for ``marker``."""
    entries = _current(state.get(kind) or [], kind, now)
    state[kind] = entries
    times = sorted(now if in_flight else sent for sent, in_flight in entries)
    delay = 0.0
    for count, window in RATE_LIMITS[kind]:
        recent = [t for t in times if t > now - window]
        if len(recent) >= count:
            delay = max(delay, recent[-count] + window - now)
    if delay <= 0:
        entries.append([now, marker])
    elif any(in_flight for _sent, in_flight in entries):
        # Where a request in flight holds the place, its answer (usually within a second)
        # frees it sooner than a full window: look again shortly.
        delay = min(delay, IN_FLIGHT_POLL_SECONDS)
    return delay


def _settle(state, kind, marker, now):
    entries = _current(state.get(kind) or [], kind, now)
    for entry in entries:
        if entry[1] is not None and entry[1] == marker:
            entry[0], entry[1] = now, None
            break
    else:
        entries.append([now, None])  # its place was lost (a file reset meanwhile): count it anyway
    state[kind] = entries


def _owner_alive(marker):
    """Whether the process that took this place (its pid leads the marker) still runs on this host;
    the windows file lives in this host's temp dir, so its pids are ours to look up."""
    try:
        os.kill(int(str(marker).split("-", 1)[0]), 0)
    except ValueError:
        return True  # not a marker we wrote: leave it to IN_FLIGHT_SECONDS
    except ProcessLookupError:
        return False
    except OSError:
        return True  # EPERM: alive, another user's
    return True


def _current(entries, kind, now):
    """The entries that still matter: in the longest window, not from the future (a clock that
    restarted with the machine), and no request in flight for longer than any answer takes."""
    longest = max(window for _count, window in RATE_LIMITS[kind])
    kept = []
    for sent, in_flight in entries:
        if sent > now + 1.0:
            continue
        if in_flight is not None and now - sent > IN_FLIGHT_SECONDS:
            continue
        if in_flight is not None and not _owner_alive(in_flight):
            # Killed mid-request: ZIA may have got it, so it still counts, dated when it was sent;
            # left "in flight" it would count as "now" and stall every other run for IN_FLIGHT_SECONDS.
            in_flight = None
        if in_flight is None and sent <= now - longest:
            continue
        kept.append([sent, in_flight])
    return kept


def shared_limiter(auth, sleep=time.sleep, clock=time.monotonic):
    """The limiter of the organisation ``auth`` signs in to, shared by the processes of this controller."""
    identity = getattr(auth, "identity", None)
    if not identity:
        return RateLimiter(sleep, clock)
    return RateLimiter(sleep, clock, SharedWindows(auth.api_url, identity))
