"""Shared by the spoken-conversation benchmarks (``voice_latency.py``, ``voice_capacity.py``).

Imported, never run on its own (``make bench`` runs it as a script: nothing
happens). Everything runs on this machine, loopback only:

* **Server** (``serve``, a separate process): the real app (``create_app``
  under uvicorn), real ``VoiceSession``, webrtcvad endpointer,
  ``DialogueManager`` on the sample shop, the real piper voice
  ``en_US-joe-medium`` and either the REAL Whisper base (its words go to
  the brain) or a random-weight Whisper at tiny size (real compute, fixed
  token budget; the bench double below hands the brain the line that was
  spoken instead of its garbage). Two bench routes: ``/bench/stats`` (what
  the engines did) and ``/bench/floor`` (the floor: recognition of a line
  and synthesis of a reply's first sentence, as two separate calls on the
  same models, in the same process).
* **Client** (``Caller``): a real WebSocket client streaming espeak-ng
  speech in real time (20 ms chunks on an absolute clock, silence between
  lines, as a microphone does), measuring from the moment the last speech
  sample was recorded to the arrival of the first reply audio frame.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from typing import Any

import numpy as np
from harness import free_port  # first: the suite's helpers become importable

# isort: split

LINES = (  # shop requests of 1-5 s as espeak-ng speaks them (durations differ by >= 0.15 s)
    "Do you ship to Canada?",
    "How much is the desk lamp?",
    "Do you have running shoes in size ten?",
    "What headphones do you have for running?",
    "Can you tell me when my travel mug order will arrive?",
    "Please add the water bottle and the travel mug to my cart.",
    "What is your return policy for shoes that I wore once outside?",
    "My order has not arrived yet and I would like to know where it is right now.",
    "I bought a jacket last week and it does not fit me, how do I send it back to you?",
    "Where is my order, please?",
)
RATE = 16000
TINY_TOKENS = 12
"""max_new_tokens for the tiny size. After the shop's hotword prompt CTranslate2 decodes
max_new_tokens + 1 = 13 tokens per call (without a prompt about half as many); the
REAL Whisper base decodes 12.4 on average (median 10) for ``LINES``. Until this
session the budget was 24, which with the prompt meant 25 tokens: twice a line's worth."""
SHORT_S = 2.0  # lines up to this long are "short"


def line_audio(text: str) -> np.ndarray:
    from fixtures_voice import espeak_speech

    return espeak_speech(text, RATE)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(v for v in values if v == v)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


# ------------------------------------------------------------------ server side
class RecordingTranscriber:
    """BENCH WRAPPER around the REAL engine: records every call; for the random-weight
    model (``texts``) returns the line whose length fits the audio instead of its garbage.
    Its background twin (partials) is wrapped the same way and counted apart."""

    def __init__(self, engine: Any, texts: tuple[str, ...] | None, kind: str = "main") -> None:
        self.engine = engine
        self.kind = kind
        self.calls: list[dict[str, float]] = []
        self._lock = threading.Lock()
        self._texts = texts
        self._lengths = [line_audio(t).size / RATE for t in texts] if texts else []
        self._twin: RecordingTranscriber | None = None

    def set_vocabulary(self, names: Any) -> None:
        self.engine.set_vocabulary(names)

    @property
    def background_possible(self) -> bool:
        return bool(getattr(self.engine, "background_possible", False))

    def background_idle(self) -> bool:
        return bool(self.engine.background_idle())

    def background(self) -> RecordingTranscriber | None:
        twin = self.engine.background() if hasattr(self.engine, "background") else None
        if twin is None:
            return None
        if self._twin is None or self._twin.engine is not twin:
            self._twin = RecordingTranscriber(twin, self._texts, kind="partial")
        return self._twin

    def transcribe(self, audio: np.ndarray) -> Any:
        from dataclasses import replace

        result = self.engine.transcribe(audio)
        with self._lock:
            self.calls.append({"audio_s": audio.size / RATE, "ms": result.elapsed_s * 1000,
                               "at": time.perf_counter()})  # fmt: skip
        if not self._texts:
            return result
        speech_s = audio.size / RATE - 0.3  # pre-roll and tail
        best = min(range(len(self._texts)), key=lambda i: abs(self._lengths[i] - speech_s))
        return replace(result, text=self._texts[best])


