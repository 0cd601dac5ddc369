"""The parts that make replies start sooner: the first clause on its own, audio
prepared ahead of time, partials on a low-priority twin, the twin's priority.

Synthesis and recognition are TEST DOUBLES at the engine interfaces
(``ToneSynthesizer``, ``ScriptedTranscriber``) except where the real
faster-whisper engine (on the suite's tiny model) is the thing under test.
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
from doubles import ScriptedTranscriber, ToneSynthesizer
from fixtures_voice import espeak_speech

from hark.voice.asr.background import LOWEST_PRIORITY, build_at_low_priority, low_priority_cpu_s
from hark.voice.asr.base import BackgroundCapable
from hark.voice.listen.listener import Listener, ListenerEventKind
from hark.voice.listen.vad import Endpointer
from hark.voice.speak.speaker import Pacing, PreparedAudio, Speaker, prepare, whole
from hark.voice.tts.chunking import speech_pieces, split_sentences

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's"
)


def thread_nice(native_id: int) -> int:
    stat = Path(f"/proc/self/task/{native_id}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


# ------------------------------------------------------------------ first clause
def test_a_long_first_sentence_is_cut_after_its_first_clause() -> None:
    text = "Yes, we have three running shoes: the Trail Runner and the Road Max. Want one?"
    pieces = speech_pieces(text)
    assert pieces == [
        "Yes, we have three running shoes:",
        "the Trail Runner and the Road Max.",
        "Want one?",
    ]
    assert " ".join(pieces) == " ".join(split_sentences(text))
    short = "Sure, I can help. What's your order number?"
    assert speech_pieces(short) == split_sentences(short)  # short enough to say at once
    no_clause = "Your parcel left the warehouse on Monday morning by courier."
    assert speech_pieces(no_clause) == [no_clause]
    assert speech_pieces("") == []


async def _speak(synth: ToneSynthesizer, text: str, prepared: PreparedAudio | None) -> int:
    sent: list[bytes] = []

    async def send(data: bytes) -> None:
        sent.append(data)

    class Quiet:
        async def audio_starting(self) -> None:
            return None

        async def first_frame_sent(self, at: float) -> None:
            return None

    speaker = Speaker(synth, Pacing(16000, lead_s=100.0), send_audio=send)
    await speaker.speak(whole(text), speaker.clock(), Quiet(), prepared=prepared)
    return sum(len(b) for b in sent)


async def test_prepared_first_audio_is_played_not_made_again() -> None:
    text = "Yes, we have three running shoes: the Trail Runner and the Road Max."
    synth = ToneSynthesizer(seconds_per_word=0.01)
    prepared = prepare(synth, text)
    assert prepared is not None and prepared.text == "Yes, we have three running shoes:"
    await prepared.audio
    assert synth.spoken == ["Yes, we have three running shoes:"]
    sent = await _speak(synth, text, prepared)
    assert synth.spoken == [
        "Yes, we have three running shoes:",
        "the Trail Runner and the Road Max.",
    ]
    fresh = ToneSynthesizer(seconds_per_word=0.01)
    assert sent == await _speak(fresh, text, None)  # the same audio either way


async def test_prepared_audio_for_other_words_is_ignored() -> None:
    synth = ToneSynthesizer(seconds_per_word=0.01)
    stale = prepare(synth, "Your cart is empty.")
    assert stale is not None
    await stale.audio
    await _speak(synth, "You have one travel mug in your cart.", stale)
    assert synth.spoken == ["Your cart is empty.", "You have one travel mug in your cart."]


# ------------------------------------------------------------------ partials
class CountingTranscriber(ScriptedTranscriber):
    """TEST DOUBLE ``Transcriber`` that knows how many of its calls are running."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.in_flight = 0
        self._count_lock = threading.Lock()

    def transcribe(self, audio_16k_float32: np.ndarray):
        with self._count_lock:
            self.in_flight += 1
        try:
            return super().transcribe(audio_16k_float32)
        finally:
            with self._count_lock:
                self.in_flight -= 1


class TwinnedTranscriber(ScriptedTranscriber):
    """TEST DOUBLE ``Transcriber`` with a background twin (``BackgroundCapable``)."""

    def __init__(self, *args, twin_text: str = "partial words", twin_delay_s: float = 0.05,
                 **kwargs) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.twin = CountingTranscriber([twin_text], delay_s=twin_delay_s)

    @property
    def background_possible(self) -> bool:
        return True

    def background(self) -> ScriptedTranscriber:
        return self.twin

    def background_idle(self) -> bool:
        return self.twin.in_flight == 0


def starved_twin() -> float:
    """TEST DOUBLE of the twin's CPU clock: it never moves (a busy machine starves the twin)."""
    return 0.0


