"""Stage timings of one voice turn: what the caller waits for, split by stage.

A voice-to-voice delay is only fixable when it is broken down, so every turn
records the same five numbers (milliseconds), logs them as one structured
line and sends them to the client as the ``turn_metrics`` event:

* ``endpoint_ms``: end-of-speech detection, from the end of the caller's last
  voiced audio to the endpointer's decision (the hangover plus webrtcvad's
  own lag, plus any delay before the server processed that audio).
* ``asr_ms``: from that decision to the final transcript. ASR starts at the
  first silent frame, so this is only the part the hangover did not hide.
* ``dialogue_ms``: the brain's ``DialogueManager.turn``.
* ``first_audio_ms``: from the end-of-speech decision (or the typed text's
  arrival) to the first reply audio byte handed to the socket.
* ``total_ms``: what the caller experiences: end of their speech to the first
  reply audio byte (``endpoint_ms + first_audio_ms``); without audio, to the
  ``reply`` event.

* ``speculative``: the reply was computed, and its first audio prepared,
  during the end-of-speech hangover and committed unchanged when the end
  was confirmed (``hark.voice.turn.speculation``); ``dialogue_ms`` is then the
  commit. The five times keep their meaning either way.

Stages that did not run are ``None`` (typed text has no endpoint or ASR;
without a speech synthesizer there is no first audio). ``asr_compute_ms``
(the whole recognition, hidden or not) is logged and stored but is not part
of the wire event, whose field names are fixed by protocol v1.
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from hark.voice.protocol import TurnMetricsEvent

log = logging.getLogger("hark.voice.metrics")


class TurnKind(enum.StrEnum):
    """Where a turn's words come from."""

    VOICE = "voice"  # the caller spoke
    TEXT = "text"  # a ``text`` message
    GREETING = "greeting"  # Hark opens the conversation


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000.0, 1)


@dataclass
class TurnTimer:
    """Timestamps of one turn on the ``time.perf_counter`` clock.

    ``decided_at`` is the end-of-speech decision (voice) or the arrival of
    the typed text; ``endpoint_s`` how far the caller's speech end lies
    before it (voice only).
    """

    kind: TurnKind  # a greeting is timed as text
    decided_at: float = field(default_factory=time.perf_counter)
    endpoint_s: float | None = None
    asr_done_at: float | None = None
    asr_compute_s: float | None = None
    dialogue_started_at: float | None = None
    dialogue_done_at: float | None = None
    first_audio_at: float | None = None
    reply_sent_at: float | None = None
    speculative: bool = False

    def mark(self, stage: str) -> None:
        """Record ``<stage>_at`` = now (``asr_done``, ``dialogue_started``, ...)."""
        setattr(self, f"{stage}_at", time.perf_counter())

    @property
    def asr_s(self) -> float | None:
        if self.kind is not TurnKind.VOICE or self.asr_done_at is None:
            return None
        return self.asr_done_at - self.decided_at

    @property
    def dialogue_s(self) -> float | None:
        if self.dialogue_started_at is None or self.dialogue_done_at is None:
            return None
        return self.dialogue_done_at - self.dialogue_started_at

    @property
    def first_audio_s(self) -> float | None:
        return None if self.first_audio_at is None else self.first_audio_at - self.decided_at

    @property
    def total_s(self) -> float | None:
        end = self.first_audio_at or self.reply_sent_at
        if end is None:
            return None
        return (self.endpoint_s or 0.0) + (end - self.decided_at)

    def as_dict(self) -> dict[str, Any]:
        """The wire fields plus ``asr_compute_ms`` and ``kind`` (for logs and storage)."""
        return {
            "endpoint_ms": _ms(self.endpoint_s),
            "asr_ms": _ms(self.asr_s),
            "dialogue_ms": _ms(self.dialogue_s),
            "first_audio_ms": _ms(self.first_audio_s),
            "total_ms": _ms(self.total_s),
            "speculative": self.speculative,
            "asr_compute_ms": _ms(self.asr_compute_s),
            "kind": self.kind,
        }

    def known(self) -> dict[str, Any]:
        """The stages measured so far, without the empty ones (what the brain stores with the user turn)."""
        return {key: value for key, value in self.as_dict().items() if value is not None}

    def event(self) -> TurnMetricsEvent:
        data = self.as_dict()
        return TurnMetricsEvent(
            endpoint_ms=data["endpoint_ms"],
            asr_ms=data["asr_ms"],
            dialogue_ms=data["dialogue_ms"],
            first_audio_ms=data["first_audio_ms"],
            total_ms=data["total_ms"],
            speculative=data["speculative"],
        )

    def log(self, **extra: Any) -> None:
        """One structured line per turn (conversation id comes from ``log_context``)."""
        data = self.as_dict()
        log.info(
            "voice turn: endpoint %s ms, asr %s ms, dialogue %s ms, first audio %s ms, "
            "total %s ms, speculative %s",
            data["endpoint_ms"],
            data["asr_ms"],
            data["dialogue_ms"],
            data["first_audio_ms"],
            data["total_ms"],
            data["speculative"],
            extra={"turn_metrics": data, **extra},
        )
