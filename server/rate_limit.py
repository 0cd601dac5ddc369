"""Per-key and per-address request limits (``HARK_RATE_LIMIT``), kept in memory.

The counting is the ``limits`` library's moving window (a maintained
implementation of the usual algorithms); this module only names what is
counted and turns "no" into the seconds a client should wait
(``Retry-After``).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class RateLimiter:
    """``hit(*identity)`` counts one request and says how long to wait if it is one too many."""

    def __init__(self, spec: str) -> None:
        self.items: list[RateLimitItem] = [] if spec == "off" else list(parse_many(spec))
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    @property
    def enabled(self) -> bool:
        return bool(self.items)

    def hit(self, *identity: str) -> int | None:
        """None when the request may go on; else the whole seconds until it may (>= 1)."""
        for item in self.items:
            if not self._limiter.hit(item, *identity):
                reset, _ = self._limiter.get_window_stats(item, *identity)
                return max(1, math.ceil(reset - time.time()))
        return None
