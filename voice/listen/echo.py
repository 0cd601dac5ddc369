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

Comfort noise: in an audible background (``COMFORT_FROM_DB``; in a quiet
room the raw frame would be the echo itself) no output frame is left more
than ``COMFORT_MARGIN_DB`` under the room's own background (``_background``: the quietest level of the last
two seconds of the output while Hark was not audible, else of the raw
input); such a frame becomes the raw frame scaled down to that level. Both
the 30 dB attenuation and AEC3's own suppressor took shop noise away for the
length of every reply; the endpointer took that hole for the background, and
the noise coming back after the reply started a false turn (5 in a minute of
pink noise at 10 dB SNR, and more with the noise suppressor on).

How the reference is aligned: ``far_end`` is told each reply frame and the
wall time it starts playing; that time is placed on the caller's own sample
timeline (``_Origin``: when the caller's first sample was recorded, from the
least-delayed of the recent packets, since a real-time stream's samples are
recorded at real-time speed and a packet can only arrive late, never early),
once per stretch of playback: while
the client's player has audio queued, each frame follows the previous one back
to back (a player plays its queue without gaps), so the late arrival of a caller
packet on a loaded server cannot shift the reference and make AEC3 re-converge
mid-reply. ``process`` then hands AEC3 the caller's audio with the reply samples
of the same span. What is off by the
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

import collections
import functools
import logging
import time
from collections.abc import Callable
from typing import Any, Final

import numpy as np

from hark.voice.listen.echo_path import MAX_LAG_S as MAX_PATH_S
from hark.voice.listen.echo_path import DoubleTalk, EchoPath, PathState
from hark.voice.listen.levels import DIGITAL_SILENCE_DB, AmbientFloor, dbfs

log = logging.getLogger("hark.voice")

FRAME_S: Final = 0.01  # AEC3 works on 10 ms frames
ECHO_HOLD_S: Final = (
    0.6  # the far end counts as audible this long after its last loud frame (path delay + room)
)
FAR_AUDIBLE_DB: Final = -50.0  # reply frames quieter than this are silence between words
SNAP_S: Final = 0.06  # a frame this close after the previous one follows it without a gap
ECHO_DOMINATED_DB: Final = 7.0  # the canceller removed this much: the frame was mostly echo
RESIDUAL_GAIN: Final = 0.03  # what is left of such a frame (-30 dB)
COMFORT_MARGIN_DB: Final = 3.0  # output this far under the room's background is a hole
COMFORT_FROM_DB: Final = -60.0  # ... of an audible background only (not a quiet room's hiss)
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


