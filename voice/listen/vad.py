"""The endpointer: webrtcvad frames turned into utterance events with stream timestamps.

A voice session needs to know three things about the caller's audio: when
speech starts (to barge in on Hark's own speech), when it pauses (to start
ASR early and hide its cost behind the end-of-speech hangover) and when the
turn is over (to answer). ``Endpointer`` turns a stream of PCM chunks of any
size into exactly those events; it owns no threads and does no I/O, so it is
cheap enough to run hundreds of streams per process (webrtcvad costs ~2 µs
per frame).

How it decides (all durations are settings, see ``Endpointer.__init__``):

* webrtcvad classifies fixed frames of 10/20/30 ms. It only accepts 8, 16,
  32 and 48 kHz, so those rates run natively; any other rate (24 kHz from a
  client, 22.05 kHz from a file) is resampled to 16 kHz for the classifier
  only, with soxr's "QQ" setting, which has next to no block latency (the
  classifier does not need hi-fi audio).
* Speech starts after ``start_ms`` of *consecutive* voiced frames: single
  voiced frames in noise are common, so one voiced frame proves nothing. A
  fresh webrtcvad also calls the first ~90 ms of background noise speech, so
  frames in the first ``warmup_ms`` of a stream never count as voiced.
  Measured on espeak-ng speech in white noise (16 kHz, 20 ms frames), the
  delay from true onset to ``SPEECH_START`` is about ``start_ms`` (p50) and
  up to ``start_ms`` + 110 ms for soft onsets ("Hello").
* The first unvoiced frame after speech (or after ``first_silence_ms``)
  emits ``FIRST_SILENCE`` with the utterance so far; ``resume_ms`` of voiced
  frames after it emits ``SPEECH_RESUMED`` (drop that early transcript).
* ``hangover_ms`` of silence ends the utterance: ``SPEECH_END`` carries the
  audio, or ``SPEECH_DISCARDED`` when it held less than ``min_speech_ms`` of
  voiced time (a click, a cough, a door), so it never reaches ASR.
* Energy end (``energy_end=True``, the default). webrtcvad keeps calling
  frames voiced for ~60-120 ms after speech really stops (its built-in
  overhang), and a hangover counted from *its* end adds that lag to every
  answer. So, while in speech, a frame whose level has fallen back to the
  background also counts as pause: its RMS (dBFS) must be below the noise
  floor plus ``energy_margin_db`` *and* ``energy_drop_db`` under the
  utterance's loudest voiced frame. The noise floor is tracked only from
  frames webrtcvad itself calls unvoiced (it follows a drop at once and a
  rise slowly, so it errs low, and a low floor just means falling back to
  webrtcvad's own end). Both tests must hold, so soft speech or a fricative
  clearly above the background never ends an utterance. Speech start and
  ``SPEECH_RESUMED`` stay webrtcvad decisions (a resume also needs frames
  above that energy threshold, or the overhang itself would "resume").
  The utterance audio then runs ``energy_tail_ms`` past the energy end so
  decaying phonemes are kept, and ``FIRST_SILENCE`` waits until that tail
  has been heard (which also keeps a stop-consonant closure from firing a
  speculative ASR run).

In audible background noise (shop noise, babble) webrtcvad calls nearly every
frame voiced, so two more level tests apply, against ``AmbientFloor`` (the
quietest level of the last two seconds, from every frame): a voiced frame
starts speech only ``START_MARGIN_DB`` above it, and within an utterance in
loud noise a frame ``NOISY_DROP_DB`` under the caller's own loudest counts as
a pause. The
noise alone then starts no turn, a turn in it ends, and the 28 s cap stays a
last resort.

Utterance audio is cut from the client's own samples (``pre_roll_ms`` before
the onset up to the end of the last voiced frame, plus the tail after an
energy end) and resampled once, with soxr "HQ", to 16 kHz ``int16``;
``VadEvent.audio_f32`` gives Whisper's float form. That cut point is fixed
once the pause starts, so when no
``SPEECH_RESUMED`` comes between a ``FIRST_SILENCE`` and the ``SPEECH_END``,
both carry *identical* audio and the early transcript is the final one.

Timestamps are seconds of *stream time* (samples fed / sample rate), not
wall-clock time, so they are exact and testable; a session turns them into
latency by comparing with how much audio it has fed. Without the energy end,
webrtcvad lags a real speech end by ~70-100 ms on top of the hangover
(measured on this project's machines).

Not thread-safe: one ``Endpointer`` per audio stream, fed from one task.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import webrtcvad

from hark.voice.audio.codecs import as_int16, pcm16_to_int16
from hark.voice.audio.resample import StreamingResampler, resample
from hark.voice.errors import AudioFormatError
from hark.voice.listen.levels import SILENT_DB, AmbientFloor, NoiseFloor, dbfs
from hark.voice.listen.stream_buffer import StreamBuffer
from hark.voice.listen.vad_events import ASR_RATE, VadEvent, VadEventType

if TYPE_CHECKING:
    from hark.runtime.settings import Settings

START_MARGIN_DB: Final = 9.0
"""In audible background noise, a frame must be this far above it to start speech."""
AUDIBLE_AMBIENT_DB: Final = -60.0
"""Background quieter than this never gates a start (a quiet room, digital silence)."""
NOISY_DROP_DB: Final = 12.0
"""In loud noise, a frame this far under the utterance's loudest is a pause (babble)."""
LOUD_AMBIENT_DB: Final = -36.0
"""Background from which ``NOISY_DROP_DB`` applies (a shop, not a quiet room's hiss)."""
VAD_RATES: Final[tuple[int, ...]] = (8000, 16000, 32000, 48000)
"""Sample rates webrtcvad classifies natively."""
FRAME_MS: Final[tuple[int, ...]] = (10, 20, 30)
"""Frame lengths webrtcvad accepts."""


