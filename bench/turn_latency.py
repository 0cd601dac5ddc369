"""Median and p95 time of one dialogue turn, without an LLM, on a scripted conversation.

    .venv/bin/python bench/turn_latency.py [--shop DIR] [--runs 7]

Builds a throwaway SQLite database with the shop (the sample shop by
default), trains the brain once (not timed: that is start-up), then plays
the same multi-turn conversation --runs times for a known customer and an
anonymous caller. Every turn is timed end to end through
``DialogueManager.turn`` (redaction, sentiment, NLU, skills, SQLite writes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

SCRIPT: list[tuple[str | None, list[str]]] = [
    (
        "C002",
        [
            "where is my order",
            "um i need something to keep coffee hot",
            "the cheaper one",
            "tell me more about it",
            "how much is it",
            "add it to my cart",
            "no thanks",
            "a speaker for the shower under fifty dollars",
            "add two of those",
            "make it one",
            "what's in my cart",
            "what's your return policy",
            "do you ship to canada",
            "checkout",
            "no",
            "bye",
        ],
    ),
    (
        None,
        [
            "where is order three one eight six",
            "blue tooth head phones under one hundred dollars",
            "the first one",
            "something smaller",
            "my card number is 4111 1111 1111 1111",
            "this is ridiculous",
            "thanks, goodbye",
        ],
    ),
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> int:
    from hark.dialogue.manager import DialogueManager
    from hark.runtime.settings import SAMPLE_SHOP_DIR, load_settings
    from hark.store.db import open_database
    from hark.store.shop_import import import_shop

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shop", type=Path, default=SAMPLE_SHOP_DIR)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=tmp, today=dt.date(2026, 11, 24))
        db = open_database(settings.effective_database_url)
        import_shop(db, args.shop)
        manager = DialogueManager(db, settings, planner=None)
        started = time.perf_counter()
        manager.knowledge()
        startup = time.perf_counter() - started

        per_run: list[list[float]] = []
        by_intent: dict[str, list[float]] = {}
        for run in range(args.runs + 1):  # run 0 warms caches and is not counted
            times: list[float] = []
            for customer, utterances in SCRIPT:
                conversation_id, _ = manager.start_conversation("bench", customer)
                for text in utterances:
                    t0 = time.perf_counter()
                    reply = manager.turn(conversation_id, text)
                    ms = (time.perf_counter() - t0) * 1000
                    times.append(ms)
                    if run:
                        by_intent.setdefault(reply.intent, []).append(ms)
            if run:
                per_run.append(times)
        db.dispose()

    all_times = [t for run in per_run for t in run]
    print(f"brain start-up (NLU training, indexes): {startup * 1000:.0f} ms")
    print(f"{len(per_run)} runs x {len(per_run[0])} turns, no LLM\n")
    print(f"{'run':>5} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for i, run in enumerate(per_run, 1):
        print(
            f"{i:>5} {statistics.median(run):>10.2f} {percentile(run, 0.95):>8.2f} {max(run):>8.2f}"
        )
    print(
        f"{'all':>5} {statistics.median(all_times):>10.2f} {percentile(all_times, 0.95):>8.2f} "
        f"{max(all_times):>8.2f}\n"
    )
    print(f"{'intent':<18} {'turns':>5} {'median ms':>10}")
    for intent, values in sorted(by_intent.items(), key=lambda kv: -statistics.median(kv[1])):
        print(f"{intent:<18} {len(values):>5} {statistics.median(values):>10.2f}")
    goal = statistics.median(all_times) < 10
    print(f"\nmedian turn {'meets' if goal else 'MISSES'} the 10 ms goal")
    return 0


if __name__ == "__main__":
    sys.exit(main())
