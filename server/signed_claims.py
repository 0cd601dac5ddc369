"""Claims signed with HMAC-SHA256, as ``base64url(json).base64url(signature)``.

Voice tickets and kiosk sessions are both small JSON claims the server
hands out and later reads back without storing them; this is their one
wire form, so the encoding, the strict base64url check and the signature
live in one place.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

_B64_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def encode(claims: dict[str, Any], secret: bytes) -> str:
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{body}.{_b64(signature(secret, body))}"


def decode(token: str) -> tuple[dict[str, Any], str, bytes]:
    """(claims, signed body, given signature), unchecked; ``ValueError`` when malformed."""
    body, _, given = token.partition(".")
    try:
        claims = json.loads(_unb64(body))
        raw_signature = _unb64(given)
    except UnicodeDecodeError:
        raise ValueError("not a token") from None
    if not isinstance(claims, dict):
        raise ValueError("not a token")
    return claims, body, raw_signature


def signature(secret: bytes, body: str) -> bytes:
    return hmac.new(secret, body.encode(), hashlib.sha256).digest()


def signed_by(secret: bytes, body: str, given: bytes) -> bool:
    """Constant-time comparison of ``given`` with the signature ``secret`` makes."""
    return hmac.compare_digest(given, signature(secret, body))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    if not text or any(c not in _B64_CHARS for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
