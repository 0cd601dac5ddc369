"""A website visitor's conversation survives a reload, and the shop reads back its cart.

A real server on loopback with API keys: the shop's back end mints tickets
with its key (as the widget's ticket endpoint does), a socket's ``ready``
carries a resume token, and a later socket opened with a *fresh* ticket from
the same back end for the same visitor continues that conversation. Tried as
an attacker would: a token with another customer's ticket, another back end's
ticket, a forged or expired token, and another key reading the cart.
"""

from __future__ import annotations

import contextlib

import httpx
import pytest
from voice_client import VoiceClient

from hark.server.resume import ResumeTokens

KEY_SHOP = "shop-site-key-0123456789abcdef"
KEY_OTHER = "other-shop-key-abcdefghijklmnop"
ORIGIN = "https://shop.example"


@pytest.fixture
def server(make_app, settings, live_server):
    from hark.runtime.settings import load_settings

    built = load_settings(api_keys=f"{KEY_SHOP},{KEY_OTHER}", allowed_origins=ORIGIN)
    update = {name: getattr(built, name) for name in ("api_keys", "allowed_origins")}
    return live_server(make_app(settings.model_copy(update=update | {"rate_limit": "off"})))


def _ticket(server, key: str = KEY_SHOP, customer: str | None = None) -> str:
    body = {"customer_id": customer} if customer else {}
    response = httpx.post(
        f"{server.url}/v1/voice/tickets", json=body, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 201, response.text
    return response.json()["ticket"]


@pytest.fixture
async def sockets():
    """``open(server, ticket, **start)`` -> (client, ready), its opening reply read (as
    ``client.opening``); every socket is closed at the end."""
    async with contextlib.AsyncExitStack() as stack:

        async def open_socket(server, ticket: str, **start) -> tuple[VoiceClient, dict]:
            url = f"{server.ws_url}/v1/voice?ticket={ticket}"
            client = await stack.enter_async_context(VoiceClient.connect(url, origin=ORIGIN))
            ready = await client.start(16000, **start)
            client.opening = (await client.wait_for("reply")).event  # greeting or welcome back
            return client, ready

        yield open_socket


async def _say(client: VoiceClient, text: str) -> dict:
    mark = client.mark()
    await client.send_json({"type": "text", "text": text})
    return (await client.wait_for("reply", since=mark)).event or {}


def _cart(server, conversation_id: str, key: str = KEY_SHOP) -> httpx.Response:
    return httpx.get(
        f"{server.url}/v1/conversations/{conversation_id}/cart",
        headers={"Authorization": f"Bearer {key}"},
    )


async def test_a_reloaded_page_continues_its_conversation_and_cart(server, sockets) -> None:
    client, ready = await sockets(server, _ticket(server))
    token = ready["resume_token"]
    assert token and ready["session_id"]
    reply = await _say(client, "add the true wireless earbuds to my cart")
    assert reply["cart"] and reply["cart"]["lines"], reply
    await client.ws.close()  # the page reloads: its socket closes

    again, ready2 = await sockets(server, _ticket(server), resume=token)
    assert ready2["session_id"] == ready["session_id"]
    assert again.opening["cart"]["lines"] == reply["cart"]["lines"]
    assert ready2["resume_token"] and ready2["resume_token"] != token
    await again.ws.close()

    # The shop's back end reads the cart for its own checkout; another key can't.
    got = _cart(server, ready["session_id"])
    assert got.status_code == 200, got.text
    assert got.json()["cart"]["lines"][0]["quantity"] == 1
    assert _cart(server, ready["session_id"], KEY_OTHER).status_code == 404


async def test_a_resume_token_opens_nothing_for_anyone_else(server, sockets) -> None:
    client, ready = await sockets(server, _ticket(server))
    token = ready["resume_token"]
    await client.ws.close()

    # Another visitor (a logged-in customer's ticket), another back end, a forged token:
    # each starts a conversation of its own.
    for ticket, start in (
        (_ticket(server, customer="C001"), {"resume": token}),
        (_ticket(server, KEY_OTHER), {"resume": token}),
        (_ticket(server), {"resume": token[:-4] + "AAAA"}),
        (_ticket(server), {"resume": "not-a-token"}),
    ):
        other, ready2 = await sockets(server, ticket, **start)
        assert ready2["session_id"] != ready["session_id"]
        await other.ws.close()


async def test_a_logged_in_visitor_resumes_as_themselves_verified(server, sockets) -> None:
    client, ready = await sockets(server, _ticket(server, customer="C001"))
    first = await _say(client, "where is my order")
    await client.ws.close()
    again, ready2 = await sockets(
        server, _ticket(server, customer="C001"), resume=ready["resume_token"]
    )
    assert ready2["session_id"] == ready["session_id"]
    second = await _say(again, "where is my order")
    assert "5274" in first["text"] and "5274" in second["text"]
    await again.ws.close()


def test_tokens_expire_and_are_bound_to_their_key() -> None:
    now = [1000.0]
    tokens = ResumeTokens(b"k" * 32, ttl_s=60, clock=lambda: now[0])
    token = tokens.mint(conversation_id="c1", owner="ticket:x", issuer="key:1", customer_id=None)
    grant = tokens.read(token)
    assert grant is not None and grant.conversation_id == "c1" and grant.issuer == "key:1"
    assert ResumeTokens(b"j" * 32, clock=lambda: now[0]).read(token) is None
    now[0] += 61
    assert tokens.read(token) is None
    assert tokens.read("x" * 5000) is None