class TimedSynthesizer:
    """The REAL piper engine, timing each call's first chunk (one call per piece)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.calls: list[dict[str, Any]] = []

    @property
    def sample_rate(self) -> int:
        return self.engine.sample_rate

    def synthesize(self, text: str) -> Any:
        iterator = iter(self.engine.synthesize(text))
        started = time.perf_counter()
        first = next(iterator, None)
        self.calls.append({"text": text, "ms": (time.perf_counter() - started) * 1000})
        if first is None:
            return
        yield first
        yield from iterator


def serve(argv: list[str]) -> None:
    """The server process: ``KIND ASR_DIR VOICE PORT HANGOVER_MS PARTIALS SPECULATE TAIL_MS``
    then ``NAME=VALUE`` options: ``tts_cache`` (sentences piper keeps as audio, 64),
    ``tts_threads`` (piper's threads, 1; 0: ONNX Runtime's spinning default),
    ``asr_threads`` (CTranslate2 threads per recognition, 2), ``asr_concurrency``
    (recognitions at once, each on its own model replica, 1)."""
    import uvicorn
    from fastapi import Body

    from hark.runtime.settings import load_settings
    from hark.server.app import create_app
    from hark.server.services import build_services
    from hark.voice.asr.whisper import WhisperTranscriber
    from hark.voice.tts.chunking import split_sentences
    from hark.voice.tts.piper import PiperSynthesizer
    from hark.voice.turn.session import VoiceOptions

    kind, asr_dir, voice, port, hangover_ms, partials, speculate, tail_ms = argv[:8]
    options = {"tts_cache": 64, "tts_threads": 1, "asr_threads": 2, "asr_concurrency": 1}
    options.update({k: int(v) for k, v in (item.split("=", 1) for item in argv[8:])})
    tts_cache, threads, concurrency = (options[k] for k in ("tts_cache", "asr_threads",
                                                             "asr_concurrency"))  # fmt: skip
    data = tempfile.mkdtemp(prefix="hark-bench-")
    settings = load_settings(
        data_dir=data, log_level="WARNING", log_format="text", asr_threads=threads,
        asr_concurrency=concurrency,
        vad_hangover_ms=int(hangover_ms), vad_energy_tail_ms=int(tail_ms),
    )  # fmt: skip
    tokens = TINY_TOKENS if kind == "tiny" else None
    whisper = WhisperTranscriber(asr_dir, cpu_threads=threads, num_workers=concurrency,
                                 max_new_tokens=tokens)  # fmt: skip
    # Whisper's own full 30 s window, for the floor a stock faster-whisper call would give.
    whisper_30s = WhisperTranscriber(asr_dir, cpu_threads=2, max_new_tokens=tokens, window_s=30)
    transcriber = RecordingTranscriber(whisper, LINES if kind == "tiny" else None)
    synthesizer = TimedSynthesizer(
        PiperSynthesizer(voice, cache_sentences=tts_cache, threads=options["tts_threads"])
    )
    services = build_services(
        settings, load_engines=False, transcriber=transcriber, synthesizer=synthesizer
    )
    from hark.server.services import shop_vocabulary

    vocabulary = shop_vocabulary(services.db)
    whisper.set_vocabulary(vocabulary)  # as hark serve does
    whisper_30s.set_vocabulary(vocabulary)
    from hark.voice.audio.codecs import int16_to_float32

    decoded = [len(segment.tokens) for segment in whisper._model.transcribe(
        int16_to_float32(line_audio(LINES[0])), **whisper.transcribe_options())[0]]  # fmt: skip
    app = create_app(settings, services)
    app.state.voice_options = VoiceOptions(
        partial_interval_s=1.0 if partials == "1" else None, speculate=speculate == "1"
    )
    if partials == "1" and whisper.background_possible:
        whisper.background()  # load the twin now, as a server warms up
        while whisper.background() is None and whisper.background_possible:
            time.sleep(0.05)

    listening = {"partials": 0, "partials_sent": 0, "partials_s": 0.0, "early_on_twin": 0,
                 "early_confirmed": 0, "early_left_to_twin": 0}  # fmt: skip
    from hark.voice.turn import session as session_module

    close = session_module.VoiceSession.close

    async def close_and_count(self: Any) -> None:  # BENCH HOOK: the listener's counters
        if self.listener is not None:
            stats = self.listener.partial_stats
            listening["partials"] += stats.started
            listening["partials_sent"] += stats.sent
            listening["partials_s"] += stats.compute_s
            listening["early_on_twin"] += self.listener.early_on_twin
            listening["early_confirmed"] += self.listener.early_confirmed
            listening["early_left_to_twin"] += self.listener.early_left_to_twin
        await close(self)

    session_module.VoiceSession.close = close_and_count  # type: ignore[method-assign]

    @app.get("/bench/stats")
    def stats() -> dict[str, Any]:
        twin = transcriber._twin
        return {
            "asr": transcriber.calls,
            "twin": twin.calls if twin else [],
            "tts": synthesizer.calls,
            "listening": listening,
            "decoded_tokens": sum(decoded),
        }

    @app.get("/bench/cpu")
    def cpu() -> dict[str, Any]:
        """CPU seconds per part since the process started (``hark.voice.cpu``), plus the
        recognitions run per kind and piper's sentence-cache hits."""
        from hark.voice.asr.scheduler import shared_scheduler
        from hark.voice.cpu import LEDGER

        sched = shared_scheduler(settings.asr_concurrency).stats
        return {"cpu": LEDGER.snapshot(), "tts_cache_hits": synthesizer.engine.cache_hits,
                "asr_runs": sched.run, "partials_shed": sched.shed,
                "partials": listening["partials"]}  # fmt: skip

    @app.post("/bench/floor")
    def floor(line: str = Body(...), reply: str = Body(...)) -> dict[str, Any]:
        """Recognition of the line (cut as the endpointer cuts it) and the reply's first
        sentence's synthesis, one after the other, nothing else running; and the same
        recognition with Whisper's full 30 s window (``asr_30s_ms``)."""
        speech = line_audio(line)
        audio = np.concatenate([np.zeros(int(0.2 * RATE), np.int16), speech,
                                np.zeros(int(0.1 * RATE), np.int16)])  # fmt: skip

        started = time.perf_counter()
        text = whisper.transcribe(int16_to_float32(audio)).text
        asr_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        whisper_30s.transcribe(int16_to_float32(audio))
        asr_30s_ms = (time.perf_counter() - started) * 1000
        first = (split_sentences(reply) or [""])[0]
        started = time.perf_counter()
        next(iter(synthesizer.engine.synthesize(first)), None)
        tts_ms = (time.perf_counter() - started) * 1000
        return {"asr_ms": asr_ms, "asr_30s_ms": asr_30s_ms, "tts_ms": tts_ms, "text": text,
                "first_sentence": first}  # fmt: skip

    services.dialogue.knowledge()
    print("READY", flush=True)
    uvicorn.run(
        app, host="127.0.0.1", port=int(port), ws="websockets", log_config=None,
        log_level="warning",
    )  # fmt: skip


