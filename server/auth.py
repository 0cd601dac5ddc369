"""Who is calling the API: API keys, loopback-only mode, tickets, origins, rate limits.

Every request under ``/v1/`` (HTTP and the voice WebSocket) passes
:meth:`Security.authenticate` once, in :class:`hark.server.guards.SecurityMiddleware`,
so a new route can't forget it; route handlers get the result with the
dependencies :func:`require_client` and :func:`require_admin`.

* With ``HARK_API_KEYS`` set, a client sends ``Authorization: Bearer KEY``.
  Keys are compared as SHA-256 digests with ``hmac.compare_digest`` and are
  never logged; a conversation's owner is a digest-derived name, never the key.
* With no keys, only loopback clients are answered, and they are trusted like
  a key holder (``make run`` and local tests work as before). A request that
  came through a reverse proxy (``Forwarded`` / ``X-Forwarded-*`` headers) or
  names a non-local ``Host`` (DNS rebinding) is never taken for a local one.
* ``HARK_ALLOW_OPEN_API`` with no keys answers everyone, and vouches for no one.
* A browser ``Origin`` must be the server's own or in ``HARK_ALLOWED_ORIGINS``.
* The client's address (per-address limits, open-mode owners) is the socket's peer;
  ``X-Forwarded-For`` / ``Forwarded`` name it only when that peer is one of
  ``HARK_TRUSTED_PROXIES`` (none by default), so a header can't choose the bucket.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, HTTPException
from starlette.requests import HTTPConnection

from hark.runtime.settings import Settings, normalize_origin
from hark.server.forwarded import Network, forwarded_client, within
from hark.server.kiosk_sessions import KioskSessions
from hark.server.rate_limit import LimitsUnavailable, RateLimiter
from hark.server.resume import ResumeTokens
from hark.server.ticket_ledger import MemoryLedger, RedisLedger, TicketLedger
from hark.server.tickets import TICKET_TTL_S, TicketBook, TicketError

log = logging.getLogger("hark.auth")

LOCAL_OWNER = "local"
_LOCAL_HOSTS = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_PROXY_HEADERS = ("forwarded", "x-real-ip")
_COUNTED = frozenset({"key", "ticket", "admin"})  # principals with their own rate limit
KIOSK_ENROL_LIMIT = "10/minute;100/day"
"""Enrolment attempts per client address, whatever ``HARK_RATE_LIMIT`` says: a key
can't be guessed through the kiosk page faster than through the API."""


@dataclass(frozen=True)
class Principal:
    """The caller as the API sees it.

    ``owner``: an opaque name of who it is (``key:<digest>``, ``local``,
    ``open:<address>``, ``ticket:<id>``, ``admin:<digest>``, ``kiosk:<id>``),
    stored as the owner of the conversations it creates. ``vouches``: it may
    assert a customer (a conversation it starts for one is ``verified``). A
    ticket connection is ``bound`` to the ticket's ``customer_id`` (or to none).
    An enrolled kiosk (``kind="kiosk"``) never vouches, and the conversations
    its tickets open stay its own (``hark.server.routes_kiosk_enrol``).
    """

    owner: str
    vouches: bool
    kind: str  # key | local | open | ticket | admin | kiosk
    customer_id: str | None = None
    bound: bool = False
    admin: bool = False
    issuer: str | None = None  # a ticket's: the owner name of the back end that minted it


@dataclass
class Denied(Exception):
    """Why a request is refused, as the HTTP status, a short code and headers."""

    status: int
    code: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)

    def as_http(self) -> HTTPException:
        return HTTPException(self.status, self.detail, headers=self.headers or None)


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _owner_name(prefix: str, key: str) -> str:
    digest = hashlib.sha256(b"hark-owner:" + key.encode()).hexdigest()
    return f"{prefix}:{digest[:16]}"


def _tickets_of(key_owner: str) -> str:
    """The owner-name prefix of conversations the tickets of a key's owner open."""
    return f"ticket:{key_owner.removeprefix('key:')}."


def ticket_owner(issuer: str, ticket_id: str) -> str:
    """The owner name of a conversation a ticket opens: its own, and for a key's ticket
    marked with that key's name, so the shop's back end can read back the cart its
    visitor built (``may_read``) and nobody else can."""
    if issuer.startswith("key:"):
        return f"{_tickets_of(issuer)}{ticket_id}"
    return f"ticket:{ticket_id}"


