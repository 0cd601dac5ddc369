"""Is there an echo path at all? A loudspeaker feeds the reply back; a headset or a
handset mostly does not.

Why it matters: WebRTC's AEC3 assumes an echo until its filter has learnt one,
and with no echo to learn it keeps suppressing whatever the caller says while
Hark talks (measured: a barge-in 15-30 dB quieter, for seconds). So the
canceller's output is used only where there is echo to cancel. This module
decides that from the audio itself: over the last second, the caller's raw
audio is cross-correlated with the reply reference at lags 0-400 ms, half a
second at a time, with PHAT weighting (the spectrum whitened, so the voice's
pitch cannot smear the peak). Echo through a 0.3 s synthetic room peaks at
0.07-0.18 at exactly its delay, window after window; a caller's own voice
peaks up to 0.11 too, but at a different lag each time. ``PathState`` starts
``UNKNOWN`` (the canceller's output is used, the safe side for the first
reply), becomes ``PRESENT`` when two windows correlate at the same lag (echo
comes back at a fixed delay; a chance match between voices peaks anywhere), and
``ABSENT`` after ``ABSENT_AFTER`` windows with the reply playing that do not
(or that bring nothing back at all: a headset);
an absent path that starts to correlate (a phone put on speaker) becomes
present again.
"""

from __future__ import annotations

import enum
from typing import Final

import numpy as np

WINDOW_S: Final = 0.5  # audio judged at once (longer than the largest lag)
MAX_LAG_S: Final = 0.4
COUPLED: Final = 0.045  # PHAT peak (whitened correlation) that may be echo
ABSENT_AFTER: Final = 2  # loud-reference windows without correlation that mean no echo path
FAR_RMS: Final = 300.0  # int16 RMS of a reference window that is really playing (-41 dBFS)
LAG_AGREE_S: Final = 0.001  # two windows' echo delays agree within this
NEAR_RMS: Final = 20.0  # a caller window quieter than this heard no echo (-64 dBFS)


class PathState(enum.StrEnum):
    UNKNOWN = "unknown"
    PRESENT = "present"
    ABSENT = "absent"


class EchoPath:
    """Accumulates (near, far) audio and judges the echo path once per window."""

    def __init__(self, sample_rate: int) -> None:
        self.rate = sample_rate
        self.size = int(WINDOW_S * sample_rate)
        self.lag = int(MAX_LAG_S * sample_rate)
        self.state = PathState.UNKNOWN
        self._near: list[np.ndarray] = []
        self._far: list[np.ndarray] = []
        self._filled = 0
        self._misses = 0
        self._lag: int | None = None  # the lag of the last correlating window
        self.last_correlation = 0.0

    def add(self, near: np.ndarray, far: np.ndarray) -> None:
        """Equal-length spans of the caller's raw audio and the reference under it."""
        self._near.append(near)
        self._far.append(far)
        self._filled += near.size
        if self._filled >= self.size:
            self._judge(np.concatenate(self._near), np.concatenate(self._far))
            self._near, self._far, self._filled = [], [], 0

    def _judge(self, near: np.ndarray, far: np.ndarray) -> None:
        x = near.astype(np.float64)
        y = far.astype(np.float64)
        if np.sqrt(np.mean(y**2)) < FAR_RMS:
            return  # no reply playing: no evidence either way
        if np.sqrt(np.mean(x**2)) < NEAR_RMS:
            self.last_correlation = 0.0
            self._miss()  # the reply plays and nothing comes back
            return
        n = 1 << int(np.ceil(np.log2(x.size + y.size)))
        cross = np.fft.rfft(x, n) * np.conj(np.fft.rfft(y, n))
        cross /= np.maximum(np.abs(cross), 1e-9)  # PHAT: whiten, so the pitch cannot smear the peak
        corr = np.fft.irfft(cross, n)[: self.lag + 1]  # near lagging far by 0..lag
        peak = int(np.argmax(corr))
        self.last_correlation = float(corr[peak])
        if self.last_correlation >= COUPLED:
            # Echo comes back at the same delay every time; a chance match between two
            # voices peaks anywhere. Two windows agreeing on the lag make a path.
            if self._lag is not None and abs(peak - self._lag) <= self.rate * LAG_AGREE_S:
                self.state = PathState.PRESENT
                self._misses = 0
            self._lag = peak
        else:
            self._miss()

    def _miss(self) -> None:
        if self.state is PathState.PRESENT:
            return
        self._misses += 1
        if self._misses >= ABSENT_AFTER:
            self.state = PathState.ABSENT


DT_MARGIN_DB: Final = 3.0  # louder than the echo explains by this much: someone is talking
ERL_MIN_DB: Final = 0.0
ERL_MAX_DB: Final = 40.0


class DoubleTalk:
    """A Geigel double-talk detector with a learnt echo return loss.

    The loudest reply frame of the last ``span`` frames (the path delay) minus the
    echo return loss (how much quieter the echo arrives than the reply) is the
    loudest the echo can be; a caller frame above that by ``DT_MARGIN_DB`` holds
    someone's voice. The loss is learnt from frames with the reply playing: it is
    the typical (80th percentile, so a caller talking now and then does not drag
    it down) gap between the reply's peak and the caller's audio.
    """

    def __init__(self, span: int) -> None:
        self._far: list[float] = []
        self._span = max(1, span)
        self._gaps: list[float] = []
        self.erl_db = 6.0  # until measured: a loudspeaker next to the microphone

    def far(self, level_db: float) -> None:
        self._far.append(level_db)
        if len(self._far) > self._span:
            del self._far[0]

    def double_talk(self, near_db: float) -> bool:
        peak = max(self._far, default=-120.0)
        if peak > -50.0:
            self._gaps.append(peak - near_db)
            if len(self._gaps) > 400:  # the last 4 s of 10 ms frames
                del self._gaps[0]
            if len(self._gaps) >= 50:
                erl = float(np.percentile(self._gaps, 80))
                self.erl_db = min(max(erl, ERL_MIN_DB), ERL_MAX_DB)
        return near_db > peak - self.erl_db + DT_MARGIN_DB
