"""The recognition scheduler: finals first, partials shed, one queued job per stream,
stale work dropped; and a noisy call that cannot starve another one's ``ready``.

The engine is a TEST DOUBLE (``GatedTranscriber``) whose calls block until the
test lets them go, so what runs in which order is observable; the end-to-end
test drives the real server over ``/v1/voice`` with the ``ScriptedTranscriber``
double (a slow one: every recognition takes 1.5 s).
"""

from __future__ import annotations

import asyncio
import threading
import time

import numpy as np
from doubles import ScriptedTranscriber, ToneSynthesizer
from fixtures_voice import espeak_speech
from voice_client import VoiceClient

from hark.voice.asr.base import Transcript
from hark.voice.asr.scheduler import RecognitionKind, RecognitionScheduler
from hark.voice.listen.listener import Listener
from hark.voice.listen.vad import Endpointer
from hark.voice.turn.session import VoiceOptions


class GatedTranscriber:
    """TEST DOUBLE ``Transcriber``: each call records its audio length and waits for ``go``."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.started: list[float] = []  # audio seconds, in the order calls began

    def set_vocabulary(self, names) -> None:
        return None

    def transcribe(self, audio: np.ndarray) -> Transcript:
        self.started.append(audio.size / 16000)
        self.go.wait(10)
        return Transcript(f"{audio.size / 16000:.1f}", "en", audio.size / 16000)


def seconds(n: float) -> np.ndarray:
    return np.zeros(int(n * 16000), np.float32)


async def _settled(future: asyncio.Future) -> None:
    await asyncio.wait([future], timeout=5)


async def test_finals_run_before_speculation_and_partials_are_shed_when_busy() -> None:
    scheduler = RecognitionScheduler(workers=1)
    engine = GatedTranscriber()
    a, b, c = object(), object(), object()
    running = scheduler.submit(a, engine, seconds(1), RecognitionKind.FINAL)
    while not engine.started:
        await asyncio.sleep(0.01)
    speculation = scheduler.submit(b, engine, seconds(2), RecognitionKind.SPECULATION)
    final = scheduler.submit(c, engine, seconds(3), RecognitionKind.FINAL)
    assert scheduler.submit(c, engine, seconds(4), RecognitionKind.PARTIAL) is None  # busy: shed
    assert scheduler.stats.shed == 1
    engine.go.set()
    assert running is not None and speculation is not None and final is not None
    for job in (running, speculation, final):
        await _settled(job)
    assert engine.started == [1.0, 3.0, 2.0]  # the waiting final overtook the speculation
    partial = scheduler.submit(a, engine, seconds(5), RecognitionKind.PARTIAL)  # idle: accepted
    assert partial is not None and (await partial).text == "5.0"


async def test_a_background_partial_is_shed_while_the_main_lane_recognises() -> None:
    scheduler = RecognitionScheduler(workers=1)
    engine, twin = GatedTranscriber(), GatedTranscriber()
    final = scheduler.submit("a", engine, seconds(2), RecognitionKind.FINAL)
    await asyncio.to_thread(lambda: _wait_for(lambda: engine.started))
    # The twin's lane is free, but the cores are the final's: no partial beside it.
    assert scheduler.submit("b", twin, seconds(3), RecognitionKind.PARTIAL, background=True) is None
    assert scheduler.stats.shed == 1
    engine.go.set()
    assert final is not None
    await _settled(final)
    twin.go.set()
    partial = scheduler.submit("b", twin, seconds(3), RecognitionKind.PARTIAL, background=True)
    assert partial is not None and (await partial).text == "3.0"  # back once the cores are free


def _wait_for(condition, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.005)


async def test_one_queued_job_per_stream_and_cancelled_work_never_runs() -> None:
    scheduler = RecognitionScheduler(workers=1)
    engine = GatedTranscriber()
    stream, other = object(), object()
    first = scheduler.submit(stream, engine, seconds(1), RecognitionKind.FINAL)
    while not engine.started:
        await asyncio.sleep(0.01)
    older = scheduler.submit(stream, engine, seconds(2), RecognitionKind.SPECULATION)
    newer = scheduler.submit(stream, engine, seconds(3), RecognitionKind.FINAL)
    cancelled = scheduler.submit(other, engine, seconds(4), RecognitionKind.FINAL)
    assert older is not None and newer is not None and cancelled is not None and first
    assert older.cancelled()  # superseded: never more than one queued behind the running one
    cancelled.cancel()  # e.g. its turn was cancelled by the caller's next words
    engine.go.set()
    await _settled(first)
    await _settled(newer)
    assert engine.started == [1.0, 3.0]
    assert scheduler.stats.superseded == 1 and scheduler.stats.dropped >= 1


async def test_a_speculation_promoted_to_final_overtakes_other_speculation() -> None:
    scheduler = RecognitionScheduler(workers=1)
    engine = GatedTranscriber()
    scheduler.submit(object(), engine, seconds(1), RecognitionKind.FINAL)
    while not engine.started:
        await asyncio.sleep(0.01)
    other = scheduler.submit(object(), engine, seconds(2), RecognitionKind.SPECULATION)
    mine = scheduler.submit(object(), engine, seconds(3), RecognitionKind.SPECULATION)
    assert other is not None and mine is not None
    scheduler.promote(mine, RecognitionKind.FINAL)
    engine.go.set()
    await _settled(other)
    assert engine.started == [1.0, 3.0, 2.0]


async def test_listener_busy_counts_main_engine_jobs() -> None:
    engine = GatedTranscriber()
    listener = Listener(
        Endpointer(16000), engine, partial_interval_s=None, scheduler=RecognitionScheduler()
    )
    assert not listener.busy
    speech = espeak_speech("Do you have the blue running shoes", 16000)
    pause = np.zeros(16000, np.int16)
    events = listener.feed(np.concatenate([np.zeros(4800, np.int16), speech, pause]))
    stopped = [e for e in events if e.utterance is not None]
    assert stopped and listener.busy  # its recognition runs on the main engine
    engine.go.set()
    await asyncio.wait_for(stopped[0].utterance.transcript, 5)
    await asyncio.sleep(0)
    assert not listener.busy
    listener.close()


def noisy_speech(seconds_total: float, rate: int = 16000) -> np.ndarray:
    """Bursts of speech in loud white noise, a new utterance every ~1.5 s (a busy shop)."""
    rng = np.random.default_rng(7)
    burst = espeak_speech("one two three", rate)
    gap = np.zeros(int(0.5 * rate), np.int16)
    parts = []
    while sum(p.size for p in parts) < seconds_total * rate:
        parts += [burst, gap]
    audio = np.concatenate(parts).astype(np.float32)
    audio += rng.normal(0, 1500, audio.size)
    return np.clip(audio, -32768, 32767).astype(np.int16)


async def test_a_second_call_beside_a_noisy_one_gets_ready_at_once(make_app, live_server) -> None:
    transcriber = ScriptedTranscriber(["one two three"], delay_s=1.5)
    app = make_app(transcriber=transcriber, synthesizer=ToneSynthesizer(seconds_per_word=0.05))
    app.state.voice_options = VoiceOptions(partial_interval_s=0.5, partial_after_s=0.5)
    url = f"{live_server(app).ws_url}/v1/voice"
    async with VoiceClient.connect(url) as noisy:
        await noisy.start(16000)
        streaming = asyncio.create_task(noisy.stream(noisy_speech(30), 16000, speed=6))
        await asyncio.sleep(3)  # ~18 s of noisy speech in: dozens of recognitions asked for
        waits = []
        for _ in range(2):
            async with VoiceClient.connect(url) as second:
                began = time.perf_counter()
                await second.start(16000)
                waits.append(time.perf_counter() - began)
        await streaming
    assert max(waits) < 1.0, waits
    assert len(transcriber.calls) < 30  # per stream one queued job at most: no backlog
