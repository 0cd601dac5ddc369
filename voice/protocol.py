"""The ``/v1/voice`` WebSocket protocol, version 1, as pydantic models.

The names here are a public contract (``docs/voice-protocol.md``): any client
(kiosk page, phone bridge, test script) relies on them, so they are spelled
once, in one place, and both the server and the tests build messages from
these models instead of hand-written dicts.

Client messages are parsed with ``parse_client_message``, which turns every
way a text frame can be wrong into a ``ProtocolError`` carrying the ``error``
event's ``code``; the caller sends that event and keeps the connection open.
"""

from __future__ import annotations

import enum
import json
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from hark.skills.reply import Reply

PROTOCOL_VERSION: Final = 1
SAMPLE_RATES: Final[tuple[int, ...]] = (8000, 16000, 24000, 48000)
INPUT_ENCODINGS: Final[tuple[str, ...]] = ("pcm_s16le", "mulaw")
OUTPUT_ENCODING: Final = "pcm_s16le"


class ErrorCode(enum.StrEnum):
    """Every ``error`` event's ``code``: a closed set, documented in docs/voice-protocol.md
    (a test keeps the two equal)."""

    BAD_JSON = "bad_json"
    UNKNOWN_TYPE = "unknown_type"
    BAD_MESSAGE = "bad_message"
    NOT_STARTED = "not_started"
    ALREADY_STARTED = "already_started"
    UNSUPPORTED_SAMPLE_RATE = "unsupported_sample_rate"
    UNSUPPORTED_ENCODING = "unsupported_encoding"
    UNKNOWN_CUSTOMER = "unknown_customer"
    FRAME_TOO_LARGE = "frame_too_large"
    ASR_UNAVAILABLE = "asr_unavailable"
    TTS_UNAVAILABLE = "tts_unavailable"
    TTS_FAILED = "tts_failed"
    CONVERSATION_NOT_FOUND = "conversation_not_found"
    INTERNAL_ERROR = "internal_error"
    SERVER_BUSY = "server_busy"
    RATE_LIMITED = "rate_limited"


class ProtocolError(Exception):
    """A client message the server cannot accept; becomes an ``error`` event."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def event(self) -> ErrorEvent:
        return ErrorEvent(code=self.code, message=self.message)


# --- client -> server ------------------------------------------------------------


class _ClientMessage(BaseModel):
    # Unknown fields are ignored so a newer client can add optional fields.
    model_config = ConfigDict(extra="ignore")


class StartMessage(_ClientMessage):
    """First message: declares the audio the client will send (and receive back)."""

    type: Literal["start"]
    sample_rate: int
    encoding: str
    customer_id: str | None = Field(None, max_length=200)
    resume: str | None = Field(None, max_length=1024)  # a `ready.resume_token` (web pages)
    echo_cancelled: bool = False  # the client's audio already went through a device canceller


class TextMessage(_ClientMessage):
    """Typed input, handled exactly like a final transcript."""

    type: Literal["text"]
    text: str = Field(min_length=1, max_length=4000)


class StopMessage(_ClientMessage):
    """End the conversation; the server closes the socket (code 1000)."""

    type: Literal["stop"]


ClientMessage = Annotated[StartMessage | TextMessage | StopMessage, Field(discriminator="type")]
_CLIENT_ADAPTER: TypeAdapter[StartMessage | TextMessage | StopMessage] = TypeAdapter(ClientMessage)
CLIENT_TYPES: Final[tuple[str, ...]] = ("start", "text", "stop")


def parse_client_message(raw: str) -> StartMessage | TextMessage | StopMessage:
    """Parse one text frame; raise ``ProtocolError`` (code ``bad_json``,
    ``unknown_type`` or ``bad_message``) for anything else.

    A ``start`` with an unsupported rate or encoding parses fine here; the
    session checks it with ``check_start`` so the error names the field.
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError(
            ErrorCode.BAD_JSON, f"text frames must be JSON objects: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ProtocolError(ErrorCode.BAD_JSON, "text frames must be JSON objects")
    kind = data.get("type")
    if kind not in CLIENT_TYPES:
        raise ProtocolError(
            ErrorCode.UNKNOWN_TYPE,
            f"unknown message type {kind!r}; expected one of: {', '.join(CLIENT_TYPES)}",
        )
    try:
        return _CLIENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'][1:]) or 'message'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ProtocolError(
            ErrorCode.BAD_MESSAGE, f"invalid {kind!r} message: {problems}"
        ) from None


