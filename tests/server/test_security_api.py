"""Keys, tickets, origins and limits on a real server on loopback (docs/security.md).

Every ``/v1/`` endpoint is tried without a key, with a wrong key and with a
right one; tickets used twice, expired, forged or for another customer; an
evil ``Origin`` on the socket, on a CORS preflight and on a plain POST; a
10 MB body, declared and streamed; the rate limit per key and per address
(clients bound to other loopback addresses, 127.0.0.2 and up); keyless
loopback-only mode and its proxy and DNS-rebinding traps; and ``hark serve``
refusing a public address without keys.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets
from fastapi import APIRouter
from support.ports import free_port
from voice_client import VoiceClient
from websockets.exceptions import InvalidStatus

from hark.server.auth import Admin
from hark.server.log_secrets import mask_credentials
from hark.server.tickets import TicketBook
from hark.store.models import Conversation

KEY_SHOP = "shop-site-key-0123456789abcdef"
KEY_KIOSK = "kiosk-key-abcdefghijklmnop0123"
KEY_ADMIN = "operator-key-zyxwvutsrqponm987"
ORIGIN = "https://shop.example"


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def with_test_admin_route(app):
    """TEST DOUBLE route under /v1/admin/ (operator endpoints come with later work):
    it only reports who the operator dependency let in."""
    router = APIRouter(prefix="/v1/admin")

    @router.get("/whoami")
    def whoami(principal: Admin) -> dict:
        return {"owner": principal.owner, "admin": principal.admin}

    app.include_router(router)
    return app


@pytest.fixture
def secured(make_app, settings, live_server):
    """``secured(**settings)``: a live server with keys (and any other settings) configured."""

    def start(**overrides):
        values = {
            "api_keys": f"{KEY_SHOP},{KEY_KIOSK}",
            "admin_keys": KEY_ADMIN,
            "allowed_origins": ORIGIN,
            "rate_limit": "off",
        } | overrides
        app = with_test_admin_route(make_app(settings.model_copy(update=_parsed(values))))
        return app, live_server(app)

    return start


def _parsed(values: dict) -> dict:
    """model_copy skips validators: build the values through Settings as the env would."""
    from hark.runtime.settings import load_settings

    built = load_settings(**values)
    return {name: getattr(built, name) for name in values}


def _v1_routes(app) -> list[tuple[str, str]]:
    """Every (method, path) under /v1/ in the app's OpenAPI schema, plus the voice socket
    (WebSocket routes have no OpenAPI entry): a new endpoint is checked without listing it."""
    found = [("WS", "/v1/voice")]
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/v1/"):
            concrete = re.sub(r"\{[^}]+\}", "c0ffee", path)
            found += [(method.upper(), concrete) for method in sorted(operations)]
    return found


async def _ws_status(url: str, **kwargs) -> int:
    """The HTTP status that refused the upgrade (101 if it was accepted)."""
    try:
        async with websockets.connect(url, **kwargs):
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


def test_every_v1_endpoint_needs_a_valid_key(secured, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    app, server = secured()
    routes = _v1_routes(app)
    assert {("POST", "/v1/conversations"), ("WS", "/v1/voice")} <= set(routes)
    assert ("POST", "/v1/voice/tickets") in routes and ("GET", "/v1/admin/whoami") in routes
    for method, path in routes:
        for headers in ({}, bearer("wrong-key-0123456789abcdef")):
            if method == "WS":
                status = asyncio.run(
                    _ws_status(f"{server.ws_url}{path}", additional_headers=headers)
                )
                assert status == 403, (path, headers)  # refused before the handshake
                continue
            response = httpx.request(method, f"{server.url}{path}", headers=headers, json={})
            assert response.status_code == 401, (method, path, response.text)
            challenge = response.headers["www-authenticate"]
            assert challenge.startswith("Bearer")
            assert ('error="invalid_token"' in challenge) == bool(headers)
    # A channel key is not an operator key, and an operator key is not a channel key.
    whoami = f"{server.url}/v1/admin/whoami"
    assert httpx.get(whoami, headers=bearer(KEY_SHOP)).status_code == 401
    assert httpx.get(whoami, headers=bearer(KEY_ADMIN)).json()["admin"] is True
    assert (
        httpx.post(f"{server.url}/v1/conversations", headers=bearer(KEY_ADMIN)).status_code == 401
    )
    # Right keys: every endpoint answers.
    with httpx.Client(base_url=server.url, headers=bearer(KEY_SHOP), timeout=30) as client:
        started = client.post("/v1/conversations", json={"channel": "web"})
        assert started.status_code == 201
        cid = started.json()["conversation_id"]
        assert client.post(f"/v1/conversations/{cid}/turns", json={"text": "hi"}).status_code == 200
        assert client.get(f"/v1/conversations/{cid}").status_code == 200
        assert client.post("/v1/voice/tickets", json={}).status_code == 201
    assert (
        asyncio.run(_ws_status(f"{server.ws_url}/v1/voice", additional_headers=bearer(KEY_SHOP)))
        == 101
    )
    # Keys are never logged by the server, even at DEBUG (the test's own clients may).
    server_lines = "\n".join(
        mask_credentials(r.getMessage())
        for r in caplog.records
        if not r.name.startswith(("websockets.client", "httpx", "httpcore"))
    )
    for key in (KEY_SHOP, KEY_KIOSK, KEY_ADMIN):
        assert key not in server_lines


def test_conversations_belong_to_the_key_that_made_them(secured, db) -> None:
    _, server = secured()
    shop = httpx.Client(base_url=server.url, headers=bearer(KEY_SHOP), timeout=30)
    kiosk = httpx.Client(base_url=server.url, headers=bearer(KEY_KIOSK), timeout=30)
    with shop, kiosk:
        started = shop.post("/v1/conversations", json={"customer_id": "C002"}).json()
        cid = started["conversation_id"]
        assert started["identity"] == "verified"  # a key holder vouches for its customer
        assert kiosk.get(f"/v1/conversations/{cid}").status_code == 404
        taken = kiosk.post(f"/v1/conversations/{cid}/turns", json={"text": "check out"})
        assert taken.status_code == 404
        transcript = shop.get(f"/v1/conversations/{cid}").json()
        assert transcript["identity"] == "verified" and len(transcript["turns"]) == 1
    with db.session() as session:
        owner = session.get(Conversation, cid).owner
    assert owner.startswith("key:") and KEY_SHOP not in owner and KEY_KIOSK not in owner


def test_tickets_single_use_expiry_forgery_and_customer(secured, db) -> None:
    app, server = secured()
    mint = f"{server.url}/v1/voice/tickets"
    url = f"{server.ws_url}/v1/voice"

    def ticket(customer: str | None = None) -> str:
        body = {"customer_id": customer} if customer else {}
        response = httpx.post(mint, json=body, headers=bearer(KEY_SHOP))
        assert response.status_code == 201, response.text
        assert response.json()["expires_in"] == 60
        return response.json()["ticket"]

    assert (
        httpx.post(mint, json={"customer_id": "C999"}, headers=bearer(KEY_SHOP)).status_code == 404
    )

    async def scenario() -> None:
        for_maria = ticket("C001")
        async with VoiceClient.connect(f"{url}?ticket={for_maria}") as client:
            ready = await client.start(16000)  # no customer_id: the ticket's customer
            conversation_id = ready["session_id"]
        assert await _ws_status(f"{url}?ticket={for_maria}") == 403  # used twice
        for_james = ticket("C002")
        async with VoiceClient.connect(f"{url}?ticket={for_james}") as client:
            mark = client.mark()
            await client.send_json(
                {
                    "type": "start",
                    "sample_rate": 16000,
                    "encoding": "pcm_s16le",
                    "customer_id": "C001",
                }
            )
            error = (await client.wait_for("error", since=mark)).event
            assert error["code"] == "unknown_customer"
        anonymous = ticket()
        async with VoiceClient.connect(f"{url}?ticket={anonymous}") as client:
            mark = client.mark()
            await client.send_json(
                {
                    "type": "start",
                    "sample_rate": 16000,
                    "encoding": "pcm_s16le",
                    "customer_id": "C002",
                }
            )
            assert (await client.wait_for("error", since=mark)).event["code"] == "unknown_customer"
        body, _, signature = ticket("C002").partition(".")
        forged = body[:-2] + ("AA" if body[-2:] != "AA" else "BB") + "." + signature
        assert await _ws_status(f"{url}?ticket={forged}") == 403
        assert await _ws_status(f"{url}?ticket=not-a-ticket") == 403
        return conversation_id

    conversation_id = asyncio.run(scenario())
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert (conversation.customer_id, conversation.identity) == ("C001", "verified")
        assert conversation.owner.startswith("ticket:")

    # Expiry: a TEST DOUBLE clock on the app's ticket book, moved past the 60 s.
    now = [1000.0]
    app.state.security.tickets = TicketBook(clock=lambda: now[0])
    late = ticket("C001")
    now[0] += 61
    assert asyncio.run(_ws_status(f"{url}?ticket={late}")) == 403


def test_open_clients_cannot_vouch(secured) -> None:
    _, server = secured(api_keys=None, allow_open_api=True)
    started = httpx.post(f"{server.url}/v1/conversations", json={"customer_id": "C002"}).json()
    assert started["identity"] == "claimed" and "James" not in started["greeting"]
    assert "7002" not in started["greeting"]  # James's order isn't announced to anyone
    refused = httpx.post(f"{server.url}/v1/voice/tickets", json={"customer_id": "C002"})
    assert refused.status_code == 403


def test_origins_on_the_socket_cors_and_posts(secured) -> None:
    _, server = secured()
    url = f"{server.ws_url}/v1/voice"
    evil = asyncio.run(
        _ws_status(url, origin="https://evil.example", additional_headers=bearer(KEY_SHOP))
    )
    assert evil == 403
    assert asyncio.run(_ws_status(url, origin=ORIGIN, additional_headers=bearer(KEY_SHOP))) == 101
    own = server.url.replace("http://", "http://")
    assert asyncio.run(_ws_status(url, origin=own, additional_headers=bearer(KEY_SHOP))) == 101
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    bad = httpx.options(
        f"{server.url}/v1/conversations", headers={"Origin": "https://evil.example", **preflight}
    )
    assert bad.status_code == 400 and "access-control-allow-origin" not in bad.headers
    good = httpx.options(f"{server.url}/v1/conversations", headers={"Origin": ORIGIN, **preflight})
    assert good.status_code == 200 and good.headers["access-control-allow-origin"] == ORIGIN
    post = httpx.post(
        f"{server.url}/v1/conversations",
        headers={"Origin": "https://evil.example", **bearer(KEY_SHOP)},
    )
    assert post.status_code == 403  # a page can't act through a visitor's browser either
    allowed = httpx.post(
        f"{server.url}/v1/conversations", headers={"Origin": ORIGIN, **bearer(KEY_SHOP)}
    )
    assert allowed.status_code == 201 and allowed.headers["access-control-allow-origin"] == ORIGIN


def _raw_request(port: int, head: bytes, body_chunks, *, pause: float = 0.0) -> bytes:
    """Send a request over a plain socket, stop as soon as the server answers, return it."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        for chunk in body_chunks:
            try:
                sock.sendall(chunk)
            except OSError:
                break  # the server answered and closed: it never read the rest
            sent += len(chunk)
            sock.setblocking(False)
            try:
                early = sock.recv(65536)
            except BlockingIOError:
                early = b""
            finally:
                sock.setblocking(True)
            if early:
                return early
            time.sleep(pause)
        sock.settimeout(10)
        return sock.recv(65536)


