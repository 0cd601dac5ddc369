"""Kiosk enrolment and tickets on a real server on loopback (docs/kiosk.md, docs/security.md).

Every case of ``POST /kiosk/enrol``, ``/kiosk/ticket`` and ``/kiosk/leave``: a
wrong key, an admin key, the right one (the cookie's attributes, http and
https); no cookie, a forged, garbled or expired one; other origins, no origin,
cross-site fetch metadata, a form body; keyless loopback-only mode (and its
proxy and DNS-rebinding traps) and open mode; restarts and key rotation; the
enrolment rate limit; the key never in a log line, body or cookie; and that a
kiosk's tickets open anonymous conversations that belong to that kiosk alone.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from http.cookies import SimpleCookie

import httpx
import pytest
import websockets
from voice_client import VoiceClient
from websockets.exceptions import InvalidStatus

from hark.server.auth import KIOSK_ENROL_LIMIT
from hark.server.kiosk_sessions import KioskSessions
from hark.store.models import Conversation

KEY_SHOP = "shop-site-key-0123456789abcdef"
KEY_KIOSK = "kiosk-key-abcdefghijklmnop0123"
KEY_ADMIN = "operator-key-zyxwvutsrqponm987"
ALLOWED = "https://shop.example"
DAY = 86400


def _parsed(values: dict) -> dict:
    """model_copy skips validators: build the values through Settings as the env would."""
    from hark.runtime.settings import load_settings

    built = load_settings(**values)
    return {name: getattr(built, name) for name in values}


@pytest.fixture
def kiosk_server(make_app, settings, live_server):
    """``kiosk_server(**settings)``: a live server, by default with keys (rate limit off)."""

    def start(**overrides):
        values = {
            "api_keys": f"{KEY_SHOP},{KEY_KIOSK}",
            "admin_keys": KEY_ADMIN,
            "allowed_origins": ALLOWED,
            "rate_limit": "off",
        } | overrides
        app = make_app(settings.model_copy(update=_parsed(values)))
        return app, live_server(app)

    return start


class Kiosk:
    """A browser-like client of the kiosk page: sends the page's own Origin (as browsers do
    on every POST) and keeps the cookie the way a browser's jar would, by name and path."""

    def __init__(self, server, origin: str | None = None) -> None:
        self.url = server.url
        self.ws_url = server.ws_url
        self.origin = origin or server.url
        self.cookies: dict[str, str] = {}
        self.last_set_cookie: list[SimpleCookie] = []

    def post(self, path: str, *, json_body: dict | None = None, **headers: str) -> httpx.Response:
        sent = {"Origin": self.origin, "Sec-Fetch-Site": "same-origin"} | headers
        sent = {k: v for k, v in sent.items() if v is not None}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = httpx.post(f"{self.url}{path}", json=json_body, headers=sent, timeout=30)
        self.last_set_cookie = []
        for raw in response.headers.get_list("set-cookie"):
            cookie = SimpleCookie()
            cookie.load(raw)
            self.last_set_cookie.append(cookie)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value.strip('"'):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def enrol(self, key: str = KEY_KIOSK) -> httpx.Response:
        return self.post("/kiosk/enrol", json_body={"key": key})

    def ticket(self) -> httpx.Response:
        return self.post("/kiosk/ticket")


def _ws_status(url: str) -> int:
    async def attempt() -> int:
        try:
            async with websockets.connect(url):
                return 101
        except InvalidStatus as exc:
            return exc.response.status_code

    return asyncio.run(attempt())


def _claims(token: str) -> dict:
    body = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


