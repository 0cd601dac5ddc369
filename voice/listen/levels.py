"""Loudness of audio frames, and the background level under a caller's speech.

The endpointer ends an utterance where the caller's level falls back to the
background (webrtcvad's own end lags by ~60-120 ms); these are the two
measurements that needs.
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

SILENT_DB: Final = -120.0
"""Level given to digital silence (log of zero), far below any real background."""
FLOOR_RISE_DB_PER_S: Final = 3.0
"""How fast the floor may rise: slow enough that speech webrtcvad calls unvoiced
cannot drag it up within an utterance."""


def dbfs(frame: np.ndarray) -> float:
    """RMS level of an ``int16`` frame in dB relative to full scale."""
    samples = frame.astype(np.float64)
    power = float(np.dot(samples, samples)) / max(samples.size, 1)
    return max(SILENT_DB, 10.0 * math.log10(power / 32768.0**2)) if power > 0 else SILENT_DB


class NoiseFloor:
    """The background level, fed only frames known not to be speech.

    It follows a drop at once and a rise slowly, so it errs low; a low floor
    just means the endpointer falls back to webrtcvad's own end.
    """

    def __init__(self, frame_s: float) -> None:
        self._rise_db = FLOOR_RISE_DB_PER_S * frame_s
        self.db: float | None = None

    def reset(self) -> None:
        self.db = None

    def update(self, level: float) -> None:
        if self.db is None or level < self.db:
            self.db = level
        else:
            self.db = min(level, self.db + self._rise_db)


AMBIENT_WINDOW_S: Final = 2.0
AMBIENT_BLOCKS: Final = 4
DIGITAL_SILENCE_DB: Final = -90.0
"""Frames quieter than this are digital silence (a primed or muted stream), not a room."""


class AmbientFloor:
    """The background level from *every* frame: the quietest over the last ``AMBIENT_WINDOW_S``.

    ``NoiseFloor`` learns only from frames webrtcvad calls unvoiced, and in shop
    noise or babble webrtcvad calls nearly every frame voiced, so it never
    learnt anything: noise started false turns and kept them open until the
    28 s cap, again and again. The minimum over a couple of seconds (minimum
    statistics, kept as the minima of ``AMBIENT_BLOCKS`` blocks) sits at the
    noise's own level in steady noise and at its quiet moments in babble,
    and speech never lasts long enough without a pause to raise it.

    Digital silence counts as background here (a stream primed with zeros
    holds the floor low for up to ``AMBIENT_WINDOW_S``): ignoring it left the
    floor to be learnt from the caller's own speech on clean streams, whose
    quiet moments then ended turns mid-sentence.
    """

    def __init__(self, frame_s: float) -> None:
        self._block_frames = max(1, round(AMBIENT_WINDOW_S / AMBIENT_BLOCKS / frame_s))
        self.reset()

    def reset(self) -> None:
        self._blocks: list[float] = []
        self._current = float("inf")
        self._count = 0
        self.db: float | None = None

    def update(self, level: float) -> None:
        self._current = min(self._current, level)
        self._count += 1
        if self._count >= self._block_frames:
            self._blocks = [*self._blocks[-(AMBIENT_BLOCKS - 1) :], self._current]
            self._current, self._count = float("inf"), 0
            self.db = min(self._blocks)
