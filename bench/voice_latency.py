"""Voice-to-voice latency over a real WebSocket: end of the caller's speech -> first reply audio byte.

Run: ``.venv/bin/python bench/voice_latency.py`` (about 2.5 minutes on 2 cores;
``--turns N``, ``--models tiny.en``, ``--no-partials``, ``--hangover-ms 200``;
``BENCH_DEBUG=1`` prints every turn).

Setup, all on this machine and loopback only:

* A real Hark server (``create_app`` under uvicorn) in a **separate process**,
  with the real ``VoiceSession``, webrtcvad endpointer, ``DialogueManager``
  on the sample shop, faster-whisper and piper engines.
* The models are **random-weight models of real size** built offline by
  ``bench/build_models.py``: Whisper at tiny.en / base.en dimensions, decoding
  a fixed budget (``max_new_tokens=24``, about 12 tokens, a short sentence),
  and a piper voice at en_US-lessac-medium size. Their words are meaningless,
  so the server's transcriber runs the real model and then hands the brain a
  realistic shop question instead of the garbage (``ComputeFaithfulTranscriber``,
  below): the compute is a real model's, the dialogue a real conversation's.
* The client streams espeak-ng speech in **real time** (20 ms chunks on an
  absolute clock, silence between utterances, as a microphone does) and
  measures from the moment the last speech sample was recorded to the
  arrival of the first reply audio frame. The next utterance starts about a
  second after the reply starts playing (the caller barges in, as people do).

Stage columns come from the server's ``turn_metrics`` events; TTS compute is
the first sentence's synthesis time measured inside the server. "overhead"
is voice-to-voice minus the hangover, the ASR wait and the first sentence's
synthesis: everything that is not model compute (VAD tail, dialogue,
resampling, threads, the socket).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
from benchserver import wait_until_ready

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "bench"))

QUESTIONS = (
    "Do you have running shoes?",
    "Where is my order?",
    "What headphones do you have?",
    "I want to return my jacket.",
    "How much is the desk lamp?",
    "Do you ship to Canada?",
    "Add the water bottle to my cart.",
    "What is your return policy?",
)
MAX_NEW_TOKENS = 24  # ~12 decoded tokens: a short spoken sentence's worth of decoding
HANGOVER_MS = 300


# ------------------------------------------------------------------ server side
class ComputeFaithfulTranscriber:
    """BENCH DOUBLE around the REAL engine: runs the real-size random Whisper (real
    compute), then returns the next realistic question instead of its garbage words."""

    def __init__(self, engine: Any, texts: tuple[str, ...]) -> None:
        self.engine = engine
        self.texts = texts
        self.calls: list[float] = []
        self._lock = threading.Lock()

    def set_vocabulary(self, names: Any) -> None:
        self.engine.set_vocabulary(names)

    def transcribe(self, audio: np.ndarray) -> Any:
        from dataclasses import replace

        result = self.engine.transcribe(audio)
        with self._lock:
            text = self.texts[len(self.calls) % len(self.texts)]
            self.calls.append(result.elapsed_s * 1000)
        return replace(result, text=text)


class TimedSynthesizer:
    """The REAL piper engine, timing each reply's first sentence."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.first_sentence_ms: list[float] = []

    @property
    def sample_rate(self) -> int:
        return self.engine.sample_rate

    def synthesize(self, text: str) -> Any:
        first = True
        iterator = iter(self.engine.synthesize(text))
        while True:
            started = time.perf_counter()
            chunk = next(iterator, None)
            if chunk is None:
                return
            if first:
                self.first_sentence_ms.append((time.perf_counter() - started) * 1000)
                first = False
            yield chunk


def serve(asr_dir: str, voice: str, port: int, partials: bool, hangover_ms: int) -> None:
    """The server process: real app, real engines, plus a ``/bench/stats`` route."""
    import uvicorn

    from hark.runtime.settings import load_settings
    from hark.server.app import create_app
    from hark.server.services import build_services
    from hark.voice.asr.whisper import WhisperTranscriber
    from hark.voice.session import VoiceOptions
    from hark.voice.tts.piper import PiperSynthesizer

    data = tempfile.mkdtemp(prefix="hark-bench-")
    settings = load_settings(
        data_dir=data, log_level="WARNING", log_format="text", asr_threads=2,
        vad_hangover_ms=hangover_ms,
    )  # fmt: skip
    whisper = WhisperTranscriber(asr_dir, cpu_threads=2, max_new_tokens=MAX_NEW_TOKENS)
    transcriber = ComputeFaithfulTranscriber(whisper, QUESTIONS)
    synthesizer = TimedSynthesizer(PiperSynthesizer(voice))
    services = build_services(
        settings, load_engines=False, transcriber=transcriber, synthesizer=synthesizer
    )
    app = create_app(settings, services)
    app.state.voice_options = VoiceOptions(partial_interval_s=1.0 if partials else None)  # default

    @app.get("/bench/stats")
    def stats() -> dict[str, Any]:
        return {"asr_ms": transcriber.calls, "tts_first_ms": synthesizer.first_sentence_ms}

    services.dialogue.knowledge()  # build the NLU before the first caller, as a server warms up
    print("READY", flush=True)
    uvicorn.run(
        app, host="127.0.0.1", port=port, ws="websockets", log_config=None, log_level="warning"
    )


