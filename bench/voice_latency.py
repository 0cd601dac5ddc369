"""Voice-to-voice latency with real speech models, against the floor measured in the same run.

Run: ``.venv/bin/python bench/voice_latency.py`` (about 12 minutes on 2 cores;
``--models base,tiny``, ``--turns 20``, ``--runs 3``, ``--no-partials``,
``--no-speculation``, ``--hangover-ms 300``; ``BENCH_DEBUG=1`` prints every
turn). The real models come from ``tools/fetch_real_models.py`` (fetched
into the user cache when missing); the tiny-size Whisper from
``bench/build_models.py``. Server and client: see ``bench/spoken.py``.

* **base**: the REAL Whisper base (int8, 2 threads, beam 1) hears the
  espeak-ng line and its words go to the brain; the REAL piper voice
  ``en_US-joe-medium`` speaks.
* **tiny**: a random-weight Whisper at tiny size (real compute, a fixed
  13-token decode, about what Whisper base decodes for these lines), the
  same piper voice; the brain gets the line spoken.

For every turn, in the same run and seconds after it (once the reply's
audio is all sent), the server measures the **floor**: recognition of the
same line and synthesis of that turn's reply's first sentence, as two
separate calls on the same models with nothing else of Hark running, so a
turn and its floor see the same machine load. The **sequential baseline** is hangover + floor: a pipeline that
waits for the end of speech, then recognises, then speaks. ``Hark / floor``
is the median of the per-turn ratios, per line length. Hark's recogniser
reads a 15 s encoder window (``HARK_ASR_WINDOW_S``), and so does the floor;
``flr 30s`` and ``Hark/f30`` are the floor with Whisper's own 30 s window,
what a stock faster-whisper call costs. The load average is
printed: the machine is shared, so run it when it is quiet.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import real_model_paths

# isort: split
from spoken import LINES, SHORT_S, Server, converse, pct

HANGOVER_MS = 300


def run_once(kind: str, asr_dir: str, voice: str, args: argparse.Namespace) -> dict[str, Any]:
    lines = [LINES[i % len(LINES)] for i in range(args.turns + args.warmup)]
    with Server(kind, asr_dir, voice, hangover_ms=args.hangover_ms, partials=not args.no_partials,
                speculate=not args.no_speculation, tail_ms=args.energy_tail_ms) as server:  # fmt: skip

        def floor(row: dict[str, Any]) -> dict[str, Any]:
            """The floor of this turn, right after it, same models, nothing else running."""
            got = server.post("/bench/floor", {"line": row["line"], "reply": row["reply"]})
            return {"floor_asr_ms": got["asr_ms"], "floor_tts_ms": got["tts_ms"],
                    "floor_ms": got["asr_ms"] + got["tts_ms"],
                    "floor_30s_ms": got["asr_30s_ms"] + got["tts_ms"]}  # fmt: skip

        load_before = os.getloadavg()[0]
        rows = asyncio.run(converse(server.url, lines, warmup=args.warmup, floor=floor))
        load_after = os.getloadavg()[0]
        stats = server.get("/bench/stats")
        for row in rows:
            if os.environ.get("BENCH_DEBUG"):
                print(f"{kind} {row['speech_s']:.1f}s v2v {row['v2v_ms']:.0f} floor "
                      f"{row['floor_ms']:.0f} spec {row['speculative']} {row}", file=sys.stderr)  # fmt: skip
    return {"kind": kind, "rows": rows, "stats": stats, "load": (load_before, load_after)}


def summarize(result: dict[str, Any], hangover_ms: int) -> dict[str, float]:
    rows = result["rows"]
    med = statistics.median
    tts_pieces = [c["ms"] for c in result["stats"]["tts"]]
    summary: dict[str, float] = {
        "v2v_p50": pct([r["v2v_ms"] for r in rows], 0.5),
        "v2v_p95": pct([r["v2v_ms"] for r in rows], 0.95),
        "vad_tail": med(r["v2v_ms"] - r["endpoint_ms"] - r["first_audio_ms"] for r in rows),
        "endpoint": med(r["endpoint_ms"] for r in rows),
        "asr_wait": med(r["asr_ms"] for r in rows),
        "asr_comp": med(c["ms"] for c in result["stats"]["asr"]),
        "dialogue": med(r["dialogue_ms"] for r in rows),
        "first_audio": med(r["first_audio_ms"] for r in rows),
        "tts_piece": med(tts_pieces) if tts_pieces else float("nan"),
        "speculative": 100.0 * sum(bool(r["speculative"]) for r in rows) / len(rows),
        "floor_asr": med(r["floor_asr_ms"] for r in rows),
        "floor_tts": med(r["floor_tts_ms"] for r in rows),
        "floor": med(r["floor_ms"] for r in rows),
        "baseline": med(hangover_ms + r["floor_ms"] for r in rows),
        "ratio": med(r["v2v_ms"] / r["floor_ms"] for r in rows),
        "floor_30s": med(r["floor_30s_ms"] for r in rows),
        "ratio_30s": med(r["v2v_ms"] / r["floor_30s_ms"] for r in rows),
        "turns": len(rows),
    }  # fmt: skip
    for name, keep in (("short", lambda r: r["speech_s"] <= SHORT_S),
                       ("long", lambda r: r["speech_s"] > SHORT_S)):  # fmt: skip
        chosen = [r for r in rows if keep(r)]
        summary[f"ratio_{name}"] = (
            med(r["v2v_ms"] / r["floor_ms"] for r in chosen) if chosen else float("nan")
        )
        summary[f"v2v_{name}"] = med(r["v2v_ms"] for r in chosen) if chosen else float("nan")
        summary[f"n_{name}"] = len(chosen)
    # The tiny-size goal: hangover + 1.3 x the first sentence's synthesis.
    summary["tiny_goal"] = hangover_ms + 1.3 * summary["floor_tts"]
    listening = result["stats"]["listening"]
    for key in (
        "partials",
        "partials_s",
        "partials_sent",
        "early_on_twin",
        "early_confirmed",
        "early_left_to_twin",
    ):
        summary[key] = listening[key]
    summary["decoded_tokens"] = result["stats"]["decoded_tokens"]
    firsts = [r["first_partial_s"] for r in rows if r["first_partial_s"] is not None]
    summary["first_partial_s"] = med(firsts) if firsts else float("nan")
    summary["load_before"], summary["load_after"] = result["load"]
    return summary


COLUMNS = [("v2v p50", "v2v_p50"), ("v2v p95", "v2v_p95"), ("floor", "floor"),
           ("baseline", "baseline"), ("Hark/flr", "ratio"), ("short", "ratio_short"),
           ("long", "ratio_long"), ("spec %", "speculative"), ("vad tail", "vad_tail"),
           ("endpoint", "endpoint"), ("asr wait", "asr_wait"), ("asr comp", "asr_comp"),
           ("dialogue", "dialogue"), ("tts 1st", "tts_piece"), ("1st audio", "first_audio"),
           ("flr asr", "floor_asr"), ("flr tts", "floor_tts"), ("flr 30s", "floor_30s"),
           ("Hark/f30", "ratio_30s")]  # fmt: skip


def fmt(value: float, key: str) -> str:
    if key.startswith("ratio"):
        return f"{value:>10.2f}"
    return f"{value:>10.0f}"


def print_table(title: str, summaries: list[tuple[str, dict[str, float]]]) -> None:
    print(title)
    header = f"{'run':<10}" + "".join(f"{name:>10}" for name, _ in COLUMNS)
    print(header)
    print("-" * len(header))
    for label, s in summaries:
        print(f"{label:<10}" + "".join(fmt(s[key], key) for _, key in COLUMNS))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", default="base,tiny", help="base (real), tiny (random, tiny size)"
    )
    parser.add_argument("--turns", type=int, default=20, help="measured turns per run (>= 20)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured first turns")
    parser.add_argument("--runs", type=int, default=1, help="runs per model (medians across)")
    parser.add_argument("--no-partials", action="store_true", help="turn partial transcripts off")
    parser.add_argument("--no-speculation", action="store_true", help="turn speculation off")
    parser.add_argument("--hangover-ms", type=int, default=HANGOVER_MS, help="HARK_VAD_HANGOVER_MS")
    from hark.runtime.settings import Settings

    tail = Settings.model_fields["vad_energy_tail_ms"].default
    parser.add_argument(
        "--energy-tail-ms", type=int, default=tail, help=f"HARK_VAD_ENERGY_TAIL_MS ({tail})"
    )
    args = parser.parse_args()

    paths = real_model_paths()
    from build_models import build_whisper_models

    asr = {"base": paths["whisper_base"], "tiny": str(build_whisper_models()["tiny.en"])}
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")  # fmt: skip
    all_summaries: list[tuple[str, dict[str, float]]] = []
    medians: list[tuple[str, dict[str, float]]] = []
    for kind in args.models.split(","):
        runs = []
        for index in range(args.runs):
            result = run_once(kind, asr[kind], paths["piper_voice"], args)
            summary = summarize(result, args.hangover_ms)
            runs.append(summary)
            all_summaries.append((f"{kind} #{index + 1}", summary))
        medians.append((kind, {k: statistics.median(r[k] for r in runs) for k in runs[0]}))
    print()
    what = (f"hangover {args.hangover_ms} ms, energy tail {args.energy_tail_ms} ms, partials {'off' if args.no_partials else 'on'}, "
            f"speculation {'off' if args.no_speculation else 'on'}, {args.turns} turns of 1-5 s "
            "per run; ms")  # fmt: skip
    print_table(f"Voice-to-voice, real server and WebSocket, speech in real time ({what})",
                all_summaries)  # fmt: skip
    if args.runs > 1:
        print()
        print_table(f"Medians over {args.runs} runs", medians)
    print()
    for kind, s in medians:
        print(f"{kind}: short lines (<= {SHORT_S:.0f} s, n={s['n_short']:.0f}) v2v p50 "
              f"{s['v2v_short']:.0f} ms, Hark/floor {s['ratio_short']:.2f}; long lines "
              f"(n={s['n_long']:.0f}) {s['v2v_long']:.0f} ms, {s['ratio_long']:.2f}. "
              f"Partials: {s['partials']:.0f} recognitions ({s['partials_s']:.1f} s compute, "
              f"low-priority twin), {s['partials_sent']:.0f} sent, first after "
              f"{s['first_partial_s']:.1f} s of speech. Early recognitions on the twin: "
              f"{s['early_on_twin']:.0f}, of which {s['early_confirmed']:.0f} also ran on the "
              f"main model and {s['early_left_to_twin']:.0f} were left to a twin seen "
              f"computing. Tokens decoded per recognition of the first line: "
              f"{s['decoded_tokens']:.0f}. Load {s['load_before']:.2f} -> "
              f"{s['load_after']:.2f}.")  # fmt: skip
        if kind == "tiny":
            verdict = "met" if s["v2v_p50"] <= s["tiny_goal"] else "NOT met"
            print(f"  tiny goal: v2v p50 <= hangover + 1.3 x first-sentence synthesis = "
                  f"{s['tiny_goal']:.0f} ms: {verdict} ({s['v2v_p50']:.0f} ms)")  # fmt: skip
        else:
            for bucket in ("short", "long"):
                verdict = "met" if s[f"ratio_{bucket}"] <= 1.1 else "NOT met"
                print(f"  goal Hark/floor <= 1.10 for {bucket} lines: {verdict}")
    print()
    print("v2v: last speech sample recorded -> first reply audio frame received. floor: the")
    print("same line's recognition + the reply's first sentence's synthesis, separate calls,")
    print("same models and process, measured right after each turn. baseline:")
    print("hangover + floor. Hark/flr: median of per-turn v2v/floor (short: <= 2 s of speech).")
    print("spec %: turns answered from a speculation made during the hangover. vad tail: speech")
    print("end -> last frame called speech (+ socket). endpoint: the hangover. asr wait: end of")
    print("speech decision -> transcript. tts 1st: one synthesis call (a clause or sentence).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
