"""``POST /twilio/sms``: a text message (SMS, or WhatsApp through Twilio) is one turn of that
number's text conversation, answered with TwiML ``<Message>``.

A number's messages continue one conversation until it has been quiet for
30 minutes; the next message starts a new one (and closes the old). The
first reply says that an automated assistant is answering. Replies are the
brain's plain text (never SSML), cut at a sentence to Twilio's 1,600
characters. Twilio retries a webhook it got no answer to with the same
``MessageSid``: the message is claimed with the brain first, so a retry
replays the stored reply and the brain sees the text once.

The sender's number is stored only as a keyed digest (``sender_key``),
enough to find their ongoing conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import time
from typing import Any

from hark.dialogue.consent_requests import by_number, keyword
from hark.integrations.channels import ChannelServices
from hark.integrations.twilio import twiml
from hark.integrations.twilio.identity import start_conversation_for
from hark.integrations.twilio.runtime import TwilioRuntime
from hark.privacy.caller_keys import CallerKeys
from hark.runtime.log_context import log_context
from hark.runtime.metrics import record_turn

log = logging.getLogger("hark.twilio")

MAX_REPLY_CHARS = 1600  # Twilio's limit for one message body
MAX_TEXT_CHARS = 1000  # what the brain reads of one message
WHATSAPP = "whatsapp:"
NO_TEXT = "Sorry, I can only read text. Please type your question."
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
STOPPED = (
    "You're unsubscribed: {shop} won't call, text or message you again. Reply START to "
    "subscribe again."
)
STARTED = "You're subscribed again to updates from {shop}. Reply STOP to opt out."
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sender_key(settings: Any, sender: str) -> str:
    """A keyed digest of the sender's address: finds their thread, can't be read back."""
    return CallerKeys.of(settings).of_address(sender)


def fit(text: str, limit: int = MAX_REPLY_CHARS) -> str:
    """``text`` within ``limit`` characters, cut after a whole sentence (or word) if too long."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if not kept:
        kept = text[: limit - 1].rsplit(" ", 1)[0] + "…"
    return kept


def introduction(settings: Any) -> str:
    return f"Hi, I'm {settings.assistant_name}, {settings.shop_name}'s automated assistant."


async def text_turn(services: ChannelServices, runtime: TwilioRuntime, form: Any) -> str:
    """One inbound message in, the TwiML reply out."""
    settings, texts = services.settings, services.texts
    message_id = (form.get("MessageSid") or form.get("SmsSid") or "")[:64]
    sender = (form.get("From") or "").strip()[:80]
    body = (form.get("Body") or "").replace("\x00", "").strip()
    if not message_id or not sender:
        log.warning("text message without MessageSid or From ignored")
        return twiml.message("")
    channel = "whatsapp" if sender.lower().startswith(WHATSAPP) else "sms"
    key = sender_key(settings, sender)
    claimed = await asyncio.to_thread(texts.claim, message_id, channel, key)
    if not claimed:
        log.info("retried text webhook: replaying its reply")
        stored = await asyncio.to_thread(texts.wait_reply, message_id, runtime.retry_wait_s)
        return twiml.message(stored or "")
    wanted = keyword(body)
    if wanted is not None:  # STOP / START: the consent ledger, no conversation
        address = sender[len(WHATSAPP) :] if channel == "whatsapp" else sender
        await asyncio.to_thread(by_number, services.dialogue, address, wanted, channel)
        log.info("text keyword recorded", extra={"keyword": wanted})
        reply_text = (STOPPED if wanted == "stop" else STARTED).format(shop=settings.shop_name)
        await asyncio.to_thread(texts.store_reply, message_id, None, reply_text)
        return twiml.message(reply_text)
    conversation_id, reply_text = await _reply(services, runtime, channel, sender, key, body)
    await asyncio.to_thread(texts.store_reply, message_id, conversation_id, reply_text)
    return twiml.message(reply_text)


async def _reply(
    services: ChannelServices,
    runtime: TwilioRuntime,
    channel: str,
    sender: str,
    key: str,
    body: str,
) -> tuple[str | None, str]:
    settings, dialogue = services.settings, services.dialogue
    continued, stale = await asyncio.to_thread(services.texts.thread, key, runtime.text_thread_s)
    conversation_id: str | None = continued
    lead = ""
    try:
        if stale is not None:
            await asyncio.to_thread(_end_quietly, dialogue, stale)
        if continued is None:
            address = sender[len(WHATSAPP) :] if channel == "whatsapp" else sender
            started_id, _greeting = await asyncio.to_thread(
                start_conversation_for, dialogue, channel, address
            )
            continued = conversation_id = started_id
            lead = introduction(settings)
        if not body:
            return conversation_id, fit(f"{lead} {NO_TEXT}")
        with log_context(conversation_id=continued):
            started = time.perf_counter()
            # the sender is who to call back, kept only if they accept a callback offer
            reply = await asyncio.to_thread(
                dialogue.turn, continued, body[:MAX_TEXT_CHARS], callback_to=sender
            )
            record_turn(
                channel,
                reply.intent,
                reply.handoff,
                {"dialogue_ms": (time.perf_counter() - started) * 1000},
            )
            log.info("text message answered", extra={"channel": channel})
        return conversation_id, fit(f"{lead} {reply.text}")
    except Exception:
        log.exception("text message failed")
        return conversation_id, SORRY


def _end_quietly(dialogue: Any, conversation_id: str) -> None:
    from hark.dialogue.errors import ConversationNotFound

    with contextlib.suppress(ConversationNotFound):
        dialogue.end_conversation(conversation_id)