def test_a_10_mb_body_is_refused_without_being_read(secured) -> None:
    _, server = secured()
    started = httpx.post(
        f"{server.url}/v1/conversations", headers=bearer(KEY_SHOP), json={"channel": "web"}
    )
    path = f"/v1/conversations/{started.json()['conversation_id']}/turns"
    auth = f"Authorization: Bearer {KEY_SHOP}\r\n".encode()
    ten_mb = 10 * 1024 * 1024
    declared = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode()
        + auth
        + f"Content-Type: application/json\r\nContent-Length: {ten_mb}\r\n\r\n".encode()
    )
    answer = _raw_request(server.port, declared, [b"{" + b" " * 1023])
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # No Content-Length (chunked): refused once the limit passes, long before 10 MB arrive.
    chunked = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode()
        + auth
        + b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    piece = b" " * 16384
    chunks = (b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(ten_mb // len(piece)))
    answer = _raw_request(server.port, chunked, chunks, pause=0.002)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    # The server is fine, and the conversation is untouched.
    after = httpx.get(
        f"{server.url}/v1/conversations/{started.json()['conversation_id']}",
        headers=bearer(KEY_SHOP),
    )
    assert after.status_code == 200 and len(after.json()["turns"]) == 1


def test_rate_limit_per_key_and_per_address(secured) -> None:
    _, server = secured(rate_limit="5/minute")

    def client(address: str, key: str) -> httpx.Client:
        transport = httpx.HTTPTransport(local_address=address)
        return httpx.Client(base_url=server.url, headers=bearer(key), transport=transport)

    with client("127.0.0.1", KEY_SHOP) as one, client("127.0.0.2", KEY_SHOP) as two:
        assert [one.get("/v1/conversations/none").status_code for _ in range(5)] == [404] * 5
        limited = two.get("/v1/conversations/none")  # same key, another address
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    with client("127.0.0.3", KEY_KIOSK) as three:
        assert three.get("/v1/conversations/none").status_code == 404  # another key: fine
        statuses = [three.get("/v1/conversations/none").status_code for _ in range(5)]
        assert statuses[-1] == 429  # and this address has had its share too
    with client("127.0.0.1", KEY_KIOSK) as again:
        assert again.get("/v1/conversations/none").status_code == 429  # per address
    assert httpx.get(f"{server.url}/healthz").status_code == 200  # health is not limited


def test_keyless_mode_answers_loopback_only(make_app, live_server) -> None:
    server = live_server(make_app())
    url = f"{server.url}/v1/conversations"
    local = httpx.post(url, json={"customer_id": "C002"})
    assert local.status_code == 201 and local.json()["identity"] == "verified"
    for proxied in ({"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}):
        refused = httpx.post(url, json={}, headers=proxied)
        assert refused.status_code == 403 and "HARK_API_KEYS" in refused.text
    rebinding = httpx.post(url, json={}, headers={"Host": f"evil.example:{server.port}"})
    assert rebinding.status_code == 403
    assert (
        asyncio.run(
            _ws_status(
                f"{server.ws_url}/v1/voice", additional_headers={"X-Forwarded-For": "1.2.3.4"}
            )
        )
        == 403
    )


def test_readyz_reports_states_not_paths(make_app, live_server, settings) -> None:
    server = live_server(make_app())
    text = httpx.get(f"{server.url}/readyz").text
    assert str(settings.data_dir) not in text and "/" not in json.loads(text)["database"]["detail"]


def _serve_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARK_")}
    # No model download from a real hub or registry; the fetch has its own tests.
    quiet = {"HARK_LOG_FORMAT": "json", "HARK_MODELS_AUTO_DOWNLOAD": "false"}
    return env | {"HARK_DATA_DIR": str(tmp_path / "data")} | quiet | extra


def test_serve_refuses_a_public_address_without_keys(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "hark.cli", "serve", "--host", "0.0.0.0"]
    done = subprocess.run(
        command, env=_serve_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "HARK_API_KEYS" in lines[0] and "HARK_ALLOW_OPEN_API" in lines[0]


def test_open_api_starts_with_a_loud_warning(tmp_path: Path) -> None:
    port = free_port()
    env = _serve_env(tmp_path, HARK_ALLOW_OPEN_API="true", HARK_PORT=str(port))
    proc = subprocess.Popen(
        [sys.executable, "-m", "hark.cli", "serve"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
    finally:
        proc.terminate()
        output, _ = proc.communicate(timeout=20)
    warnings = [json.loads(line) for line in output.splitlines() if '"level": "warning"' in line]
    assert any("ANY client" in w["msg"] for w in warnings), output


def test_a_key_holders_socket_vouches_an_open_one_does_not(secured, db) -> None:
    async def start(url: str, **kwargs) -> str:
        async with VoiceClient.connect(url, **kwargs) as client:
            return (await client.start(16000, customer_id="C002"))["session_id"]

    _, keyed = secured()
    vouched = asyncio.run(start(f"{keyed.ws_url}/v1/voice", additional_headers=bearer(KEY_SHOP)))
    _, open_server = secured(api_keys=None, allow_open_api=True)
    unproven = asyncio.run(start(f"{open_server.ws_url}/v1/voice"))
    with db.session() as session:
        assert session.get(Conversation, vouched).identity == "verified"
        assert session.get(Conversation, unproven).identity == "claimed"
