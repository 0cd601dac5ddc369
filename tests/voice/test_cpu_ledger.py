"""Where a voice process's CPU goes (``hark.voice.cpu``): engine threads found by the name
they inherit, their CPU shared among the calls that ran, recognitions charged to what they
ran as, and piper's repeated sentences not synthesised again.

Real threads burning real CPU, the real CTranslate2 and ONNX Runtime engines on the tiny
offline models; the scheduler tests use a TEST DOUBLE transcriber that reports a fixed cost.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from hark.voice.asr.base import Transcript
from hark.voice.asr.scheduler import RecognitionKind, RecognitionScheduler
from hark.voice.asr.whisper import WhisperTranscriber
from hark.voice.cpu import (
    ASR_THREADS,
    LEDGER,
    CpuLedger,
    ThreadGroup,
    build_named,
    name_this_thread,
    named_cpu_s,
)
from hark.voice.tts.piper import PiperSynthesizer

linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/task")


def spin(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def thread_names() -> list[str]:
    names = []
    for tid in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{tid}/comm") as comm:
                names.append(comm.read().strip())
        except FileNotFoundError:  # the thread ended between the listing and the read
            continue
    return names


@linux
def test_threads_started_by_a_named_builder_carry_its_name_and_their_cpu_is_summed() -> None:
    release = threading.Event()

    def factory() -> threading.Thread:  # an "engine" starting a compute thread of its own
        worker = threading.Thread(target=lambda: (spin(0.2), release.wait(10)), daemon=True)
        worker.start()
        return worker

    worker = build_named("test-engine-a", factory)
    try:
        time.sleep(0.05)
        assert "test-engine-a" in thread_names()
        deadline = time.monotonic() + 5
        while named_cpu_s("test-engine-a") < 0.18 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert 0.18 <= named_cpu_s("test-engine-a") < 1.0
    finally:
        release.set()
        worker.join()


def test_a_failing_builder_raises_in_the_callers_thread() -> None:
    def factory() -> None:
        raise ValueError("no such model")

    with pytest.raises(ValueError, match="no such model"):
        build_named("test-engine-b", factory)


@linux
def test_group_cpu_goes_to_the_call_running_and_to_idle_outside_calls() -> None:
    go, stop = threading.Event(), threading.Event()

    def compute() -> None:
        name_this_thread("test-engine-c")
        while not stop.is_set():
            if go.wait(0.01):
                spin(0.15)
                go.clear()

    thread = threading.Thread(target=compute, daemon=True)
    thread.start()
    time.sleep(0.05)
    group = ThreadGroup("test-engine-c")
    try:
        with group.call() as cost:
            go.set()
            while go.is_set():
                time.sleep(0.01)
        assert 0.13 <= cost[0] < 0.5  # the engine thread's work, charged to the call
        idle_before = group.idle_now()
        go.set()  # work outside any call: idle
        while go.is_set():
            time.sleep(0.01)
        assert group.idle_now() - idle_before >= 0.13
    finally:
        stop.set()
        thread.join()


def test_snapshot_splits_the_whole_process() -> None:
    ledger = CpuLedger()
    with ledger.calling_thread("caller_audio"):
        spin(0.05)
    parts = ledger.snapshot()
    assert parts["caller_audio"] >= 0.04
    assert parts["total"] >= parts["caller_audio"]
    assert parts["rest"] >= 0
    assert {"asr_idle", "tts", "total", "rest"} <= parts.keys()


class CostlyTranscriber:
    """TEST DOUBLE ``Transcriber``: says each call cost 0.25 CPU seconds; waits for ``go``."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.running = threading.Event()

    def set_vocabulary(self, names) -> None:
        return None

    def transcribe(self, audio: np.ndarray) -> Transcript:
        self.running.set()
        self.go.wait(10)
        return Transcript("words", "en", audio.size / 16000, cpu_s=0.25)


def test_a_speculation_promoted_while_running_is_charged_as_the_final() -> None:
    async def scenario() -> None:
        scheduler = RecognitionScheduler()
        engine = CostlyTranscriber()
        before = LEDGER.snapshot()
        future = scheduler.submit(
            "stream", engine, np.zeros(16000, np.float32), RecognitionKind.SPECULATION
        )
        assert future is not None
        await asyncio.to_thread(engine.running.wait, 5)
        scheduler.promote(future, RecognitionKind.FINAL)  # the caller stayed quiet
        engine.go.set()
        await asyncio.wait_for(future, 5)
        await asyncio.sleep(0.05)
        after = LEDGER.snapshot()
        assert after.get("asr_final", 0) - before.get("asr_final", 0) == pytest.approx(0.25)
        assert after.get("asr_speculation", 0) == before.get("asr_speculation", 0)

    asyncio.run(scenario())


@linux
def test_whisper_recognition_reports_its_cpu_with_the_engines_own_threads(
    tiny_whisper_dir: Path, asr_audio: np.ndarray
) -> None:
    engine = WhisperTranscriber(tiny_whisper_dir, cpu_threads=2, max_new_tokens=20)
    assert ASR_THREADS in thread_names()  # CTranslate2's threads, named by their builder
    started = time.process_time()
    result = engine.transcribe(asr_audio)
    process_s = time.process_time() - started
    assert 0 < result.cpu_s <= process_s + 0.02


def test_piper_synthesises_a_repeated_sentence_once(tiny_piper_voice: Path) -> None:
    voice = PiperSynthesizer(tiny_piper_voice, repeatable=True)
    first = voice.synthesize_sentence("Hello, how can I help?")
    before = LEDGER.snapshot()["tts"]
    again = voice.synthesize_sentence("Hello, how can I help?")
    assert voice.cache_hits == 1
    assert np.array_equal(first, again) and again is not first
    again[:] = 0  # the caller's copy: the cached audio is untouched
    assert np.array_equal(voice.synthesize_sentence("Hello, how can I help?"), first)
    assert LEDGER.snapshot()["tts"] - before < 0.01  # no synthesis ran


def test_piper_cache_is_bounded_and_can_be_off(tiny_piper_voice: Path) -> None:
    voice = PiperSynthesizer(tiny_piper_voice, cache_sentences=2)
    for text in ("One.", "Two.", "Three.", "One."):
        voice.synthesize_sentence(text)
    assert voice.cache_hits == 0  # "One." had been pushed out by the two after it
    off = PiperSynthesizer(tiny_piper_voice, cache_sentences=0)
    off.synthesize_sentence("One.")
    off.synthesize_sentence("One.")
    assert off.cache_hits == 0
