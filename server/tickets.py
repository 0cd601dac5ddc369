"""Single-use, short-lived, signed tickets that let a browser open the voice socket.

Browsers can't put an ``Authorization`` header on a WebSocket, so the shop's
back end (holding an API key) asks ``POST /v1/voice/tickets`` for a ticket
and hands it to the page, which opens ``/v1/voice?ticket=...``. A ticket is
``base64url(JSON claims) "." base64url(HMAC-SHA256)`` under a secret
(``HARK_SECRET_KEY``, or one born in the process): it can't be forged or
altered, it expires after :data:`TICKET_TTL_S`, and it is accepted once (its id
is kept in a :mod:`hark.server.ticket_ledger` until it would have expired anyway).

With the same ``HARK_SECRET_KEY`` and ``HARK_REDIS_URL`` on every node, a ticket
minted by one node opens the socket on any other, still once. Without them a
ticket is redeemed by the process that minted it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from hark.server import signed_claims
from hark.server.ticket_ledger import LedgerUnavailable, MemoryLedger, TicketLedger

TICKET_TTL_S = 60
MAX_TICKET_CHARS = 1024


class TicketError(Exception):
    """A ticket that is malformed, forged, expired or already used (the message says which)."""


@dataclass(frozen=True)
class TicketClaims:
    """What a redeemed ticket says: its id, who minted it, the customer it is for, and
    the owner of the conversation it opens when that is not the ticket itself."""

    ticket_id: str
    minted_by: str
    customer_id: str | None
    owner: str | None = None  # who owns its conversation, when not the ticket itself


class TicketBook:
    """Mints and redeems tickets; thread-safe (routes run in worker threads and the loop)."""

    def __init__(
        self,
        secret: bytes | None = None,
        *,
        ttl_s: int = TICKET_TTL_S,
        clock: Callable[[], float] = time.time,
        ledger: TicketLedger | None = None,
    ) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self.ttl_s = ttl_s
        self._clock = clock
        self._ledger = ledger if ledger is not None else MemoryLedger()

    def derived_key(self, label: bytes) -> bytes:
        """A key for other claims this book's holders must also honour (resume tokens):
        derived from the ticket secret, so it is shared exactly as widely."""
        return hmac.new(self._secret, label, hashlib.sha256).digest()

    def mint(
        self, *, minted_by: str, customer_id: str | None = None, owner: str | None = None
    ) -> str:
        claims = {
            "v": 1,
            "id": secrets.token_urlsafe(16),
            "exp": round(self._clock() + self.ttl_s, 3),
            "by": minted_by,
            "cid": customer_id,
        }
        if owner is not None:
            claims["own"] = owner
        return signed_claims.encode(claims, self._secret)

    def redeem(self, ticket: str) -> TicketClaims:
        """The ticket's claims, once; ``TicketError`` for anything else."""
        if not isinstance(ticket, str) or not 0 < len(ticket) <= MAX_TICKET_CHARS:
            raise TicketError("malformed ticket")
        try:
            raw, body, given = signed_claims.decode(ticket)
        except ValueError:
            raise TicketError("malformed ticket") from None
        if not signed_claims.signed_by(self._secret, body, given):
            raise TicketError("ticket signature does not match")
        if raw.get("v") != 1:
            raise TicketError("malformed ticket")
        ticket_id, expires = raw.get("id"), raw.get("exp")
        minted_by, customer_id, owner = raw.get("by"), raw.get("cid"), raw.get("own")
        if not isinstance(ticket_id, str) or not isinstance(expires, int | float):
            raise TicketError("malformed ticket")
        now = self._clock()
        if expires <= now:
            raise TicketError("ticket expired")
        try:
            first = self._ledger.claim(ticket_id, float(expires), now)
        except LedgerUnavailable:
            raise TicketError("ticket ledger unavailable; try again") from None
        if not first:
            raise TicketError("ticket already used")
        return TicketClaims(
            ticket_id,
            str(minted_by),
            customer_id if isinstance(customer_id, str) else None,
            owner if isinstance(owner, str) else None,
        )
