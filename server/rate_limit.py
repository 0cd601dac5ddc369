"""Per-key and per-address request limits (``HARK_RATE_LIMIT``), in memory or in Redis.

The limits are read in the ``limits`` library's notation and counted as its
moving window: a request is refused when the last ``N`` requests of an
identity all fall within the window. This module names what is counted, where
the counts live, and turns "no" into the seconds a client should wait
(``Retry-After``). With ``HARK_REDIS_URL`` the counts live in Redis (the
library's moving window there), so a limit holds for the sum of every node.

Without it they live in this process, in :class:`MemoryWindows`: the library's
memory storage starts a timer thread to expire its entries whenever the last
one has finished, which on a busy server meant a new thread for nearly every
request (a typed turn counts twice: its address and its key).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque

from limits import RateLimitItem, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from hark.server.shared_state import KEY_PREFIX, limits_storage_uri, redis_errors

SWEEP_S = 60.0
"""How often identities with no request left in any window are forgotten."""


class LimitsUnavailable(Exception):
    """The shared counts could not be read (Redis away): the request is refused, not let by."""


class RateLimiter:
    """``hit(*identity)`` counts one request and says how long to wait if it is one too many.

    ``namespace`` keeps two limiters with the same window apart in one shared store.
    """

    def __init__(self, spec: str, *, redis_url: str | None = None, namespace: str = "api") -> None:
        self.items: list[RateLimitItem] = [] if spec == "off" else list(parse_many(spec))
        self.namespace = namespace
        self.shared = redis_url is not None
        self._shared = MovingWindowRateLimiter(_storage(redis_url)) if redis_url else None
        self._memory = MemoryWindows(self.items)

    @property
    def enabled(self) -> bool:
        return bool(self.items)

    def hit(self, *identity: str) -> int | None:
        """None when the request may go on; else the whole seconds until it may (>= 1)."""
        if self._shared is None:
            return self._memory.hit(identity)
        try:
            for item in self.items:
                if not self._shared.hit(item, self.namespace, *identity):
                    reset, _ = self._shared.get_window_stats(item, self.namespace, *identity)
                    return max(1, math.ceil(reset - time.time()))
        except Exception as exc:
            if not isinstance(exc, redis_errors()):
                raise
            raise LimitsUnavailable(type(exc).__name__) from None
        return None


class MemoryWindows:
    """The moving windows of one process: per limit and identity, the times of its last
    ``N`` allowed requests (``N`` the limit's amount). Safe to call from any thread."""

    def __init__(self, items: list[RateLimitItem]) -> None:
        self.limits = [(item.amount, float(item.get_expiry())) for item in items]
        self.longest = max((expiry for _, expiry in self.limits), default=0.0)
        self._times: dict[tuple[int, tuple[str, ...]], deque[float]] = {}
        self._lock = threading.Lock()
        self._swept = time.monotonic()

    def hit(self, identity: tuple[str, ...]) -> int | None:
        """Count one request in each limit in turn: None, or the seconds to wait for the
        first limit that refuses it (limits before it have counted it, as in ``limits``)."""
        now = time.monotonic()
        with self._lock:
            if now - self._swept > SWEEP_S:
                self._sweep(now)
            for index, (amount, expiry) in enumerate(self.limits):
                if amount <= 0:  # "0/minute": nothing may pass
                    return max(1, math.ceil(expiry))
                key = (index, identity)
                times = self._times.get(key)
                if times is None:
                    times = self._times[key] = deque(maxlen=amount)
                if len(times) == amount and times[0] >= now - expiry:
                    return max(1, math.ceil(times[0] + expiry - now))
                times.append(now)
        return None

    def _sweep(self, now: float) -> None:
        self._swept = now
        stale = [k for k, t in self._times.items() if not t or t[-1] <= now - self.longest]
        for key in stale:
            del self._times[key]


def _storage(redis_url: str) -> Storage:
    storage = storage_from_string(
        limits_storage_uri(redis_url),
        key_prefix=f"{KEY_PREFIX}limits",
        socket_connect_timeout=2.0,
        socket_timeout=2.0,
    )
    assert isinstance(storage, Storage)  # a redis:// URI names the synchronous storage
    return storage
