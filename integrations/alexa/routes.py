"""``POST /alexa``: the custom-skill web service endpoint.

Order of work: read the raw bytes (the signature covers exactly those),
verify the signature, parse, verify timestamp and skill id, then act.
Every rejection is the same bare 400 so a prober learns nothing; the log
line says precisely why. Whatever goes wrong after verification, Alexa gets
a well-formed spoken apology, never a 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hark.integrations.alexa.envelope import Envelope
from hark.integrations.alexa.progressive import DirectiveClient, HttpDirectiveClient
from hark.integrations.alexa.response import speech_response, text_ssml
from hark.integrations.alexa.skill import AlexaRuntime, AlexaSkill
from hark.integrations.alexa.verify import (
    AlexaVerifier,
    Fetcher,
    VerificationError,
    load_trust_roots,
    log_verification_settings,
)

log = logging.getLogger("hark.alexa")

MAX_BODY_BYTES = 128 * 1024
BAD_REQUEST = {"error": "bad request"}
SORRY = "Sorry, something went wrong on my side. Please try again in a moment."


def _settings(app: FastAPI) -> Any:
    services = getattr(app.state, "services", None)
    return services.settings if services is not None else app.state.settings


def configure_alexa(
    app: FastAPI,
    *,
    verify: bool | None = None,
    skill_id: str | None = None,
    fetcher: Fetcher | None = None,
    trust_roots: list | None = None,
    directive_client: DirectiveClient | None = None,
    progressive_after_s: float | None = None,
) -> AlexaRuntime:
    """Build (or rebuild) the endpoint's runtime on ``app``; unset arguments come from settings.

    Production never needs to call this (the first request builds it from
    settings); tests call it to inject their CA, fetcher and directive client.
    """
    settings = _settings(app)
    verify = settings.alexa_verify if verify is None else verify
    skill_id = skill_id if skill_id is not None else settings.alexa_skill_id
    if trust_roots is None and settings.alexa_trust_roots is not None:
        trust_roots = load_trust_roots(settings.alexa_trust_roots)
    verifier = AlexaVerifier(skill_id, fetcher=fetcher, trust_roots=trust_roots) if verify else None
    runtime = AlexaRuntime(
        verifier=verifier,
        directive_client=directive_client or HttpDirectiveClient(),
        progressive_after_s=(
            settings.alexa_progressive_after_s
            if progressive_after_s is None
            else progressive_after_s
        ),
    )
    app.state.alexa = runtime
    return runtime


def runtime_for(app: FastAPI) -> AlexaRuntime:
    runtime = getattr(app.state, "alexa", None)
    return runtime if runtime is not None else configure_alexa(app)


def announce_verification(app: FastAPI) -> None:
    """Log the verification warnings once per app (start-up hook; safe to call again)."""
    if getattr(app.state, "alexa_announced", False):
        return
    app.state.alexa_announced = True
    settings = _settings(app)
    log_verification_settings(settings.alexa_verify, settings.alexa_skill_id)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    announce_verification(app)
    yield


router = APIRouter(lifespan=_lifespan, tags=["alexa"])


class AlexaResponseBody(BaseModel):
    """What the skill answers Alexa (Alexa's custom-skill response format), for the docs."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": "1.0",
                    "response": {
                        "outputSpeech": {"type": "SSML", "ssml": "<speak>Hi, ...</speak>"},
                        "shouldEndSession": False,
                    },
                    "sessionAttributes": {"conversationId": "56e1a8a1b4c2443e86cc199f80412cc3"},
                }
            ]
        }
    )
    version: str
    response: dict[str, Any] = Field(description="outputSpeech, card, reprompt, shouldEndSession.")
    sessionAttributes: dict[str, Any] | None = None


def _bad_request(reason: str, **extra: Any) -> JSONResponse:
    log.warning("alexa request rejected: %s", reason, extra=extra or None)
    return JSONResponse(BAD_REQUEST, status_code=400)


async def _read_body(request: Request) -> bytes | None:
    """The raw body, or ``None`` as soon as it passes the limit (never buffer a flood)."""
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_BODY_BYTES:
            return None
    return bytes(data)


@router.post(
    "/alexa",
    summary="Alexa custom skill endpoint",
    response_model=None,
    responses={
        200: {"model": AlexaResponseBody},
        400: {"description": "Not a valid, signed Alexa request"},
    },
)
async def alexa_endpoint(request: Request) -> JSONResponse:
    runtime = runtime_for(request.app)
    body = await _read_body(request)
    if body is None:
        return _bad_request(f"body is over {MAX_BODY_BYTES} bytes")
    verifier = runtime.verifier
    if verifier is not None:
        try:
            await asyncio.to_thread(
                verifier.verify_signature,
                request.headers.get("SignatureCertChainUrl"),
                request.headers.get("Signature-256"),
                body,
            )
        except VerificationError as exc:
            return _bad_request(str(exc))
    try:
        raw = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _bad_request(f"body is not JSON: {exc}")
    if not isinstance(raw, dict):
        return _bad_request("body is not a JSON object")
    if verifier is not None:
        try:
            verifier.verify_envelope(raw)
        except VerificationError as exc:
            return _bad_request(str(exc))
    try:
        envelope = Envelope.model_validate(raw)
    except ValidationError as exc:
        return _bad_request(f"envelope shape: {exc.error_count()} error(s)")
    try:
        services = request.app.state.services
        result = await AlexaSkill(services.dialogue, services.settings, runtime).handle(envelope)
    except Exception:
        log.exception("alexa request failed", extra={"alexa_type": envelope.request.type[:80]})
        result = speech_response(text_ssml(SORRY), end=True)
    return JSONResponse(result)