# ------------------------------------------------------------------ client side
class Microphone:
    """Streams 20 ms chunks in real time, forever: queued speech, else silence."""

    def __init__(self, ws: Any, rate: int = 16000, chunk_ms: int = 20) -> None:
        self.ws, self.rate, self.chunk = ws, rate, rate * chunk_ms // 1000
        self.chunk_s = chunk_ms / 1000
        self.queue: list[np.ndarray] = []
        self.speech_end_at: asyncio.Future[float] | None = None

    def say(self, speech: np.ndarray) -> asyncio.Future[float]:
        """Queue speech; the future gets the wall time its last sample was recorded."""
        self.queue.append(speech)
        self.speech_end_at = asyncio.get_running_loop().create_future()
        return self.speech_end_at

    async def run(self) -> None:
        started = time.perf_counter()
        k = 0
        buffer = np.zeros(0, np.int16)
        end_index: int | None = None  # index in ``buffer`` of the last speech sample
        silence = np.zeros(self.chunk, np.int16)
        while True:
            k += 1
            delay = started + k * self.chunk_s - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if self.queue and buffer.size == 0:
                speech = self.queue.pop(0)
                buffer, end_index = speech, speech.size - 1
            if buffer.size:
                chunk, buffer = buffer[: self.chunk], buffer[self.chunk :]
                if chunk.size < self.chunk:
                    chunk = np.concatenate([chunk, silence[: self.chunk - chunk.size]])
            else:
                chunk = silence
            # This chunk was recorded during the last chunk period, ending now.
            recorded_end = started + k * self.chunk_s
            await self.ws.send(chunk.tobytes())
            if end_index is not None and end_index < self.chunk:
                at = recorded_end - (self.chunk - 1 - end_index) / self.rate
                if self.speech_end_at is not None and not self.speech_end_at.done():
                    self.speech_end_at.set_result(at)
                end_index = None
            elif end_index is not None:
                end_index -= self.chunk


async def run_client(url: str, turns: int, warmup: int) -> list[dict[str, Any]]:
    import websockets
    from fixtures_voice import espeak_speech

    speeches = [espeak_speech(q, 16000) for q in QUESTIONS]
    results: list[dict[str, Any]] = []
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate": 16000, "encoding": "pcm_s16le"}))
        mic = Microphone(ws)
        inbox: asyncio.Queue[tuple[float, Any]] = asyncio.Queue()

        async def read() -> None:
            async for message in ws:
                now = time.perf_counter()
                await inbox.put(
                    (now, message if isinstance(message, bytes) else json.loads(message))
                )

        reader = asyncio.create_task(read())
        mic_task = asyncio.create_task(mic.run())
        await asyncio.sleep(2.0)  # the greeting starts; the mic streams silence
        for turn in range(turns + warmup):
            while not inbox.empty():
                inbox.get_nowait()
            speech_end = mic.say(speeches[turn % len(speeches)])
            stopped = audio_start = first_audio = metrics = None
            while metrics is None or first_audio is None:
                at, item = await asyncio.wait_for(inbox.get(), timeout=30)
                if isinstance(item, bytes):
                    if audio_start is not None and first_audio is None:
                        first_audio = at
                    continue
                kind = item["type"]
                if kind == "speech_stopped":
                    stopped = at
                elif kind == "audio_start" and stopped is not None:
                    audio_start = at
                elif kind == "turn_metrics" and stopped is not None:
                    metrics = item
                elif kind == "error":
                    raise RuntimeError(f"server error: {item}")
            end_at = await speech_end
            if os.environ.get("BENCH_DEBUG"):
                print(
                    f"turn {turn}: v2v {(first_audio - end_at) * 1000:.0f} ms, {metrics}",
                    file=sys.stderr,
                )
            if turn >= warmup:
                results.append({"v2v_ms": (first_audio - end_at) * 1000, **metrics})
            await asyncio.sleep(1.0)  # listen to the reply's first sentence, then speak again
        mic_task.cancel()
        reader.cancel()
    return results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def measure(
    model: str,
    asr_dir: Path,
    voice: Path,
    turns: int,
    warmup: int,
    partials: bool,
    hangover_ms: int,
) -> dict[str, Any]:
    port = free_port()
    cmd = [sys.executable, __file__, "--serve", str(asr_dir), str(voice), str(port)]
    cmd += ["--hangover-ms", str(hangover_ms)]
    if partials:
        cmd.append("--partials")
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    try:
        wait_until_ready(server, port)
        rows = asyncio.run(run_client(f"ws://127.0.0.1:{port}/v1/voice", turns, warmup))
        stats = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/stats").read())
    finally:
        server.terminate()
        server.wait(timeout=10)
    return {"model": model, "rows": rows, "stats": stats}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarize(result: dict[str, Any], warmup: int, hangover_ms: int) -> dict[str, float]:
    """p50/p95 of voice-to-voice and p50 of each stage, aligned per turn."""
    rows, stats = result["rows"], result["stats"]
    tts_all = stats["tts_first_ms"][1 + warmup :]  # [0] is the greeting
    tts = [tts_all[i] if i < len(tts_all) else float("nan") for i in range(len(rows))]
    v2v = [r["v2v_ms"] for r in rows]
    # Caller's real speech end -> last frame webrtcvad called voiced (its own tail), plus the socket.
    tail = [r["v2v_ms"] - r["endpoint_ms"] - r["first_audio_ms"] for r in rows]
    overhead = [r["v2v_ms"] - hangover_ms - r["asr_ms"] - t for r, t in zip(rows, tts, strict=True)]
    ours = [r["first_audio_ms"] - r["asr_ms"] - t for r, t in zip(rows, tts, strict=True)]
    med = statistics.median
    return {
        "v2v_p50": pct(v2v, 0.5), "v2v_p95": pct(v2v, 0.95), "vad_tail": med(tail),
        "endpoint": med(r["endpoint_ms"] for r in rows), "asr_wait": med(r["asr_ms"] for r in rows),
        "asr_comp": med(stats["asr_ms"]), "dialogue": med(r["dialogue_ms"] for r in rows),
        "tts": med(tts), "first_audio": med(r["first_audio_ms"] for r in rows),
        "overhead": pct(overhead, 0.5), "pipeline": pct(ours, 0.5),
    }  # fmt: skip


