"""What the endpointer tells its listener: speech started, paused, resumed, ended.

The events are the endpointer's whole contract with the rest of the voice
layer, so they live apart from the state machine that produces them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from hark.voice.audio.codecs import int16_to_float32

ASR_RATE: Final = 16000
"""Rate of the utterance audio in events (what Whisper wants)."""


class VadEventType(enum.StrEnum):
    SPEECH_START = "speech_start"
    """``start_ms`` of consecutive voiced audio: the caller is talking (barge-in trigger)."""
    FIRST_SILENCE = "first_silence"
    """First pause after speech; ``audio`` is the utterance so far (start ASR early)."""
    SPEECH_RESUMED = "speech_resumed"
    """The caller went on after a ``FIRST_SILENCE``: discard the early ASR result."""
    SPEECH_END = "speech_end"
    """``hangover_ms`` of silence: the utterance is over; ``audio`` is final."""
    SPEECH_DISCARDED = "speech_discarded"
    """The burst that raised ``SPEECH_START`` was shorter than ``min_speech_ms``: ignore it."""


@dataclass(frozen=True, eq=False)
class VadEvent:
    """One endpointer decision. Times are seconds of stream time.

    ``time_s`` is when the decision became possible (end of the deciding
    frame); ``speech_start_s`` the start of the first frame of the voiced run
    that started the utterance; ``speech_end_s`` the end of its last voiced
    frame (``None`` for ``SPEECH_START``/``SPEECH_RESUMED``); with the energy
    end that is the end of the last frame above the background level.
    ``audio`` is the 16 kHz ``int16`` utterance for ``FIRST_SILENCE`` and
    ``SPEECH_END`` (else ``None``), from ``audio_start_s`` (onset minus
    pre-roll) to ``audio_end_s`` (``speech_end_s`` plus any energy tail).
    ``utterance`` numbers utterances from 1 within a stream; ``truncated``
    marks a ``SPEECH_END`` forced by ``max_utterance_s``.
    """

    type: VadEventType
    time_s: float
    utterance: int
    speech_start_s: float
    speech_end_s: float | None = None
    audio: np.ndarray | None = field(default=None, repr=False)
    audio_start_s: float | None = None
    truncated: bool = False
    audio_end_s: float | None = None

    @property
    def audio_f32(self) -> np.ndarray | None:
        """The utterance as float32 in [-1, 1) at 16 kHz, ready for ``Transcriber``."""
        return None if self.audio is None else int16_to_float32(self.audio)

    @property
    def endpoint_lag_s(self) -> float | None:
        """How long after the speech end this decision came (``SPEECH_END``: the hangover)."""
        return None if self.speech_end_s is None else self.time_s - self.speech_end_s
