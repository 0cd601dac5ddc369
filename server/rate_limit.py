"""Per-key and per-address request limits (``HARK_RATE_LIMIT``), in memory or in Redis.

The counting is the ``limits`` library's moving window (a maintained
implementation of the usual algorithms); this module only names what is
counted, where the counts live, and turns "no" into the seconds a client
should wait (``Retry-After``). With ``HARK_REDIS_URL`` the counts live in Redis,
so a limit holds for the sum of every node; without it, in this process.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from hark.server.shared_state import KEY_PREFIX, limits_storage_uri, redis_errors


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
        self._limiter = MovingWindowRateLimiter(_storage(redis_url))

    @property
    def enabled(self) -> bool:
        return bool(self.items)

    def hit(self, *identity: str) -> int | None:
        """None when the request may go on; else the whole seconds until it may (>= 1)."""
        try:
            for item in self.items:
                if not self._limiter.hit(item, self.namespace, *identity):
                    reset, _ = self._limiter.get_window_stats(item, self.namespace, *identity)
                    return max(1, math.ceil(reset - time.time()))
        except Exception as exc:
            if not self.shared or not isinstance(exc, redis_errors()):
                raise
            raise LimitsUnavailable(type(exc).__name__) from None
        return None


def _storage(redis_url: str | None) -> Storage:
    if redis_url is None:
        return MemoryStorage()
    storage = storage_from_string(
        limits_storage_uri(redis_url),
        key_prefix=f"{KEY_PREFIX}limits",
        socket_connect_timeout=2.0,
        socket_timeout=2.0,
    )
    assert isinstance(storage, Storage)  # a redis:// URI names the synchronous storage
    return storage
