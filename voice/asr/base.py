"""The speech-recognition interface every ASR engine (and test double) implements.

The voice session only ever sees ``Transcriber``: it hands over one finished
utterance (16 kHz mono float32, what the endpointer emits as
``VadEvent.audio_f32``) and gets a ``Transcript`` back. Keeping the contract
this small is what lets tests swap in a scripted transcriber and lets another
engine replace faster-whisper without touching the session.

``transcribe`` is synchronous and CPU-bound (hundreds of milliseconds for a
real model): async callers must run it off the event loop
(``await asyncio.to_thread(transcriber.transcribe, audio)``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

ASR_SAMPLE_RATE = 16000
"""The only rate ``Transcriber.transcribe`` accepts."""


@dataclass(frozen=True)
class Segment:
    """A piece of the transcript with its position in the utterance (seconds)."""

    start_s: float
    end_s: float
    text: str
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0


@dataclass(frozen=True)
class Transcript:
    """What was said in one utterance.

    ``text`` is stripped and whitespace-normalised ("" when nothing was
    recognised); ``language`` is the ISO code used or detected;
    ``duration_s`` the audio length; ``elapsed_s`` how long recognition took
    (wall clock, for stage timings); ``cpu_s`` the CPU seconds it used, its
    engine's compute threads included (0 when the engine does not say;
    ``hark.voice.cpu``).
    """

    text: str
    language: str | None
    duration_s: float
    segments: tuple[Segment, ...] = field(default_factory=tuple)
    elapsed_s: float = 0.0
    cpu_s: float = 0.0

    @property
    def empty(self) -> bool:
        return not self.text


@runtime_checkable
class Transcriber(Protocol):
    """Anything that turns a 16 kHz utterance into a ``Transcript``."""

    def transcribe(self, audio_16k_float32: np.ndarray) -> Transcript:
        """Recognise one utterance: mono float32 in [-1, 1] at 16 kHz.

        Engines also accept ``int16`` (converted) and return an empty
        ``Transcript`` for empty audio. Must be safe to call from a worker
        thread while other threads call it too (see each engine's notes).
        """
        ...

    def set_vocabulary(self, names: Iterable[str]) -> None:
        """Words to favour (the shop's product names); engines that cannot bias may ignore it."""
        ...


@runtime_checkable
class BackgroundCapable(Protocol):
    """An engine that can run work nobody is waiting for (partial transcripts) on a
    twin that never delays its own calls (``hark.voice.asr.background``)."""

    @property
    def background_possible(self) -> bool:
        """A twin exists or is being built (False: the host cannot lower priorities)."""
        ...

    def background(self) -> Transcriber | None:
        """The twin, or ``None`` while it is still loading (the first call starts that)."""
        ...

    def background_idle(self) -> bool:
        """No call is running on the twin (for any stream of the process)."""
        ...


def normalise_text(parts: Iterable[str]) -> str:
    """Join segment texts into one line with single spaces."""
    return " ".join(" ".join(parts).split())


def check_audio(audio: np.ndarray) -> np.ndarray:
    """Validate and convert ASR input to 1-D float32 in [-1, 1].

    Rejecting the wrong shape or dtype here (stereo, 2-D batches, int32)
    gives the caller a clear ``AudioFormatError`` (a ``ValueError``) instead
    of a confusing error deep in the model; NaN becomes 0 and peaks are
    clipped, so one bad sample cannot derail the feature extractor.
    """
    from hark.voice.audio.codecs import as_float32

    return np.clip(as_float32(audio), -1.0, 1.0)