def may_read(principal: Principal, owner: str | None) -> bool:
    """Whether ``principal`` may read a conversation owned by ``owner``: its own, or one
    a ticket it minted opened."""
    if owner == principal.owner:
        return True
    return (
        owner is not None
        and principal.kind == "key"
        and owner.startswith(_tickets_of(principal.owner))
    )


class Security:
    """The app's security configuration and state, built once from settings."""

    def __init__(self, settings: Settings) -> None:
        self.keys = {_digest(k): _owner_name("key", k) for k in settings.api_key_list}
        self.admin_keys = {_digest(k): _owner_name("admin", k) for k in settings.admin_key_list}
        self.open = settings.allow_open_api and not self.keys
        self.origins = frozenset(settings.allowed_origin_list)
        redis_url = settings.redis_url
        self.limiter = RateLimiter(settings.rate_limit, redis_url=redis_url)
        self.tickets = TicketBook(ticket_secret(settings), ledger=_ledger(redis_url))
        self.resume = ResumeTokens(self.tickets.derived_key(b"hark-resume-v1"))
        self.bind_host = settings.host
        self.kiosks = KioskSessions(self.keys, settings.kiosk_session_days * 86400)
        self.enrol_limiter = RateLimiter(KIOSK_ENROL_LIMIT, redis_url=redis_url, namespace="enrol")
        self.turn_limiter = RateLimiter(
            settings.voice_turn_limit, redis_url=redis_url, namespace="voice-turns"
        )
        self.trusted_proxies: tuple[Network, ...] = tuple(
            ipaddress.ip_network(n) for n in settings.trusted_proxy_list
        )

    @property
    def mode(self) -> str:
        return "keys" if self.keys else "open" if self.open else "loopback"

    def describe(self) -> str:
        """The one line said at start: who the API will answer."""
        if self.keys:
            return f"API keys required ({len(self.keys)} configured)"
        if self.open:
            return (
                "HARK_ALLOW_OPEN_API: the API answers ANY client without a key; "
                "no client may vouch for a customer"
            )
        return "no HARK_API_KEYS: the API answers loopback clients only"

    # --- the checks --------------------------------------------------------------------
    def authenticate(self, conn: HTTPConnection, *, admin: bool = False) -> Principal:
        """The caller, or :class:`Denied` (403 origin, 429 rate, 401/403 credentials)."""
        self.check_origin(conn)
        address = client_address(conn)
        self.limit("addr", address)
        principal = self._admin(conn) if admin else self._client(conn)
        if principal.kind in _COUNTED:
            self.limit("owner", principal.owner)
        return principal

    def turn_gate(self, conn: HTTPConnection, principal: Principal) -> Callable[[], int | None]:
        """What an open voice socket asks before each turn: the turn counts against the
        address's and the key's ``HARK_RATE_LIMIT`` like a request, and against this
        socket's ``HARK_VOICE_TURN_LIMIT``. Returns None, or the seconds to wait."""
        address = client_address(conn)
        socket_id = uuid.uuid4().hex

        def gate() -> int | None:
            wait = self.limiter.hit("addr", address)
            if wait is None and principal.kind in _COUNTED:
                wait = self.limiter.hit("owner", principal.owner)
            if wait is None:
                wait = self.turn_limiter.hit("turn", socket_id)
            return wait

        return gate

    def admin_owner(self, key: str) -> str | None:
        """The operator a presented admin key stands for (constant time), or None."""
        return _match(key, self.admin_keys) if key and self.admin_keys else None

    def limit_address(self, conn: HTTPConnection) -> None:
        """Count a request against its client address's rate limit (:class:`Denied` 429)."""
        self.limit("addr", client_address(conn))

    def check_origin(self, conn: HTTPConnection) -> None:
        origin = conn.headers.get("origin")
        if origin is None:
            return  # not a browser, or a same-origin GET: nothing a page could abuse
        try:
            normalized = normalize_origin(origin)
        except ValueError:
            normalized = ""
        if normalized and (normalized in self.origins or same_origin(normalized, conn)):
            return
        raise Denied(403, "origin_not_allowed", "this origin may not call the API")

    def api_key_digest(self, key: str) -> bytes | None:
        """The digest of the API key ``key`` is, compared in constant time; None if none."""
        return _find(key, self.keys)

    def limit(self, kind: str, name: str) -> None:
        try:
            wait = self.limiter.hit(kind, name)
        except LimitsUnavailable:
            log.error("rate limit counts unavailable (Redis); request refused")
            raise Denied(
                503, "state_unavailable", "try again shortly", {"Retry-After": "1"}
            ) from None
        if wait is not None:
            raise Denied(429, "rate_limited", "too many requests", {"Retry-After": str(wait)})

    def _client(self, conn: HTTPConnection) -> Principal:
        token = bearer_token(conn)
        if token is not None and self.keys:
            owner = _match(token, self.keys)
            if owner is None:
                raise _unauthorized("invalid_token", "the API key is not valid")
            return Principal(owner=owner, vouches=True, kind="key")
        if conn.scope["type"] == "websocket" and "ticket" in conn.query_params:
            return redeem_ticket(conn.app, conn.query_params["ticket"])
        if self.keys:
            raise _unauthorized(None, "an API key is required (Authorization: Bearer KEY)")
        if self.open:
            return Principal(owner=f"open:{client_address(conn)}"[:64], vouches=False, kind="open")
        if is_local(conn, self.bind_host):
            return Principal(owner=LOCAL_OWNER, vouches=True, kind="local")
        raise Denied(
            403,
            "loopback_only",
            "this server answers loopback clients only until HARK_API_KEYS is configured",
        )

    def _admin(self, conn: HTTPConnection) -> Principal:
        token = bearer_token(conn)
        if self.admin_keys:
            if token is None:
                raise _unauthorized(None, "an admin key is required (Authorization: Bearer KEY)")
            owner = _match(token, self.admin_keys)
            if owner is None:
                raise _unauthorized("invalid_token", "the admin key is not valid")
            return Principal(owner=owner, vouches=True, kind="admin", admin=True)
        if is_local(conn, self.bind_host):
            return Principal(owner=LOCAL_OWNER, vouches=True, kind="local", admin=True)
        raise Denied(
            403,
            "loopback_only",
            "operator endpoints answer loopback clients only until HARK_ADMIN_KEYS is configured",
        )


