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
