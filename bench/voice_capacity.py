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
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import real_model_paths

# isort: split
from spoken import LINES, Server, converse, pct

WHOLE_S = 60.0  # longer than any reply: the caller listens until the reply's audio has ended


async def level(
    url: str, callers: int, turns: int, rng: random.Random, listen_s: float
) -> list[dict[str, Any]]:
    per_caller = max(3, math.ceil(turns / callers))
    jobs = []
    for _ in range(callers):
        offset = rng.randrange(len(LINES))
        lines = [LINES[(offset + i) % len(LINES)] for i in range(per_caller + 1)]
        jobs.append(
            converse(url, lines, warmup=1, listen_s=listen_s, start_delay_s=rng.uniform(0, 3.0))
        )
    results = await asyncio.gather(*jobs)
    return [row for rows in results for row in rows]


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
    args = parser.parse_args()
    listen_s = WHOLE_S if args.listen == "whole" else float(args.listen)
    paths = real_model_paths()
    rng = random.Random(args.seed)
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")  # fmt: skip
    table: list[tuple[int, list[dict[str, Any]], float]] = []
    carried = 0
    nodes = args.nodes
    with start_servers(nodes, "base", paths["whisper_base"], paths["piper_voice"],
                       hangover_ms=300, partials=True, speculate=True) as server:  # fmt: skip
        for callers in (int(x) for x in args.levels.split(",")):
            rows = asyncio.run(level(server.url, callers, args.turns, rng, listen_s))
            load = os.getloadavg()[0]
            table.append((callers, rows, load))
            p95 = pct([r["v2v_ms"] for r in rows], 0.95)
            if p95 > args.limit_ms:
                break
            carried = callers
    print()
    where = "one server process" if nodes == 1 else f"{nodes} server processes behind nginx"
    print(f"Simultaneous spoken conversations, REAL Whisper base + piper joe, {where}")
    heard = "each whole reply" if args.listen == "whole" else f"{listen_s:g} s of each reply"
    print(f"Callers listen to {heard}.")
    print(f"{'callers':>8}{'turns':>7}{'v2v p50':>9}{'v2v p95':>9}{'asr wait':>9}"
          f"{'after asr':>10}{'spec %':>8}{'load':>7}")  # fmt: skip
    for callers, rows, load in table:
        v2v = [r["v2v_ms"] for r in rows]
        spec = 100.0 * sum(bool(r["speculative"]) for r in rows) / max(1, len(rows))
        print(f"{callers:>8}{len(rows):>7}{pct(v2v, 0.5):>9.0f}{pct(v2v, 0.95):>9.0f}"
              f"{statistics.median(r['asr_ms'] for r in rows):>9.0f}"
              f"{statistics.median(r['first_audio_ms'] - r['asr_ms'] for r in rows):>10.0f}"
              f"{spec:>8.0f}{load:>7.2f}")  # fmt: skip
    print()
    print(f"Carried with p95 voice-to-voice <= {args.limit_ms:.0f} ms: {carried} conversation(s).")
    print("asr wait: end-of-speech decision -> transcript (queueing for the model included);")
    print("after asr: first audio - asr wait (brain, first synthesis, sending).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