def ticket_secret(settings: Settings) -> bytes | None:
    """The tickets' signing key from ``HARK_SECRET_KEY`` (None: one born in this process).

    Derived with a label, so the same setting can sign other things without a ticket
    ever being mistaken for one of them.
    """
    if settings.secret_key is None:
        return None
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"hark-voice-ticket-v1", hashlib.sha256).digest()


def _ledger(redis_url: str | None) -> TicketLedger:
    if redis_url is None:
        return MemoryLedger()
    from hark.server.shared_state import connect

    return RedisLedger(connect(redis_url))


def _match(token: str, keys: dict[bytes, str]) -> str | None:
    """The owner of ``token``, comparing with every key in constant time per key."""
    digest = _find(token, keys)
    return None if digest is None else keys[digest]


def _find(token: str, keys: dict[bytes, str]) -> bytes | None:
    """The configured digest equal to ``token``'s, looking at every key whatever matches."""
    presented = _digest(token)
    found = None
    for digest in keys:
        if hmac.compare_digest(presented, digest):
            found = digest
    return found


def _unauthorized(error: str | None, detail: str) -> Denied:
    challenge = 'Bearer realm="hark"' + (f', error="{error}"' if error else "")
    return Denied(401, error or "unauthorized", detail, {"WWW-Authenticate": challenge})


def bearer_token(conn: HTTPConnection) -> str | None:
    value = conn.headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("invalid_request", "use Authorization: Bearer KEY")
    return token


def client_address(conn: HTTPConnection) -> str:
    """The client's address: the peer, or, when the peer is one of ``HARK_TRUSTED_PROXIES``,
    the client its forwarding headers name (:func:`hark.server.forwarded.forwarded_client`)."""
    peer = _peer(conn)
    trusted = security_for(conn.app).trusted_proxies
    if not trusted or not within(peer, trusted):
        return peer
    return forwarded_client(conn.headers, peer, trusted)


