"""Hearing only the caller: Hark's own reply cancelled out of the caller's audio, and
steady noise suppressed, before the endpointer and the recogniser.

Why on the server: a loudspeaker (speakerphone, kiosk, conference device) feeds
Hark's reply back into the microphone, and without a device canceller Hark
interrupted itself on 98 % of replies, down to echo 30 dB below its voice.
Hark knows exactly what it played and when (every frame goes through the
session, and the ``PlayoutClock`` says when the client plays it), so it is
the one place that has a perfect far-end reference.

The canceller is WebRTC's AEC3 (the ``pywebrtc-audio`` wheel). Measured
against speexdsp's canceller on the same synthetic room echo (60-250 ms path
delay, 6-20 dB quieter, 0.3 s reverb; docs/models.md), AEC3 removed 15-67 dB
in the *first second* where speexdsp had not yet converged (0-2 dB): the
greeting used to be cut 0.3 s into playback, so convergence speed is what
matters. AEC3 also estimates the path delay itself, which covers the 20-300 ms
that the playout model cannot know (network both ways, the device's buffers),
and suppresses residual echo. CPU: about 0.6 % of one core per 16 kHz stream.

On top, a double-talk check while Hark's voice is audible: a 10 ms frame is
taken as echo when the canceller made it more than ``ECHO_DOMINATED_DB``
quieter, or when it is no louder than the loudest recent reply frame minus the
echo path's measured loss (a Geigel detector with a learnt threshold,
``hark.voice.listen.echo_path.DoubleTalk``); what is left of it is attenuated by 30
dB, so residual echo cannot reach the endpointer while the filter adapts or
re-converges. A caller talking over Hark is louder than the echo explains,
so a real barge-in passes.

How the reference is aligned: ``far_end`` is told each reply frame and the
wall time it starts playing; that time is placed on the caller's own sample
timeline using the arrival time of the newest caller audio (a real-time
stream's samples arrive at real-time speed). ``process`` then hands AEC3 the
caller's audio with the reply samples of the same span. What is off by the
network and the room, AEC3's delay estimator finds.

``HARK_AEC`` chooses: ``on``, ``off``, or ``auto`` (on unless the client says
its audio is already echo-cancelled, e.g. a browser microphone with
``echoCancellation``). AEC3's output is used only where there is an echo
path to cancel (``hark.voice.listen.echo_path``): with none (a headset, a handset)
AEC3 keeps suppressing the caller's voice while Hark talks. ``HARK_NOISE_SUPPRESSION``
adds WebRTC's noise suppressor after it. When the wheel is missing the feature is off,
with one log line. Per stream state; not thread-safe (one per session).
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from typing import Any, Final

import numpy as np

from hark.voice.listen.echo_path import MAX_LAG_S as MAX_PATH_S
from hark.voice.listen.echo_path import DoubleTalk, EchoPath, PathState
from hark.voice.listen.levels import dbfs

log = logging.getLogger("hark.voice")

FRAME_S: Final = 0.01  # AEC3 works on 10 ms frames
ECHO_HOLD_S: Final = (
    0.6  # the far end counts as audible this long after its last loud frame (path delay + room)
)
FAR_AUDIBLE_DB: Final = -50.0  # reply frames quieter than this are silence between words
SNAP_S: Final = 0.06  # a frame this close after the previous one follows it without a gap
ECHO_DOMINATED_DB: Final = 7.0  # the canceller removed this much: the frame was mostly echo
RESIDUAL_GAIN: Final = 0.03  # what is left of such a frame (-30 dB)
PACKAGE: Final = "pywebrtc-audio"


@functools.cache
def _module() -> Any:
    try:
        import pywebrtc_audio
    except ImportError:
        return None  # the caller checks; ``Any`` because the wheel ships no usable types
    return pywebrtc_audio


def available() -> bool:
    """WebRTC's audio processing can be loaded here."""
    return _module() is not None


def missing_reason() -> str:
    return f"the {PACKAGE} package is not installed (pip install {PACKAGE})"


@functools.cache
def _warn_missing() -> None:
    log.warning("echo cancellation and noise suppression are off: %s", missing_reason())


def wanted(mode: str, *, client_cancels_echo: bool) -> bool:
    """Whether a stream gets the canceller under ``HARK_AEC`` (module docstring)."""
    return mode == "on" or (mode == "auto" and not client_cancels_echo)