class _State(enum.Enum):
    SILENCE = 0
    SPEECH = 1
    TRAILING = 2  # pause after speech, counting towards the hangover


class Endpointer:
    """Feed PCM chunks, get ``VadEvent`` lists back. See the module docstring."""

    def __init__(
        self,
        sample_rate: int,
        *,
        aggressiveness: int = 2,
        frame_ms: int = 20,
        start_ms: int = 150,
        hangover_ms: int = 300,
        min_speech_ms: int = 200,
        first_silence_ms: int | None = None,
        resume_ms: int = 60,
        pre_roll_ms: int = 200,
        warmup_ms: int = 120,
        max_utterance_s: float = 28.0,
        energy_end: bool = True,
        energy_margin_db: float = 11.0,
        energy_drop_db: float = 25.0,
        energy_tail_ms: int = 100,
    ) -> None:
        """Configure one stream.

        ``sample_rate`` is the rate of the audio you will feed (any rate from
        8 kHz to 48 kHz). ``aggressiveness`` 0-3 is webrtcvad's mode (3 calls
        the least audio speech). ``first_silence_ms`` defaults to one frame
        (earliest ASR start; raise it to avoid speculative ASR on short
        in-word gaps). ``warmup_ms``: frames this early in the stream never
        count as voiced, because a fresh webrtcvad calls the first ~90 ms of
        background noise speech. ``max_utterance_s`` forces an end before
        Whisper's 30 s window is exceeded. ``energy_end`` counts the
        hangover from the energy end of speech rather than webrtcvad's
        (see the module docstring for why and how); ``energy_margin_db``,
        ``energy_drop_db`` and ``energy_tail_ms`` tune it.
        """
        if not 8000 <= sample_rate <= 48000:
            raise AudioFormatError(f"sample rate must be 8000-48000 Hz, got {sample_rate}")
        if frame_ms not in FRAME_MS:
            raise ValueError(f"frame_ms must be 10, 20 or 30, got {frame_ms}")
        if not 0 <= aggressiveness <= 3:
            raise ValueError(f"aggressiveness must be 0-3, got {aggressiveness}")
        durations = (start_ms, hangover_ms, min_speech_ms, resume_ms, pre_roll_ms, warmup_ms)
        if min(*durations, energy_tail_ms) < 0:
            raise ValueError("durations must not be negative")
        self.sample_rate = int(sample_rate)
        self.vad_rate = self.sample_rate if self.sample_rate in VAD_RATES else ASR_RATE
        self.aggressiveness = aggressiveness
        self.frame_ms = frame_ms
        self.start_ms = start_ms
        self.hangover_ms = hangover_ms
        self.min_speech_ms = min_speech_ms
        self.first_silence_ms = frame_ms if first_silence_ms is None else max(first_silence_ms, 1)
        self.resume_ms = resume_ms
        self.pre_roll_ms = pre_roll_ms
        self._warmup_frames = -(-warmup_ms // frame_ms)  # ceil
        self.max_utterance_s = max_utterance_s
        self.energy_end = energy_end
        self.energy_margin_db = energy_margin_db
        self.energy_drop_db = energy_drop_db
        self.energy_tail_ms = energy_tail_ms
        self._floor = NoiseFloor(frame_ms / 1000.0)
        self._ambient = AmbientFloor(frame_ms / 1000.0)
        self._frame_len = self.vad_rate * frame_ms // 1000
        self._frame_s = frame_ms / 1000.0
        self._keep_silence = int(self.sample_rate * (pre_roll_ms + start_ms + 3 * frame_ms) / 1000)
        self.reset()

    @classmethod
    def from_settings(cls, settings: Settings, sample_rate: int, **overrides: Any) -> Endpointer:
        """An endpointer configured from ``vad_*`` settings (keyword overrides win)."""
        params: dict[str, Any] = {
            "aggressiveness": settings.vad_aggressiveness,
            "frame_ms": settings.vad_frame_ms,
            "start_ms": settings.vad_start_ms,
            "hangover_ms": settings.vad_hangover_ms,
            "min_speech_ms": settings.vad_min_speech_ms,
            "energy_end": settings.vad_energy_end,
            "energy_tail_ms": settings.vad_energy_tail_ms,
        }
        params.update(overrides)
        return cls(sample_rate, **params)

    # ------------------------------------------------------------------ state
    def reset(self) -> None:
        """Start over as a fresh stream (stream time back to 0, new webrtcvad)."""
        self._vad = webrtcvad.Vad(self.aggressiveness)
        self._to_vad = (
            None
            if self.vad_rate == self.sample_rate
            else StreamingResampler(self.sample_rate, self.vad_rate, quality="QQ")
        )
        self._audio = StreamBuffer()
        self._pending = np.zeros(0, dtype=np.int16)
        self._frames = 0
        self._state = _State.SILENCE
        self._utterances = 0
        self._floor.reset()
        self._ambient.reset()
        self._run_peak_db = SILENT_DB
        self._clear_utterance()

    def _clear_utterance(self) -> None:
        self._run = 0
        self._run_start_s = 0.0
        self._speech_start_s = 0.0
        self._last_voiced_end_s = 0.0
        self._voiced_ms = 0
        self._silence_ms = 0
        self._resume = 0
        self._early_sent = False
        self._peak_db = SILENT_DB
        self._quiet = 0  # consecutive in-speech frames at background level
        self._tail_s = 0.0  # audio kept after the speech end in the cut
        self._cut_cache: tuple[float, float, np.ndarray] | None = None
        self._hold_ms: int | None = None  # this utterance's own hangover (``hold``)

    @property
    def stream_time_s(self) -> float:
        """Seconds of audio fed so far."""
        return self._audio.end / self.sample_rate

    def hold(self, utterance: int, silence_ms: int | None) -> None:
        """End utterance number ``utterance`` after ``silence_ms`` of silence rather than
        ``hangover_ms`` (None: ``hangover_ms`` again), if it is still open: what its words so
        far call for (``hark.voice.listen.endpointing``). A pause already that long ends at
        the next frame. A hold shorter than ``hangover_ms`` is dropped when the caller goes
        on (the words it was judged on have changed); a longer one stays until new words
        are judged."""
        if self._state is not _State.SILENCE and utterance == self._utterances:
            self._hold_ms = silence_ms

    @property
    def utterance_hangover_ms(self) -> int:
        """The silence that ends the open utterance (``hold`` or ``hangover_ms``)."""
        return self.hangover_ms if self._hold_ms is None else self._hold_ms

    @property
    def in_speech(self) -> bool:
        """True between ``SPEECH_START`` and the utterance's end (pauses included)."""
        return self._state is not _State.SILENCE

    def utterance_so_far(self) -> np.ndarray | None:
        """The open utterance at 16 kHz ``int16`` (pre-roll to the newest sample), else ``None``.

        For partial transcripts while the caller is still talking; a fresh
        copy each call (one-shot resample, ~0.1 ms per second of audio).
        """
        if self._state is _State.SILENCE:
            return None
        start = self._audio_start_s()
        native = self._audio.slice(round(start * self.sample_rate), self._audio.end)
        return resample(native, self.sample_rate, ASR_RATE)

    # ------------------------------------------------------------------ input
    def feed(self, chunk: np.ndarray | bytes | bytearray | memoryview) -> list[VadEvent]:
        """Add audio (``int16``/float array, or PCM16LE bytes) at ``sample_rate``; return events.

        Chunks may have any length; frames are formed internally and the
        remainder carried to the next call.
        """
        if isinstance(chunk, bytes | bytearray | memoryview):
            samples = pcm16_to_int16(chunk)
        else:
            samples = as_int16(chunk)
        self._audio.append(samples)
        vad_samples = samples if self._to_vad is None else self._to_vad.process(samples)
        if self._pending.size:
            vad_samples = np.concatenate((self._pending, vad_samples))
        events: list[VadEvent] = []
        usable = vad_samples.size - vad_samples.size % self._frame_len
        for offset in range(0, usable, self._frame_len):
            frame = vad_samples[offset : offset + self._frame_len]
            voiced = self._vad.is_speech(frame.tobytes(), self.vad_rate)
            level = dbfs(frame)
            if self.energy_end and not voiced:
                self._floor.update(level)
            self._ambient.update(level)
            if voiced and self._state is _State.SILENCE and self._under_noise(level):
                voiced = False  # the noise itself, not someone speaking above it
            self._step(voiced and self._frames >= self._warmup_frames, level, events)
        self._pending = vad_samples[usable:].copy()
        if self._state is _State.SILENCE:
            self._audio.drop_before(self._audio.end - self._keep_silence)
        return events

    def flush(self) -> list[VadEvent]:
        """End of stream: close an open utterance (``SPEECH_END`` or ``SPEECH_DISCARDED``)."""
        if self._state is _State.SILENCE:
            return []
        events: list[VadEvent] = []
        self._finish(self._frames * self._frame_s, events, truncated=False)
        return events

    # ------------------------------------------------------------------ logic
    def _under_noise(self, level: float) -> bool:
        """Not clearly above audible background noise (``AmbientFloor``)."""
        ambient = self._ambient.db
        return (
            ambient is not None
            and ambient > AUDIBLE_AMBIENT_DB
            and level < ambient + START_MARGIN_DB
        )

    def _is_background(self, level: float) -> bool:
        """True when a frame's level is back at the background (see the module docstring);
        the background is the higher of the unvoiced frames' floor and the ambient floor
        (in noise webrtcvad calls nearly every frame voiced, so the first never learns)."""
        floors = [f for f in (self._floor.db, self._ambient.db) if f is not None]
        if not self.energy_end or not floors:
            return False
        ambient = self._ambient.db
        if (
            ambient is not None
            and ambient > LOUD_AMBIENT_DB
            and level < self._peak_db - NOISY_DROP_DB
        ):
            return True  # in loud noise: well under the caller's own level is not the caller
        return (
            level < max(floors) + self.energy_margin_db
            and level < self._peak_db - self.energy_drop_db
        )

    def _step(self, voiced: bool, level: float, events: list[VadEvent]) -> None:
        t0 = self._frames * self._frame_s
        self._frames += 1
        t1 = self._frames * self._frame_s
        state = self._state
        if state is _State.SILENCE:
            if not voiced:
                self._run = 0
                return
            if self._run == 0:
                self._run_start_s = t0
                self._run_peak_db = level
            self._run += 1
            self._run_peak_db = max(self._run_peak_db, level)
            if self._run * self.frame_ms >= self.start_ms:
                self._utterances += 1
                self._state = _State.SPEECH
                self._speech_start_s = self._run_start_s
                self._voiced_ms = self._run * self.frame_ms
                self._last_voiced_end_s = t1
                self._peak_db = self._run_peak_db
                events.append(self._event(VadEventType.SPEECH_START, t1))
        elif state is _State.SPEECH:
            quiet = voiced and self._is_background(level)
            if voiced and not quiet:
                self._last_voiced_end_s = t1
                self._voiced_ms += self.frame_ms
                self._peak_db = max(self._peak_db, level)
                self._quiet = 0
            elif quiet and (self._quiet + 1) * self.frame_ms < self.energy_tail_ms:
                self._quiet += 1  # maybe a stop closure: wait until the tail is heard
            else:
                # The pause started at the first background-level frame (if any): the
                # hangover counts from there, and those frames become the audio's tail.
                self._state = _State.TRAILING
                self._silence_ms = (self._quiet + 1) * self.frame_ms
                self._tail_s = (self._quiet + quiet) * self._frame_s
                self._quiet = 0
                self._resume = 0
                self._early_sent = False
                self._maybe_first_silence(t1, events)
                if self._silence_ms >= self.utterance_hangover_ms:
                    self._finish(t1, events, truncated=False)
                    return
        else:  # TRAILING
            if voiced and not self._is_background(level):
                self._resume += 1
                if self._resume * self.frame_ms >= self.resume_ms:
                    self._state = _State.SPEECH
                    self._voiced_ms += self._resume * self.frame_ms
                    self._last_voiced_end_s = t1
                    self._tail_s = 0.0
                    self._peak_db = max(self._peak_db, level)
                    if self._hold_ms is not None and self._hold_ms < self.hangover_ms:
                        self._hold_ms = None  # "complete" was said of words now followed by more
                    if self._early_sent:
                        events.append(self._event(VadEventType.SPEECH_RESUMED, t1))
                    self._resume = 0
                    self._early_sent = False
                    return
            else:
                self._resume = 0
            # Unconfirmed voiced frames count as pause: noise blips must not stall the end.
            self._silence_ms += self.frame_ms
            self._maybe_first_silence(t1, events)
            if self._silence_ms >= self.utterance_hangover_ms:
                self._finish(t1, events, truncated=False)
                return
        if self._state is not _State.SILENCE and t1 - self._audio_start_s() >= self.max_utterance_s:
            self._finish(t1, events, truncated=True)

    def _maybe_first_silence(self, t1: float, events: list[VadEvent]) -> None:
        if (
            not self._early_sent
            and self._silence_ms >= self.first_silence_ms
            and self._silence_ms < self.utterance_hangover_ms
            and self._voiced_ms >= self.min_speech_ms
        ):
            self._early_sent = True
            events.append(self._event(VadEventType.FIRST_SILENCE, t1, with_audio=True))

    def _finish(self, t1: float, events: list[VadEvent], *, truncated: bool) -> None:
        if truncated:
            self._last_voiced_end_s = t1
            self._tail_s = 0.0
        if self._voiced_ms >= self.min_speech_ms:
            events.append(
                self._event(VadEventType.SPEECH_END, t1, with_audio=True, truncated=truncated)
            )
        else:
            events.append(self._event(VadEventType.SPEECH_DISCARDED, t1, ended=True))
        self._state = _State.SILENCE
        self._clear_utterance()

    # ------------------------------------------------------------------ output
    def _audio_start_s(self) -> float:
        earliest = self._audio.start / self.sample_rate
        return max(earliest, self._speech_start_s - self.pre_roll_ms / 1000.0)

    def _event(
        self,
        kind: VadEventType,
        t1: float,
        *,
        with_audio: bool = False,
        ended: bool = False,
        truncated: bool = False,
    ) -> VadEvent:
        audio = audio_start = None
        if with_audio:
            audio_start = self._audio_start_s()
            audio = self._cut(audio_start, self._audio_end_s())
        has_end = with_audio or ended
        return VadEvent(
            type=kind,
            time_s=round(t1, 6),
            utterance=self._utterances,
            speech_start_s=round(self._speech_start_s, 6),
            speech_end_s=round(self._last_voiced_end_s, 6) if has_end else None,
            audio=audio,
            audio_start_s=None if audio_start is None else round(audio_start, 6),
            truncated=truncated,
            audio_end_s=round(self._audio_end_s(), 6) if with_audio else None,
        )

    def _audio_end_s(self) -> float:
        return self._last_voiced_end_s + self._tail_s

    def _cut(self, start_s: float, end_s: float) -> np.ndarray:
        """Utterance samples between two stream times, at 16 kHz (cached per span)."""
        if self._cut_cache and self._cut_cache[:2] == (start_s, end_s):
            return self._cut_cache[2]
        native = self._audio.slice(
            round(start_s * self.sample_rate), round(end_s * self.sample_rate)
        )
        audio = resample(native, self.sample_rate, ASR_RATE)
        audio.setflags(write=False)  # shared between events; nobody may edit it in place
        self._cut_cache = (start_s, end_s, audio)
        return audio
