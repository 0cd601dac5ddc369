"""Kiosk enrolment sessions: signed, expiring tokens that stand in for a kiosk key.

Staff enrol a kiosk once by typing one of ``HARK_API_KEYS`` into its page;
the browser keeps only this token, in an HTTP-only cookie, never the key.

A token is ``"k1." base64url(JSON claims) "." base64url(HMAC-SHA256)``. It is
signed under a secret *derived from the key that enrolled the kiosk* (an HMAC
of the key's SHA-256 digest), and it names that key by an id derived the same
way. So, without any server-side record:

* it can't be forged or altered without the key;
* it survives restarts and works in every process that has the same keys;
* removing the key from ``HARK_API_KEYS`` revokes every kiosk enrolled with
  it (the id no longer resolves to a secret), and only those.

Tokens expire (``HARK_KIOSK_SESSION_DAYS``); a kiosk in use is renewed as it
gets its tickets (:meth:`KioskSessions.renewal`), so an abandoned one lapses.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from hark.server import signed_claims

PREFIX = "k1"
MAX_TOKEN_CHARS = 512
RENEW_AFTER_S = 86400  # re-issue a token at most once a day


class KioskSessionError(Exception):
    """A token that is malformed, forged, expired or whose key was removed (the message says)."""


@dataclass(frozen=True)
class KioskSession:
    """A verified enrolment: which kiosk, enrolled with which key (by id), and until when."""

    kiosk_id: str
    key_id: str
    enrolled_at: int
    expires_at: int

    @property
    def owner(self) -> str:
        """The owner name of this kiosk's conversations (never the key, nor its digest)."""
        return f"kiosk:{self.kiosk_id}"


def key_id(key_digest: bytes) -> str:
    """A public name of a key (safe in a cookie: an HMAC of its digest, not the digest)."""
    return hmac.new(key_digest, b"hark-kiosk-key-id", hashlib.sha256).hexdigest()[:16]


def _signing_secret(key_digest: bytes) -> bytes:
    return hmac.new(key_digest, b"hark-kiosk-session-v1", hashlib.sha256).digest()


class KioskSessions:
    """Issues and checks kiosk session tokens for the configured API keys (by digest)."""

    def __init__(
        self,
        key_digests: Iterable[bytes],
        lifetime_s: int,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secrets = {key_id(d): _signing_secret(d) for d in key_digests}
        self.lifetime_s = lifetime_s
        self._clock = clock

    def issue(self, key_digest: bytes) -> tuple[str, KioskSession]:
        """Enrol a new kiosk with the key whose digest is given (already validated)."""
        now = int(self._clock())
        session = KioskSession(
            kiosk_id=secrets.token_urlsafe(12),
            key_id=key_id(key_digest),
            enrolled_at=now,
            expires_at=now + self.lifetime_s,
        )
        return self._encode(session), session

    def verify(self, token: str) -> KioskSession:
        """The session a token stands for; :class:`KioskSessionError` for anything else."""
        if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_CHARS:
            raise KioskSessionError("malformed kiosk session")
        prefix, _, rest = token.partition(".")
        if prefix != PREFIX:
            raise KioskSessionError("malformed kiosk session")
        try:
            claims, body, given = signed_claims.decode(rest)
        except ValueError:
            raise KioskSessionError("malformed kiosk session") from None
        secret = self._secrets.get(str(claims.get("key")))
        # Sign anyway when the key is unknown, so timing says nothing about which ids exist.
        if not signed_claims.signed_by(secret or b"\0" * 32, body, given) or secret is None:
            raise KioskSessionError("kiosk session not valid (forged, or its key was removed)")
        kiosk, enrolled, expires = claims.get("kiosk"), claims.get("enrolled"), claims.get("exp")
        if not (isinstance(kiosk, str) and isinstance(enrolled, int) and isinstance(expires, int)):
            raise KioskSessionError("malformed kiosk session")
        if expires <= self._clock():
            raise KioskSessionError("kiosk session expired")
        return KioskSession(kiosk, str(claims["key"]), enrolled, expires)

    def renewal(self, session: KioskSession) -> str | None:
        """A fresh token for a kiosk in use (same kiosk, key and enrolment), at most daily."""
        now = int(self._clock())
        if session.expires_at - now > self.lifetime_s - RENEW_AFTER_S:
            return None
        renewed = KioskSession(
            session.kiosk_id, session.key_id, session.enrolled_at, now + self.lifetime_s
        )
        return self._encode(renewed)

    def _encode(self, session: KioskSession) -> str:
        claims = {
            "kiosk": session.kiosk_id,
            "key": session.key_id,
            "enrolled": session.enrolled_at,
            "exp": session.expires_at,
        }
        return f"{PREFIX}.{signed_claims.encode(claims, self._secrets[session.key_id])}"
