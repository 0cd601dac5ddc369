"""The Twilio endpoints: webhooks (form POSTs answered with TwiML) and the media stream.

Every route checks ``X-Twilio-Signature`` first (``security``), the media
stream on its upgrade request; none takes an API key (Twilio cannot send
one). Whatever fails after that, Twilio gets well-formed TwiML, never a
500: a caller would hear Twilio's own "an application error has occurred".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, WebSocket
from fastapi.responses import Response
from starlette.datastructures import ImmutableMultiDict

from hark.integrations.twilio import gather, phone, sms, twiml
from hark.integrations.twilio.runtime import runtime_for
from hark.integrations.twilio.security import refusal_reason, verified_form
from hark.integrations.twilio.stream import MediaStream

log = logging.getLogger("hark.twilio")

XML = "application/xml"
# Every webhook answers TwiML (documented once here for /openapi.json; the routes build
# their own Response, so the default class below only names the media type).
TWIML_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "TwiML for Twilio",
        "content": {
            XML: {
                "schema": {"type": "string"},
                "example": '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hi, '
                'thanks for calling Hark Store.</Say><Gather input="speech" '
                'action="/twilio/gather?turn=1"/></Response>',
            }
        },
    },
    403: {"description": "Missing or wrong X-Twilio-Signature"},
}
router = APIRouter(tags=["twilio"], default_response_class=Response, responses=TWIML_RESPONSES)
CALL_SID = re.compile(r"^CA[0-9a-fA-F]{32}$")
SORRY = "Sorry, something went wrong on my side. Please call again in a moment. Goodbye."
Form = ImmutableMultiDict
CallQuery = Annotated[str, Query(pattern=CALL_SID.pattern)]
VerifiedForm = Annotated[ImmutableMultiDict, Depends(verified_form)]


def _xml(document: str) -> Response:
    return Response(document, media_type=XML)


async def _safely(
    request: Request, handler: Callable[[], Awaitable[str]], *, sms_reply: bool = False
) -> Response:
    try:
        return _xml(await handler())
    except Exception:
        log.exception("twilio webhook failed", extra={"path": request.url.path})
        return _xml(twiml.message(sms.SORRY) if sms_reply else twiml.say_and_hang_up(SORRY))


def _call_sid(form: Form) -> str | None:
    sid = form.get("CallSid", "")
    return sid if CALL_SID.match(sid) else None


def _bad_call(request: Request) -> Response:
    log.warning("twilio webhook without a valid CallSid", extra={"path": request.url.path})
    return _xml(twiml.say_and_hang_up(SORRY))


@router.post("/twilio/voice", summary="Incoming call (Twilio voice webhook)")
async def voice(request: Request, form: VerifiedForm) -> Response:
    if _call_sid(form) is None:
        return _bad_call(request)
    services, runtime = request.app.state.services, runtime_for(request.app)
    return await _safely(request, lambda: phone.answer_call(services, runtime, form))


@router.post("/twilio/gather", summary="Speech or keys gathered by Twilio (gather mode)")
async def gather_turn(
    request: Request, turn: Annotated[int, Query(ge=1, le=10_000)], form: VerifiedForm
) -> Response:
    if _call_sid(form) is None:
        return _bad_call(request)
    services, runtime = request.app.state.services, runtime_for(request.app)
    return await _safely(request, lambda: gather.gather_turn(services, runtime, form, turn))


@router.post("/twilio/stream-ended", summary="The media stream of a call ended (<Connect action>)")
async def stream_ended(request: Request, form: VerifiedForm) -> Response:
    if _call_sid(form) is None:
        return _bad_call(request)
    return await _safely(request, lambda: phone.stream_ended(request.app.state.services, form))


@router.post("/twilio/whisper", summary="What the agent hears before a transfer connects")
async def whisper(
    request: Request,
    call: CallQuery,
    form: VerifiedForm,
) -> Response:
    return await _safely(request, lambda: phone.whisper(request.app.state.services, form, call))


@router.post("/twilio/dial-status", summary="How a transfer's dial ended (<Dial action>)")
async def dial_status(
    request: Request,
    call: CallQuery,
    form: VerifiedForm,
) -> Response:
    return await _safely(request, lambda: phone.dial_status(request.app.state.services, form, call))


@router.post("/twilio/callback", summary="The caller's answer to a callback offer")
async def callback(
    request: Request,
    call: CallQuery,
    form: VerifiedForm,
) -> Response:
    return await _safely(request, lambda: phone.callback(request.app.state.services, form, call))


@router.post("/twilio/status", summary="Call status callback")
async def status(request: Request, form: VerifiedForm) -> Response:
    if _call_sid(form) is None:
        return _bad_call(request)
    return await _safely(request, lambda: phone.call_status(request.app.state.services, form))


@router.post("/twilio/sms", summary="Incoming SMS or WhatsApp message")
async def text_message(request: Request, form: VerifiedForm) -> Response:
    services, runtime = request.app.state.services, runtime_for(request.app)
    return await _safely(request, lambda: sms.text_turn(services, runtime, form), sms_reply=True)


@router.websocket("/twilio/media")
async def media(websocket: WebSocket) -> None:
    """Twilio Media Streams (``stream`` mode); the upgrade itself is signed."""
    services = websocket.app.state.services
    reason = refusal_reason(
        services.settings, websocket.url.path, websocket.url.query, None, websocket.headers,
        websocket=True,
    )  # fmt: skip
    if reason is not None:
        log.warning("twilio media stream refused: %s", reason, extra={"path": websocket.url.path})
        await websocket.close(code=1008)  # before accept: the upgrade is answered with 403
        return
    await websocket.accept()
    runtime = runtime_for(websocket.app)
    options: Any = getattr(websocket.app.state, "voice_options", None)
    stream = MediaStream(websocket, services, runtime, options)
    runtime.streams.add(stream)
    try:
        await stream.run()
    finally:
        runtime.streams.discard(stream)
