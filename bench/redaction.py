"""Redaction: the corpus figures (tuning and held-out apart), false positives, and cost.

    .venv/bin/python bench/redaction.py

Runs ``hark.privacy.redact`` directly (no server) over the privacy corpus of
``tests/privacy_corpus.py`` (tuning) and ``tests/privacy_corpus_holdout.py``
(held-out), each conversation's turns in order with its memory, and counts the
secrets still found in the output; counts the NLU's training phrases and the
held-out NLU paraphrases that redaction changes (all of them are shop talk
without personal data, so every change is a false positive); and times one
call on corpus utterances, on shop talk, and on 4,000-character hostile
strings. The end-to-end check (HTTP, WebSocket, logs, database, prompts) is
``tests/privacy/test_privacy_corpus.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
import harness  # noqa: E402  (first: the suite's helpers become importable)

# isort: split

from privacy_corpus import TUNING  # noqa: E402
from privacy_corpus_holdout import HELD_OUT  # noqa: E402
from privacy_search import digits_view, leaked, text_view  # noqa: E402

from hark.dialogue.nlu_training import HELDOUT_FILE  # noqa: E402
from hark.privacy.redact import RedactionMemory, redact  # noqa: E402

TODAY = dt.date(2026, 11, 24)


def corpus_row(name: str, cases) -> str:
    secrets = found = 0
    for case in cases:
        memory = RedactionMemory()
        out = []
        for text in case.turns:
            result = redact(text, memory, today=TODAY)
            memory = result.memory
            out.append(result.text)
        hay = "\n".join(out)
        views = digits_view(hay), text_view(hay)
        secrets += len(case.secrets)
        found += sum(leaked(s, *views) for s in case.secrets)
    turns = sum(len(c.turns) for c in cases)
    return f"| {name} | {len(cases)} | {turns} | {secrets} | {found} |"


def shop_talk() -> list[str]:
    data = json.loads((HERE.parent / "dialogue" / "data" / "intents.json").read_text())
    phrases: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, str):
            phrases.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(data)
    for line in (HELDOUT_FILE).read_text().splitlines():
        if line.strip():
            phrases.add(json.loads(line)["text"])
    return sorted(phrases)


def timing(texts: list[str], repeat: int = 3) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            redact(text, RedactionMemory(), today=TODAY)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95)]


def main() -> None:
    print("| corpus part | conversations | utterances | secrets | secrets found after redaction |")
    print("| --- | --- | --- | --- | --- |")
    print(corpus_row("tuning", TUNING))
    print(corpus_row("held-out", HELD_OUT))
    talk = shop_talk()
    changed = [t for t in talk if redact(t, today=TODAY).found]
    print()
    print("| shop talk (NLU training + held-out phrases) | phrases | changed by redaction |")
    print("| --- | --- | --- |")
    print(f"| false positives | {len(talk)} | {len(changed)} |")
    for text in changed:
        print(f"  changed: {text!r} -> {redact(text, today=TODAY).text!r}")
    utterances = [t for c in TUNING + HELD_OUT for t in c.turns]
    hostile = [
        "4" * 4000,
        "one " * 1000,
        "a@" * 2000,
        "at dot " * 570,
        "1-" * 2000,
        ("call 202 555 0143 " * 250)[:4000],
        "x" * 4000,
    ]
    print()
    print("| input | texts | median ms | p95 ms |")
    print("| --- | --- | --- | --- |")
    for name, texts in (
        ("corpus utterances", utterances),
        ("shop talk", talk),
        ("4,000-character hostile strings", hostile),
    ):
        median, p95 = timing(texts, repeat=1 if texts is hostile else 3)
        print(f"| {name} | {len(texts)} | {median:.3f} | {p95:.3f} |")


if __name__ == "__main__":
    harness.no_options(__doc__)
    main()
