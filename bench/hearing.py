"""How well Hark hears: echo, backchannels, real barge-ins, slow digits, noise -- against the goals.

Run: ``nice -n 5 .venv/bin/python bench/hearing.py`` (about 25 minutes on 2
cores; ``--quick`` runs a few conditions of each part in ~6 minutes,
``--parts echo,overlap`` chooses parts, ``--runs after`` skips the "before"
settings). Everything is real and on loopback: the app under uvicorn in this
process, ``/v1/voice`` over a real WebSocket, the REAL Whisper base and the
REAL piper voice ``en_US-joe-medium`` (``tools/fetch_real_models.py``); the
brain is the ``ScriptedDialogue`` double with a long reply that ends in a
question, so every condition hears the same words. The caller is
``LoudspeakerCaller`` (tests/hearing_sim.py): espeak-ng voices unlike Hark's
(en-gb, en-us+f3), and Hark's reply fed back into the microphone delayed,
quieter and through a synthetic 0.3 s room (or none).

**before** = ``HARK_AEC=off``, ``HARK_BARGE_IN_BACKCHANNELS=false``, number
waits = the hangover (what Hark did before issue 25); **after** = the
defaults. The machine is shared: latencies are per run, with the load
average printed at each part's start and end.

Parts (each ends with a ``goal:`` line: the issue's goal and what was measured):

* ``echo``: replies cut by their own echo (each call: the greeting, then a
  typed "Tell me more." after each reply, so several replies per call), at
  60-250 ms delay, -6 to -30 dB, with and without the room;
* ``overlap``: backchannels over a reply (stopped it? became a turn?) and
  real barge-ins (stopped it? how long after the caller's onset?);
* ``digits``: an order number read digit by digit after "What's your order
  number?", 0.5-1.5 s between digits: one turn with every digit, or cut;
* ``noise``: five shop questions in quiet, pink noise and babble at 10 and
  5 dB SNR: a task succeeds when exactly one turn holds the question's key
  words; ``shopnoise``: minutes of pink noise and babble with nobody
  speaking, turns and speech starts counted; ``second``: a new call's
  ``ready`` and first reply beside a call streaming babble and questions
  (``bench/hearing_parts.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from typing import Any

from harness import LiveServer, real_model_paths  # first: the suite's helpers become importable

# isort: split

from doubles import ScriptedDialogue
from fixtures_voice import espeak_speech
from hearing_parts import call, count, first_at, load, noise_rows, second_call_rows, shop_noise_rows

RATE = 16000
REPLY = "Sure. The blue running shoes come in three colours and sizes six to twelve. Would you like me to add them to your cart?"
BEFORE = {"aec": "off", "barge_in_backchannels": False, "vad_number_hangover_ms": 300,
          "vad_incomplete_number_ms": 300}  # fmt: skip
AFTER: dict[str, Any] = {}
ASK_NUMBER = "Sure. What's your order number?"
DIGITS = ["four", "five", "seven", "two", "one"]
VOICES = ("en-gb", "en-us+f3")
BACKCHANNELS = ["Mm-hmm.", "Okay.", "Yeah.", "Uh-huh.", "Right."]
BARGE_INS = ["Wait, stop.", "No, I meant the red ones.", "Hang on.", "Stop.",
             "What about the green ones?"]  # fmt: skip


class Bench:
    """One app per setting (models loaded once, shared)."""

    def __init__(self, runs: list[str]) -> None:
        from hark.runtime.settings import load_settings
        from hark.voice.asr.whisper import WhisperTranscriber
        from hark.voice.tts.piper import PiperSynthesizer

        paths = real_model_paths()
        self.runs = [(name, BEFORE if name == "before" else AFTER) for name in runs]
        self.base = load_settings(
            data_dir=tempfile.mkdtemp(prefix="hark-hearing-"),
            log_level="WARNING",
            rate_limit="off",
            asr_model=paths["whisper_base"],
            tts_voice=paths["piper_voice"],
        )
        self.asr = WhisperTranscriber.from_settings(self.base)
        self.tts = PiperSynthesizer.from_settings(self.base)

    def serve(
        self, update: dict[str, Any], asks_number: bool = False
    ) -> tuple[LiveServer, ScriptedDialogue]:
        from hark.server.app import create_app
        from hark.server.services import build_services
        from hark.voice.turn.session import VoiceOptions

        settings = self.base.model_copy(update=update)
        dialogue = ScriptedDialogue(reply=REPLY, greeting=REPLY)
        if asks_number:  # greets by asking for the order number, as the real brain asks
            from hark.skills.reply import Expects

            dialogue = ScriptedDialogue(
                reply=REPLY, greeting=ASK_NUMBER, greeting_expects=Expects.NUMBER,
                expects_digits=frozenset({len(DIGITS)}),
            )  # fmt: skip
        services = build_services(
            settings, load_engines=False, transcriber=self.asr, synthesizer=self.tts,
            dialogue=dialogue,
        )  # fmt: skip
        app = create_app(settings, services)
        app.state.voice_options = VoiceOptions(partial_interval_s=None)
        return LiveServer(app).start(), dialogue


async def echo_rows(bench: Bench, quick: bool) -> list[str]:
    conditions = [(0.06, -6.0, 0.3), (0.15, -20.0, 0.3), (0.15, -20.0, 0.0)] if quick else [
        (d, lv, r) for d in (0.06, 0.15, 0.25) for lv in (-6.0, -30.0) for r in (0.3, 0.0)]  # fmt: skip
    seconds = 14.0 if quick else 24.0
    rows, worst = [f"echo only ({load()})"], 0.0
    rows.append(f"{'run':<7}{'delay':>7}{'level':>7}{'room':>6}{'replies':>9}{'cut':>6}"
                f"{'cut/rep':>9}{'heard':>7}")  # fmt: skip
    for label, update in bench.runs:
        server, _ = bench.serve(update)
        try:
            for delay, level, reverb in conditions:
                client, _ = await call(server, seconds, follow_up=True, echo_delay_s=delay,
                                       echo_db=level, reverb_s=reverb)  # fmt: skip
                replies, cut = count(client, "reply"), count(client, "interrupted")
                finals = sum(1 for e in client.events() if e.get("type") == "transcript")
                share = cut / max(replies, 1)
                if label == "after":
                    worst = max(worst, share)
                rows.append(f"{label:<7}{delay * 1000:>7.0f}{level:>7.0f}{reverb:>6.1f}"
                            f"{replies:>9}{cut:>6}{share:>9.2f}{finals:>7}")  # fmt: skip
        finally:
            server.stop()
    rows.append(f"goal: false barge-ins from echo <= 2 % of replies in every condition;"
                f" after: worst {worst * 100:.0f} % ({load()})")  # fmt: skip
    return rows


async def overlap_rows(bench: Bench, quick: bool) -> list[str]:
    voices = VOICES[:1] if quick else VOICES
    backchannels = BACKCHANNELS[:3] if quick else BACKCHANNELS
    barges = BARGE_INS[:2] if quick else BARGE_INS
    rows = [f"speech over the reply, echo -15 dB / 100 ms ({load()})",
            f"{'run':<7}{'voice':<10}{'kind':<12}{'words':<28}{'Hark':>9}{'ms':>7}  turn"]  # fmt: skip
    after: dict[str, list[Any]] = {"bc_stopped": [], "bc_turns": [], "barge_ms": []}
    for label, update in bench.runs:
        server, dialogue = bench.serve(update)
        try:
            for voice in voices:
                for words in [*backchannels, *barges]:
                    speech = espeak_speech(words, RATE, voice=voice)
                    dialogue.turns.clear()
                    client, sim = await call(server, 4.5, echo_delay_s=0.1, echo_db=-15.0,
                                             speech=[(1.5, speech)])  # fmt: skip
                    at = first_at(client, "interrupted")
                    ms = None if at is None else (at - (sim.started_at + 1.5)) * 1000
                    turns = list(dialogue.turns)
                    barge = words in barges
                    if label == "after":
                        if barge:
                            after["barge_ms"].append(ms)
                        else:
                            after["bc_stopped"].append(at is not None)
                            after["bc_turns"].append(bool(turns))
                    rows.append(f"{label:<7}{voice:<10}{'barge-in' if barge else 'backchannel':<12}"
                                f"{words:<28}{'stopped' if at else 'went on':>9}"
                                f"{'' if ms is None else f'{ms:.0f}':>7}  {turns}")  # fmt: skip
        finally:
            server.stop()
    if after["barge_ms"]:
        stopped = [ms for ms in after["barge_ms"] if ms is not None]
        fast = sum(1 for ms in stopped if ms <= 300)
        n, bc = len(after["barge_ms"]), len(after["bc_stopped"])
        p50 = statistics.median(stopped) if stopped else float("nan")
        rows.append(f"goal: backchannel interruptions <= 10 % and never an answer; after:"
                    f" {sum(after['bc_stopped'])}/{bc} stopped Hark, {sum(after['bc_turns'])}/{bc}"
                    f" became a turn")  # fmt: skip
        rows.append(f"goal: real barge-ins >= 95 % within 300 ms; after: {len(stopped)}/{n} stopped,"
                    f" {fast}/{n} within 300 ms, p50 {p50:.0f} ms ({load()})")  # fmt: skip
    return rows


async def digit_rows(bench: Bench, quick: bool) -> list[str]:
    gaps = (0.5, 0.9) if quick else (0.5, 0.7, 0.9, 1.2, 1.5)
    rows = [f"slow digits (4 5 7 2 1) after {ASK_NUMBER!r} ({load()})",
            f"{'run':<7}{'gap':>6}{'turns':>7}  result"]  # fmt: skip
    cut = tried = 0
    for label, update in bench.runs:
        server, dialogue = bench.serve(update, asks_number=True)
        try:
            for gap in gaps:
                speech, at = [], 2.5  # after the question
                for word in DIGITS:
                    audio = espeak_speech(word, RATE, voice="en-gb", wpm=130)
                    speech.append((at, audio))
                    at += audio.size / RATE + gap
                await call(server, at + 4.0, echo_delay_s=0.1, echo_db=-40.0, speech=speech)
                turns = list(dialogue.turns)
                dialogue.turns.clear()
                # Cut: the first turn the brain got is not the whole number (later turns are
                # counted apart: the echo of the reply that followed, not the caller's digits).
                whole = bool(turns) and "".join(filter(str.isdigit, turns[0])) == "45721"
                if label == "after":
                    tried, cut = tried + 1, cut + (not whole)
                rows.append(f"{label:<7}{gap * 1000:>6.0f}{len(turns):>7}"
                            f"  {'whole' if whole else 'cut'} {turns}")  # fmt: skip
        finally:
            server.stop()
    rows.append(f"goal: no digit string cut; after: {cut}/{tried} cut (turns after the first:"
                f" the reply's echo heard as words) ({load()})")  # fmt: skip
    return rows


async def main(args: argparse.Namespace) -> None:
    bench = Bench(args.runs.split(","))
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores, shared)")
    parts = {
        "echo": lambda: echo_rows(bench, args.quick),
        "overlap": lambda: overlap_rows(bench, args.quick),
        "digits": lambda: digit_rows(bench, args.quick),
        "noise": lambda: noise_rows(bench, args.quick),
        "shopnoise": lambda: shop_noise_rows(bench, args.quick),
        "second": lambda: second_call_rows(bench, args.quick),
    }
    for name in args.parts.split(","):
        started = time.perf_counter()
        rows = await parts[name]()
        print("\n".join(rows), f"\n({name}: {time.perf_counter() - started:.0f} s)\n", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few conditions per part")
    parser.add_argument(
        "--parts", default="echo,overlap,digits,noise,shopnoise,second", help="parts to run"
    )
    parser.add_argument("--runs", default="before,after", help="settings to run: before,after")
    asyncio.run(main(parser.parse_args()))
