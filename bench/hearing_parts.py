"""``bench/hearing.py``'s calls and its noise parts: questions in noise, minutes of shop noise
with nobody speaking, and a second call beside a noisy one.

A module of the benchmark, not a script: ``bench/hearing.py`` runs these parts
(``--parts noise,shopnoise,second``) with its servers (``Bench.serve``: the
real app, real Whisper base and piper, the ``ScriptedDialogue`` double).
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import time
from typing import Any, Protocol

import numpy as np
from harness import LiveServer  # first: the suite's helpers become importable

# isort: split

from doubles import ScriptedDialogue
from fixtures_voice import espeak_speech
from hearing_sim import LoudspeakerCaller, at_dbfs, babble, pink
from voice_client import VoiceClient

RATE = 16000
QUESTIONS: list[tuple[str, tuple[tuple[str, ...], ...]]] = [
    # (what the caller asks, the key words a right transcript holds: one of each group)
    ("Do you have the blue running shoes in size nine?", (("shoes",), ("nine", "9"))),
    ("How late are you open tonight?", (("late",), ("open",))),
    ("I want to return a broken kettle.", (("return",), ("kettle",))),
    ("Does the red backpack come with a warranty?", (("backpack",), ("warranty",))),
    ("Can I pay for my order with a gift card?", (("gift",), ("card",))),
]
SHORT_GREETING = "Hi, how can I help?"


class Serving(Protocol):
    """What a part needs of ``bench/hearing.py``'s ``Bench``."""

    runs: list[tuple[str, dict[str, Any]]]

    def serve(
        self, update: dict[str, Any], asks_number: bool = False
    ) -> tuple[LiveServer, ScriptedDialogue]: ...


async def call(
    server: LiveServer, seconds: float, *, follow_up: bool = False, **caller: Any
) -> tuple[VoiceClient, LoudspeakerCaller]:
    """One call: stream ``seconds`` of microphone audio (``follow_up``: type "Tell me more."
    after each reply, for another one); return the client and the caller."""
    async with VoiceClient.connect(f"{server.ws_url}/v1/voice") as client:
        await client.start(RATE)
        sim = LoudspeakerCaller(client, **caller)
        talk = asyncio.ensure_future(_follow_up(client)) if follow_up else None
        await sim.run(seconds)
        if talk is not None:
            talk.cancel()
        await asyncio.sleep(0.5)
        return client, sim


async def _follow_up(client: VoiceClient) -> None:
    ends = 0
    while True:
        now = sum(1 for item in client.received if item.type == "audio_end")
        if now > ends:
            ends = now
            await asyncio.sleep(0.5)
            await client.send_json({"type": "text", "text": "Tell me more."})
        await asyncio.sleep(0.05)


def count(client: VoiceClient, kind: str) -> int:
    return client.types().count(kind)


def first_at(client: VoiceClient, kind: str) -> float | None:
    found = [item.at for item in client.received if item.type == kind]
    return found[0] if found else None


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def level_db(samples: np.ndarray) -> float:
    return float(20 * np.log10(np.sqrt(np.mean(samples.astype(float) ** 2)) / 32768))


def wer(ref: str, hyp: str) -> float:
    r = re.findall(r"[a-z0-9']+", ref.lower())
    h = re.findall(r"[a-z0-9']+", hyp.lower())
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)] / max(len(r), 1)


def right(turns: list[str], keys: tuple[tuple[str, ...], ...]) -> bool:
    """The task succeeded: one turn, holding one word of each key group."""
    if len(turns) != 1:
        return False
    words = set(re.findall(r"[a-z0-9]+", turns[0].lower()))
    return all(any(k in words for k in group) for group in keys)


def noise(kind: str, level: float, seconds: float = 12.0) -> np.ndarray:
    return at_dbfs(pink(seconds) if kind == "pink" else babble(seconds), level)


async def noise_rows(bench: Serving, quick: bool) -> list[str]:
    questions = QUESTIONS[:2] if quick else QUESTIONS
    kinds = [("quiet", 0), ("pink", 10), ("babble", 10)]
    kinds += [] if quick else [("pink", 5), ("babble", 5)]
    rows = [f"questions in noise ({load()})",
            f"{'run':<7}{'noise':<8}{'SNR':>4}  {'right':>6}  {'WER %':>6}  turns"]  # fmt: skip
    success: dict[tuple[str, str, int], float] = {}
    for label, update in bench.runs:
        server, dialogue = bench.serve(update)
        dialogue.greeting = SHORT_GREETING  # over before the question at 3 s
        try:
            for kind, snr in kinds:
                ok, errors, heard = 0, [], []
                for text, keys in questions:
                    speech = espeak_speech(text, RATE, voice="en-gb")
                    hum = None if kind == "quiet" else noise(kind, level_db(speech) - snr)
                    dialogue.turns.clear()
                    await call(server, 3.0 + speech.size / RATE + 4.0, echo_delay_s=0.1,
                               echo_db=-40.0, noise=hum, speech=[(3.0, speech)])  # fmt: skip
                    turns = list(dialogue.turns)
                    ok += right(turns, keys)
                    errors.append(min((wer(text, t) for t in turns), default=1.0))
                    heard.append(turns)
                success[(label, kind, snr)] = ok / len(questions)
                rows.append(f"{label:<7}{kind:<8}{snr:>4}  {ok:>3}/{len(questions):<2}"
                            f"  {statistics.mean(errors) * 100:>6.0f}  {heard}")  # fmt: skip
        finally:
            server.stop()
    clean = success.get(("after", "quiet", 0))
    if clean is not None:
        worst = min(v for (run, kind, snr), v in success.items() if run == "after" and snr == 10)
        rows.append(f"goal: task success at 10 dB pink and babble within 5 points of clean;"
                    f" after: clean {clean * 100:.0f} %, worst at 10 dB {worst * 100:.0f} %"
                    f" ({load()})")  # fmt: skip
    return rows


