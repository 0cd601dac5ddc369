"""How many real-time voice streams one server process carries before end-of-speech detection lags.

Run: ``.venv/bin/python bench/voice_concurrency.py`` (about 2.5 minutes;
``--levels 100,200,300,400``, ``--brain-levels 100,200,300``, ``--seconds 15``,
``--chunk-ms 20``, ``--ws websockets``, ``--deflate``).

* The server is the real app (``create_app`` under uvicorn as ``hark serve``
  runs it, ``VoiceSession``, webrtcvad endpointer) in its **own process**.
  Recognition is the TEST DOUBLE ``ScriptedTranscriber`` (instant): this
  measures VAD and protocol, not Whisper; speech synthesis is off, so
  replies are ``reply`` events. Two ramps: with the ``ScriptedDialogue``
  double (the voice pipeline's own cost, every event of a turn still flows)
  and with the real ``DialogueManager`` on SQLite (a real brain turn per
  utterance).
* Callers are real WebSocket connections from **separate client processes**
  (so the client does not steal the server's event loop). Each streams a
  loop of espeak-ng speech (~1.5 s) and silence (6.5 s: the caller listens
  to the reply) in real time, in ``--chunk-ms`` chunks on an absolute clock,
  phases staggered at random. To leave the two cores to the server, the
  client writes pre-built, masked WebSocket frames straight to the socket
  (the server cannot tell the difference; receiving uses ``websockets``).
* The endpointer is deterministic, so the client knows in which chunk each
  end-of-speech decision falls (it runs the same ``Endpointer``, primed the
  same way, on the same audio). **Lag** = arrival of ``speech_stopped`` -
  sending of that chunk: how late the server notices the end of speech, on
  top of the hangover. A step fails when its p95 lag exceeds 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import struct
import subprocess
import sys
import tempfile
import time
from typing import Any

import numpy as np
from benchserver import wait_until_ready
from harness import free_port

# isort: split

UTTERANCES = (
    "Where is my order?",
    "Do you have running shoes?",
    "I want to return my jacket.",
    "How much is the desk lamp?",
)
RATE = 16000
SILENCE_S = 6.5  # the caller listens to the reply: one utterance every ~8 s
LAG_LIMIT_MS = 100.0
PRIME_S = 0.3  # the session primes its endpointer with this much silence (Listener.prime)


# ------------------------------------------------------------------ server process
def serve(port: int, ws_impl: str, deflate: bool, brain: str) -> None:
    """The server process. ``brain``: ``real`` (DialogueManager on SQLite) or
    ``scripted`` (the ``ScriptedDialogue`` double: the pipeline's own cost only)."""
    import uvicorn
    from doubles import ScriptedDialogue, ScriptedTranscriber

    from hark.runtime.settings import load_settings
    from hark.server.app import create_app
    from hark.server.services import build_services

    data = tempfile.mkdtemp(prefix="hark-bench-")
    # Hundreds of sockets from one loopback address: a load test, not what the
    # per-address rate limit is for.
    settings = load_settings(
        data_dir=data, log_level="WARNING", log_format="text", rate_limit="off"
    )
    overrides: dict[str, Any] = {} if brain == "real" else {"dialogue": ScriptedDialogue()}
    services = build_services(
        settings, load_engines=False, transcriber=ScriptedTranscriber(["where is my order"]),
        synthesizer=None, **overrides,
    )  # fmt: skip
    app = create_app(settings, services)
    if brain == "real":
        services.dialogue.knowledge()
    import gc

    gc.collect()
    gc.freeze()  # as `hark serve` does
    print("READY", flush=True)
    uvicorn.run(
        app, host="127.0.0.1", port=port, ws=ws_impl, log_config=None, log_level="warning",
        backlog=4096, ws_ping_interval=None, ws_per_message_deflate=deflate,
    )  # fmt: skip


# ------------------------------------------------------------------ client process
def ws_frame(payload: bytes, mask: bytes) -> bytes:
    """One masked binary WebSocket frame (RFC 6455), built once and reused."""
    n = len(payload)
    short = n < 126
    header = struct.pack("!BB", 0x82, 0x80 | n) if short else struct.pack("!BBH", 0x82, 0xFE, n)
    data = np.frombuffer(payload, np.uint8) ^ np.resize(np.frombuffer(mask, np.uint8), n)
    return header + mask + data.tobytes()


def utterance_audio(chunk: int) -> list[np.ndarray]:
    """Each utterance followed by its silence, cut to whole chunks (int16 at 16 kHz)."""
    from fixtures_voice import espeak_speech

    out = []
    for text in UTTERANCES:
        speech = espeak_speech(text, RATE)
        audio = np.concatenate([speech, np.zeros(int(SILENCE_S * RATE), np.int16)])
        out.append(audio[: len(audio) - len(audio) % chunk])
    return out


def stream_plan(
    audio: list[np.ndarray], chunk: int, ticks: int, rng: random.Random
) -> tuple[list[tuple[int, int]], set[int]]:
    """One caller's chunks, ``(utterance, chunk index)`` or ``(-1, 0)`` for silence, and
    the ticks at which the server's endpointer will decide (run here on the same audio,
    primed as the session primes it, so the prediction is exact)."""
    from hark.runtime.settings import Settings
    from hark.voice.listen.vad import Endpointer
    from hark.voice.listen.vad_events import VadEventType

    plan: list[tuple[int, int]] = [(-1, 0)] * rng.randrange(0, int(2.0 * RATE / chunk))
    while len(plan) < ticks:
        u = rng.randrange(len(audio))
        plan += [(u, k) for k in range(len(audio[u]) // chunk)]
    plan = plan[:ticks]
    ep = Endpointer.from_settings(Settings(), RATE)
    ep.feed(np.zeros(int(PRIME_S * RATE), np.int16))
    silence = np.zeros(chunk, np.int16)
    decisions = set()
    ends = (VadEventType.SPEECH_END, VadEventType.SPEECH_DISCARDED)
    for tick, (u, k) in enumerate(plan):
        samples = silence if u < 0 else audio[u][k * chunk : (k + 1) * chunk]
        if any(event.type in ends for event in ep.feed(samples)):
            decisions.add(tick)
    return plan, decisions


async def client_main(
    url: str, streams: int, seconds: float, chunk_ms: int, seed: int
) -> dict[str, Any]:
    import websockets

    chunk = RATE * chunk_ms // 1000
    chunk_s = chunk_ms / 1000
    ticks = int(seconds / chunk_s)
    mask = b"\x11\x22\x33\x44"
    audio = utterance_audio(chunk)
    frames = [
        [ws_frame(a[k : k + chunk].tobytes(), mask) for k in range(0, len(a), chunk)] for a in audio
    ]
    silence = ws_frame(bytes(chunk * 2), mask)
    rng = random.Random(seed)
    plans = [stream_plan(audio, chunk, ticks, rng) for _ in range(streams)]

    conns = []
    for i in range(streams):
        ws = await websockets.connect(url, ping_interval=None, max_size=None, open_timeout=60)
        await ws.send(json.dumps({"type": "start", "sample_rate": RATE, "encoding": "pcm_s16le"}))
        conns.append(ws)
        if i % 20 == 19:
            await asyncio.sleep(0.05)
    stopped: list[list[float]] = [[] for _ in conns]

    async def read(i: int, ws: Any) -> None:
        try:
            async for message in ws:
                if isinstance(message, str) and '"speech_stopped"' in message:
                    stopped[i].append(time.perf_counter())
        except websockets.ConnectionClosed:
            pass

    readers = [asyncio.create_task(read(i, ws)) for i, ws in enumerate(conns)]
    await asyncio.sleep(1.0)  # greetings
    expected: list[list[float]] = [[] for _ in conns]
    started = time.perf_counter()
    slips = []
    for tick in range(ticks):
        due = started + tick * chunk_s
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        slips.append(time.perf_counter() - due)
        for i, ws in enumerate(conns):
            plan, decisions = plans[i]
            u, k = plan[tick]
            ws.transport.write(silence if u < 0 else frames[u][k])
            if tick in decisions:
                expected[i].append(time.perf_counter())
    await asyncio.sleep(1.0)  # let the last decisions arrive
    lags = []
    for sent, got in zip(expected, stopped, strict=True):
        for a, b in zip(sent, got, strict=False):
            lags.append((b - a) * 1000)
    for ws in conns:
        ws.transport.abort()
    for reader in readers:
        reader.cancel()
    return {
        "lags": lags,
        "expected": sum(len(e) for e in expected),
        "received": sum(len(s) for s in stopped),
        "slip_p95_ms": sorted(slips)[int(0.95 * (len(slips) - 1))] * 1000,
    }


# ------------------------------------------------------------------ driver


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return (
        ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")
    )


def run_level(
    port: int, streams: int, seconds: float, chunk_ms: int, processes: int
) -> dict[str, Any]:
    per = [streams // processes + (1 if i < streams % processes else 0) for i in range(processes)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--client",
                str(port),
                str(n),
                str(seconds),
                str(chunk_ms),
                str(i),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONWARNINGS": "ignore"},
        )  # fmt: skip
        for i, n in enumerate(per)
        if n
    ]
    results = []
    for proc in procs:
        out, _ = proc.communicate(timeout=seconds + 120)
        results.append(json.loads(out.strip().splitlines()[-1]))
    lags = [lag for r in results for lag in r["lags"]]
    return {
        "streams": streams,
        "p50": pct(lags, 0.5),
        "p95": pct(lags, 0.95),
        "max": max(lags) if lags else float("nan"),
        "turns": len(lags),
        "missing": sum(r["expected"] for r in results) - len(lags),
        "slip": max(r["slip_p95_ms"] for r in results),
    }


def ramp(args: argparse.Namespace, brain: str, levels: list[int]) -> list[dict[str, Any]]:
    """Start a server, step through ``levels`` until p95 lag passes the limit, stop it."""
    port = free_port()
    cmd = [sys.executable, __file__, "--serve", str(port), "--ws", args.ws, "--brain", brain]
    cmd += ["--deflate"] if args.deflate else []
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env)
    rows = []
    try:
        wait_until_ready(server, port)
        for level in levels:
            row = run_level(port, level, args.seconds, args.chunk_ms, args.client_processes)
            rows.append(row)
            print(
                f"  {brain} brain, {level} streams: p95 lag {row['p95']:.1f} ms",
                file=sys.stderr,
                flush=True,
            )
            if not row["p95"] <= LAG_LIMIT_MS:
                break
            time.sleep(2.0)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--client", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--levels", default="100,200,300,400", help="steps, scripted brain")
    parser.add_argument(
        "--brain-levels", default="100,200,300", help="steps, real brain ('' skips)"
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="streaming time per step")
    parser.add_argument("--chunk-ms", type=int, default=20, help="client audio chunk length")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--ws", default="websockets-sansio", help="uvicorn WebSocket implementation"
    )
    parser.add_argument(
        "--deflate", action="store_true", help="allow permessage-deflate (hark serve refuses it)"
    )
    parser.add_argument("--brain", default="real", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.ws, args.deflate, args.brain)
        return 0
    if args.client:
        port, n, seconds, chunk_ms, seed = args.client
        url = f"ws://127.0.0.1:{port}/v1/voice"
        result = asyncio.run(client_main(url, int(n), float(seconds), int(chunk_ms), int(seed)))
        print(json.dumps(result))
        return 0

    tables = []
    for brain, levels in (("scripted", args.levels), ("real", args.brain_levels)):
        if levels:
            tables.append((brain, ramp(args, brain, [int(x) for x in levels.split(",")])))
    print()
    print("Concurrent real-time voice streams in ONE server process (2-core machine, loopback)")
    print(f"VAD + protocol, scripted ASR (test double), no TTS; uvicorn ws={args.ws}, permessage-deflate "
          f"{'on' if args.deflate else 'off'}; {args.chunk_ms} ms chunks; one ~1.5 s utterance per "
          f"~8 s per caller; {args.seconds:.0f} s per step; clients in {args.client_processes} other "
          "processes")  # fmt: skip
    header = (f"{'brain':<9} {'streams':>8} {'turns':>6} {'lag p50':>8} {'lag p95':>8} {'lag max':>8} "
              f"{'missing':>8} {'client slip':>12}  verdict")  # fmt: skip
    print(header)
    print("-" * len(header))
    carried: dict[str, int] = {}
    for brain, rows in tables:
        carried[brain] = 0
        for row in rows:
            ok = row["p95"] <= LAG_LIMIT_MS
            if ok:
                carried[brain] = row["streams"]
            print(f"{brain:<9} {row['streams']:>8} {row['turns']:>6} {row['p50']:>8.1f} {row['p95']:>8.1f} "
                  f"{row['max']:>8.1f} {row['missing']:>8} {row['slip']:>12.1f}  "
                  f"{'ok' if ok else 'LAGS > 100 ms'}")  # fmt: skip
    print()
    print(
        "brain: scripted = the ScriptedDialogue double (the voice pipeline's own cost); real = the"
    )
    print(
        "DialogueManager on SQLite, one turn per utterance. lag: speech_stopped arrival - sending of"
    )
    print("the chunk in which the endpointer decides, ms, on top of the 300 ms hangover. missing:")
    print(
        "decisions without a speech_stopped. client slip: p95 lateness of the client's own sends."
    )
    for brain, streams in carried.items():
        print(
            f"Carried with p95 lag <= {LAG_LIMIT_MS:.0f} ms, {brain} brain: {streams} streams (goal >= 300)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