class ComputingTwin:
    """TEST DOUBLE of the twin's CPU clock: two cores' worth of CPU per second of wall
    time (an idle machine) until ``starved`` is set, then it stands still."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.starved = False
        self.value = 0.0

    def __call__(self) -> float:
        if not self.starved:
            self.value = 2.0 * (time.perf_counter() - self.start)
        return self.value


async def _listen(
    transcriber,
    seconds_of_speech: float,
    confirm_pause_s: float = 0.1,
    twin_cpu=starved_twin,
    with_partials: bool = True,
    each_chunk=None,
) -> tuple[Listener, list, list[str]]:
    rate = 16000
    words = "I would like to order the blue running shoes in size ten and a travel mug please"
    speech = espeak_speech(words, rate)[: int(seconds_of_speech * rate)]
    audio = np.concatenate([speech, np.zeros(int(0.6 * rate), np.int16)])
    partials: list[str] = []
    listener = Listener(
        Endpointer(rate, energy_tail_ms=40), transcriber,
        partial_interval_s=0.5 if with_partials else None,
        partial_after_s=1.0, on_partial=partials.append, confirm_pause_s=confirm_pause_s,
        twin_cpu=twin_cpu,
    )  # fmt: skip
    events = []
    chunk = rate // 50
    for offset in range(0, audio.size, chunk):
        events += listener.feed(audio[offset : offset + chunk])
        if each_chunk is not None:
            each_chunk(listener)
        await asyncio.sleep(0.02)  # real time: recognitions finish while the caller talks
    return listener, events, partials


async def test_partials_run_on_the_twin_and_never_hold_up_the_final() -> None:
    # One model, one audio, one text: the twin says what the main engine says.
    transcriber = TwinnedTranscriber(["the whole request"], twin_text="the whole request")
    assert isinstance(transcriber, BackgroundCapable)
    listener, events, partials = await _listen(transcriber, 3.0, confirm_pause_s=0.0)
    kinds = [e.kind for e in events]
    assert (
        ListenerEventKind.SPEECH_PAUSED in kinds and kinds[-1] is ListenerEventKind.SPEECH_STOPPED
    )
    pauses = [e for e in events if e.kind is ListenerEventKind.SPEECH_PAUSED]
    utterance = events[-1].utterance
    assert utterance is not None and utterance.early
    assert utterance.transcript is pauses[-1].early.transcript  # the last early job is the final
    assert (await utterance.transcript).text == "the whole request"
    # Early jobs started on the idle twin and, confirmed at once here, on the main engine.
    assert len(transcriber.calls) == len(pauses) == listener.early_confirmed
    stats = listener.partial_stats
    assert stats.background and stats.started >= 2
    assert len(transcriber.twin.calls) == stats.started + listener.early_on_twin
    assert partials and stats.sent == len(partials) and stats.compute_s > 0


async def test_without_a_twin_partials_wait_for_an_idle_engine() -> None:
    transcriber = ScriptedTranscriber(["words so far"], delay_s=0.05)
    listener, events, partials = await _listen(transcriber, 3.0)
    assert not listener.partial_stats.background and listener.partial_stats.started >= 2
    pauses = sum(e.kind is ListenerEventKind.SPEECH_PAUSED for e in events)
    assert len(transcriber.calls) == listener.partial_stats.started + pauses  # partials + early


async def test_a_young_pause_is_recognised_on_the_idle_twin() -> None:
    transcriber = TwinnedTranscriber(["main words"], twin_text="twin words", twin_delay_s=0.02)
    listener, events, _ = await _listen(transcriber, 1.5)
    utterance = events[-1].utterance
    assert utterance is not None and utterance.early
    assert (await utterance.transcript).text == "twin words"
    assert listener.early_on_twin >= 1 and listener.early_confirmed == 0
    assert transcriber.calls == []  # the main engine was never needed


async def test_a_slow_twin_is_overtaken_once_the_pause_is_confirmed() -> None:
    """A busy machine starves the twin: from a 100 ms pause on, the main engine runs too."""
    transcriber = TwinnedTranscriber(
        ["main words"], delay_s=0.02, twin_text="twin words", twin_delay_s=1.5
    )
    listener, events, _ = await _listen(transcriber, 1.5)
    utterance = events[-1].utterance
    assert utterance is not None and utterance.early
    assert (await utterance.transcript).text == "main words"
    # Confirmed pauses ran on the main engine too (and pauses met while the twin was
    # still busy went there directly).
    assert listener.early_confirmed >= 1 and len(transcriber.calls) >= listener.early_confirmed


async def test_a_twin_seen_computing_is_left_to_finish_alone() -> None:
    """An idle machine: the twin has the cores, and a second run would only slow it."""
    transcriber = TwinnedTranscriber(
        ["main words"], delay_s=0.02, twin_text="twin words", twin_delay_s=0.5
    )
    listener, events, _ = await _listen(
        transcriber, 1.5, twin_cpu=ComputingTwin(), with_partials=False
    )
    utterance = events[-1].utterance
    assert utterance is not None and utterance.early
    assert (await utterance.transcript).text == "twin words"
    assert listener.early_left_to_twin >= 1 and listener.early_confirmed == 0
    assert transcriber.calls == []


async def test_a_twin_that_starves_later_is_overtaken_then() -> None:
    transcriber = TwinnedTranscriber(
        ["main words"], delay_s=0.02, twin_text="twin words", twin_delay_s=1.5
    )
    clock = ComputingTwin()

    def starve_once_left_to_the_twin(listener: Listener) -> None:
        clock.starved = clock.starved or listener.early_left_to_twin > 0

    listener, events, _ = await _listen(
        transcriber,
        1.5,
        twin_cpu=clock,
        with_partials=False,
        each_chunk=starve_once_left_to_the_twin,
    )
    utterance = events[-1].utterance
    assert utterance is not None and utterance.early
    assert (await utterance.transcript).text == "main words"
    assert listener.early_left_to_twin >= 1 and listener.early_confirmed >= 1


# ------------------------------------------------------------------ the twin's priority
@linux_only
def test_the_cpu_of_lowest_priority_threads_is_counted() -> None:
    """``low_priority_cpu_s`` sees what a nice-19 thread computes, and nothing else."""
    done = threading.Event()

    release = threading.Event()

    def spin() -> None:  # until it has had 0.2 s of CPU, however busy the machine is
        deadline = time.monotonic() + 30
        while time.thread_time() < 0.2 and time.monotonic() < deadline:
            sum(range(1000))
        done.set()
        release.wait(10)  # an ended thread leaves /proc/self/task, and its count with it

    def factory() -> threading.Thread:  # started here, so it inherits the lowest priority
        thread = threading.Thread(target=spin, daemon=True)
        thread.start()
        return thread

    before = low_priority_cpu_s()
    assert before is not None
    thread = build_at_low_priority(factory)
    assert thread is not None
    # this thread (nice 0) computes meanwhile and must not be counted
    own = time.thread_time()
    while time.thread_time() - own < 0.1:
        sum(range(1000))
    try:
        assert done.wait(40)
        grown = low_priority_cpu_s() - before
        assert 0.15 <= grown < 0.2 + 0.1  # the thread's 0.2 s (clock ticks), not ours
    finally:
        release.set()
        thread.join(10)


@linux_only
def test_threads_a_low_priority_build_starts_inherit_its_priority() -> None:
    seen: dict[str, int] = {}
    stop = threading.Event()

    def worker() -> None:  # what CTranslate2 does at load: start its compute threads
        seen["worker"] = threading.get_native_id()
        stop.wait(5)

    def factory() -> threading.Thread:
        seen["builder"] = thread_nice(threading.get_native_id())
        thread = threading.Thread(target=worker, daemon=True)
        thread.start()
        return thread

    thread = build_at_low_priority(factory)
    try:
        assert thread is not None and seen["builder"] == LOWEST_PRIORITY
        deadline = time.monotonic() + 5
        while "worker" not in seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert thread_nice(seen["worker"]) == LOWEST_PRIORITY
        assert thread_nice(threading.get_native_id()) == os.getpriority(os.PRIO_PROCESS, 0)
    finally:
        stop.set()


@linux_only
def test_the_whisper_twin_computes_at_the_lowest_priority(tiny_whisper_dir: Path) -> None:
    from hark.voice.asr.whisper import WhisperTranscriber

    before = set(os.listdir("/proc/self/task"))
    engine = WhisperTranscriber(tiny_whisper_dir, cpu_threads=1, vocabulary=["Aurora lamp"])
    assert engine.background_possible and engine.background() is None  # starts loading
    deadline = time.monotonic() + 30
    while (twin := engine.background()) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert twin is not None and twin is not engine
    audio = np.zeros(16000, np.float32)
    assert twin.transcribe(audio).text == engine.transcribe(audio).text
    assert twin.vocabulary_prompt == engine.vocabulary_prompt
    new = set(os.listdir("/proc/self/task")) - before
    niced = [tid for tid in new if (tid_path := Path(f"/proc/self/task/{tid}")).exists()
             and thread_nice(int(tid_path.name)) == LOWEST_PRIORITY]  # fmt: skip
    assert niced  # the twin's compute threads
