"""Callers spoken by a real voice into a real server that listens with real Whisper.

Used by ``tests/voice/test_spoken_callers.py`` (the spoken regression suite) and
``bench/spoken_callers.py`` (task success and word error rate). Each caller
line is said by the piper voice ``en_US-joe-medium`` (noise off, so the audio
is the same on every run), streamed in real time over ``/v1/voice`` to a
uvicorn server on loopback whose speech recognition is faster-whisper with
the real Whisper base model and the shop's vocabulary as hotwords (the
server's own engine loading path), and the reply text is checked.

The models come from ``tools/fetch_real_models.py`` (PyPI wheels, cached
outside the repository); nothing is downloaded from a model hub.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from voice_client import VoiceClient

from hark.language.normalize import normalize_spoken
from hark.voice.audio.resample import resample

LINES_FILE = Path(__file__).resolve().parent / "data" / "spoken_callers.jsonl"
RATE = 16000


class Speaker:
    """The caller's voice: piper joe, deterministic (no noise), at 16 kHz."""

    def __init__(self, onnx: str) -> None:
        from piper import PiperVoice, SynthesisConfig

        self._voice = PiperVoice.load(onnx)
        self._config = SynthesisConfig(noise_scale=0.0, noise_w_scale=0.0)

    def say(self, text: str) -> np.ndarray:
        chunks = list(self._voice.synthesize(text, self._config))
        audio = np.concatenate([c.audio_int16_array for c in chunks])
        return resample(audio, chunks[0].sample_rate, RATE)


@dataclass(frozen=True)
class Line:
    """One caller line: who calls which shop, what they say, what the reply must do."""

    id: str
    shop: str
    text: str
    says: tuple[str, ...] = ()
    not_says: tuple[str, ...] = ()
    customer: str | None = None

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> Line:
        return cls(
            row["id"],
            row["shop"],
            row["text"],
            tuple(row.get("says", ())),
            tuple(row.get("not_says", ())),
            row.get("customer"),
        )


def load_lines(path: Path = LINES_FILE) -> list[Line]:
    return [Line.from_json(json.loads(x)) for x in path.read_text().splitlines() if x.strip()]


@dataclass
class Heard:
    """What happened to one spoken line."""

    line: Line
    transcript: str = ""
    reply: str = ""
    wrong: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.wrong


def check(line: Line, reply: str) -> list[str]:
    wrong = [f"missing /{p}/" for p in line.says if not re.search(p, reply, re.IGNORECASE)]
    wrong += [f"said /{p}/" for p in line.not_says if re.search(p, reply, re.IGNORECASE)]
    return wrong


async def speak_line(ws_url: str, line: Line, audio: np.ndarray) -> Heard:
    """One conversation: start (as the line's customer), wait out the greeting, say the line
    in real time with natural pauses around it, and take the reply to it."""
    heard = Heard(line)
    async with VoiceClient.connect(ws_url) as client:
        start: dict[str, Any] = {}
        if line.customer:
            start["customer_id"] = line.customer
        await client.start(RATE, **start)
        await client.wait_for("audio_end", timeout=60)  # the greeting, heard out
        mark = client.mark()
        pause = np.zeros(int(0.4 * RATE), np.int16)
        tail = np.zeros(int(1.2 * RATE), np.int16)
        await client.stream(np.concatenate([pause, audio, tail]), RATE, speed=1.0)
        reply = await client.wait_for("reply", since=mark, timeout=60)
        finals = [
            e for e in client.events(mark) if e.get("type") == "transcript" and e.get("final")
        ]
        heard.transcript = " ".join(str(e.get("text", "")) for e in finals)
        heard.reply = str((reply.event or {}).get("text", ""))
    heard.wrong = check(line, heard.reply)
    return heard


async def speak_all(
    ws_url: str, lines: list[Line], audio: dict[str, np.ndarray], parallel: int
) -> list[Heard]:
    """Every line, ``parallel`` conversations at a time (each still streamed in real time)."""
    gate = asyncio.Semaphore(parallel)

    async def one(line: Line) -> Heard:
        async with gate:
            return await speak_line(ws_url, line, audio[line.id])

    return list(await asyncio.gather(*(one(line) for line in lines)))


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edits, reference words) between two texts after the NLU's own normalisation, so
    "four five seven two" and "4572" or "for 5, 7, 2" are compared as the brain reads them."""
    ref = normalize_spoken(reference).split()
    hyp = normalize_spoken(hypothesis).split()
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[len(hyp)], len(ref)
