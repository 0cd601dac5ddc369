"""Where the embedding model's thresholds come from: similarities on development cases.

    .venv/bin/python bench/semantic_calibration.py

Reads ``tests/data/semantic_dev.json`` (cases written for the development
shops of ``tests/caller_shops.py``: needs-based searches, exact names, things
a shop does not carry, FAQ paraphrases and small talk, complaints and other
turns) and prints, for each decision, the similarity of the cases that should
pass and of those that should not, with the threshold that separates them
best (the midpoint of the widest gap of the best-accuracy cut). The constants
in ``shop/semantic.py`` and ``dialogue/meaning.py`` are set from this output;
no held-out text is read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
import harness  # noqa: E402, F401  (first: the suite's helpers become importable)

# isort: split

from caller_shops import ALL_SHOPS  # noqa: E402

from hark.dialogue.meaning import MeaningIndex, neutral  # noqa: E402
from hark.language import embedding  # noqa: E402
from hark.shop.catalog_match import CatalogMatcher  # noqa: E402
from hark.shop.product_words import ProductDoc  # noqa: E402
from hark.shop.search import ProductSearch  # noqa: E402
from hark.shop.semantic import SemanticCatalog, faq_similarity  # noqa: E402

CASES = REPO / "tests" / "data" / "semantic_dev.json"


def best_cut(good: list[float], bad: list[float]) -> tuple[float, float]:
    """(threshold, accuracy) of the cut that separates good (>=) from bad (<) best."""
    points = sorted(set(good + bad))
    best = (0.0, -1.0)
    for lo, hi in zip(points, points[1:], strict=False):
        cut = (lo + hi) / 2
        right = sum(g >= cut for g in good) + sum(b < cut for b in bad)
        acc = right / (len(good) + len(bad))
        if acc > best[1]:
            best = (cut, acc)
    return best


def show(title: str, good: list[float], bad: list[float]) -> None:
    cut, acc = best_cut(good, bad)
    print(f"{title}: cut {cut:.3f} (accuracy {acc:.1%})")
    print(f"   should pass: {' '.join(f'{g:.2f}' for g in sorted(good))}")
    print(f"   should not:  {' '.join(f'{b:.2f}' for b in sorted(bad))}")


def products_of(shop: str) -> list[ProductDoc]:
    rows = ALL_SHOPS[shop].products
    return [
        ProductDoc(
            sku=r[0], name=r[1], category=r[2], price=float(r[3]), description=r[4],
            tags=[t for t in r[5].split(";") if t], stock=int(r[6]),
        )
        for r in rows
    ]  # fmt: skip


def main() -> int:
    embedder = embedding.configure("auto")
    if embedder is None:
        print("no embedding model: run `make real-models` first")
        return 1
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    catalogs = {shop: SemanticCatalog(products_of(shop), embedder) for shop in ALL_SHOPS}
    good, bad, ranked_right = [], [], 0
    for shop, text, skus in cases["needs"] + cases["exact"]:
        ranked = catalogs[shop].rank(text)
        good.append(ranked[0][1])
        ranked_right += ranked[0][0].sku in skus
    for shop, text in cases["not_carried"]:
        bad.append(catalogs[shop].rank(text)[0][1])
    show("product: carried (need or name) vs not carried", good, bad)
    print(f"   top product right for {ranked_right}/{len(good)} carried requests")
    _by_shape(cases, catalogs)
    exact = [catalogs[s].rank(t)[0][1] for s, t, _ in cases["exact"]]
    needs = [catalogs[s].rank(t)[0][1] for s, t, _ in cases["needs"]]
    show("product: named outright vs described by a need", exact, needs)
    faq_good, faq_bad, faq_right = [], [], 0
    for shop, text, expected in cases["faq"]:
        questions = [f[0] for f in ALL_SHOPS[shop].faq]
        sims = faq_similarity(embedder, text, [f"{q} {a}" for q, a in ALL_SHOPS[shop].faq])
        best = max(range(len(sims)), key=sims.__getitem__)
        faq_good.append(sims[best])
        faq_right += expected.lower() in questions[best].lower()
    for shop, text in cases["not_faq"] + [(s, t) for s, t in cases["not_carried"]]:
        entries = [f"{q} {a}" for q, a in ALL_SHOPS[shop].faq]
        faq_bad.append(max(faq_similarity(embedder, text, entries)))
    show("faq: paraphrase vs no such question", faq_good, faq_bad)
    print(f"   nearest question right for {faq_right}/{len(faq_good)}")
    index = MeaningIndex(embedder)
    vocabulary = CatalogMatcher([p for s in ALL_SHOPS for p in products_of(s)], []).vocabulary
    complaint, other, kind_right = [], [], 0
    for text, kind in cases["complaints"]:
        reading = _raw_problem(index, neutral(text, vocabulary))
        complaint.append(reading[1])
        kind_right += reading[0] == kind
    for text in cases["not_complaints"]:
        other.append(_raw_problem(index, neutral(text, vocabulary))[1])
    show("complaint lead over the nearest intent example", complaint, other)
    print(f"   complaint kind right for {kind_right}/{len(complaint)}")
    return 0


def _by_shape(cases: dict, catalogs: dict[str, SemanticCatalog]) -> None:
    """The same, apart for requests that name a thing ("coffee mugs": the head word decides,
    see ``search.py``) and those that describe a purpose or a situation ("gear for a first
    camping trip"): for the latter, similarity alone decides, against ``SERVES_MIN``."""
    readers = {shop: ProductSearch(products_of(shop)).reader for shop in catalogs}
    shaped: dict[bool, tuple[list[float], list[float]]] = {True: ([], []), False: ([], [])}
    for shop, text, _ in cases["needs"]:
        named = readers[shop].names_a_thing(text)
        shaped[named][0].append(catalogs[shop].rank(text)[0][1])
    for shop, text in cases["not_carried"]:
        named = readers[shop].names_a_thing(text)
        shaped[named][1].append(catalogs[shop].rank(text)[0][1])
    for named, (good, bad) in shaped.items():
        if good and bad:
            kind = "a thing named" if named else "a purpose described"
            show(f"product, {kind}: need served vs not carried", good, bad)


def _raw_problem(index: MeaningIndex, text: str) -> tuple[str, float]:
    """(kind, lead): the nearest complaint kind and how far it beats the nearest intent."""
    from hark.dialogue.meaning import _nearest

    vector = index.vector(text)
    kind = _nearest(index._problems, index._problem_labels, vector)
    other = _nearest(index._rivals, index._rival_labels, vector)
    assert kind is not None and other is not None
    return kind.label, kind.similarity - other.similarity


if __name__ == "__main__":
    sys.exit(main())
