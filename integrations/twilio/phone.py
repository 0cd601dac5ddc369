"""A phone call's webhooks besides the gather turns: answering, the end of a stream,
the transfer's whisper and outcome, the callback offer, and the call's status.

Every handler is idempotent by the call's record (``calls``): Twilio may
retry any of them, and any server process may receive them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from hark.dialogue.phone_calls import CALL_STATUSES
from hark.integrations.channels import ChannelServices
from hark.integrations.twilio import gather, transfer, twiml
from hark.integrations.twilio.identity import start_conversation_for
from hark.integrations.twilio.runtime import TwilioRuntime
from hark.integrations.twilio.security import public_url
from hark.privacy.caller_keys import CallerKeys
from hark.runtime.log_context import log_context

log = logging.getLogger("hark.twilio")

CHANNEL = "phone"
ANSWERED = frozenset({"completed", "answered"})  # DialCallStatus: the agent took the call
MAX_CALLER_CHARS = 64


def caller_of(form: Any) -> str | None:
    caller = (form.get("From") or "").strip()
    return caller[:MAX_CALLER_CHARS] or None


async def answer_call(services: ChannelServices, runtime: TwilioRuntime, form: Any) -> str:
    """``POST /twilio/voice``: a new call. Stream mode connects the media stream (the
    conversation starts with the stream); gather mode greets and listens."""
    settings, calls = services.settings, services.calls
    call_id = form.get("CallSid", "")
    caller = caller_of(form)
    caller_key = CallerKeys.of(settings).of_address(caller) if caller else None
    record, created = await asyncio.to_thread(
        calls.open_call, call_id, settings.twilio_mode, caller_key
    )
    if not created:
        log.info("retried voice webhook: no second conversation", extra={"mode": record.mode})
        if record.mode == "stream":
            return _connect(settings, form)
        stored = await asyncio.to_thread(calls.wait_answer, call_id, 0, runtime.retry_wait_s)
        return stored or twiml.say_and_redirect(
            gather.ONE_MOMENT, public_url(settings, "/twilio/voice")
        )
    if record.mode == "stream":
        # Not stored for retries: the document carries the caller's number to the media
        # stream, and a retry rebuilds it from its own form (above).
        return _connect(settings, form)
    try:
        conversation_id, greeting = await asyncio.to_thread(
            start_conversation_for, services.dialogue, CHANNEL, caller_of(form)
        )
    except Exception:  # stored, so a retry hears the same apology instead of waiting
        log.exception("could not start the phone conversation")
        document = twiml.say_and_hang_up(gather.SORRY_BROKEN)
        await asyncio.to_thread(calls.answer_turn, call_id, 0, document)
        return document
    with log_context(conversation_id=conversation_id):
        log.info("phone call answered", extra={"mode": "gather"})
    document = gather.prompt(services, runtime, greeting.text, 1, menu=False)
    await asyncio.to_thread(
        calls.answer_turn, call_id, 0, document, conversation_id=conversation_id
    )
    return document


def _connect(settings: Any, form: Any) -> str:
    parameters = {"caller": caller_of(form) or ""}
    return twiml.connect_stream(
        public_url(settings, "/twilio/media", websocket=True),
        {k: v for k, v in parameters.items() if v},
        public_url(settings, "/twilio/stream-ended"),
    )


async def stream_ended(services: ChannelServices, form: Any) -> str:
    """``<Connect action>``: the media stream is over. A transfer the REST API could not
    make is dialled from here; otherwise the call ends."""
    call_id = form.get("CallSid", "")
    record = await asyncio.to_thread(services.calls.get, call_id)
    if record is not None and record.transfer_status == "pending":
        document, status = transfer.dial_twiml(services.settings, call_id, lead="")
        await asyncio.to_thread(services.calls.change, call_id, transfer_status=status)
        return document
    return twiml.say_and_hang_up("")


async def whisper(services: ChannelServices, form: Any, call_id: str) -> str:
    """``<Number url>``: played to the agent only, before the caller is connected."""
    parent = form.get("ParentCallSid")
    record = await asyncio.to_thread(services.calls.get, call_id)
    if record is None or (parent and parent != call_id):
        log.warning("whisper for an unknown transfer")
        return twiml.whisper("Transfer from the assistant. No summary is available.")
    return twiml.whisper(record.handoff_note or "Transfer from the assistant.")


async def dial_status(services: ChannelServices, form: Any, call_id: str) -> str:
    """``<Dial action>``: the agent took the call (hang up when they finish), or nobody
    answered (tell the caller, offer a callback)."""
    status = (form.get("DialCallStatus") or "").strip().lower()[:20] or "unknown"
    await asyncio.to_thread(services.calls.change, call_id, transfer_status=status)
    log.info("transfer ended", extra={"dial_status": status})
    if status in ANSWERED:
        return twiml.say_and_hang_up("")
    return transfer.callback_offer_twiml(services.settings, call_id)


async def callback(services: ChannelServices, form: Any, call_id: str) -> str:
    """The caller's answer to the callback offer: record it with the handoff, say goodbye."""
    keys = (form.get("Digits") or "").strip()
    speech = (form.get("SpeechResult") or "").strip()[:200]
    wants = keys == "1" or (not keys and bool(speech) and _affirmed(services, speech))
    await asyncio.to_thread(
        services.calls.record_callback, call_id, caller_of(form), accepted=wants
    )
    if wants:
        log.info("callback requested")
        return twiml.say_and_hang_up(transfer.CALLBACK_BOOKED)
    return twiml.say_and_hang_up(transfer.NO_CALLBACK)


def _affirmed(services: ChannelServices, speech: str) -> bool:
    """Yes or no by the brain's own NLU (its ``affirm`` intent), not a word list here."""
    from hark.dialogue.nlu import nlu_for
    from hark.privacy.redact import redact

    parsed = nlu_for(services.dialogue.knowledge()).parse(redact(speech).text)
    return parsed.intent == "affirm"


async def call_status(services: ChannelServices, form: Any) -> str:
    """``POST /twilio/status``: how the call stands or ended; an ended call ends its
    conversation (a media stream's own close does too, whichever comes first)."""
    call_id = form.get("CallSid", "")
    status = (form.get("CallStatus") or "").strip().lower()
    if status not in CALL_STATUSES:
        log.warning("unknown call status ignored", extra={"call_status": status[:20]})
        return twiml.empty_voice()
    duration: int | None = None
    with contextlib.suppress(TypeError, ValueError):
        duration = max(0, int(form.get("CallDuration") or ""))
    record, ended = await asyncio.to_thread(services.calls.record_status, call_id, status, duration)
    if record is None:
        log.info("status for a call Hark did not answer", extra={"call_status": status})
        return twiml.empty_voice()
    if ended and record.conversation_id:
        from hark.dialogue.errors import ConversationNotFound

        with contextlib.suppress(ConversationNotFound):
            await asyncio.to_thread(services.dialogue.end_conversation, record.conversation_id)
        with log_context(conversation_id=record.conversation_id):
            log.info("phone call ended", extra={"call_status": status, "duration_s": duration})
    return twiml.empty_voice()