def _peer(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client is not None else "unknown"


def is_local(conn: HTTPConnection, bind_host: str = "127.0.0.1") -> bool:
    """A client on this machine that talks to us directly (not through a proxy)."""
    if not is_loopback_host(_peer(conn)):
        return False
    names = conn.headers.keys()
    if any(n in _PROXY_HEADERS or n.startswith("x-forwarded-") for n in names):
        return False
    host = conn.headers.get("host", "")
    hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    hostname = hostname.strip("[]").lower()
    return is_loopback_host(hostname) or hostname == bind_host.lower()


def is_loopback_host(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``localhost``: an address or name that stays on this machine."""
    host = host.strip("[]").lower()
    if host in _LOCAL_HOSTS:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def same_origin(origin: str, conn: HTTPConnection) -> bool:
    """The page came from this server (compared as host and port; TLS may end at a proxy)."""
    host = conn.headers.get("host", "").lower()
    netloc = origin.split("://", 1)[1]
    if netloc == host:
        return True
    scheme = origin.split("://", 1)[0]
    default = {"http": ":80", "https": ":443"}[scheme]
    return host.endswith(default) and netloc == host[: -len(default)]


# --- the app's instance and FastAPI dependencies ---------------------------------------
def security_for(app: Any) -> Security:
    """The app's :class:`Security` (built from its settings on first use)."""
    security = getattr(app.state, "security", None)
    if security is None:
        services = getattr(app.state, "services", None)
        settings = services.settings if services is not None else app.state.settings
        security = app.state.security = Security(settings)
    return security


def _known(conn: HTTPConnection) -> Principal | None:
    principal = conn.scope.get("state", {}).get("principal")
    return principal if isinstance(principal, Principal) else None


async def require_client(conn: HTTPConnection) -> Principal:
    """FastAPI dependency: the authenticated channel client (401/403/429 otherwise).

    ``async`` (it never waits: under ``/v1/`` the guard has already authenticated the
    request on the event loop), so FastAPI does not hand it to a worker thread and back."""
    principal = _known(conn)
    if principal is not None:
        return principal
    try:
        return security_for(conn.app).authenticate(conn)
    except Denied as denied:
        raise denied.as_http() from None


async def require_admin(conn: HTTPConnection) -> Principal:
    """FastAPI dependency: an operator (``HARK_ADMIN_KEYS``, or loopback when none are set);
    ``async`` like :func:`require_client`."""
    principal = _known(conn)
    if principal is not None and principal.admin:
        return principal
    try:
        return security_for(conn.app).authenticate(conn, admin=True)
    except Denied as denied:
        raise denied.as_http() from None


Client = Annotated[Principal, Depends(require_client)]
"""A route parameter typed ``Client`` receives the authenticated channel client."""
Admin = Annotated[Principal, Depends(require_admin)]
"""A route parameter typed ``Admin`` receives the authenticated operator."""


# --- tickets -------------------------------------------------------------------------
def mint_ticket(app: Any, principal: Principal, customer_id: str | None = None) -> str:
    """A single-use ticket (valid :data:`TICKET_TTL_S` s) for ``WS /v1/voice?ticket=...``.

    With ``customer_id``, the socket may start only for that customer, and the
    conversation is ``verified``: so only a client that may vouch can ask.

    A back end mints tickets for many visitors, so each ticket's conversation
    belongs to that ticket alone (``ticket:<id>``). A kiosk is one device: the
    conversations its tickets open belong to the kiosk (its own owner name).
    """
    if customer_id is not None and not principal.vouches:
        raise Denied(403, "cannot_vouch", "this client may not mint a ticket for a customer")
    return security_for(app).tickets.mint(
        minted_by=principal.owner,
        customer_id=customer_id,
        owner=principal.owner if principal.kind == "kiosk" else None,
    )


def redeem_ticket(app: Any, ticket: str) -> Principal:
    """The principal a ticket stands for, once; :class:`Denied` (401) if it can't be used."""
    try:
        claims = security_for(app).tickets.redeem(ticket)
    except TicketError as exc:
        raise _unauthorized("invalid_token", str(exc)) from None
    return Principal(
        owner=claims.owner or ticket_owner(claims.minted_by, claims.ticket_id),
        vouches=claims.customer_id is not None,
        kind="ticket",
        customer_id=claims.customer_id,
        bound=True,
        issuer=claims.minted_by,
    )


__all__ = [
    "TICKET_TTL_S",
    "Admin",
    "Client",
    "Denied",
    "Principal",
    "Security",
    "may_read",
    "mint_ticket",
    "redeem_ticket",
    "require_admin",
    "require_client",
    "security_for",
]