# --- enrolment ----------------------------------------------------------------------------
def test_enrolment_with_a_kiosk_key_sets_a_strict_http_only_cookie(kiosk_server) -> None:
    _, server = kiosk_server()
    kiosk = Kiosk(server)
    response = kiosk.enrol()
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"kiosk_id", "expires_in"} and body["expires_in"] == 30 * DAY
    [cookie] = kiosk.last_set_cookie
    morsel = cookie["hark-kiosk"]  # plain http, no HARK_PUBLIC_URL: no Secure flag
    assert morsel["httponly"] is True and morsel["samesite"] == "strict"
    assert (
        morsel["path"] == "/kiosk" and not morsel["secure"] and morsel["max-age"] == str(30 * DAY)
    )
    token = morsel.value
    assert KEY_KIOSK not in token and KEY_KIOSK not in response.text
    claims = _claims(token)
    assert claims["kiosk"] == body["kiosk_id"] and set(claims) == {
        "kiosk",
        "key",
        "enrolled",
        "exp",
    }
    # The cookie alone gets tickets now.
    ticket = kiosk.ticket()
    assert ticket.status_code == 201, ticket.text
    assert set(ticket.json()) == {"ticket", "expires_in"} and ticket.json()["expires_in"] == 60
    assert ticket.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("key", "status", "error"),
    [
        ("wrong-key-0123456789abcdefgh", 401, "invalid_key"),
        (KEY_ADMIN, 401, "invalid_key"),  # an admin key is not a kiosk key
        (KEY_KIOSK + " ", 401, "invalid_key"),
        ("", 422, "invalid_request"),
        ("x" * 300, 422, "invalid_request"),
    ],
)
def test_enrolment_refuses_anything_but_an_api_key(kiosk_server, key, status, error) -> None:
    _, server = kiosk_server()
    kiosk = Kiosk(server)
    response = kiosk.enrol(key)
    assert response.status_code == status, response.text
    assert response.json()["error"] == error
    assert response.headers.get_list("set-cookie") == [] and kiosk.cookies == {}
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Cookie")
    if key:
        assert key.strip() not in response.text