async def shop_noise_rows(bench: Serving, quick: bool) -> list[str]:
    """Nobody speaks: calls streaming shop noise at once (pink and babble, 10 and 5 dB under
    the level of the callers' questions) for minutes; every turn is a false one."""
    seconds = 60.0 if quick else 300.0
    level = level_db(espeak_speech(QUESTIONS[0][0], RATE, voice="en-gb"))
    kinds = [("pink", 10), ("babble", 10), ("pink", 5), ("babble", 5)]
    rows = [f"{seconds:.0f} s of shop noise, nobody speaking, {len(kinds)} calls at once ({load()})",
            f"{'noise':<8}{'SNR':>4}{'speech starts':>15}{'turns heard':>13}{'answered':>10}"]  # fmt: skip
    server, dialogue = bench.serve({})
    dialogue.greeting = SHORT_GREETING
    try:
        clients = await asyncio.gather(*[
            call(server, seconds, echo_delay_s=0.1, echo_db=-15.0,
                 noise=noise(kind, level - snr, 30.0))
            for kind, snr in kinds
        ])  # fmt: skip
    finally:
        server.stop()
    false_turns = 0
    for (kind, snr), (client, _) in zip(kinds, clients, strict=True):
        finals = sum(1 for e in client.events() if e.get("type") == "transcript")
        answered = count(client, "reply") - 1  # the greeting
        false_turns += finals + answered
        rows.append(f"{kind:<8}{snr:>4}{count(client, 'speech_started'):>15}{finals:>13}"
                    f"{answered:>10}")  # fmt: skip
    rows.append(f"goal: no false turn in 5 minutes of shop noise; after: {false_turns} in"
                f" {len(kinds)} calls of {seconds:.0f} s ({load()})")  # fmt: skip
    return rows


async def _second(server: LiveServer, question: np.ndarray) -> tuple[float, float]:
    """A new call: ms from ``start`` to ``ready``, and from the end of its first question to
    its first reply audio."""
    async with VoiceClient.connect(f"{server.ws_url}/v1/voice") as client:
        began = time.perf_counter()
        await client.start(RATE, echo_cancelled=True)
        ready_ms = (time.perf_counter() - began) * 1000
        await client.wait_for("audio_end", timeout=60)
        mark = client.mark()
        lead = np.zeros(int(0.3 * RATE), np.int16)
        report = await client.stream(np.concatenate((lead, question, lead)), RATE)
        spoken_at = report.started_at + (lead.size + question.size) / RATE
        await client.wait_for("audio_end", since=mark, timeout=60)
        audio = [i.at for i in client.received[mark:] if i.audio is not None]
        return ready_ms, (audio[0] - spoken_at) * 1000 if audio else float("nan")


async def second_call_rows(bench: Serving, quick: bool) -> list[str]:
    """One call streams babble at 5 dB SNR with a question every 4 s (recognition after
    recognition); new calls open beside it: their ``ready`` and first reply, against the
    same new call on an otherwise idle server."""
    question = espeak_speech(QUESTIONS[0][0], RATE, voice="en-us+f3")
    level = level_db(question)
    repeats = 2 if quick else 4
    server, dialogue = bench.serve({})
    dialogue.greeting = SHORT_GREETING
    rows = [f"a new call beside a noisy one ({load()})",
            f"{'when':<16}{'ready ms':>10}{'first reply ms':>16}"]  # fmt: skip
    try:
        alone = [await _second(server, question) for _ in range(repeats)]
        speech = [(1.0 + 4.0 * k, question) for k in range(int(8 + 5 * repeats))]
        noisy = asyncio.ensure_future(call(server, 4.0 * len(speech), echo_delay_s=0.1,
                                           echo_db=-15.0, noise=noise("babble", level - 5),
                                           speech=speech))  # fmt: skip
        await asyncio.sleep(6.0)  # the noisy call is recognising
        beside = []
        for _ in range(repeats):
            beside.append(await _second(server, question))
            await asyncio.sleep(1.0)
        noisy_client, _ = await noisy
    finally:
        server.stop()
    for name, results in (("alone", alone), ("beside noisy", beside)):
        for ready_ms, reply_ms in results:
            rows.append(f"{name:<16}{ready_ms:>10.0f}{reply_ms:>16.0f}")
    worst = max(r for r, _ in beside)
    typical = statistics.median(ms for _, ms in alone)
    rows.append(f"(the noisy call: {count(noisy_client, 'transcript')} turns heard)")
    rows.append(f"goal: a new call ready < 1 s beside a noisy one; after: worst {worst:.0f} ms;"
                f" first reply p50 {statistics.median(ms for _, ms in beside):.0f} ms beside,"
                f" {typical:.0f} ms alone ({load()})")  # fmt: skip
    return rows
