"""The channels a notice sender offers, as protocols: implementations live in
``integrations/`` (Twilio's Messages and Calls APIs), the loop that uses them
in ``server/``; the gate only needs to know which exist."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

#: The notice events an Alexa ``AMAZON.OrderStatus.Updated`` event can carry (the
#: schema has order states, not carts or returns).
ALEXA_KINDS = frozenset({"order_shipped", "order_delayed", "order_eta_moved", "order_delivered"})


@dataclass(frozen=True)
class Sent:
    """A provider's answer: accepted (with its id) or refused (with why)."""

    ok: bool
    provider_id: str | None = None
    error: str = ""


@dataclass(frozen=True)
class TextOut:
    to: str  # E.164, or whatsapp:+E.164
    body: str


@dataclass(frozen=True)
class CallOut:
    to: str  # E.164
    notice_id: int


class TextSender(Protocol):
    """Sends one SMS or WhatsApp message."""

    def send_text(self, message: TextOut) -> Sent: ...


class CallPlacer(Protocol):
    """Places one outbound call whose TwiML opens with the notice."""

    def place_call(self, call: CallOut) -> Sent: ...

    def leave_voicemail(self, call_id: str, words: str) -> Sent: ...


class EmailSender(Protocol):
    """Sends one e-mail."""

    def send_email(self, to: str, subject: str, body: str) -> Sent: ...


class AlexaAnnouncer(Protocol):
    """Sends one Alexa Proactive Event to a linked user."""

    def announce(self, user_id: str, kind: str, facts: dict) -> Sent: ...
