"""Intent accuracy on held-out paraphrases, and NLU speed, on a CSV shop.

    .venv/bin/python bench/nlu_accuracy.py [--shop examples/shop] [--runs 5] [--errors]

Reads ``products.csv`` (and ``faq.csv`` if present) directly with the csv
module, trains the NLU exactly as the server does, parses every line of
``dialogue/data/nlu_heldout.jsonl`` (paraphrases that are not in the training
data) and prints overall and per-intent accuracy, plus the median and p95
time of one ``parse()`` and of training, over several runs.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from hark.dialogue.nlu import INTENTS, Nlu, ProductInfo
from hark.dialogue.nlu_training import HELDOUT_FILE

HERE = Path(__file__).resolve().parent
DEFAULT_SHOP = HERE.parent / "examples" / "shop"
DEFAULT_HELDOUT = HELDOUT_FILE  # dialogue/data/: the server retrains against it too


def load_shop(folder: Path) -> tuple[list[ProductInfo], list[str], list[str]]:
    """Catalog, categories and FAQ questions from a CSV shop folder."""
    with (folder / "products.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    catalog = [
        ProductInfo(
            sku=r["sku"],
            name=r["name"],
            category=r.get("category", ""),
            tags=[t.strip() for t in (r.get("tags") or "").split(";") if t.strip()],
            description=r.get("description", ""),
        )
        for r in rows
    ]
    categories = sorted({p.category for p in catalog if p.category})
    faq: list[str] = []
    if (folder / "faq.csv").exists():
        with (folder / "faq.csv").open(newline="", encoding="utf-8") as fh:
            faq = [r["question"] for r in csv.DictReader(fh) if r.get("question")]
    return catalog, categories, faq


def load_heldout(path: Path) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row["intent"] not in INTENTS:
            raise SystemExit(f"{path}:{n}: unknown intent {row['intent']!r}")
        items.append((row["text"], row["intent"]))
    return items


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shop", type=Path, default=DEFAULT_SHOP, help="CSV shop folder")
    ap.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT, help="held-out JSONL")
    ap.add_argument("--runs", type=int, default=5, help="timing runs over the held-out set")
    ap.add_argument("--errors", action="store_true", help="list every misclassified line")
    args = ap.parse_args(argv)

    catalog, categories, faq = load_shop(args.shop)
    items = load_heldout(args.heldout)

    train_times: list[float] = []
    nlu: Nlu | None = None
    for _ in range(max(1, args.runs)):
        t0 = time.perf_counter()
        nlu = Nlu.train(catalog, categories, faq_questions=faq)
        train_times.append(time.perf_counter() - t0)
    assert nlu is not None

    total: Counter[str] = Counter()
    right: Counter[str] = Counter()
    errors: list[tuple[str, str, str, float]] = []
    for text, intent in items:
        result = nlu.parse(text)
        total[intent] += 1
        if result.intent == intent:
            right[intent] += 1
        else:
            errors.append((text, intent, result.intent, result.confidence))

    nlu.parse("warm up")
    parse_ms: list[float] = []
    for _ in range(max(1, args.runs)):
        for text, _intent in items:
            t0 = time.perf_counter()
            nlu.parse(text)
            parse_ms.append((time.perf_counter() - t0) * 1000)

    n = sum(total.values())
    acc = sum(right.values()) / n if n else 0.0
    print(f"NLU held-out accuracy on {args.shop} ({len(catalog)} products)")
    print()
    print(f"{'intent':<18} {'n':>4} {'correct':>8} {'accuracy':>9}")
    print("-" * 42)
    for intent in INTENTS:
        if total[intent]:
            print(
                f"{intent:<18} {total[intent]:>4} {right[intent]:>8} "
                f"{right[intent] / total[intent]:>9.1%}"
            )
    print("-" * 42)
    print(f"{'overall':<18} {n:>4} {sum(right.values()):>8} {acc:>9.1%}")
    print()
    print(f"{'timing':<26} {'median':>9} {'p95':>9}")
    print("-" * 46)
    print(
        f"{'parse() per utterance ms':<26} {statistics.median(parse_ms):>9.3f} "
        f"{percentile(parse_ms, 95):>9.3f}"
    )
    train_ms = [t * 1000 for t in train_times]
    print(
        f"{'train() ms':<26} {statistics.median(train_ms):>9.1f} {percentile(train_ms, 95):>9.1f}"
    )
    print(f"({len(parse_ms)} parses over {args.runs} runs; {len(train_ms)} trainings)")
    if args.errors and errors:
        print()
        print("misclassified (text | expected -> got, confidence):")
        for text, want, got, conf in errors:
            print(f"  {text!r} | {want} -> {got} ({conf:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