class _Origin:
    """When the caller's sample 0 was recorded, on the server's clock.

    Each packet says: its last sample was recorded at the latest when it
    arrived, so sample 0 was recorded at the latest ``arrival - samples/rate``.
    Packets arrive late by the network and by a busy server, never early, so
    the earliest of those bounds over the last ``WINDOW_S`` is the estimate (a
    sliding minimum: clocks drift, so old packets retire). A bound more than
    ``GAP_S`` after it means the client stopped sending for a while (samples
    not sent were not recorded on this timeline): the estimate starts again."""

    WINDOW_S: Final = 3.0
    GAP_S: Final = 1.0

    def __init__(self, sample_rate: int) -> None:
        self.rate = sample_rate
        self._bounds: collections.deque[tuple[float, float]] = collections.deque()

    def arrived(self, now: float, samples_so_far: int) -> None:
        bound = now - samples_so_far / self.rate
        if self._bounds and bound > self._bounds[0][1] + self.GAP_S:
            self._bounds.clear()
        while self._bounds and self._bounds[-1][1] >= bound:
            self._bounds.pop()  # a later packet with an earlier bound makes it useless
        self._bounds.append((now, bound))
        while self._bounds[0][0] < now - self.WINDOW_S and len(self._bounds) > 1:
            self._bounds.popleft()

    def at(self) -> float | None:
        return self._bounds[0][1] if self._bounds else None


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
        self._origin = _Origin(sample_rate)  # when the caller's sample 0 was recorded
        self._far: list[tuple[int, np.ndarray]] = []  # (caller-timeline index, samples)
        self._far_next = 0  # caller-timeline index just after the last reference frame
        # (samples, play_at) of reply frames sent before any caller audio (``far_end``)
        self._early: list[tuple[np.ndarray, float]] = []
        self._far_loud_until = -1  # caller-timeline index until which the far end is audible
        self.cpu_s = 0.0  # processing time spent (for the benchmark's per-stream figure)
        self.residual_frames = 0  # 10 ms frames suppressed as residual echo
        self._quiet_room = AmbientFloor(FRAME_S)  # output while Hark is not audible

    @property
    def active(self) -> bool:
        return self._aec is not None or self._ns is not None

    # ------------------------------------------------------------------ far end
    def far_end(self, samples: np.ndarray, play_at: float, *, follows: bool = False) -> None:
        """Reply samples (at the stream's rate) that start playing at ``play_at`` (clock);
        ``follows``: the client's player still had audio queued, so they play right
        after the previous frame whatever the arrival times say."""
        if not self.echo or samples.size == 0:
            return
        if self._origin.at() is None:
            # No caller audio yet, so where this falls on the caller's timeline is unknown:
            # kept until the first packet says when the microphone started (``reply_sent``).
            self._early.append((np.asarray(samples, dtype=np.int16), play_at))
            return
        self._place(np.asarray(samples, dtype=np.int16), play_at, follows=follows)

    def reply_sent(self) -> None:
        """A whole reply has been handed to the client. If the caller has sent no audio yet,
        the client is waiting for the reply to end before it opens its microphone (a
        half-duplex client, which plays nothing into it): that reply is no reference. A
        client whose microphone runs while Hark speaks (a browser, a kiosk, a phone line)
        sends its first audio within moments of the start, long before a reply ends, and
        then the reply frames sent before that packet are placed where they play."""
        if self._origin.at() is None:
            self._early.clear()

    def _place(self, samples: np.ndarray, play_at: float, *, follows: bool) -> None:
        origin = self._origin.at()
        assert origin is not None
        start = int(round((play_at - origin) * self.sample_rate))
        if self._far_next and (follows or start < self._far_next + int(SNAP_S * self.sample_rate)):
            # Back to back with the previous frame (the client's player does not leave
            # gaps while it has audio): arrival jitter must not tear the reference.
            start = self._far_next
        if start < 0:  # played (in part) before the microphone started
            samples, start = samples[-start:], 0
            if samples.size == 0:
                return
        self._far_next = start + samples.size
        self._far.append((start, samples))
        if dbfs(samples) > FAR_AUDIBLE_DB:
            hold = int(ECHO_HOLD_S * self.sample_rate)
            self._far_loud_until = max(self._far_loud_until, start + samples.size + hold)

    def _place_early(self) -> None:
        """Reply frames sent before the caller's first audio, now that it says when the
        microphone started (``far_end``)."""
        early, self._early = self._early, []
        for samples, play_at in early:
            self._place(samples, play_at, follows=False)

    def echo_possible(self) -> bool:
        """The canceller runs and has not found the echo path absent (a headset): Hark's
        voice may leak into what the recogniser hears."""
        return self._aec is not None and self.path.state is not PathState.ABSENT

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

    def _background(self) -> float | None:
        """The room's own level: of the output while Hark was not audible, else of the input."""
        return self._quiet_room.db

    def _comfort(self, raw: np.ndarray, cleaned: np.ndarray) -> np.ndarray:
        """``cleaned``, or, where it fell well under the room's background, the raw frame
        scaled down to the background (module docstring)."""
        background = self._background()
        if (
            background is None
            or background < COMFORT_FROM_DB
            or dbfs(cleaned) >= background - COMFORT_MARGIN_DB
        ):
            return cleaned
        gain = min(1.0, 10 ** ((background - dbfs(raw)) / 20))
        return (raw * gain).astype(np.int16)

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
        self._origin.arrived(self._clock(), self._near_end + samples.size)
        if self._early:
            self._place_early()
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
            if self._aec is not None:
                if cleaned is not frame:
                    cleaned = self._comfort(frame, self._residual(frame, cleaned))
                if not self.far_audible():  # exact zeros count: a silent room has no noise
                    self._quiet_room.update(max(dbfs(cleaned), DIGITAL_SILENCE_DB))
            out.append(cleaned)
        self.cpu_s += time.process_time() - began
        return np.concatenate(out)
