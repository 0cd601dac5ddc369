"""Twilio's webhooks for notices: a call's TwiML, answering-machine verdict and status, and
a text's delivery report.

* ``POST /twilio/notice-call?notice=ID``: the call was answered; the TwiML opens the
  conversation in the phone line's mode (``HARK_TWILIO_MODE``: the media stream, or
  gather) with the notice as its first turn (who is calling, that it is an automated
  assistant, the opt-out), on the same brain as any call.
* ``POST /twilio/notice-amd?notice=ID``: Twilio's asynchronous answering-machine
  detection. A person: the notice is ``answered``. A machine: the call is moved onto
  a short voicemail without personal details, and the notice waits for its text
  follow-up (sent by the notice loop, through the gate again).
* ``POST /twilio/notice-call-status?notice=ID``: nobody answered: the call is tried
  again after ``HARK_CALL_RETRY_MIN``, at most ``HARK_CALL_RETRIES`` more times.

* ``POST /twilio/notice-status``: a notice text's delivery report (``MessageStatus``):
  ``undelivered`` or ``failed`` turns the notice's outcome to ``failed`` with the error code.

Every request is signature-checked (``verified_form``) and must name a call Hark
placed for that very notice; anything else gets empty TwiML.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.datastructures import ImmutableMultiDict

from hark.dialogue.notice_threads import open_notice_call
from hark.integrations.twilio import gather, phone, twiml
from hark.integrations.twilio.outbound import TwilioRest
from hark.integrations.twilio.routes import CALL_SID, TWIML_RESPONSES
from hark.integrations.twilio.runtime import runtime_for
from hark.integrations.twilio.security import public_url, verified_form
from hark.server.openapi_docs import text_response
from hark.skills.notices import wording
from hark.store import notice_outbox as outbox
from hark.store.models import Notice, NoticeSend, utcnow

log = logging.getLogger("hark.notices")

XML = "application/xml"
# TwiML answers, documented as the other Twilio webhooks are; the last three answer empty TwiML.
router = APIRouter(tags=["twilio"], default_response_class=Response, responses=TWIML_RESPONSES)
EMPTY_TWIML = text_response(
    "Empty TwiML (nothing for Twilio to do)",
    XML,
    '<?xml version="1.0" encoding="UTF-8"?><Response />',
)
NoticeQuery = Annotated[int, Query(ge=1, le=2**62)]
VerifiedForm = Annotated[ImmutableMultiDict, Depends(verified_form)]
MACHINE = ("machine_start", "machine_end_beep", "machine_end_silence", "machine_end_other", "fax")
NOBODY = ("no-answer", "busy", "failed", "canceled")


def _xml(document: str) -> Response:
    return Response(document, media_type=XML)


def _call_of(session: Any, notice_id: int, call_sid: str) -> tuple[Notice, NoticeSend] | None:
    """The notice and the send of ``call_sid``, if Hark placed that call for that notice."""
    if not call_sid:
        return None
    send = outbox.send_by_provider(session, call_sid[:64])
    if send is None or send.notice_id != notice_id or send.channel != "call":
        return None
    notice = session.get(Notice, notice_id)
    return (notice, send) if notice is not None else None


@router.post("/twilio/notice-call", summary="A notice call was answered: its opening TwiML")
async def notice_call(request: Request, notice: NoticeQuery, form: VerifiedForm) -> Response:
    services, runtime = request.app.state.services, runtime_for(request.app)
    call_sid = form.get("CallSid", "")
    try:
        return _xml(await _open(services, runtime, notice, call_sid))
    except Exception:
        log.exception("notice call failed to open")
        return _xml(twiml.say_and_hang_up(""))


async def _open(services: Any, runtime: Any, notice_id: int, call_sid: str) -> str:
    """The call's first TwiML, in the phone line's own mode (``HARK_TWILIO_MODE``): stream
    connects the media stream, which opens the notice's conversation when it starts;
    gather opens it here and says the notice while listening."""
    dialogue, settings = services.dialogue, services.settings
    with services.db.session() as session:
        if _call_of(session, notice_id, call_sid) is None:
            log.warning("notice call webhook for a call Hark did not place")
            return twiml.say_and_hang_up("")
    record, created = await asyncio.to_thread(
        services.calls.open_call, call_sid, settings.twilio_mode
    )
    if record.mode == "stream":  # a retry gets the same document; the stream opens once
        log.info("notice call answered", extra={"notice_id": notice_id, "mode": "stream"})
        return twiml.connect_stream(
            public_url(settings, "/twilio/media", websocket=True),
            {},
            public_url(settings, "/twilio/stream-ended"),
        )
    if not created:  # Twilio retried: the same answer, no second conversation
        stored = await asyncio.to_thread(
            services.calls.wait_answer, call_sid, 0, runtime.retry_wait_s
        )
        return stored or twiml.say_and_hang_up("")
    opened = await asyncio.to_thread(open_notice_call, dialogue, phone.CHANNEL, call_sid)
    if opened is None:
        return twiml.say_and_hang_up("")
    conversation_id, opening = opened
    document = gather.prompt(services, runtime, opening.text, 1, menu=False)
    await asyncio.to_thread(
        services.calls.answer_turn, call_sid, 0, document, conversation_id=conversation_id
    )
    log.info("notice call opened", extra={"notice_id": notice_id, "mode": "gather"})
    return document


@router.post(
    "/twilio/notice-amd",
    summary="Answering-machine detection for a notice call",
    responses=EMPTY_TWIML,
)
async def notice_amd(request: Request, notice: NoticeQuery, form: VerifiedForm) -> Response:
    services = request.app.state.services
    answered_by = (form.get("AnsweredBy") or "").strip().lower()[:40]
    machine = await asyncio.to_thread(
        _record_amd, services, notice, form.get("CallSid", ""), answered_by
    )
    if machine:
        rest = TwilioRest(services.settings)
        try:
            sent = await asyncio.to_thread(
                rest.leave_voicemail, form.get("CallSid", ""), wording.voicemail(services.settings)
            )
        finally:
            rest.close()
        if not sent.ok:
            log.warning("voicemail could not be left: %s", sent.error, extra={"notice_id": notice})
    return _xml(twiml.empty_voice())


def _record_amd(services: Any, notice_id: int, call_sid: str, answered_by: str) -> bool:
    """The verdict on the ledger; True when a voicemail is to be left."""
    with services.db.session() as session:
        found = _call_of(session, notice_id, call_sid)
        if found is None or found[0].state != "calling":
            return False
        notice, send = found
        if answered_by == "human":
            send.outcome, send.detail = "answered", "a person answered"
            outbox.close(notice, "answered", "a person answered the call", "call")
            return False
        if answered_by in MACHINE:
            send.outcome, send.detail = "voicemail", f"answering machine ({answered_by})"
            notice.facts = {**notice.facts, "follow_up": True}
            notice.state, notice.next_attempt_at = "pending", utcnow()
            notice.reason = "voicemail left; a text follows"
            return True
        return False  # "unknown": the call's status will settle it


@router.post("/twilio/notice-call-status", summary="How a notice call ended", responses=EMPTY_TWIML)
async def notice_call_status(request: Request, notice: NoticeQuery, form: VerifiedForm) -> Response:
    services = request.app.state.services
    status = (form.get("CallStatus") or "").strip().lower()[:20]
    await asyncio.to_thread(_record_status, services, notice, form.get("CallSid", ""), status)
    if CALL_SID.match(form.get("CallSid", "")):
        await phone.call_status(services, form)  # the call's record; ends its conversation
    return _xml(twiml.empty_voice())


def _record_status(services: Any, notice_id: int, call_sid: str, status: str) -> None:
    settings = services.settings
    with services.db.session() as session:
        found = _call_of(session, notice_id, call_sid)
        if found is None or found[0].state != "calling":
            return
        notice, send = found
        if status in NOBODY:
            send.outcome, send.detail = "no-answer", f"call {status}"
            calls = sum(1 for s in notice.sends if s.channel == "call")
            if calls <= settings.call_retries:
                retry_at = utcnow() + dt.timedelta(minutes=settings.call_retry_min)
                notice.state, notice.next_attempt_at = "pending", retry_at
                notice.reason = f"call {status}; calling again at {retry_at:%H:%M} UTC"
            else:
                outbox.close(notice, "failed", f"no answer after {calls} calls", "call")
        elif status == "completed":
            send.outcome = "answered" if send.outcome == "ringing" else send.outcome
            outbox.close(notice, "answered", "the call was answered", "call")


@router.post(
    "/twilio/notice-status", summary="Delivery report of a notice text", responses=EMPTY_TWIML
)
async def notice_status(request: Request, form: VerifiedForm) -> Response:
    services = request.app.state.services
    message_sid = (form.get("MessageSid") or form.get("SmsSid") or "")[:64]
    status = (form.get("MessageStatus") or form.get("SmsStatus") or "").strip().lower()[:20]
    code = "".join(ch for ch in (form.get("ErrorCode") or "") if ch.isdigit())[:8]
    await asyncio.to_thread(_record_delivery, services, message_sid, status, code)
    return _xml(twiml.empty_voice())


def _record_delivery(services: Any, message_sid: str, status: str, code: str) -> None:
    if not message_sid:
        return
    with services.db.session() as session:
        send = outbox.send_by_provider(session, message_sid)
        if send is None or send.channel == "call":
            return
        if status == "delivered":
            send.detail = "delivered to the handset"
        elif status in ("undelivered", "failed"):
            why = f"text {status}" + (f" (Twilio error {code})" if code else "")
            send.outcome, send.detail = "failed", why
            notice = session.get(Notice, send.notice_id)
            if notice is not None and notice.outcome == "delivered":
                notice.outcome, notice.reason = "failed", why
