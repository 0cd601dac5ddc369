"""How many simultaneous spoken conversations one process carries with real Whisper base.

Run: ``.venv/bin/python bench/voice_capacity.py`` (about 4 minutes on 2 cores;
``--levels 1,2,3,4,5,6``, ``--limit-ms 1500``, ``--turns 24``; ``--nodes N``: N
server processes behind a real nginx, round-robin, ``bench/nodes.py``). Server and
client are ``bench/spoken.py``'s: the real app in its own process with the
REAL Whisper base and piper ``en_US-joe-medium``, partial transcripts and
speculation on (the defaults), and real-time WebSocket callers in this
process, each saying the 1-5 s shop lines in turn, listening to 1.5 s
of each reply (``--listen 1.5``, the default) or to each whole reply
(``--listen whole``), then speaking again. Callers start at random offsets.

At each level N, N callers talk at once until about ``--turns`` turns are
measured; the ramp stops at the first level whose p95 voice-to-voice
(end of speech -> first reply audio) passes ``--limit-ms``. The answer is
the last level under it. The load average is printed per level: on a shared
machine other work shows up as lost capacity.

What stays meaningful under load is printed too (``bench/server_cpu.py``):
the server's CPU milliseconds per caller turn (greetings included), from
``/proc/<pid>/stat`` and split by the server's own ledger (recognition
finals, speculation, partials, the engines' idle threads, synthesis, echo
canceller + noise suppressor, the rest), the recognitions run per turn, the
callers' turn rhythm (seconds per turn) and the conversations per 2 cores
that cost implies for that rhythm. The engines' CPU options are flags, so
their cost is measured side by side: ``--tts-cache 0`` (no sentence cache),
``--tts-threads 0`` (ONNX Runtime's spinning pool), ``--asr-threads 2
--asr-concurrency 1`` are the settings before issue 24's CPU work.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import real_model_paths
from websockets.exceptions import ConnectionClosed

# isort: split
from server_cpu import header, implied, line, per_turn, read
from spoken import LINES, Server, converse, pct

WHOLE_S = 60.0  # longer than any reply: the caller listens until the reply's audio has ended


async def timed(delay_s: float, url: str, lines: list[str], listen_s: float) -> Any:
    """One caller's conversation and how long it lasted (its turn rhythm); a caller who
    got no reply for 60 s (``converse`` gives up) is one row marked ``lost``."""
    await asyncio.sleep(delay_s)
    started = time.perf_counter()
    try:
        rows = await converse(url, lines, warmup=1, listen_s=listen_s)
    except (TimeoutError, OSError, ConnectionClosed) as exc:  # no reply, or the socket dropped
        print(f"a caller lost its conversation: {type(exc).__name__}", file=sys.stderr)
        rows = [{"v2v_ms": math.inf, "lost": True}]
    return rows, time.perf_counter() - started


async def level(
    url: str, callers: int, turns: int, rng: random.Random, listen_s: float
) -> tuple[list[dict[str, Any]], int, float]:
    """Rows of the measured turns, turns spoken (warm-ups included) and seconds per turn."""
    per_caller = max(3, math.ceil(turns / callers))
    jobs = []
    for _ in range(callers):
        offset = rng.randrange(len(LINES))
        lines = [LINES[(offset + i) % len(LINES)] for i in range(per_caller + 1)]
        jobs.append(timed(rng.uniform(0, 3.0), url, lines, listen_s))
    results = await asyncio.gather(*jobs)
    spoken = callers * (per_caller + 1)
    period = statistics.median(seconds / (per_caller + 1) for _, seconds in results)
    return [row for rows, _ in results for row in rows], spoken, period


def start_servers(nodes: int, *args: Any, **kwargs: Any) -> Any:
    """One bench server, or ``nodes`` of them behind nginx (``bench/nodes.py``)."""
    if nodes == 1:
        return Server(*args, **kwargs)
    from nodes import Nodes

    return Nodes(nodes, *args, **kwargs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,2,3,4,5,6", help="simultaneous callers per step")
    parser.add_argument("--limit-ms", type=float, default=1500.0, help="p95 voice-to-voice limit")
    parser.add_argument("--turns", type=int, default=24, help="measured turns per level (about)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--listen",
        default="1.5",
        help="how the callers listen: 'whole' (each reply to its end) or seconds of each "
        "reply before speaking again (barging in on a longer one); default 1.5",
    )
    parser.add_argument("--nodes", type=int, default=1,
                        help="servers behind a real nginx (round-robin); 1: one, no balancer")  # fmt: skip
    parser.add_argument(
        "--tts-cache",
        type=int,
        default=64,
        help="sentences piper keeps as audio (0: none, as before the cache)",
    )
    parser.add_argument(
        "--tts-threads",
        type=int,
        default=1,
        help="piper threads per synthesis (0: ONNX Runtime's spinning default)",
    )
    parser.add_argument(
        "--asr-threads", type=int, default=2, help="CTranslate2 threads per recognition"
    )
    parser.add_argument("--asr-concurrency", type=int, default=1,
                        help="recognitions at once (each on its own model replica)")  # fmt: skip
    parser.add_argument(
        "--model",
        choices=("base", "tiny"),
        default="base",
        help="base: the REAL Whisper base; tiny: a random-weight Whisper at tiny size (real "
        "compute, fixed token budget; the brain gets the line spoken, bench/spoken.py)",
    )
    parser.add_argument(
        "--omp-wait",
        choices=("passive", "default"),
        default="passive",
        help="CTranslate2's OpenMP threads: sleep at barriers (Hark's default) or libgomp's "
        "default of spinning first (as before; hark.voice.asr.openmp)",
    )
    parser.add_argument(
        "--keep-going",
        action="store_true",
        help="measure every level even past the limit (for CPU per turn at each level)",
    )
    args = parser.parse_args()
    if args.omp_wait == "default":  # set, so Hark's default does not apply; empty: libgomp's own
        os.environ["OMP_WAIT_POLICY"] = ""
    listen_s = WHOLE_S if args.listen == "whole" else float(args.listen)
    paths = real_model_paths()
    rng = random.Random(args.seed)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")  # fmt: skip
    table: list[tuple[int, list[dict[str, Any]], float]] = []
    costs: list[tuple[int, dict[str, float], float]] = []
    carried, failed = 0, False
    nodes = args.nodes
    asr_dir = paths["whisper_base"]
    if args.model == "tiny":
        from build_models import build_whisper_models

        asr_dir = str(build_whisper_models()["tiny.en"])
    with start_servers(nodes, args.model, asr_dir, paths["piper_voice"],
                       hangover_ms=300, partials=True, speculate=True,
                       tts_cache=args.tts_cache, tts_threads=args.tts_threads,
                       asr_threads=args.asr_threads,
                       asr_concurrency=args.asr_concurrency) as server:  # fmt: skip
        for callers in (int(x) for x in args.levels.split(",")):
            before = read(server)
            rows, spoken, period = asyncio.run(
                level(server.url, callers, args.turns, rng, listen_s)
            )
            time.sleep(0.5)  # sessions closed, their counters in
            costs.append((callers, per_turn(before, read(server), spoken), period))
            load = os.getloadavg()[0]
            table.append((callers, rows, load))
            p95 = pct([r["v2v_ms"] for r in rows], 0.95)
            if p95 > args.limit_ms:
                failed = True
                if not args.keep_going:
                    break
            elif not failed:
                carried = callers
    print()
    where = "one server process" if nodes == 1 else f"{nodes} server processes behind nginx"
    model = "REAL Whisper base" if args.model == "base" else "Whisper tiny size (random weights)"
    print(f"Simultaneous spoken conversations, {model} + piper joe, {where}")
    heard = "each whole reply" if args.listen == "whole" else f"{listen_s:g} s of each reply"
    print(f"Callers listen to {heard}. Recognition: {args.asr_threads} thread(s) each, "
          f"{args.asr_concurrency} at once; piper {args.tts_threads} thread(s), "
          f"sentence cache {args.tts_cache}.")  # fmt: skip
    print(f"{'callers':>8}{'turns':>7}{'v2v p50':>9}{'v2v p95':>9}{'asr wait':>9}"
          f"{'after asr':>10}{'spec %':>8}{'load':>7}")  # fmt: skip
    for callers, rows, load in table:
        lost = sum(bool(r.get("lost")) for r in rows)
        if lost:
            print(f"{callers:>8}  {lost} caller(s) got no reply within 60 s: level failed")
            rows = [r for r in rows if not r.get("lost")] or [{"v2v_ms": math.inf,
                    "speculative": False, "asr_ms": math.nan, "first_audio_ms": math.nan}]  # fmt: skip
        v2v = [r["v2v_ms"] for r in rows]
        spec = 100.0 * sum(bool(r["speculative"]) for r in rows) / max(1, len(rows))
        print(f"{callers:>8}{len(rows):>7}{pct(v2v, 0.5):>9.0f}{pct(v2v, 0.95):>9.0f}"
              f"{statistics.median(r['asr_ms'] for r in rows):>9.0f}"
              f"{statistics.median(r['first_audio_ms'] - r['asr_ms'] for r in rows):>10.0f}"
              f"{spec:>8.0f}{load:>7.2f}")  # fmt: skip
    print("asr wait: end-of-speech decision -> transcript (queueing for the model included);")
    print("after asr: first audio - asr wait (brain, first synthesis, sending).")
    print()
    print("Server CPU per caller turn (ms; total from /proc, split by the server's ledger),")
    print("recognitions per turn, seconds per caller turn, implied conversations per 2 cores:")
    print(header())
    for callers, row, period in costs:
        print(line(callers, row, period))
    total = statistics.median(row["total"] for _, row, _ in costs)
    rhythm = costs[0][2]
    print(f"Median CPU per turn {total:.0f} ms; at one turn every {rhythm:.1f} s "
          f"(the first level's rhythm): {implied(total, rhythm):.1f} conversations "
          "per 2 cores by CPU.")  # fmt: skip
    print()
    print(f"Carried with p95 voice-to-voice <= {args.limit_ms:.0f} ms: {carried} conversation(s).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