def print_table(results: list[dict[str, Any]], args: argparse.Namespace, piper_note: str) -> None:
    print()
    print(
        "Voice-to-voice latency: real server process, real WebSocket on loopback, speech in real time"
    )
    print(f"RANDOM-WEIGHT MODELS OF REAL SIZE. Whisper int8, 2 threads, max_new_tokens={MAX_NEW_TOKENS}; "
          f"piper: {piper_note}")  # fmt: skip
    print(f"hangover {args.hangover_ms} ms, partial transcripts "
          f"{'off' if args.no_partials else 'on (after 2 s of speech, then every 1 s)'}, {args.turns} turns per model, ms")  # fmt: skip
    cols = [("v2v p50", "v2v_p50"), ("v2v p95", "v2v_p95"), ("vad tail", "vad_tail"),
            ("endpoint", "endpoint"), ("asr wait", "asr_wait"), ("asr comp", "asr_comp"),
            ("dialogue", "dialogue"), ("tts 1st", "tts"), ("1st audio", "first_audio"),
            ("overhead", "overhead"), ("pipeline", "pipeline")]  # fmt: skip
    header = f"{'whisper':<8}" + "".join(f"{name:>10}" for name, _ in cols)
    print(header)
    print("-" * len(header))
    for result in results:
        summary = summarize(result, args.warmup, args.hangover_ms)
        print(f"{result['model']:<8}" + "".join(f"{summary[key]:>10.0f}" for _, key in cols))
    print()
    print("v2v: last speech sample recorded -> first reply audio frame received (p50, p95).")
    print(
        "vad tail: real speech end -> last frame webrtcvad calls voiced (+ socket). endpoint: that"
    )
    print(
        "frame -> end-of-speech decision (hangover). asr wait: decision -> transcript (ASR starts at"
    )
    print("the first silent frame). asr comp: one whole recognition. tts 1st: the reply's first")
    print(
        "sentence's synthesis. overhead = v2v - hangover - asr wait - tts 1st (everything but model"
    )
    print("compute and the hangover, VAD tail included). pipeline = 1st audio - asr wait - tts 1st")
    print("(Hark's own code after the decision: dialogue, threads, resampling, sending).")
    print("Goals: tiny.en v2v p50 <= 400; overhead p50 <= 60.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--serve", nargs=3, metavar=("ASR_DIR", "VOICE", "PORT"), help=argparse.SUPPRESS
    )
    parser.add_argument("--partials", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--turns", type=int, default=20, help="measured turns per model (default 20)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured first turns")
    parser.add_argument("--models", default="tiny.en,base.en", help="Whisper sizes to run")
    parser.add_argument("--no-partials", action="store_true", help="turn partial transcripts off")
    parser.add_argument("--hangover-ms", type=int, default=HANGOVER_MS, help="HARK_VAD_HANGOVER_MS")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve[0], args.serve[1], int(args.serve[2]), args.partials, args.hangover_ms)
        return 0

    from build_models import ensure_models

    models = ensure_models()
    results = []
    for name in args.models.split(","):
        results.append(
            measure(name, models.whisper[name], models.piper_voice, args.turns, args.warmup,
                    partials=not args.no_partials, hangover_ms=args.hangover_ms)
        )  # fmt: skip

    print_table(results, args, models.piper_note)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
