"""``POST /twilio/sms``: a text message (SMS, or WhatsApp through Twilio) is one turn of that
number's text conversation, answered with TwiML ``<Message>``.

A number's messages continue one conversation until it has been quiet for
30 minutes; the next message starts a new one (and closes the old). The
first reply says that an automated assistant is answering. Replies are the
brain's plain text (never SSML), cut at a sentence to Twilio's 1,600
characters. Twilio retries a webhook it got no answer to with the same
``MessageSid``: the message is claimed in the database first, so a retry
replays the stored reply and the brain sees the text once.

The sender's number is stored only as a keyed digest (``sender_key``),
enough to find their ongoing conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import hmac
import logging
import re
import time
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from hark.integrations.twilio import twiml
from hark.integrations.twilio.identity import start_conversation_for
from hark.integrations.twilio.runtime import TwilioRuntime
from hark.runtime.log_context import log_context
from hark.runtime.metrics import record_turn
from hark.store.db import Database
from hark.store.models import Conversation, TextMessage, utcnow

log = logging.getLogger("hark.twilio")

MAX_REPLY_CHARS = 1600  # Twilio's limit for one message body
MAX_TEXT_CHARS = 1000  # what the brain reads of one message
WHATSAPP = "whatsapp:"
NO_TEXT = "Sorry, I can only read text. Please type your question."
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sender_key(settings: Any, sender: str) -> str:
    """A keyed digest of the sender's address: finds their thread, can't be read back."""
    secret = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    digest = hmac.new(secret.encode(), sender.strip().lower().encode(), hashlib.sha256)
    return "hmac:" + digest.hexdigest()


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


async def text_turn(services: Any, runtime: TwilioRuntime, form: Any) -> str:
    """One inbound message in, the TwiML reply out."""
    db, settings = services.db, services.settings
    message_id = (form.get("MessageSid") or form.get("SmsSid") or "")[:64]
    sender = (form.get("From") or "").strip()[:80]
    body = (form.get("Body") or "").replace("\x00", "").strip()
    if not message_id or not sender:
        log.warning("text message without MessageSid or From ignored")
        return twiml.message("")
    channel = "whatsapp" if sender.lower().startswith(WHATSAPP) else "sms"
    key = sender_key(settings, sender)
    claimed = await asyncio.to_thread(_claim, db, message_id, channel, key)
    if not claimed:
        log.info("retried text webhook: replaying its reply")
        stored = await asyncio.to_thread(_wait_reply, db, message_id, runtime.retry_wait_s)
        return twiml.message(stored or "")
    conversation_id, reply_text = await _reply(services, runtime, channel, sender, key, body)
    await asyncio.to_thread(_store_reply, db, message_id, conversation_id, reply_text)
    return twiml.message(reply_text)


async def _reply(
    services: Any, runtime: TwilioRuntime, channel: str, sender: str, key: str, body: str
) -> tuple[str | None, str]:
    db, settings, dialogue = services.db, services.settings, services.dialogue
    conversation_id, stale = await asyncio.to_thread(_thread, db, key, runtime.text_thread_s)
    lead = ""
    try:
        if stale is not None:
            await asyncio.to_thread(_end_quietly, dialogue, stale)
        if conversation_id is None:
            address = sender[len(WHATSAPP) :] if channel == "whatsapp" else sender
            conversation_id, _greeting = await asyncio.to_thread(
                start_conversation_for, dialogue, channel, address
            )
            lead = introduction(settings)
        if not body:
            return conversation_id, fit(f"{lead} {NO_TEXT}")
        with log_context(conversation_id=conversation_id):
            started = time.perf_counter()
            reply = await asyncio.to_thread(dialogue.turn, conversation_id, body[:MAX_TEXT_CHARS])
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


def _claim(db: Database, message_id: str, channel: str, key: str) -> bool:
    try:
        with db.session() as session:
            session.add(TextMessage(message_id=message_id, channel=channel, sender_key=key))
        return True
    except IntegrityError:
        return False


def _thread(db: Database, key: str, quiet_s: float) -> tuple[str | None, str | None]:
    """``(conversation to continue, stale conversation to close)`` for this sender."""
    with db.session() as session:
        last = session.execute(
            select(TextMessage.conversation_id, TextMessage.received_at)
            .where(
                TextMessage.sender_key == key,
                TextMessage.answered.is_(True),
                TextMessage.conversation_id.is_not(None),
            )
            .order_by(TextMessage.received_at.desc())
            .limit(1)
        ).first()
        if last is None:
            return None, None
        conversation = session.get(Conversation, last.conversation_id)
        if conversation is None or conversation.ended_at is not None:
            return None, None
        if utcnow() - last.received_at > dt.timedelta(seconds=quiet_s):
            return None, conversation.id
        return conversation.id, None


def _end_quietly(dialogue: Any, conversation_id: str) -> None:
    from hark.dialogue.errors import ConversationNotFound

    with contextlib.suppress(ConversationNotFound):
        dialogue.end_conversation(conversation_id)


def _store_reply(db: Database, message_id: str, conversation_id: str | None, reply: str) -> None:
    with db.session() as session:
        session.execute(
            update(TextMessage)
            .where(TextMessage.message_id == message_id)
            .values(conversation_id=conversation_id, reply=reply, answered=True)
        )


def _wait_reply(db: Database, message_id: str, timeout_s: float) -> str | None:
    deadline = time.monotonic() + timeout_s
    while True:
        with db.session() as session:
            row = session.get(TextMessage, message_id)
            if row is not None and row.answered:
                return row.reply
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.1)
