"""Handing a phone caller to a person: the agent's whisper, the dial, the REST move, callbacks.

A warm transfer: the agent's phone rings, and before the caller is put
through the agent hears what the conversation was about (``<Number url>``
runs the whisper TwiML on the agent's leg only). A ``<Gather>`` call is
answered with the ``<Dial>`` directly; a streaming call is moved with the
REST API's call update (``calls(sid).update(twiml=...)``), which ends the
media stream. If nobody answers (or no ``HARK_AGENT_NUMBER`` is set) the
caller is told and offered a callback, recorded on the call's record.

The whisper is built only from the brain's handoff summary, which holds
redacted text only.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from hark.integrations.twilio import twiml
from hark.integrations.twilio.security import public_url
from hark.runtime.settings import Settings

log = logging.getLogger("hark.twilio")

HOLD = "Please hold while I connect you."
NOBODY = "I'm sorry, nobody from our team can take your call right now."
OFFER = (
    "Would you like us to call you back on the number you're calling from? "
    "Say yes or press 1. Say no or press 2."
)
NO_CALLBACK = "Alright. You're welcome to call again any time. Goodbye."
CALLBACK_BOOKED = (
    "Thank you. Someone from our team will call you back as soon as they can. Goodbye."
)
MAX_NOTE_CHARS = 600


def agent_note(summary: dict[str, Any] | None, settings: Settings) -> str:
    """What the agent hears before the caller is connected, from the handoff summary."""
    summary = summary or {}
    parts = [f"Call from {settings.assistant_name}, {settings.shop_name}'s assistant."]
    customer = summary.get("customer") or {}
    if customer.get("name"):
        parts.append(f"The customer on file for this number is {customer['name']}.")
    if summary.get("reason"):
        parts.append(f"Transferred because {summary['reason']}.")
    if summary.get("topic"):
        topic = str(summary["topic"]).replace("your ", "their ")
        parts.append(f"It's about {_speakable(topic)}.")
    trend = (summary.get("sentiment") or {}).get("trend")
    if trend and trend != "steady":
        parts.append(f"Their mood is {trend}.")
    last_user = [
        t.get("text", "") for t in summary.get("last_turns") or [] if t.get("role") == "user"
    ]
    if last_user and last_user[-1]:
        parts.append(f"They last said: {last_user[-1]}")
    return " ".join(parts)[:MAX_NOTE_CHARS]


def _speakable(text: str) -> str:
    """Order numbers read digit by digit ("order 4 5 7 2"), the way an agent can note them."""
    return " ".join(" ".join(w) if w.isdigit() and len(w) >= 3 else w for w in text.split())


def dial_twiml(settings: Settings, call_id: str, lead: str = HOLD) -> tuple[str, str]:
    """The TwiML that puts ``call_id`` through to the agent, and the transfer status it starts.

    With no agent configured, the caller is offered a callback instead.
    """
    if not settings.agent_number:
        lead = f"{lead} {NOBODY}".strip()
        return callback_offer_twiml(settings, call_id, lead=lead), "unavailable"
    query = f"call={call_id}"
    document = twiml.transfer(
        lead,
        settings.agent_number,
        whisper_url=public_url(settings, "/twilio/whisper", query),
        action=public_url(settings, "/twilio/dial-status", query),
    )
    return document, "dialing"


def callback_offer_twiml(settings: Settings, call_id: str, *, lead: str = NOBODY) -> str:
    return twiml.offer_callback(
        f"{lead} {OFFER}",
        public_url(settings, "/twilio/callback", f"call={call_id}"),
        otherwise=NO_CALLBACK,
    )


class CallMover(Protocol):
    """Moves a live call onto new TwiML (Twilio's REST call update)."""

    def move(self, call_id: str, document: str) -> None: ...


class RestCallMover:
    """The helper library's REST client, pointed at ``HARK_TWILIO_API_BASE_URL``."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def move(self, call_id: str, document: str) -> None:
        from twilio.rest import Client

        sid = self.settings.twilio_account_sid
        token = self.settings.twilio_auth_token
        if not sid or token is None or not token.get_secret_value():
            raise RuntimeError(
                "HARK_TWILIO_ACCOUNT_SID and HARK_TWILIO_AUTH_TOKEN are needed to move a call"
            )
        client = Client(sid, token.get_secret_value(), environment={})
        client.api.base_url = self.settings.twilio_api_base_url.rstrip("/")
        client.calls(call_id).update(twiml=document)
