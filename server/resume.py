"""Resume tokens: a web visitor who reloads the page keeps their conversation.

A website widget lives in a page, and pages reload and change. Each voice
socket opened with a ticket gets, in its ``ready`` event, a short-lived token
naming its conversation; the page keeps it in ``sessionStorage`` and, on the
next page, sends it in ``start`` over a socket opened with a *fresh* ticket
from the shop's back end. The token alone opens nothing: it is honoured only
together with a ticket from the same back end for the same customer (or
anonymous for anonymous), so a stolen token cannot carry a conversation to
another visitor, and the shop's back end re-vouches for the visitor each time.

Tokens are signed claims (``server/signed_claims.py``) under a key derived
from the ticket book's secret, so every node that can redeem tickets can
honour them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from hark.server import signed_claims

RESUME_TTL_S = 30 * 60
MAX_RESUME_CHARS = 1024


@dataclass(frozen=True)
class ResumeGrant:
    """A verified resume token: the conversation, its owner, who vouched, for whom."""

    conversation_id: str
    owner: str
    issuer: str
    customer_id: str | None


class ResumeTokens:
    """Mints and reads resume tokens signed with ``key``."""

    def __init__(
        self,
        key: bytes,
        *,
        ttl_s: int = RESUME_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = key
        self.ttl_s = ttl_s
        self._clock = clock

    def mint(
        self, *, conversation_id: str, owner: str, issuer: str, customer_id: str | None
    ) -> str:
        claims = {
            "v": 1,
            "conv": conversation_id,
            "own": owner,
            "by": issuer,
            "cid": customer_id,
            "exp": round(self._clock() + self.ttl_s, 3),
        }
        return signed_claims.encode(claims, self._secret)

    def read(self, token: str) -> ResumeGrant | None:
        """The grant a genuine, unexpired token carries; ``None`` for anything else."""
        if not isinstance(token, str) or not 0 < len(token) <= MAX_RESUME_CHARS:
            return None
        try:
            raw, body, given = signed_claims.decode(token)
        except ValueError:
            return None
        if not signed_claims.signed_by(self._secret, body, given) or raw.get("v") != 1:
            return None
        conv, owner, issuer = raw.get("conv"), raw.get("own"), raw.get("by")
        customer_id, expires = raw.get("cid"), raw.get("exp")
        if not all(isinstance(v, str) for v in (conv, owner, issuer)):
            return None
        if customer_id is not None and not isinstance(customer_id, str):
            return None
        if not isinstance(expires, int | float) or expires <= self._clock():
            return None
        return ResumeGrant(str(conv), str(owner), str(issuer), customer_id)