class CallerAudio:
    """One stream's echo canceller and noise suppressor (module docstring)."""

    def __init__(
        self,
        sample_rate: int,
        *,
        echo: bool,
        noise: bool,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        module = _module()
        self.sample_rate = sample_rate
        self.echo = echo and module is not None
        self.noise = noise and module is not None
        self._clock = clock
        self._frame = int(sample_rate * FRAME_S)
        self._aec: Any = (
            module.AudioProcessor(sample_rate=sample_rate, echo_cancellation=True)
            if self.echo
            else None
        )
        self._ns: Any = (  # the pipeline class: it takes 8 kHz (a phone) and 24 kHz too
            module.AudioProcessor(sample_rate=sample_rate, noise_suppression=True, ns_level=1)
            if self.noise
            else None
        )
        if module is None and (echo or noise):
            _warn_missing()
        self.path = EchoPath(sample_rate)
        self._talk = DoubleTalk(int(MAX_PATH_S / FRAME_S))
        self._pending = np.zeros(0, dtype=np.int16)
        self._near_end = 0  # caller samples received so far
        self._near_at: float | None = None  # when the newest of them arrived
        self._far: list[tuple[int, np.ndarray]] = []  # (caller-timeline index, samples)
        self._far_next = 0  # caller-timeline index just after the last reference frame
        self._far_loud_until = -1  # caller-timeline index until which the far end is audible
        self.cpu_s = 0.0  # processing time spent (for the benchmark's per-stream figure)
        self.residual_frames = 0  # 10 ms frames suppressed as residual echo

    @property
    def active(self) -> bool:
        return self._aec is not None or self._ns is not None

    # ------------------------------------------------------------------ far end
    def far_end(self, samples: np.ndarray, play_at: float) -> None:
        """Reply samples (at the stream's rate) that start playing at ``play_at`` (clock)."""
        if not self.echo or samples.size == 0:
            return
        if self._near_at is None:
            # No caller audio yet: a client that sends nothing while Hark plays (it waits out
            # the greeting) cannot have this in its microphone, and where it would fall on
            # the caller's timeline is unknown. (Placed back to back from the first sample,
            # a finished greeting was taken for echo over the caller's first words.)
            return
        start = self._near_end + int(round((play_at - self._near_at) * self.sample_rate))
        if start < self._far_next + int(SNAP_S * self.sample_rate):
            # Back to back with the previous frame (the client's player does not leave
            # gaps while it has audio): arrival jitter must not tear the reference.
            start = self._far_next
        self._far_next = start + samples.size
        self._far.append((start, np.asarray(samples, dtype=np.int16)))
        if dbfs(samples) > FAR_AUDIBLE_DB:
            hold = int(ECHO_HOLD_S * self.sample_rate)
            self._far_loud_until = max(self._far_loud_until, start + samples.size + hold)

    def far_audible(self) -> bool:
        """Hark's voice is (or was just) playing at the caller's end: echo is possible."""
        return self._near_end < self._far_loud_until

    def _far_span(self, start: int, size: int) -> np.ndarray:
        out = np.zeros(size, dtype=np.int16)
        end = start + size
        keep: list[tuple[int, np.ndarray]] = []
        for at, samples in self._far:
            stop = at + samples.size
            if stop <= start:
                continue  # played before this span: never needed again
            keep.append((at, samples))
            lo, hi = max(at, start), min(stop, end)
            if lo < hi:
                out[lo - start : hi - start] = samples[lo - at : hi - at]
        self._far = keep
        return out

    def _cancel(self, frame: np.ndarray, far: np.ndarray) -> np.ndarray:
        """The canceller's output where there is an echo path (``hark.voice.listen.echo_path``),
        with residual echo attenuated while Hark is audible; the raw frame where there
        is none (AEC3 would suppress the caller's voice, learning an echo that never
        comes)."""
        cleaned = self._aec.process(frame, far)
        self.path.add(frame, far)
        if self.path.state is PathState.ABSENT:
            return frame
        return np.asarray(cleaned, dtype=np.int16)

    def _residual(self, raw: np.ndarray, cleaned: np.ndarray) -> np.ndarray:
        """Attenuate what is left of a frame that was mostly echo (module docstring)."""
        if self.path.state is PathState.ABSENT or not self.far_audible():
            return cleaned
        if self._echo_dominated(raw, cleaned) or not self._talk.double_talk(dbfs(raw)):
            self.residual_frames += 1
            return (cleaned * RESIDUAL_GAIN).astype(np.int16)
        return cleaned

    @staticmethod
    def _echo_dominated(raw: np.ndarray, cleaned: np.ndarray) -> bool:
        """A double-talk check: the canceller took most of this frame away, so what is left
        is residual echo; a caller talking over Hark keeps their level (their voice is
        not explained by the reference)."""
        return dbfs(cleaned) < dbfs(raw) - ECHO_DOMINATED_DB

    # ------------------------------------------------------------------ near end
    def process(self, samples: np.ndarray) -> np.ndarray:
        """The caller's audio with the echo removed and noise suppressed (10 ms frames; a
        remainder waits for the next call, so the output may be up to 10 ms shorter)."""
        self._near_at = self._clock()
        if not self.active:
            self._near_end += samples.size
            return samples
        began = time.process_time()
        data = np.concatenate((self._pending, samples)) if self._pending.size else samples
        usable = data.size - data.size % self._frame
        start = self._near_end - self._pending.size
        self._near_end += samples.size
        self._pending = data[usable:].copy()
        if usable == 0:
            return data[:0].astype(np.int16)
        near = np.ascontiguousarray(data[:usable], dtype=np.int16)
        out = []
        for offset in range(0, usable, self._frame):
            frame = near[offset : offset + self._frame]
            cleaned = frame
            if self._aec is not None:
                far = self._far_span(start + offset, self._frame)
                self._talk.far(dbfs(far))
                cleaned = self._cancel(frame, far)
            if self._ns is not None:
                cleaned = self._ns.process(cleaned)
            if self._aec is not None and cleaned is not frame:
                cleaned = self._residual(frame, cleaned)
            out.append(cleaned)
        self.cpu_s += time.process_time() - began
        return np.concatenate(out)
