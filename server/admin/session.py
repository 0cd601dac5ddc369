"""Signing operators in to the ``/admin`` pages: an admin key once, then a session cookie.

The key is typed into a login form (POSTed, never in a URL) and checked like the
API's (``HARK_ADMIN_KEYS``, constant-time). The browser then holds a random token
in a cookie that is ``Secure``, ``HttpOnly`` and ``SameSite=Strict``, scoped to
``/admin``; the database keeps only the token's SHA-256 digest (``admin_sessions``),
so any server process, and a restarted one, knows the session, and signing out
deletes it. Every form carries the session's CSRF token, and a browser's
``Origin`` must be the server's own.

With no ``HARK_ADMIN_KEYS``, operator endpoints answer loopback clients only; the
login form then signs a browser on this machine in without a key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from starlette.requests import HTTPConnection

from hark.server.auth import LOCAL_OWNER, Denied, is_local, security_for
from hark.store.db import Database
from hark.store.models import AdminSession, utcnow

COOKIE = "hark_admin"
COOKIE_PATH = "/admin"
LIFETIME = dt.timedelta(hours=8)


@dataclass(frozen=True)
class Operator:
    owner: str
    csrf: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyless(conn: HTTPConnection) -> bool:
    """No admin keys configured: the pages are for this machine's browser only."""
    return not security_for(conn.app).admin_keys


def sign_in(db: Database, conn: HTTPConnection, key: str) -> str:
    """A new session token for a valid key (or a local browser when keyless); Denied otherwise."""
    security = security_for(conn.app)
    security.check_origin(conn)
    security.limit_address(conn)  # guessing keys costs the address its rate limit
    if security.admin_keys:
        owner = security.admin_owner(key.strip())
        if owner is None:
            raise Denied(401, "invalid_key", "that admin key is not valid")
    elif is_local(conn, security.bind_host):
        owner = LOCAL_OWNER
    else:
        raise Denied(403, "loopback_only", "set HARK_ADMIN_KEYS to sign in from another machine")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with db.session() as session:
        session.execute(delete(AdminSession).where(AdminSession.expires_at < now))
        session.add(
            AdminSession(
                id=_digest(token),
                owner=owner,
                csrf=secrets.token_urlsafe(24),
                created_at=now,
                expires_at=now + LIFETIME,
            )
        )
    return token


def operator(db: Database, conn: HTTPConnection) -> Operator | None:
    """The signed-in operator of this request, or None (no cookie, expired, signed out,
    or the session's key is no longer configured: see :func:`still_trusted`)."""
    token = conn.cookies.get(COOKIE)
    if not token or len(token) > 200:
        return None
    with db.session() as session:
        row = session.get(AdminSession, _digest(token))
        if row is None or row.expires_at < utcnow():
            return None
        if not still_trusted(conn, row.owner):
            session.delete(row)  # a session never comes back to life when its key does
            return None
        return Operator(row.owner, row.csrf)


def still_trusted(conn: HTTPConnection, owner: str) -> bool:
    """Whether a session opened as ``owner`` may still act, checked on every request.

    A session records who opened it as the key's owner name (``admin:<digest>``, derived
    from the key's SHA-256, never the key): it lives only while that key is still in
    ``HARK_ADMIN_KEYS``, so removing a key (and restarting) ends its sessions. A session
    opened without a key (``local``) lives only while no admin key is configured and only
    for a direct loopback request, never one that came through a proxy.
    """
    security = security_for(conn.app)
    if owner == LOCAL_OWNER:
        return not security.admin_keys and is_local(conn, security.bind_host)
    return owner in security.admin_keys.values()


def sign_out(db: Database, conn: HTTPConnection) -> None:
    token = conn.cookies.get(COOKIE)
    if token and len(token) <= 200:
        with db.session() as session:
            session.execute(delete(AdminSession).where(AdminSession.id == _digest(token)))


def check_form(conn: HTTPConnection, who: Operator, csrf: str | None) -> None:
    """A state-changing form: this server's page (Origin) and this session's token."""
    security_for(conn.app).check_origin(conn)
    if not csrf or not hmac.compare_digest(csrf.encode(), who.csrf.encode()):
        raise Denied(403, "csrf", "the form has expired: reload the page and try again")


def cookie_options(secure: bool = True) -> dict:
    return {
        "key": COOKIE,
        "path": COOKIE_PATH,
        "httponly": True,
        "secure": secure,
        "samesite": "strict",
        "max_age": int(LIFETIME.total_seconds()),
    }