def check_start(message: StartMessage) -> None:
    """Reject rates and encodings the pipeline does not take, naming what it does."""
    if message.encoding not in INPUT_ENCODINGS:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_ENCODING,
            f"encoding {message.encoding!r} is not supported; use one of: "
            f"{', '.join(INPUT_ENCODINGS)}",
        )
    if message.sample_rate not in SAMPLE_RATES:
        raise ProtocolError(
            ErrorCode.UNSUPPORTED_SAMPLE_RATE,
            f"sample_rate {message.sample_rate} is not supported; use one of: "
            f"{', '.join(str(r) for r in SAMPLE_RATES)}",
        )


# --- server -> client ------------------------------------------------------------


class ServerEvent(BaseModel):
    """Base of every JSON event the server sends; ``type`` names the event."""

    model_config = ConfigDict(extra="forbid")
    type: str

    def to_json(self) -> str:
        return self.model_dump_json()


class ReadyEvent(ServerEvent):
    type: Literal["ready"] = "ready"
    session_id: str
    output_sample_rate: int
    output_encoding: Literal["pcm_s16le"] = OUTPUT_ENCODING
    resume_token: str | None = None  # ticket sockets: send back in `start.resume` after a reload


class SpeechStartedEvent(ServerEvent):
    type: Literal["speech_started"] = "speech_started"


class SpeechStoppedEvent(ServerEvent):
    type: Literal["speech_stopped"] = "speech_stopped"


class TranscriptEvent(ServerEvent):
    type: Literal["transcript"] = "transcript"
    text: str
    final: bool


class ReplyEvent(ServerEvent):
    type: Literal["reply"] = "reply"
    text: str
    ssml: str
    intent: str
    cards: list[dict[str, Any]]
    handoff: bool
    # Added within v1 (clients ignore fields they do not know): the caller's open
    # cart after this turn, ``{"lines": [...], "total", "currency"}``, or null.
    cart: dict[str, Any] | None = None
    # Also added within v1: true when this reply ends the conversation (a goodbye); the
    # server closes the socket (1000) after its audio, and a screen can start over.
    end: bool = False


class AudioStartEvent(ServerEvent):
    type: Literal["audio_start"] = "audio_start"
    sample_rate: int
    encoding: Literal["pcm_s16le"] = OUTPUT_ENCODING


class AudioEndEvent(ServerEvent):
    type: Literal["audio_end"] = "audio_end"


class InterruptedEvent(ServerEvent):
    type: Literal["interrupted"] = "interrupted"


class HandoffEvent(ServerEvent):
    type: Literal["handoff"] = "handoff"
    summary: Any = None


class TurnMetricsEvent(ServerEvent):
    """Stage times of one turn in milliseconds; ``None`` where a stage did not run
    (no ASR for typed text, no audio when speech synthesis is off)."""

    type: Literal["turn_metrics"] = "turn_metrics"
    endpoint_ms: float | None
    asr_ms: float | None
    dialogue_ms: float | None
    first_audio_ms: float | None
    total_ms: float | None
    speculative: bool = False  # reply and first audio were made during the hangover


class ErrorEvent(ServerEvent):
    type: Literal["error"] = "error"
    code: ErrorCode
    message: str


def reply_event(reply: Reply) -> ReplyEvent:
    """The ``reply`` event for a ``hark.skills.reply.Reply``."""
    return ReplyEvent(
        text=reply.text,
        ssml=reply.ssml,
        intent=reply.intent,
        cards=[card.to_dict() for card in reply.cards],
        handoff=reply.handoff,
        cart=reply.cart.to_dict() if reply.cart is not None else None,
        end=reply.end,
    )
