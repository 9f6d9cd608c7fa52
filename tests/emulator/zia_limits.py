"""ZIA's per-organisation rate limits (help.zscaler.com/zia/api-rate-limit-summary) and
the three ways a 429 tells the wait.

Windows slide: a request is refused while `limit` requests of the same kind
already fall in the last `window` seconds, and the wait told is exactly how
long until the oldest of them leaves the window, rounded up to whole seconds,
so a client that sleeps that long gets through.
"""

import math
import threading
import time
from collections import deque

# Kind of request -> ((limit, window seconds), ...); the first is the one the headers describe.
LIMITS = {
    "GET": ((2, 1.0), (1000, 3600.0)),
    "WRITE": ((1, 1.0), (400, 3600.0)),
    "DELETE": ((1, 60.0), (4, 3600.0)),
    "ACTIVATE": ((10, 60.0),),
}
UNIT_NAMES = {1.0: "SECOND", 60.0: "MINUTE", 3600.0: "HOUR"}


def kind_of(method, path):
    if path.endswith("/status/activate"):
        return "ACTIVATE"
    if method in ("GET", "HEAD"):
        return "GET"
    return "DELETE" if method == "DELETE" else "WRITE"


class RateLimiter:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._hits = {}

    def clear(self):
        with self._lock:
            self._hits.clear()

    def take(self, org_id, kind):
        """(seconds to wait, (limit, window) broken or None, x-ratelimit-* headers).

        A wait of 0 means the request is allowed and was counted.
        """
        windows = LIMITS[kind]
        with self._lock:
            now = self._clock()
            hits = self._hits.setdefault((org_id, kind), deque())
            longest = max(window for _unused, window in windows)
            while hits and hits[0] <= now - longest:
                hits.popleft()
            wait, broken = 0.0, None
            for limit, window in windows:
                recent = [hit for hit in hits if hit > now - window]
                if len(recent) >= limit and recent[-limit] + window - now > wait:
                    wait, broken = recent[-limit] + window - now, (limit, window)
            if not wait:
                hits.append(now)
            return wait, broken, self._headers(hits, windows[0], now)

    @staticmethod
    def _headers(hits, first, now):
        limit, window = first
        recent = [hit for hit in hits if hit > now - window]
        reset = math.ceil(recent[0] + window - now) if recent else math.ceil(window)
        return {
            "x-ratelimit-limit": f"{limit}, {limit};w={int(window)}",
            "x-ratelimit-remaining": str(max(limit - len(recent), 0)),
            "x-ratelimit-reset": str(reset),
        }


def describe_limit(limit, window):
    return f"Rate Limit ({limit}/{UNIT_NAMES.get(window, f'{int(window)}s')}) exceeded"


def retry_after(form, wait):
    """(headers, extra body fields) telling the wait in one of ZIA's forms."""
    seconds = math.ceil(wait)
    if form == "header_zero_seconds":
        # ZIA writes sub-second waits as "0 seconds": a client must still pause (a second does).
        return {"Retry-After": f"{seconds if wait >= 1 else 0} seconds"}, {}
    if form == "body":
        return {}, {"Retry-After": f"{seconds} seconds"}
    return {"Retry-After": f"{seconds}s"}, {}