class Server:
    """The server process, started with ``serve``'s arguments; a context manager."""

    def __init__(self, kind: str, asr_dir: str, voice: str, *, hangover_ms: int,
                 partials: bool, speculate: bool, tail_ms: int = 40,
                 **options: int) -> None:  # fmt: skip
        from benchserver import wait_until_ready

        self.port = free_port()
        cmd = [sys.executable, __file__, "--serve", kind, asr_dir, voice, str(self.port),
               str(hangover_ms), "1" if partials else "0", "1" if speculate else "0",
               str(tail_ms), *(f"{k}={v}" for k, v in options.items())]  # fmt: skip
        env = {**os.environ, "PYTHONWARNINGS": "ignore"}
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
        try:
            wait_until_ready(self.process, self.port, timeout_s=120)
        except BaseException:
            self.close()
            raise
        self.url = f"ws://127.0.0.1:{self.port}/v1/voice"

    def get(self, path: str) -> Any:
        return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}").read())

    def post(self, path: str, body: dict[str, Any]) -> Any:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=json.dumps(body).encode(),
            headers={"content-type": "application/json"},
        )  # fmt: skip
        return json.loads(urllib.request.urlopen(request, timeout=60).read())

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ------------------------------------------------------------------ client side
class Microphone:
    """Streams 20 ms chunks in real time, forever: queued speech, else silence."""

    def __init__(self, ws: Any, chunk_ms: int = 20) -> None:
        self.ws, self.chunk = ws, RATE * chunk_ms // 1000
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
        end_index: int | None = None
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
            recorded_end = started + k * self.chunk_s  # this chunk was recorded until now
            await self.ws.send(chunk.tobytes())
            if end_index is not None and end_index < self.chunk:
                at = recorded_end - (self.chunk - 1 - end_index) / RATE
                if self.speech_end_at is not None and not self.speech_end_at.done():
                    self.speech_end_at.set_result(at)
                end_index = None
            elif end_index is not None:
                end_index -= self.chunk


