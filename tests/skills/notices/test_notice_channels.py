"""Notices by e-mail (a real SMTP server double, aiosmtpd, on loopback) and by Alexa
Proactive Events (a double of Login with Amazon and the events API on loopback, recording
every request): the customer's preferred channel is used, the content is claimed-safe,
and what a channel can't carry goes to the customer's next channel."""

from __future__ import annotations

import datetime as dt
import email
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from support.ports import free_port

from hark.store.channel_links import link_customer
from hark.store.shop_import import import_shop
from skills.notices.test_notices import NOON, notices, write_shop

ALEXA_USER = "amzn1.ask.account.TESTUSER"


class SmtpDouble:
    """TEST DOUBLE of a mail server: aiosmtpd's real SMTP server, keeping what it is sent."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp():
    double = SmtpDouble()
    controller = Controller(double, hostname="127.0.0.1", port=free_port())
    controller.start()
    double.url = f"smtp://127.0.0.1:{controller.port}"  # type: ignore[attr-defined]
    yield double
    controller.stop()


class AlexaDouble:
    """TEST DOUBLE of Login with Amazon's token endpoint and the Proactive Events API."""

    def __init__(self) -> None:
        self.tokens: list[dict[str, str]] = []
        self.events: list[dict[str, Any]] = []
        self.app = Starlette(
            routes=[
                Route("/auth/o2/token", self._token, methods=["POST"]),
                Route("/v1/proactiveEvents/stages/development", self._event, methods=["POST"]),
            ]
        )

    async def _token(self, request: Request) -> JSONResponse:
        self.tokens.append(dict(await request.form()))
        return JSONResponse(
            {"access_token": "Atc|test-token", "expires_in": 3600, "token_type": "bearer"}
        )

    async def _event(self, request: Request) -> JSONResponse:
        self.events.append(
            {"auth": request.headers.get("authorization"), "body": await request.json()}
        )
        return JSONResponse({}, status_code=202)


def shop_with(db, tmp_path, consent: dict[str, tuple[str, str]], monkeypatch, changes) -> None:
    from skills.notices import test_notices

    monkeypatch.setattr(test_notices, "CONSENT", consent)
    import_shop(db, write_shop(tmp_path / "shop"))
    import_shop(
        db,
        write_shop(tmp_path / "shop", changes),
        notice_rules=frozenset({"order_shipped", "order_delayed"}),
    )


def test_an_email_notice_by_smtp(
    db, tmp_path, notice_settings, sender_for, smtp, monkeypatch
) -> None:
    shop_with(
        db,
        tmp_path,
        {"C006": ("email;sms", "Europe/Berlin")},
        monkeypatch,
        {"1262": ("shipped", "2026-11-29")},
    )
    used = notice_settings.model_copy(
        update={"smtp_url": SecretStr(smtp.url), "smtp_from": "orders@shop.example"}  # type: ignore[attr-defined]
    )
    [sent] = sender_for(db, used).run_once(now=NOON)
    assert sent.action == "sent" and sent.channel == "email"
    [message] = smtp.messages
    assert message["To"] == "noah.williams@example.com" and message["From"] == "orders@shop.example"
    assert "order ending 62" in message["Subject"]
    body = message.get_content()
    assert "automated assistant" in body and "STOP" in body
    assert "Noah" not in body and "1262" not in body

    # the mail server gone: failed, with the reason, not sent elsewhere behind the shop's back
    shop_with(
        db,
        tmp_path,
        {"C006": ("email", "Europe/Berlin")},
        monkeypatch,
        {"1262": ("delayed", "2026-12-03")},
    )
    down = used.model_copy(update={"smtp_url": SecretStr(f"smtp://127.0.0.1:{free_port()}")})
    [failed] = sender_for(db, down).run_once(now=NOON)
    assert failed.action == "failed" and "SMTP" in failed.reason


def test_an_alexa_notice_is_a_proactive_event_to_the_linked_user(
    db, tmp_path, notice_settings, sender_for, live_server, monkeypatch
) -> None:
    double = AlexaDouble()
    url = live_server(double.app).url
    shop_with(
        db,
        tmp_path,
        {"C006": ("alexa;sms", "Europe/Berlin")},
        monkeypatch,
        {"1262": ("shipped", "2026-11-29")},
    )
    link_customer(db, "alexa", ALEXA_USER, "C006")
    used = notice_settings.model_copy(
        update={
            "alexa_client_id": "amzn1.application-oa2-client.test",
            "alexa_client_secret": SecretStr("test-client-secret"),
            "lwa_token_url": f"{url}/auth/o2/token",
            "alexa_events_url": f"{url}/v1/proactiveEvents/stages/development",
            "alexa_event_expiry_min": 60,
        }
    )
    sender = sender_for(db, used)
    [sent] = sender.run_once(now=NOON)
    assert sent.action == "sent" and sent.channel == "alexa"
    [token] = double.tokens
    assert (
        token["grant_type"] == "client_credentials" and token["scope"] == "alexa::proactive_events"
    )
    [event] = double.events
    assert event["auth"] == "Bearer Atc|test-token"
    body = event["body"]
    assert body["event"]["name"] == "AMAZON.OrderStatus.Updated"
    assert body["event"]["payload"]["state"]["status"] == "ORDER_SHIPPED"
    assert body["relevantAudience"] == {"type": "Unicast", "payload": {"user": ALEXA_USER}}
    sent_at = dt.datetime.fromisoformat(body["timestamp"].rstrip("Z"))
    expires = dt.datetime.fromisoformat(body["expiryTime"].rstrip("Z"))
    assert expires - sent_at == dt.timedelta(minutes=60)
    assert body["localizedAttributes"][0]["sellerName"] == "Hark Store"

    # Alexa has no event for a cart: that notice goes by the customer's next channel
    from hark.store.models import Cart, CartItem

    with db.session() as session:
        cart = Cart(customer_id="C006", status="open", updated_at=NOON - dt.timedelta(hours=30))
        cart.items.append(CartItem(sku="AUD-3006", quantity=1))
        session.add(cart)
    cart_rules = used.model_copy(update={"notices": "cart_reminder"})
    [reminder] = sender_for(db, cart_rules).run_once(now=NOON)
    assert reminder.event == "cart_reminder" and reminder.channel == "sms"
    assert "alexa: no Alexa event" in reminder.reason
    assert len(double.events) == 1 and len(double.tokens) == 1
    assert {n.kind: n.outcome for n in notices(db)} == {
        "order_shipped": "delivered",
        "cart_reminder": "delivered",
    }