def test_enrolment_needs_a_json_body(kiosk_server) -> None:
    _, server = kiosk_server()
    form = httpx.post(
        f"{server.url}/kiosk/enrol",
        content=f"key={KEY_KIOSK}",
        headers={"Origin": server.url, "content-type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 415 and form.json()["error"] == "json_required"
    garbled = httpx.post(
        f"{server.url}/kiosk/enrol",
        content=b"{not json",
        headers={"Origin": server.url, "content-type": "application/json"},
    )
    assert garbled.status_code == 422
    assert "set-cookie" not in form.headers and "set-cookie" not in garbled.headers


def test_the_key_is_never_logged(kiosk_server, captured_logs) -> None:
    _, server = kiosk_server()
    kiosk = Kiosk(server)
    assert kiosk.enrol("wrong-but-plausible-key-0123456789").status_code == 401
    assert kiosk.enrol().status_code == 201
    token = next(iter(kiosk.cookies.values()))
    assert kiosk.ticket().status_code == 201
    assert kiosk.post("/kiosk/leave").status_code == 204
    lines = captured_logs.getvalue()
    assert "kiosk enrolled" in lines and "kiosk request refused: invalid_key" in lines
    for secret in (KEY_KIOSK, "wrong-but-plausible-key-0123456789", token):
        assert secret not in lines
    # A library printing request headers at DEBUG (the cookie goes with the voice socket's
    # upgrade on https, Path=/) gets it masked by Hark's log filter.
    from hark.server.log_secrets import mask_credentials

    for name in ("hark-kiosk", "__Host-hark-kiosk"):
        masked = mask_credentials(f"cookie: theme=dark; {name}={token}; lang=en")
        assert token not in masked and f"{name}=***; lang=en" in masked


# --- the cookie: none, forged, expired ----------------------------------------------------
def test_no_cookie_means_enrolment_required_even_on_loopback(kiosk_server) -> None:
    _, server = kiosk_server()
    response = Kiosk(server).ticket()  # this client IS on loopback: keys switch that trust off
    assert response.status_code == 401
    assert response.json()["error"] == "enrolment_required"
    assert response.headers["www-authenticate"] == 'Cookie realm="hark-kiosk"'
    # Nor does an API key in the cookie's place, or as a bearer token, stand in for it.
    bearer = httpx.post(
        f"{server.url}/kiosk/ticket",
        headers={"Origin": server.url, "Authorization": f"Bearer {KEY_KIOSK}"},
    )
    assert bearer.status_code == 401
    kiosk = Kiosk(server)
    kiosk.cookies["hark-kiosk"] = KEY_KIOSK
    assert kiosk.ticket().status_code == 401


def test_forged_and_garbled_cookies_are_refused_and_forgotten(kiosk_server) -> None:
    _, server = kiosk_server()
    enrolled = Kiosk(server)
    enrolled.enrol()
    token = enrolled.cookies["hark-kiosk"]
    prefix, body, signature = token.split(".")
    claims = _claims(token)

    def encoded(values: dict) -> str:
        raw = json.dumps(values, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    other_kiosk = encoded(claims | {"kiosk": "someone-else"})
    longer = encoded(claims | {"exp": claims["exp"] + 365 * DAY})
    # Signed correctly, but with a key this server does not have.
    stranger = KioskSessions([b"\x01" * 32], 30 * DAY).issue(b"\x01" * 32)[0]
    forgeries = [
        f"{prefix}.{other_kiosk}.{signature}",  # another kiosk's id under this signature
        f"{prefix}.{longer}.{signature}",  # a longer life
        f"{prefix}.{body}.{signature[:-2]}AA",  # an altered signature
        f"{prefix}.{body}.",  # none at all
        stranger,
        "k2." + body + "." + signature,
        "garbage",
        "k1." + "A" * 600 + "." + signature,
    ]
    for forged in forgeries:
        kiosk = Kiosk(server)
        kiosk.cookies["hark-kiosk"] = forged
        response = kiosk.ticket()
        assert response.status_code == 401, forged
        assert response.json()["error"] == "invalid_session"
        assert "hark-kiosk" not in kiosk.cookies  # the server told the browser to drop it
    assert enrolled.ticket().status_code == 201  # the genuine one still works


def test_an_expired_enrolment_is_refused(kiosk_server, app_security) -> None:
    app, server = kiosk_server(kiosk_session_days=1)
    # A TEST DOUBLE clock: the same key's session book, two days ago.
    security = app_security(app)
    past = KioskSessions(security.keys, DAY, clock=lambda: time.time() - 2 * DAY)
    token, _ = past.issue(security.api_key_digest(KEY_KIOSK))
    kiosk = Kiosk(server)
    kiosk.cookies["hark-kiosk"] = token
    response = kiosk.ticket()
    assert response.status_code == 401 and response.json()["detail"] == "kiosk session expired"


def test_a_kiosk_in_use_is_renewed_keeping_its_id(kiosk_server, app_security) -> None:
    app, server = kiosk_server()
    security = app_security(app)
    # Enrolled two days ago (TEST DOUBLE clock), still valid: its next ticket renews it.
    past = KioskSessions(security.keys, 30 * DAY, clock=lambda: time.time() - 2 * DAY)
    token, session = past.issue(security.api_key_digest(KEY_KIOSK))
    kiosk = Kiosk(server)
    kiosk.cookies["hark-kiosk"] = token
    assert kiosk.ticket().status_code == 201
    renewed = kiosk.cookies["hark-kiosk"]
    assert renewed != token
    claims = _claims(renewed)
    assert claims["kiosk"] == session.kiosk_id and claims["enrolled"] == session.enrolled_at
    assert claims["exp"] >= time.time() + 30 * DAY - 60
    assert kiosk.ticket().headers.get_list("set-cookie") == []  # at most once a day


@pytest.fixture
def app_security():
    from hark.server.auth import security_for

    return security_for


# --- https: Secure and the __Host- prefix -------------------------------------------------
def test_cookie_is_secure_behind_https(kiosk_server) -> None:
    _, server = kiosk_server(public_url="https://hark.shop.example")
    kiosk = Kiosk(server)
    assert kiosk.enrol().status_code == 201
    [cookie] = kiosk.last_set_cookie
    morsel = cookie["__Host-hark-kiosk"]
    assert morsel["secure"] is True and morsel["httponly"] is True and morsel["path"] == "/"
    assert morsel["samesite"] == "strict"
    assert kiosk.ticket().status_code == 201
    # The page as the outside world loads it (HARK_PUBLIC_URL) is its own origin too.
    outside = Kiosk(server, origin="https://hark.shop.example")
    assert outside.enrol().status_code == 201


def test_cookie_is_secure_when_the_request_came_over_https(kiosk_server) -> None:
    # A TLS-terminating proxy on this machine says so (uvicorn trusts 127.0.0.1's
    # X-Forwarded-Proto); the page's origin is then https.
    _, server = kiosk_server()
    host = server.url.split("://", 1)[1]
    kiosk = Kiosk(server, origin=f"https://{host}")
    response = kiosk.post(
        "/kiosk/enrol", json_body={"key": KEY_KIOSK}, **{"X-Forwarded-Proto": "https"}
    )
    assert response.status_code == 201, response.text
    [cookie] = kiosk.last_set_cookie
    assert cookie["__Host-hark-kiosk"]["secure"] is True


# --- origins and CSRF ---------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/kiosk/enrol", "/kiosk/ticket", "/kiosk/leave"])
def test_only_this_servers_own_page_may_call(kiosk_server, path) -> None:
    _, server = kiosk_server()
    enrolled = Kiosk(server)
    enrolled.enrol()
    cookie = dict(enrolled.cookies)
    cases = {
        "https://evil.example": "origin_not_allowed",
        ALLOWED: "origin_not_allowed",  # HARK_ALLOWED_ORIGINS is for tickets from back ends
        "null": "origin_not_allowed",
        None: "origin_required",
    }
    for origin, error in cases.items():
        kiosk = Kiosk(server)
        kiosk.origin = origin  # type: ignore[assignment]
        kiosk.cookies = dict(cookie)
        response = kiosk.post(path, json_body={"key": KEY_KIOSK}, **{"Sec-Fetch-Site": None})
        assert response.status_code == 403, (origin, response.text)
        assert response.json()["error"] == error
        assert response.headers.get_list("set-cookie") == []
    # The right Origin with cross-site fetch metadata (a same-site subdomain, say): refused.
    kiosk = Kiosk(server)
    kiosk.cookies = dict(cookie)
    response = kiosk.post(path, json_body={"key": KEY_KIOSK}, **{"Sec-Fetch-Site": "same-site"})
    assert response.status_code == 403


def test_a_cors_preflight_from_another_site_gets_no_permission(kiosk_server) -> None:
    _, server = kiosk_server()
    for origin in ("https://evil.example", ALLOWED):
        preflight = httpx.options(
            f"{server.url}/kiosk/ticket",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        assert preflight.headers.get("access-control-allow-credentials") is None
        if origin != ALLOWED:
            assert "access-control-allow-origin" not in preflight.headers


# --- what a kiosk's tickets open ----------------------------------------------------------
def test_kiosk_conversations_are_anonymous_and_belong_to_that_kiosk(kiosk_server, db) -> None:
    _, server = kiosk_server()
    first, second = Kiosk(server), Kiosk(server)
    first.enrol()
    second.enrol()
    assert (
        _claims(first.cookies["hark-kiosk"])["kiosk"]
        != _claims(second.cookies["hark-kiosk"])["kiosk"]
    )
    url = f"{server.ws_url}/v1/voice?ticket="

    async def talk(ticket: str, customer: str | None = None) -> dict:
        async with VoiceClient.connect(url + ticket) as client:
            mark = client.mark()
            start = {"type": "start", "sample_rate": 16000, "encoding": "pcm_s16le"}
            await client.send_json(start | ({"customer_id": customer} if customer else {}))
            if customer:
                return (await client.wait_for("error", since=mark)).event
            ready = (await client.wait_for("ready", since=mark)).event
            await client.send_json({"type": "text", "text": "do you sell kettles"})
            await client.wait_for("reply", since=mark, timeout=20)
            return ready

    ticket = first.ticket().json()["ticket"]
    conversation_id = asyncio.run(talk(ticket))["session_id"]
    assert _ws_status(url + ticket) == 403  # single use
    # A kiosk never vouches: naming a customer is refused.
    refused = asyncio.run(talk(first.ticket().json()["ticket"], customer="C001"))
    assert refused["code"] == "unknown_customer"

    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        owner, identity = conversation.owner, conversation.identity
    assert identity == "anonymous"
    assert owner == "kiosk:" + _claims(first.cookies["hark-kiosk"])["kiosk"]
    # Not the key it was enrolled with, nor any other key, can read it.
    for key in (KEY_KIOSK, KEY_SHOP):
        read = httpx.get(
            f"{server.url}/v1/conversations/{conversation_id}",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert read.status_code == 404
    # The second kiosk's conversations are its own.
    other = asyncio.run(talk(second.ticket().json()["ticket"]))["session_id"]
    with db.session() as session:
        assert session.get(Conversation, other).owner not in (owner, None)


# --- leaving ------------------------------------------------------------------------------
def test_leave_removes_the_enrolment(kiosk_server) -> None:
    _, server = kiosk_server()
    kiosk = Kiosk(server)
    kiosk.enrol()
    assert kiosk.ticket().status_code == 201
    left = kiosk.post("/kiosk/leave")
    assert left.status_code == 204
    removed = {name for cookie in kiosk.last_set_cookie for name in cookie}
    assert removed == {"hark-kiosk", "__Host-hark-kiosk"}
    host_cookie = next(
        c["__Host-hark-kiosk"] for c in kiosk.last_set_cookie if "__Host-hark-kiosk" in c
    )
    assert host_cookie["secure"] is True and host_cookie["path"] == "/"  # or browsers ignore it
    assert kiosk.cookies == {}
    assert kiosk.ticket().status_code == 401
    assert Kiosk(server).post("/kiosk/leave").status_code == 204  # idempotent, no cookie needed


# --- restarts and key rotation ------------------------------------------------------------
def test_enrolment_survives_restarts_and_ends_with_its_key(kiosk_server) -> None:
    _, server = kiosk_server()
    kiosk, shop_kiosk = Kiosk(server), Kiosk(server)
    kiosk.enrol(KEY_KIOSK)
    shop_kiosk.enrol(KEY_SHOP)
    server.stop()

    # A restart with the same keys (fresh process state: new ticket secret, no memory).
    _, restarted = kiosk_server()
    for client in (kiosk, shop_kiosk):
        client.url = restarted.url
        client.origin = restarted.url
        assert client.ticket().status_code == 201
    restarted.stop()

    # Rotated: the kiosk key is gone (a new one added). Its kiosks are out; others stay.
    new_key = "kiosk-key-rotated-0000000000000"
    _, rotated = kiosk_server(api_keys=f"{KEY_SHOP},{new_key}")
    for client in (kiosk, shop_kiosk):
        client.url = rotated.url
        client.origin = rotated.url
    refused = kiosk.ticket()
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_session"
    assert shop_kiosk.ticket().status_code == 201
    assert kiosk.enrol(KEY_KIOSK).status_code == 401  # the old key enrols nothing now
    assert kiosk.enrol(new_key).status_code == 201 and kiosk.ticket().status_code == 201


# --- rate limit ---------------------------------------------------------------------------
def test_enrolment_attempts_are_rate_limited_per_address(kiosk_server) -> None:
    _, server = kiosk_server()  # HARK_RATE_LIMIT is off here: enrolment has its own limit
    per_minute = int(KIOSK_ENROL_LIMIT.split("/")[0])
    kiosk = Kiosk(server)
    for _ in range(per_minute):
        assert kiosk.enrol("wrong-key-0123456789abcdefgh").status_code == 401
    limited = kiosk.enrol()  # even the right key, once the address is over the limit
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert kiosk.cookies == {}


# --- no keys: loopback only, or open --------------------------------------------------------
def test_keyless_loopback_mode_needs_no_enrolment(kiosk_server, db) -> None:
    _, server = kiosk_server(api_keys=None, admin_keys=None)
    kiosk = Kiosk(server)
    response = kiosk.ticket()
    assert response.status_code == 201, response.text
    assert response.headers.get_list("set-cookie") == []
    ticket = response.json()["ticket"]

    async def talk() -> str:
        async with VoiceClient.connect(f"{server.ws_url}/v1/voice?ticket={ticket}") as client:
            return (await client.start(16000))["session_id"]

    conversation_id = asyncio.run(talk())
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert (conversation.owner, conversation.identity) == ("local", "anonymous")
    # This machine's operator reads it like any conversation a local client made.
    assert httpx.get(f"{server.url}/v1/conversations/{conversation_id}").status_code == 200

    enrol = kiosk.enrol()
    assert enrol.status_code == 409 and enrol.json()["error"] == "enrolment_not_needed"
    assert kiosk.cookies == {}
    # Not taken for a local client: through a proxy, or a page on another host name.
    proxied = kiosk.post("/kiosk/ticket", **{"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 403 and proxied.json()["error"] == "loopback_only"
    evil_host = f"evil.example:{server.port}"
    rebinding = Kiosk(server, origin=f"http://{evil_host}").post("/kiosk/ticket", Host=evil_host)
    assert rebinding.status_code == 403 and rebinding.json()["error"] == "loopback_only"


def test_open_mode_serves_any_kiosk_that_never_vouches(kiosk_server) -> None:
    _, server = kiosk_server(api_keys=None, allow_open_api=True)
    proxied = Kiosk(server).post("/kiosk/ticket", **{"X-Forwarded-For": "203.0.113.9"})
    assert proxied.status_code == 201
    ticket = proxied.json()["ticket"]

    async def start_for_a_customer() -> dict:
        async with VoiceClient.connect(f"{server.ws_url}/v1/voice?ticket={ticket}") as client:
            mark = client.mark()
            await client.send_json(
                {
                    "type": "start",
                    "sample_rate": 16000,
                    "encoding": "pcm_s16le",
                    "customer_id": "C001",
                }
            )
            return (await client.wait_for("error", since=mark)).event

    assert asyncio.run(start_for_a_customer())["code"] == "unknown_customer"