async def converse(
    url: str,
    lines: list[str],
    *,
    warmup: int,
    listen_s: float = 1.5,
    start_delay_s: float = 0.0,
    floor: Any = None,
) -> list[dict[str, Any]]:
    """Say each line in turn (real time); one row per measured turn.

    The caller listens to ``listen_s`` of the reply (or all of it), then speaks
    again, barging in on a long reply as people do. With ``floor`` (a blocking
    ``row -> dict`` call) the caller instead hears the whole reply, and when
    its audio is all sent (the server is idle) ``floor(row)`` is measured and
    merged into the row: the floor under the same load as the turn, seconds apart.
    """
    import websockets

    speeches = {line: line_audio(line) for line in set(lines)}
    rows: list[dict[str, Any]] = []
    await asyncio.sleep(start_delay_s)
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "start", "sample_rate": RATE, "encoding": "pcm_s16le"}))
        mic = Microphone(ws)
        inbox: asyncio.Queue[tuple[float, Any]] = asyncio.Queue()

        async def read() -> None:
            async for message in ws:
                at = time.perf_counter()
                await inbox.put(
                    (at, message if isinstance(message, bytes) else json.loads(message))
                )

        reader = asyncio.create_task(read())
        mic_task = asyncio.create_task(mic.run())
        await asyncio.sleep(2.0)  # the greeting plays
        for turn, line in enumerate(lines):
            while not inbox.empty():
                inbox.get_nowait()
            spoke_at = time.perf_counter()
            speech_end = mic.say(speeches[line])
            stopped = audio_start = first_audio = metrics = reply = None
            partials: list[float] = []
            while metrics is None or first_audio is None:
                at, item = await asyncio.wait_for(inbox.get(), timeout=60)
                if isinstance(item, bytes):
                    if audio_start is not None and first_audio is None:
                        first_audio = at
                    continue
                kind = item["type"]
                if kind == "speech_stopped":
                    stopped = at
                elif kind == "transcript" and not item["final"]:
                    partials.append(at - spoke_at)
                elif kind == "reply" and stopped is not None:
                    reply = item["text"]
                elif kind == "audio_start" and stopped is not None:
                    audio_start = at
                elif kind == "turn_metrics" and stopped is not None:
                    metrics = item
                elif kind == "error":
                    raise RuntimeError(f"server error: {item}")
            end_at = await speech_end
            if turn >= warmup:
                rows.append({
                    "line": line, "speech_s": speeches[line].size / RATE, "end_at": end_at,
                    "v2v_ms": (first_audio - end_at) * 1000, "reply": reply,
                    "partials": len(partials), "first_partial_s": partials[0] if partials else None,
                    **{k: v for k, v in metrics.items() if k != "type"},
                })  # fmt: skip
            deadline = first_audio + (30.0 if floor is not None else listen_s)
            while time.perf_counter() < deadline:  # listen (until audio_end or listen_s)
                try:
                    _, item = await asyncio.wait_for(
                        inbox.get(), timeout=max(0.01, deadline - time.perf_counter())
                    )
                except TimeoutError:
                    break
                if isinstance(item, dict) and item["type"] == "audio_end":
                    if floor is not None and turn >= warmup:
                        rows[-1].update(await asyncio.to_thread(floor, rows[-1]))
                    await asyncio.sleep(0.3)  # the buffered audio plays out
                    break
            await asyncio.sleep(0.4)  # a breath before the next line
        mic_task.cancel()
        reader.cancel()
    return rows


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--serve",
        nargs="+",
        metavar="ARG",
        help="KIND ASR_DIR VOICE PORT HANGOVER_MS PARTIALS SPECULATE TAIL_MS [NAME=VALUE ...]: "
        "run the server process (started by the benchmarks, not by hand)",
    )
    served = parser.parse_args().serve
    if served:
        serve(served)
