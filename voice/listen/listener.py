"""Listening to one caller: endpointer events turned into utterances with
transcripts already under way.

The ``Endpointer`` says when speech starts, pauses and ends; this module
decides when to run ASR so the caller waits as little as possible:

* **Early ASR.** At the first silent frame (``FIRST_SILENCE``) the utterance
  so far is sent to the transcriber, in a worker thread. If the caller
  resumes (``SPEECH_RESUMED``) that result is dropped; if the hangover ends
  the utterance (``SPEECH_END``) with the same audio, which the endpointer
  guarantees when nobody resumed, the early transcript *is* the final one,
  so most of ASR is hidden behind the hangover.
  The session hears of both (``SPEECH_PAUSED`` with the early transcript's
  future, ``SPEECH_RESUMED``) so it can carry the turn on speculatively.
* **Young pauses on the twin.** A short drop to the background may be a
  stop consonant rather than the end, and an early recognition started
  for it would hold the model while the caller goes on. So when the
  engine's background twin (below) is idle, the early recognition runs
  there: at full speed when nothing else wants the cores, and out of
  everyone's way otherwise. Once the pause has lasted ``confirm_pause_s``
  (a real pause) and that run has not finished, the same audio goes to
  the main engine as well, and whichever finishes first is the transcript
  (the same model, options and audio give the same words) -- unless the
  twin is visibly computing (its threads got at least ``TWIN_BUSY_CORES``
  of CPU since the last look, ``low_priority_cpu_s``): on an idle machine a
  second run would only take the cores from a twin that is about to finish,
  so the listener looks again every ``TWIN_RECHECK_S`` and starts the main
  engine only once the twin starves. At worst this is the old behaviour
  (recognition from ``confirm_pause_s`` on); on an idle machine recognition
  starts at the first quiet frame and runs once.
* **Partials.** Once the caller has talked for ``partial_after_s``, and
  then every ``partial_interval_s``, the audio so far is transcribed and
  ``on_partial`` gets the text for a ``transcript`` event with ``final:
  false``. A partial must never delay the final recognition, and a model
  runs one call at a time, so a partial still running when the caller stops
  would hold up the early transcript by up to one whole recognition. So
  partials go to the engine's *background twin* when it has one
  (``BackgroundCapable``: a second copy of the model whose compute threads
  run at the lowest CPU priority), where the final never queues behind them
  and the operating system takes the cores from them the moment the final
  needs them; one partial per stream at a time, none while the twin is
  still loading. An engine without a twin (a test double, a non-Linux host)
  gets a partial only when no ASR job of this stream is running, and may
  then delay the final; ``partial_stats`` counts what partials cost (calls,
  compute seconds) and gave (texts sent).
* **Late resume.** A turn cancelled before the brain saw it (the caller went
  on after the hangover, while ASR ran) hands its audio back with
  ``carry``; it is prepended to the next utterance, so "I'd like ... the
  blue one" stays one request. If the next burst turns out to be a click,
  the carried utterance is released on its own.

Thread use: ``feed`` runs on the event loop and never blocks; transcription
runs on the process's recognition scheduler (``hark.voice.asr.scheduler``):
finals before speculation before partials, partials shed when the cores are
busy, one job of this stream queued at most, stale work dropped.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from hark.voice.asr.background import low_priority_cpu_s
from hark.voice.asr.base import BackgroundCapable, Transcriber, Transcript
from hark.voice.asr.scheduler import RecognitionKind, RecognitionScheduler, shared_scheduler
from hark.voice.audio.codecs import int16_to_float32
from hark.voice.audio.resample import resample
from hark.voice.listen.stream_buffer import StreamBuffer
from hark.voice.listen.vad import Endpointer
from hark.voice.listen.vad_events import ASR_RATE, VadEvent, VadEventType

MAX_CARRY_S = 10.0  # a cancelled turn longer than this is not carried (noise, not words)
PRE_ROLL_S = 0.2  # audio kept before the onset for partials (as the endpointer does)
TWIN_BUSY_CORES = 0.5  # a twin getting this much CPU is computing, not starved
TWIN_RECHECK_S = 0.06  # how often a computing twin is looked at again (6 clock ticks)
GLANCE_WINDOW_S = 4.0  # the barge-in judge's encoder window (its clips are <= 2.2 s)
GLANCE_TOKENS = 10  # ... and token cap: a few words decide, a repetition loop is cut short


@dataclass
class TwinWatch:
    """How much CPU the twin has had since ``wall``: is it computing or starved?"""

    cpu_s: float
    wall: float

    def computing(self, cpu_s: float) -> bool:
        elapsed = time.perf_counter() - self.wall
        return elapsed > 0 and (cpu_s - self.cpu_s) / elapsed >= TWIN_BUSY_CORES


@dataclass
class Utterance:
    """A finished utterance whose transcript is (being) computed."""

    number: int
    audio: np.ndarray  # 16 kHz int16, carried audio included
    endpoint_s: float  # caller's last voiced audio -> end-of-speech decision
    decided_at: float  # perf_counter at the decision
    transcript: asyncio.Future[Transcript]
    early: bool  # the transcript was started at the first silence
    truncated: bool = False  # ended by the length cap, not by a pause


@dataclass(frozen=True)
class EarlyTranscript:
    """Recognition started at a pause: final if the caller does not go on."""

    number: int
    transcript: asyncio.Future[Transcript]


@dataclass
class PendingConfirm:
    """An early recognition on the twin that the main engine may have to run as well."""

    due: float  # stream time of the next look
    audio: np.ndarray
    result: asyncio.Future[Transcript]
    watch: TwinWatch | None  # the twin's CPU at the last look (None: cannot be seen)
    deferred: bool = False  # left to the twin at least once


class ListenerEventKind(enum.StrEnum):
    SPEECH_STARTED = "speech_started"
    SPEECH_PAUSED = "speech_paused"  # first silence: ``early`` is under way
    SPEECH_RESUMED = "speech_resumed"  # the caller went on: that early transcript is void
    SPEECH_STOPPED = "speech_stopped"


@dataclass
class ListenerEvent:
    """Speech started, paused, resumed, or stopped (with the utterance, if one is to
    be answered)."""

    kind: ListenerEventKind
    utterance: Utterance | None = None
    vad: VadEvent | None = None
    early: EarlyTranscript | None = None


@dataclass
class PartialStats:
    """What partial transcripts cost and gave on one stream."""

    started: int = 0  # recognitions run for partials
    sent: int = 0  # texts handed to ``on_partial`` (the caller was still talking)
    compute_s: float = 0.0  # their recognition time, wall clock
    background: bool = False  # they ran on the engine's low-priority twin


class Listener:
    """Endpointer plus ASR scheduling for one audio stream (see the module docstring)."""

    def __init__(
        self,
        endpointer: Endpointer,
        transcriber: Transcriber,
        *,
        partial_interval_s: float | None = 1.0,
        partial_after_s: float = 2.0,
        on_partial: Callable[[str], None] | None = None,
        confirm_pause_s: float = 0.1,
        twin_cpu: Callable[[], float | None] = low_priority_cpu_s,
        scheduler: RecognitionScheduler | None = None,
    ) -> None:
        self.endpointer = endpointer
        self.transcriber = transcriber
        self.partial_interval_s = partial_interval_s
        self.partial_after_s = partial_after_s
        self.on_partial = on_partial
        self.confirm_pause_s = confirm_pause_s
        self.twin_cpu = twin_cpu
        self.scheduler = scheduler or shared_scheduler()
        self._unconfirmed: PendingConfirm | None = None
        self.early_on_twin = 0  # early recognitions started on the twin
        self.early_confirmed = 0  # ... that the main engine had to run as well
        self.early_left_to_twin = 0  # confirmed pauses left to a twin seen computing
        self._rate = endpointer.sample_rate
        self._keep = endpointer.sample_rate  # a second of the stream for partials
        self._recent = StreamBuffer()
        self._early: tuple[int, np.ndarray, asyncio.Future[Transcript]] | None = None
        self._carry: np.ndarray | None = None
        self._jobs: set[asyncio.Future[Any]] = set()
        self._speech_start_s: float | None = None
        self._utterance = 0
        self._partials_done = 0
        self._partial_job: asyncio.Future[Any] | None = None
        self.partial_stats = PartialStats()
        self.closed = False
        self._glance: Transcriber | None = None

    @property
    def glance_engine(self) -> Transcriber:
        """The recogniser for quick looks at speech over Hark's voice (``barge_in``): the
        same model with a short window and few tokens, without the catalogue's names (on
        two loaded cores ~60-170 ms for a 0.35-0.55 s clip instead of ~170-950 ms), when the
        engine offers that (``sharing_model``); else the engine itself."""
        if self._glance is None:
            share = getattr(self.transcriber, "sharing_model", None)
            self._glance = (
                share(window_s=GLANCE_WINDOW_S, max_new_tokens=GLANCE_TOKENS, vocabulary=False)
                if callable(share)
                else self.transcriber
            )
        return self._glance

    # ------------------------------------------------------------------ input
    def feed(self, samples: np.ndarray) -> list[ListenerEvent]:
        """Add int16 samples at the caller's rate; return speech start/stop events."""
        events: list[ListenerEvent] = []
        for vad in self.endpointer.feed(samples):
            events.extend(self._on_vad(vad))
        self._recent.append(samples)
        self._maybe_confirm()
        recent = self._recent
        if not self.endpointer.in_speech and recent.end - recent.start > 2 * self._keep:
            recent.drop_before(recent.end - self._keep)  # trim now and then, not per chunk
        self._maybe_partial()
        return events

    def prime(self, seconds: float = 0.3) -> None:
        """Feed silence first: a fresh webrtcvad is slow to call the first speech it
        hears (~280 ms instead of ~160 ms for speech at the very start of a stream),
        which would delay a barge-in by a client that sends audio only while
        someone talks. Stream times then include this silence; only differences
        are ever used."""
        self.feed(np.zeros(int(self.endpointer.sample_rate * seconds), dtype=np.int16))

    def carry(self, audio: np.ndarray, *, truncated: bool = False) -> bool:
        """Prepend ``audio`` (16 kHz int16) to the next utterance (a cancelled turn's words).

        Not when it was cut by the length cap or is longer than ``MAX_CARRY_S``: that
        is noise or a monologue, and carrying it made every later input longer (in
        shop noise inputs grew to 45 s). Returns whether it was carried."""
        total = audio.size + (0 if self._carry is None else self._carry.size)
        if truncated or total > MAX_CARRY_S * ASR_RATE:
            self._carry = None
            return False
        self._carry = audio if self._carry is None else np.concatenate((self._carry, audio))
        return True

    @property
    def busy(self) -> bool:
        """An ASR job of this stream is running."""
        return any(not job.done() for job in self._jobs)

    def close(self) -> None:
        """Forget pending work (threads finish on their own; their results are dropped)."""
        self.closed = True
        for job in [*self._jobs, self._partial_job]:
            if job is not None:
                job.cancel()
        self._jobs.clear()
        self._early = None

    # ------------------------------------------------------------------ logic
    def _on_vad(self, vad: VadEvent) -> list[ListenerEvent]:
        kind = vad.type
        if kind is VadEventType.SPEECH_START:
            self._utterance = vad.utterance
            self._speech_start_s = vad.speech_start_s
            self._partials_done = 0
            return [ListenerEvent(ListenerEventKind.SPEECH_STARTED, vad=vad)]
        if kind is VadEventType.FIRST_SILENCE and vad.audio is not None:
            if self._early is not None:
                self._early[2].cancel()  # an earlier pause of this utterance: stale
            job = self._early_transcribe(vad, self._with_carry(vad.audio))
            self._early = (vad.utterance, vad.audio, job)
            early = EarlyTranscript(vad.utterance, job)
            return [ListenerEvent(ListenerEventKind.SPEECH_PAUSED, vad=vad, early=early)]
        if kind is VadEventType.SPEECH_RESUMED:
            if self._early is not None:
                self._early[2].cancel()  # void: dropped if still queued, ignored if running
            self._early = None
            self._unconfirmed = None
            return [ListenerEvent(ListenerEventKind.SPEECH_RESUMED, vad=vad)]
        if kind is VadEventType.SPEECH_END and vad.audio is not None:
            self._speech_start_s = None
            return [ListenerEvent(ListenerEventKind.SPEECH_STOPPED, self._finish(vad), vad)]
        if kind is VadEventType.SPEECH_DISCARDED:
            self._speech_start_s = None
            if self._early is not None:
                self._early[2].cancel()
            self._early = None
            released = None
            if self._carry is not None:  # a click after a cancelled turn: answer that turn
                audio, self._carry = self._carry, None
                released = self._utterance_from(vad, audio, self._transcribe(audio), early=False)
            return [ListenerEvent(ListenerEventKind.SPEECH_STOPPED, released, vad)]
        return []

    def _finish(self, vad: VadEvent) -> Utterance:
        assert vad.audio is not None
        early = self._early
        self._early = None
        audio = self._with_carry(vad.audio)
        self._carry = None
        if (
            early is not None
            and early[0] == vad.utterance
            and (early[1] is vad.audio or np.array_equal(early[1], vad.audio))
        ):
            self.scheduler.promote(early[2], RecognitionKind.FINAL)
            return self._utterance_from(vad, audio, early[2], early=True)
        if early is not None:
            early[2].cancel()
        return self._utterance_from(vad, audio, self._transcribe(audio), early=False)

    def _early_transcribe(self, vad: VadEvent, audio: np.ndarray) -> asyncio.Future[Transcript]:
        """Recognition at a pause: on the idle twin until the pause is confirmed (module
        docstring), else on the main engine."""
        twin = self._idle_twin()
        if twin is None:
            return self._transcribe(audio, kind=RecognitionKind.SPECULATION)
        self.early_on_twin += 1
        first = self._transcribe(audio, twin, kind=RecognitionKind.SPECULATION)
        result: asyncio.Future[Transcript] = asyncio.get_running_loop().create_future()
        self._jobs.add(result)  # the stream waits for it: busy, cancelled at close
        result.add_done_callback(self._job_done)
        first.add_done_callback(lambda done: self._early_done(done, result, audio))
        result.add_done_callback(lambda r: r.cancelled() and first.cancel())
        speech_end = vad.speech_end_s if vad.speech_end_s is not None else vad.time_s
        due = speech_end + self.confirm_pause_s
        self._unconfirmed = PendingConfirm(due, audio, result, self._watch())
        return result

    def _watch(self) -> TwinWatch | None:
        cpu_s = self.twin_cpu()
        return None if cpu_s is None else TwinWatch(cpu_s, time.perf_counter())

    def _early_done(
        self, job: asyncio.Future[Transcript], result: asyncio.Future[Transcript], audio: np.ndarray
    ) -> None:
        if result.done():
            return
        if job.cancelled() or job.exception() is not None:
            self._confirm(result, audio)  # the main engine it is, now
            return
        result.set_result(job.result())

    def _maybe_confirm(self) -> None:
        pending = self._unconfirmed
        if pending is None:
            return
        now = self.endpointer.stream_time_s
        if pending.result.done():
            self._unconfirmed = None
        elif now >= pending.due:
            cpu_s = self.twin_cpu() if pending.watch is not None else None
            if pending.watch is not None and cpu_s is not None and pending.watch.computing(cpu_s):
                if not pending.deferred:
                    pending.deferred = True
                    self.early_left_to_twin += 1
                pending.due = now + TWIN_RECHECK_S
                pending.watch = TwinWatch(cpu_s, time.perf_counter())  # the next look's start
                return
            self._unconfirmed = None
            self.early_confirmed += 1
            self._confirm(pending.result, pending.audio)

    def _confirm(self, result: asyncio.Future[Transcript], audio: np.ndarray) -> None:
        """Run ``audio`` on the main engine too; the first transcript wins."""
        if result.done() or self.closed:
            return
        main = self._transcribe(audio, kind=RecognitionKind.SPECULATION)
        result.add_done_callback(lambda r: r.cancelled() and main.cancel())

        def done(job: asyncio.Future[Transcript]) -> None:
            if result.done() or job.cancelled():
                return
            if job.exception() is not None:
                result.set_exception(job.exception())  # type: ignore[arg-type]
            else:
                result.set_result(job.result())

        main.add_done_callback(done)

    def _idle_twin(self) -> Transcriber | None:
        if not isinstance(self.transcriber, BackgroundCapable):
            return None
        if self.transcriber.background() is None or not self.transcriber.background_idle():
            return None
        return self.transcriber.background()

    def _utterance_from(
        self, vad: VadEvent, audio: np.ndarray, job: asyncio.Future[Transcript], *, early: bool
    ) -> Utterance:
        speech_end = vad.speech_end_s if vad.speech_end_s is not None else vad.time_s
        return Utterance(
            number=vad.utterance,
            audio=audio,
            endpoint_s=max(0.0, self.endpointer.stream_time_s - speech_end),
            decided_at=time.perf_counter(),
            transcript=job,
            early=early,
            truncated=vad.truncated,
        )

    def _with_carry(self, audio: np.ndarray) -> np.ndarray:
        if self._carry is None:
            return audio
        gap = np.zeros(int(0.1 * ASR_RATE), dtype=np.int16)
        return np.concatenate((self._carry, gap, audio))

    def _transcribe(
        self,
        audio_16k: np.ndarray,
        engine: Transcriber | None = None,
        *,
        kind: RecognitionKind = RecognitionKind.FINAL,
    ) -> asyncio.Future[Transcript]:
        """Recognise on the scheduler; ``engine`` other than the main one (the
        background twin) runs in its lane and is not counted in ``busy``."""
        job = self._submit(audio_16k, engine, kind)
        assert job is not None  # only partials are ever shed
        return job

    def _submit(
        self, audio_16k: np.ndarray, engine: Transcriber | None, kind: RecognitionKind
    ) -> asyncio.Future[Transcript] | None:
        engine = engine or self.transcriber
        main = engine is self.transcriber
        job = self.scheduler.submit(
            self, engine, int16_to_float32(audio_16k), kind, background=not main
        )
        if job is None:
            return None
        job.add_done_callback(self._job_done)
        if main:
            self._jobs.add(job)  # the stream waits for it: ``busy``, cancelled at close
        return job

    def _job_done(self, job: asyncio.Future[Any]) -> None:
        self._jobs.discard(job)
        if not job.cancelled():
            job.exception()  # retrieved here; the waiter (if any) re-raises it

    def _partial_engine(self) -> Transcriber | None:
        """The background twin if the engine has one (None while it loads), else the
        engine itself when this stream has no ASR job running (see the module docstring)."""
        if isinstance(self.transcriber, BackgroundCapable):
            twin = self.transcriber.background()
            if twin is not None:  # one call at a time on the twin, whoever's it is
                return twin if self.transcriber.background_idle() else None
            if self.transcriber.background_possible:
                return None
        return None if self.busy else self.transcriber

    def _maybe_partial(self) -> None:
        if (
            self.partial_interval_s is None
            or self.on_partial is None
            or self._speech_start_s is None
            or not self.endpointer.in_speech
        ):
            return
        spoken = self.endpointer.stream_time_s - self._speech_start_s
        due = self.partial_after_s + self._partials_done * self.partial_interval_s
        if spoken < due:
            return
        engine = self._partial_engine()
        if engine is None:
            return
        self._partials_done = 1 + int((spoken - self.partial_after_s) / self.partial_interval_s)
        begin = int((self._speech_start_s - PRE_ROLL_S) * self._rate)
        native = self._recent.slice(begin, self._recent.end)
        audio = self._with_carry(resample(native, self._rate, ASR_RATE))
        background = engine is not self.transcriber
        job = self._submit(audio, engine, RecognitionKind.PARTIAL)
        if job is None:
            return  # shed: the cores are busy; the next tick tries again
        self._partial_job = job
        self.partial_stats.started += 1
        self.partial_stats.background = background
        utterance = self._utterance
        job.add_done_callback(lambda done: self._partial_done(done, utterance))

    def _partial_done(self, job: asyncio.Future[Transcript], utterance: int) -> None:
        if self.closed or job.cancelled() or job.exception() is not None:
            return
        self.partial_stats.compute_s += job.result().elapsed_s
        # Only while that utterance is still being spoken: after its end the final wins.
        if utterance == self._utterance and self._speech_start_s is not None and self.on_partial:
            text = job.result().text
            if text:
                self.partial_stats.sent += 1
                self.on_partial(text)
