"""Where used voice tickets are remembered until they would have expired anyway.

A ticket is single use on every node only if every node asks the same ledger:
Redis (``SET NX EX``: the first node to set the id wins, the key vanishes with
the ticket's life) when ``HARK_REDIS_URL`` is set, else this process's memory.
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Protocol

from hark.server.shared_state import KEY_PREFIX, redis_errors

if TYPE_CHECKING:
    from redis import Redis


class LedgerUnavailable(Exception):
    """The shared ledger could not be asked: the ticket is refused, never accepted twice."""


class TicketLedger(Protocol):
    def claim(self, ticket_id: str, expires_at: float, now: float) -> bool:
        """True the first time ``ticket_id`` is claimed; False ever after (until it expires)."""
        ...


class MemoryLedger:
    """One process's memory (thread-safe): how ``hark serve`` runs as a single process."""

    def __init__(self) -> None:
        self._used: dict[str, float] = {}  # ticket id -> its expiry
        self._lock = threading.Lock()

    def claim(self, ticket_id: str, expires_at: float, now: float) -> bool:
        with self._lock:
            if len(self._used) > 64:
                for old in [t for t, exp in self._used.items() if exp <= now]:
                    del self._used[old]
            if ticket_id in self._used:
                return False
            self._used[ticket_id] = expires_at
            return True


class RedisLedger:
    """Every node's ledger: one key per used ticket, gone when the ticket would have expired."""

    def __init__(self, client: Redis) -> None:
        self._client = client

    def claim(self, ticket_id: str, expires_at: float, now: float) -> bool:
        ttl = max(1, math.ceil(expires_at - now))
        try:
            return bool(self._client.set(f"{KEY_PREFIX}ticket:{ticket_id}", b"1", nx=True, ex=ttl))
        except redis_errors() as exc:
            raise LedgerUnavailable(type(exc).__name__) from None
