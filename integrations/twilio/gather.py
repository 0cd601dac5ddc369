"""``HARK_TWILIO_MODE=gather``: Twilio listens (``<Gather>``), Hark answers with ``<Say>``.

Each answer carries the next turn's number in its ``action`` URL
(``/twilio/gather?turn=N``). The URL is part of what Twilio signs, so the
number can't be forged, and a retried request (same call, same turn) finds
its turn already claimed and replays the stored answer: the brain sees every
turn once (``calls.claim_turn``).

Silence, or a turn the brain did not understand, counts as a miss; after
two in a row the prompt adds a short keypad menu (``keypad.MENU``). Keys are
turns like speech; "0" (like saying "agent") always reaches a person.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from hark.dialogue.errors import ConversationNotFound
from hark.dialogue.phone_calls import CallRecord, Claim
from hark.integrations.channels import ChannelServices
from hark.integrations.twilio import keypad, transfer, twiml
from hark.integrations.twilio.runtime import TwilioRuntime
from hark.integrations.twilio.security import public_url
from hark.runtime.log_context import log_context
from hark.runtime.metrics import record_turn

log = logging.getLogger("hark.twilio")

CHANNEL = "phone"
MAX_SPEECH_CHARS = 1000
NOT_UNDERSTOOD = "out_of_scope"  # the brain's intent for a turn it could not place
SORRY_AGAIN = "Sorry, I didn't catch that. Could you say it again?"
SORRY_BROKEN = "Sorry, something went wrong on my side. Please call again in a moment. Goodbye."
ONE_MOMENT = "One moment, please."


def gather_url(services: ChannelServices, turn: int) -> str:
    return public_url(services.settings, "/twilio/gather", f"turn={turn}")


def prompt(
    services: ChannelServices, runtime: TwilioRuntime, text: str, turn: int, *, menu: bool
) -> str:
    """Say ``text`` (and the menu) and listen for turn ``turn``."""
    if menu:
        text = f"{text} {keypad.menu_prompt()}".strip()
    hints = runtime.hints(services.dialogue)
    return twiml.gather(text, gather_url(services, turn), hints=hints, keypad_only=menu)


async def gather_turn(
    services: ChannelServices, runtime: TwilioRuntime, form: Any, turn: int
) -> str:
    """One answer to a ``<Gather>``: claim the turn, run it once, store and return the TwiML."""
    calls = services.calls
    call_id = form.get("CallSid", "")
    claim = await asyncio.to_thread(calls.claim_turn, call_id, turn)
    if claim is Claim.RETRY:
        log.info("retried gather webhook: replaying its answer", extra={"turn": turn})
        stored = await asyncio.to_thread(calls.wait_answer, call_id, turn, runtime.retry_wait_s)
        if stored:
            return stored
        # The first request is still running: come back to the same turn shortly.
        return twiml.say_and_redirect(ONE_MOMENT, gather_url(services, turn))
    record = await asyncio.to_thread(calls.get, call_id)
    if claim is Claim.STALE or record is None or record.conversation_id is None:
        if record is not None and record.last_response:
            return record.last_response  # an old turn: the call is already past it
        log.warning("gather webhook for a call Hark does not know", extra={"turn": turn})
        return twiml.say_and_hang_up(SORRY_BROKEN)
    with log_context(conversation_id=record.conversation_id):
        document, changes = await _answer(services, runtime, form, record, turn)
    await asyncio.to_thread(calls.answer_turn, call_id, turn, document, **changes)
    return document


async def _answer(
    services: ChannelServices, runtime: TwilioRuntime, form: Any, record: CallRecord, turn: int
) -> tuple[str, dict[str, object]]:
    settings = services.settings
    keys = (form.get("Digits") or "").strip()
    speech = " ".join((form.get("SpeechResult") or "").split())[:MAX_SPEECH_CHARS]
    text = keypad.turn_text(keys, menu=record.menu) if keys else (speech or None)
    if keys:
        log.info("keypad entry", extra={"keys": keypad.describe(keys)})
    if text is None:  # silence, or keys that mean nothing
        misses = record.misses + 1
        menu = misses >= 2
        return prompt(services, runtime, SORRY_AGAIN, turn + 1, menu=menu), {
            "misses": misses,
            "menu": menu,
        }
    started = time.perf_counter()
    try:
        if record.conversation_id is None:
            raise ConversationNotFound("(none)")
        reply = await asyncio.to_thread(services.dialogue.turn, record.conversation_id, text)
    except Exception as exc:
        if isinstance(exc, ConversationNotFound):
            return twiml.say_and_hang_up(SORRY_BROKEN), {}
        log.error("gather turn failed", exc_info=exc)
        return prompt(services, runtime, SORRY_AGAIN, turn + 1, menu=record.menu), {}
    record_turn(
        CHANNEL,
        reply.intent,
        reply.handoff,
        {"dialogue_ms": (time.perf_counter() - started) * 1000},
    )
    if reply.handoff:
        document, status = transfer.dial_twiml(settings, record.call_id, lead=reply.text)
        note = transfer.agent_note(reply.handoff_summary, settings)
        return document, {
            "handoff_note": note,
            "transfer_status": status,
            "misses": 0,
            "menu": False,
        }
    if reply.end:
        return twiml.say_and_hang_up(reply.text), {"misses": 0, "menu": False}
    misses = record.misses + 1 if reply.intent == NOT_UNDERSTOOD else 0
    menu = misses >= 2
    document = prompt(services, runtime, reply.text, turn + 1, menu=menu)
    return document, {"misses": misses, "menu": menu}
