"""How well Hark hears: echo, backchannels, real barge-ins, slow digits, noise -- before and after.

Run: ``.venv/bin/python bench/hearing.py`` (a few minutes on 2 cores;
``--quick`` runs one or two conditions per table, ``--parts echo,overlap``
chooses tables). Everything is real and on
loopback: the app under uvicorn in this process, ``/v1/voice`` over a real
WebSocket, the REAL Whisper base and the REAL piper voice ``en_US-joe-medium``
(``tools/fetch_real_models.py``); the brain is the ``ScriptedDialogue`` double
with a long reply that ends in a question, so every condition hears the same
words. The caller is ``LoudspeakerCaller`` (tests/hearing_sim.py): espeak-ng
voices unlike Hark's (en-gb, en-us+f3), and Hark's reply fed back into the
microphone delayed, quieter and through a synthetic 0.3 s room.

**before** = ``HARK_AEC=off``, ``HARK_BARGE_IN_BACKCHANNELS=false``,
``HARK_VAD_NUMBER_HANGOVER_MS`` = the hangover (what Hark did before issue 25);
**after** = the defaults. The machine is shared: figures are per run and
only comparable within it.

Tables: false barge-ins per reply heard with echo only; backchannels that
stopped Hark; real barge-ins stopped and their delay from the speech onset;
slow digit strings cut before their end; turns and word error rate of a
question in pink noise and babble at 10 and 5 dB SNR.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from typing import Any

import numpy as np
from harness import LiveServer, real_model_paths  # first: the suite's helpers become importable

# isort: split

from doubles import ScriptedDialogue
from fixtures_voice import espeak_speech
from hearing_sim import LoudspeakerCaller, at_dbfs, babble, pink
from voice_client import VoiceClient

RATE = 16000
REPLY = "Sure. The blue running shoes come in three colours and sizes six to twelve. Would you like me to add them to your cart?"
BEFORE = {"aec": "off", "barge_in_backchannels": False, "vad_number_hangover_ms": 300,
          "vad_incomplete_number_ms": 300}  # fmt: skip
AFTER: dict[str, Any] = {}
QUESTION = "Do you have the blue running shoes in size nine?"
ASK_NUMBER = "Sure. What's your order number?"
DIGITS = ["four", "five", "seven", "two", "one"]


class Bench:
    """One app per setting (models loaded once, shared)."""

    def __init__(self) -> None:
        from hark.runtime.settings import load_settings
        from hark.voice.asr.whisper import WhisperTranscriber
        from hark.voice.tts.piper import PiperSynthesizer

        paths = real_model_paths()
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


async def call(server: LiveServer, seconds: float, **caller: Any) -> dict[str, Any]:
    """One call: stream ``seconds`` of microphone audio; return what the client saw."""
    async with VoiceClient.connect(f"{server.ws_url}/v1/voice") as client:
        await client.start(RATE)
        sim = LoudspeakerCaller(client, **caller)
        await sim.run(seconds)
        await asyncio.sleep(0.5)
        return {"client": client, "sim": sim}


def count(client: VoiceClient, kind: str) -> int:
    return client.types().count(kind)


def first_at(client: VoiceClient, kind: str) -> float | None:
    found = [item.at for item in client.received if item.type == kind]
    return found[0] if found else None


async def echo_rows(bench: Bench, quick: bool) -> list[str]:
    conditions = [(0.06, -6.0), (0.15, -20.0)] if quick else [
        (0.06, -6.0), (0.06, -20.0), (0.15, -10.0), (0.15, -30.0), (0.25, -10.0)]  # fmt: skip
    rows = []
    for label, update in (("before", BEFORE), ("after", AFTER)):
        server, _ = bench.serve(update)
        try:
            for delay, level in conditions:
                seen = await call(server, 9.0, echo_delay_s=delay, echo_db=level)
                client = seen["client"]
                replies, cut = count(client, "reply"), count(client, "interrupted")
                finals = sum(1 for e in client.events() if e.get("type") == "transcript")
                rows.append(f"{label:<7}{delay * 1000:>7.0f}{level:>8.0f}{replies:>9}{cut:>9}"
                            f"{cut / max(replies, 1):>10.2f}{finals:>9}")  # fmt: skip
        finally:
            server.stop()
    return ["echo only (0.3 s reverb)", f"{'run':<7}{'delay':>7}{'level':>8}{'replies':>9}"
            f"{'cut':>9}{'cut/rep':>10}{'heard':>9}", *rows]  # fmt: skip


async def overlap_rows(bench: Bench, quick: bool) -> list[str]:
    backchannels = (
        ["Mm-hmm.", "Okay.", "Yeah."]
        if quick
        else ["Mm-hmm.", "Okay.", "Yeah.", "Uh-huh.", "Right."]
    )
    barge = ["Wait, stop.", "No, I meant the red ones."]
    rows = []
    for label, update in (("before", BEFORE), ("after", AFTER)):
        server, _ = bench.serve(update)
        try:
            for words in [*backchannels, *barge]:
                speech = espeak_speech(words, RATE, voice="en-us+f3")
                seen = await call(server, 4.0, echo_delay_s=0.1, echo_db=-15.0,
                                  speech=[(1.5, speech)])  # fmt: skip
                client, sim = seen["client"], seen["sim"]
                stopped = count(client, "interrupted") > 0
                at = first_at(client, "interrupted")
                onset = sim.started_at + 1.5
                delay = "" if at is None else f"{(at - onset) * 1000:.0f}"
                kind = "barge-in" if words in barge else "backchannel"
                rows.append(
                    f"{label:<7}{kind:<12}{words:<28}{'stopped' if stopped else 'went on':>9}{delay:>8}"
                )
        finally:
            server.stop()
    return ["speech over the reply (echo -15 dB, 100 ms)",
            f"{'run':<7}{'kind':<12}{'words':<28}{'Hark':>9}{'ms':>8}", *rows]  # fmt: skip


async def digit_rows(bench: Bench) -> list[str]:
    rows = []
    for label, update in (("before", BEFORE), ("after", AFTER)):
        server, dialogue = bench.serve(update, asks_number=True)
        try:
            for gap in (0.5, 0.7, 0.9):
                speech = []
                at = 3.0  # after the question
                for word in DIGITS:
                    audio = espeak_speech(word, RATE, voice="en-gb", wpm=130)
                    speech.append((at, audio))
                    at += audio.size / RATE + gap
                await call(server, at + 3.0, echo_delay_s=0.1, echo_db=-40.0, speech=speech)
                turns = list(dialogue.turns)
                dialogue.turns.clear()
                whole = len(turns) == 1
                rows.append(
                    f"{label:<7}{gap * 1000:>6.0f}{len(turns):>7}  {'whole' if whole else 'cut':<6} {turns}"
                )
        finally:
            server.stop()
    return ["slow digits (4 5 7 2 1)", f"{'run':<7}{'gap':>6}{'turns':>7}  result", *rows]


def wer(ref: str, hyp: str) -> float:
    import re

    r = re.findall(r"[a-z0-9']+", ref.lower())
    h = re.findall(r"[a-z0-9']+", hyp.lower())
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        prev, d[0] = d[0], i
        for j in range(1, len(h) + 1):
            cur = min(d[j] + 1, d[j - 1] + 1, prev + (r[i - 1] != h[j - 1]))
            prev, d[j] = d[j], cur
    return d[len(h)] / max(len(r), 1)


async def noise_rows(bench: Bench, quick: bool) -> list[str]:
    speech = espeak_speech(QUESTION, RATE, voice="en-gb")
    level = 20 * np.log10(np.sqrt(np.mean(speech.astype(float) ** 2)) / 32768)
    rows = []
    kinds = [("pink", 10)] if quick else [("pink", 10), ("babble", 10), ("pink", 5), ("babble", 5)]
    for label, update in (("before", BEFORE), ("after", AFTER)):
        server, dialogue = bench.serve(update)
        try:
            for kind, snr in [("quiet", 0), *kinds]:
                noise = None
                if kind != "quiet":
                    raw = pink(12) if kind == "pink" else babble(12)
                    noise = at_dbfs(raw, level - snr)
                await call(server, 12.0, echo_delay_s=0.1, echo_db=-40.0, noise=noise,
                           speech=[(7.0, speech)])  # fmt: skip
                turns = list(dialogue.turns)
                dialogue.turns.clear()
                best = min((wer(QUESTION, t) for t in turns), default=1.0)
                rows.append(f"{label:<7}{kind:<8}{snr:>5}{len(turns):>7}{best * 100:>8.0f}")
        finally:
            server.stop()
    return ["a question in noise (turns answered; best WER %)",
            f"{'run':<7}{'noise':<8}{'SNR':>5}{'turns':>7}{'WER':>8}", *rows]  # fmt: skip


async def main(args: argparse.Namespace) -> None:
    bench = Bench()
    print(f"load average at start: {os.getloadavg()[0]:.1f} (2 cores, shared)")
    parts = {
        "echo": lambda: echo_rows(bench, args.quick),
        "overlap": lambda: overlap_rows(bench, args.quick),
        "digits": lambda: digit_rows(bench),
        "noise": lambda: noise_rows(bench, args.quick),
    }
    for name in args.parts.split(","):
        print("\n".join(await parts[name]()), "\n", flush=True)
    print(f"load average at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one or two conditions per table")
    parser.add_argument("--parts", default="echo,overlap,digits,noise", help="tables to run")
    asyncio.run(main(parser.parse_args()))
