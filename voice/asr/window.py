"""A Whisper encoder window sized to the utterance instead of a fixed 30 seconds.

Whisper's encoder always reads 30 s of features; a 3 s caller line is padded
with 27 s of nothing, and on a CPU the encoder is most of a recognition's
cost (Whisper base, 2 cores: ~700 ms for a 1-5 s line with the full window).
Its cost grows faster than the window (attention is quadratic and the
working set leaves the cache), so a 15 s window costs a fraction of the
30 s one: the same lines take ~280 ms.

How short a window can be is a question of accuracy, not speed. The model
was trained on 30 s windows; with much less padding its decoder loses track
of where the speech ends and repeats the line ("Do you cut keys? Do you cut
keys?"). Measured on 162 spoken lines (piper and espeak-ng voices, clean
and phone-band with noise; ``bench/asr_window.py``): the word error rate at
15 s and 10 s is that of the full window, at 8 s the first repetitions
appear, at 6 s and below they are common. Hence the default of 15 s and a
lower bound of 5 s, and the window always leaves at least ``MARGIN_S`` of
padding after the speech.

faster-whisper pads every window's features with zeros to 3,000 frames
before calling ``WhisperModel.encode``; cutting that padded array to fewer
frames is "pad to fewer frames", so the override below is the whole
mechanism. CTranslate2's encoder and decoder accept any length up to 3,000.
In a short window the padding is also made what OpenAI's Whisper gives its
encoder after the speech, and what the model saw in training: the log-mel
of digital silence, which the log-mel's clamp (8 below the loudest value)
turns into the features' floor. faster-whisper's zeros are a steady noise
well above that floor; with 27 s of them the model copes, but in a short
window they cost words ("card number" heard as "car number").
The window is per call (a thread-local, set around one ``transcribe``),
because one model serves several conversations' threads at once.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

import hark.voice.asr.openmp  # noqa: F401  (before CTranslate2 loads: its threads sleep)

# isort: split
from faster_whisper import WhisperModel

FULL_WINDOW_S = 30.0
FRAMES_PER_S = 100  # Whisper's mel hop: 160 samples at 16 kHz
MARGIN_S = 2.0
"""Padding kept after the speech: the model needs some silence to see the end."""


def window_frames(duration_s: float, window_s: float) -> int | None:
    """Encoder frames for an utterance of ``duration_s``; ``None``: the full window.

    Audio longer than the full window is cut into 30 s windows by
    faster-whisper itself; those keep the full window.
    """
    wanted = max(window_s, duration_s + MARGIN_S)
    if wanted >= FULL_WINDOW_S:
        return None
    return math.ceil(wanted * FRAMES_PER_S)


def silence_padded(features: np.ndarray) -> np.ndarray:
    """``features`` with the all-zero frames after the speech set to the features' floor.

    The floor is the smallest value among the frames before the padding: the
    clamp's bound, which is what digital silence turns into (module docstring).
    """
    padded = np.array(features, dtype=np.float32, copy=True, order="C")
    carrying = np.flatnonzero(np.any(padded != 0, axis=-2).reshape(-1))
    if carrying.size:
        end = int(carrying[-1]) + 1
        padded[..., end:] = padded[..., :end].min()
    return padded


class WindowedWhisperModel(WhisperModel):
    """``faster_whisper.WhisperModel`` whose encoder reads only the call's window."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._window = threading.local()
        self.encoded_frames: list[int] = []
        """Frame counts of the last encoder calls (kept short; for tests and logs)."""

    @contextmanager
    def window(self, frames: int | None) -> Iterator[None]:
        """Use ``frames`` encoder frames for the calls made in this thread meanwhile."""
        previous = getattr(self._window, "frames", None)
        self._window.frames = frames
        try:
            yield
        finally:
            self._window.frames = previous

    def encode(self, features: np.ndarray) -> Any:
        frames = getattr(self._window, "frames", None)
        if frames is not None and features.shape[-1] > frames:
            features = silence_padded(features[..., :frames])
        self.encoded_frames = [*self.encoded_frames[-7:], int(features.shape[-1])]
        return super().encode(features)
