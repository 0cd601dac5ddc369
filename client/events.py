"""The voice socket's server events (``docs/voice-protocol.md``, protocol v1), typed.

Every JSON text frame becomes one of the event classes below, chosen by its
``type``; a binary frame becomes an :class:`AudioFrame`. An event type this
client does not know (a newer server) arrives as :class:`UnknownEvent`
rather than an error, as the protocol asks of clients.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from hark.client.models import Card, Cart


class _Event(BaseModel):
    model_config = ConfigDict(extra="allow")


class Ready(_Event):
    """After ``start``: ``session_id`` is the conversation id (as in the HTTP API)."""

    type: Literal["ready"] = "ready"
    session_id: str
    output_sample_rate: int
    output_encoding: str = "pcm_s16le"
    resume_token: str | None = None  # ticket sockets: pass to ``start(resume=...)`` after a reload


class SpeechStarted(_Event):
    type: Literal["speech_started"] = "speech_started"


class SpeechStopped(_Event):
    type: Literal["speech_stopped"] = "speech_stopped"


class TranscriptEvent(_Event):
    """``final`` is what the turn answers; an empty final means nothing was understood."""

    type: Literal["transcript"] = "transcript"
    text: str
    final: bool


class Reply(_Event):
    """Hark's answer; ``end`` means the server closes the socket after its audio."""

    type: Literal["reply"] = "reply"
    text: str
    ssml: str
    intent: str
    cards: list[Card] = []
    handoff: bool = False
    cart: Cart | None = None
    end: bool = False


class HandoffEvent(_Event):
    """Connect the caller to a person and give them ``summary``."""

    type: Literal["handoff"] = "handoff"
    summary: Any = None


class AudioStart(_Event):
    type: Literal["audio_start"] = "audio_start"
    sample_rate: int
    encoding: str = "pcm_s16le"


class AudioEnd(_Event):
    type: Literal["audio_end"] = "audio_end"


class Interrupted(_Event):
    """The caller barged in: stop playback and drop everything buffered."""

    type: Literal["interrupted"] = "interrupted"


class TurnMetrics(_Event):
    """Stage times of one turn in milliseconds (``None`` where a stage did not run)."""

    type: Literal["turn_metrics"] = "turn_metrics"
    endpoint_ms: float | None = None
    asr_ms: float | None = None
    dialogue_ms: float | None = None
    first_audio_ms: float | None = None
    total_ms: float | None = None
    speculative: bool = False


class ErrorEvent(_Event):
    """Something was wrong; ``code`` is one of the protocol's error codes."""

    type: Literal["error"] = "error"
    code: str
    message: str


class UnknownEvent(_Event):
    """An event type this client version does not know; its fields are kept."""

    type: str


@dataclass(frozen=True)
class AudioFrame:
    """Reply audio: ``pcm_s16le`` mono at the ``audio_start`` event's ``sample_rate``."""

    data: bytes

    @property
    def type(self) -> str:
        return "audio"


KnownEvent = (
    Ready
    | SpeechStarted
    | SpeechStopped
    | TranscriptEvent
    | Reply
    | HandoffEvent
    | AudioStart
    | AudioEnd
    | Interrupted
    | TurnMetrics
    | ErrorEvent
)
ServerEvent = KnownEvent | UnknownEvent
"""Any JSON event the server sends."""

EVENT_TYPES: tuple[str, ...] = (
    "ready",
    "speech_started",
    "speech_stopped",
    "transcript",
    "reply",
    "handoff",
    "audio_start",
    "audio_end",
    "interrupted",
    "turn_metrics",
    "error",
)
_ADAPTER: TypeAdapter[KnownEvent] = TypeAdapter(Annotated[KnownEvent, Field(discriminator="type")])


def parse_event(text: str) -> ServerEvent:
    """One text frame as a typed event (:class:`UnknownEvent` for a type not listed)."""
    data = json.loads(text)
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ValueError("a voice event must be a JSON object with a string 'type'")
    if data["type"] not in EVENT_TYPES:
        return UnknownEvent.model_validate(data)
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise ValueError(f"malformed {data['type']!r} event: {exc.error_count()} error(s)") from exc
