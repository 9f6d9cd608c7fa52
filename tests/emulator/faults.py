"""Switchable faults and the request log, the two things tests use to steer and observe."""

import re
import threading
from dataclasses import dataclass, field

from .state import utc_now


@dataclass
class Fault:
    """Answer `status` (or, with status 0, just wait `delay`) for the next `times` matching requests.

    times=None keeps the fault until it is cleared. `skip` lets that many matching requests
    through untouched first (e.g. to hit the second PATCH of the same path). `query` (status 0
    only) changes the query string the service sees: each name is set to its value, or removed
    when the value is None, as a proxy or server that drops or pins a parameter would (a
    server that ignores `page` or `$skiptoken`). A 3xx status with a `Location` header is a
    redirect, as a misconfigured or hostile front end would send.
    """

    path: re.Pattern
    status: int
    method: str | None = None
    headers: dict = field(default_factory=dict)
    body: object = None
    times: int | None = 1
    delay: float = 0.0
    skip: int = 0
    query: dict = field(default_factory=dict)

    def matches(self, method, path):
        return (self.method is None or self.method == method) and self.path.search(path) is not None

    def describe(self):
        return {
            "method": self.method,
            "path": self.path.pattern,
            "status": self.status,
            "headers": self.headers,
            "body": self.body,
            "times": self.times,
            "delay": self.delay,
            "skip": self.skip,
            "query": self.query,
        }


class FaultList:
    def __init__(self):
        self._lock = threading.Lock()
        self._faults = []

    def add(self, path, status, method=None, headers=None, body=None, times=1, delay=0.0, skip=0, query=None):
        if times is not None and times < 1:
            raise ValueError("times must be a positive number or null (until cleared)")
        if int(skip or 0) < 0:
            raise ValueError("skip must be zero or a positive number")
        if query and int(status):
            raise ValueError("query rewrites only pass-through faults (status 0)")
        fault = Fault(
            path=re.compile(path),
            status=int(status),
            method=method.upper() if method else None,
            headers=dict(headers or {}),
            body=body,
            times=times,
            delay=float(delay or 0.0),
            skip=int(skip or 0),
            query=dict(query or {}),
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self):
        with self._lock:
            self._faults.clear()

    def describe(self):
        with self._lock:
            return [fault.describe() for fault in self._faults]

    def take(self, method, path):
        """The first fault matching this request, used up once; None when none matches."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    if fault.skip:
                        fault.skip -= 1
                        continue
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None


class RequestLog:
    """What reached the services: method, service, path, query and status; never headers or bodies."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []
        self._next_seq = 1

    def record(self, method, service, path, query, status):
        with self._lock:
            self._entries.append(
                {
                    "seq": self._next_seq,
                    "time": utc_now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                    "method": method,
                    "service": service,
                    "path": path,
                    "query": query,
                    "status": status,
                }
            )
            self._next_seq += 1

    def entries(self, since=0):
        """Copies of the entries from index ``since`` on (a test's own requests, without copying the session's)."""
        with self._lock:
            return [dict(entry) for entry in self._entries[since:]]

    def __len__(self):
        with self._lock:
            return len(self._entries)

    def clear(self):
        with self._lock:
            self._entries.clear()
