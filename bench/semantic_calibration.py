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
from typing import Any

REPO = Path(__file__).resolve().parent.parent
import harness  # noqa: E402  (first: the suite's helpers become importable)

# isort: split

from caller_shops import ALL_SHOPS  # noqa: E402

from hark.dialogue.meaning import MeaningIndex, complaint_view, neutral  # noqa: E402
from hark.language import embedding  # noqa: E402
from hark.shop.catalog_match import CatalogMatcher  # noqa: E402
from hark.shop.faq_meaning import (  # noqa: E402
    FAQ_CLEAR_MIN,
    FAQ_LEAD,
    FAQ_MIN,
    FAQ_OVER_CATALOG,
    FaqMeaning,
    MeaningMatch,
)
from hark.shop.product_words import ProductDoc  # noqa: E402
from hark.shop.search import ProductSearch  # noqa: E402
from hark.shop.semantic import SemanticCatalog  # noqa: E402

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
    near = [_sim_of(catalogs[s], t, skus) for s, t, skus in cases["near_miss"]]
    side = [catalogs[s].rank(t)[0][1] for s, t in cases["not_carried_side_words"]]
    show(
        "product: a near miss (the closest I have) vs a side word of a thing not carried",
        near,
        side,
    )
    _faq(embedder, cases)
    index = MeaningIndex(embedder)
    vocabulary = CatalogMatcher([p for s in ALL_SHOPS for p in products_of(s)], []).vocabulary
    complaint, other, kind_right = [], [], 0
    for text, kind in cases["complaints"]:
        reading = _read_complaint(index, text, vocabulary)
        complaint.append(reading[1])
        kind_right += reading[0] == kind
    for text in cases["not_complaints"]:
        other.append(_read_complaint(index, text, vocabulary)[1])
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


def _sim_of(catalog: SemanticCatalog, text: str, skus: list[str]) -> float:
    """The similarity of the request to the best of the products it should be offered."""
    return max(sim for product, sim in catalog.rank(text) if product.sku in skus)


def _faq(embedder: embedding.Embedder, cases: dict[str, Any]) -> None:
    """The FAQ's three tests, each calibrated with the other two held at their constants."""
    faqs = {shop: FaqMeaning(ALL_SHOPS[shop].faq, products_of(shop)) for shop in ALL_SHOPS}
    good, right = [], 0
    for shop, text, expected in cases["faq"]:
        match = faqs[shop].nearest(embedder, text)
        assert match is not None
        good.append(match)
        right += expected.lower() in ALL_SHOPS[shop].faq[match.index][0].lower()
    asked_elsewhere = cases["not_faq"] + cases["not_carried"]
    asked_elsewhere += [(s, t) for s, t, _ in cases["needs"] + cases["exact"]]
    bad = [faqs[s].nearest(embedder, t) for s, t in asked_elsewhere]
    bad_ = [b for b in bad if b is not None]

    def lead(m: MeaningMatch) -> float:
        return m.similarity - m.runner_up

    def over(m: MeaningMatch) -> float:
        return m.similarity - m.catalog

    def passes(m: MeaningMatch, *skip: str) -> bool:
        tests = {
            "min": m.similarity >= FAQ_MIN,
            "lead": lead(m) >= FAQ_LEAD,
            "over": over(m) >= FAQ_OVER_CATALOG,
        }
        return all(v for k, v in tests.items() if k not in skip)

    show(
        "faq: nearest view, paraphrase vs asked elsewhere (lead and catalogue tests held)",
        [m.similarity for m in good if passes(m, "min")],
        [m.similarity for m in bad_ if passes(m, "min")],
    )
    show(
        "faq: lead over the next entry",
        [lead(m) for m in good if passes(m, "lead")],
        [lead(m) for m in bad_ if passes(m, "lead")],
    )
    show(
        "faq: margin over the nearest product",
        [over(m) for m in good if passes(m, "over")],
        [over(m) for m in bad_ if passes(m, "over")],
    )
    near = [m for m in good if not passes(m) and m.similarity >= FAQ_CLEAR_MIN]
    near_bad = [m for m in bad_ if not passes(m) and m.similarity >= FAQ_CLEAR_MIN]
    show(
        f"faq: below the three tests but >= {FAQ_CLEAR_MIN}: lead over entries and products",
        [m.clear_lead for m in near],
        [m.clear_lead for m in near_bad],
    )
    print(f"   nearest entry right for {right}/{len(good)}")
    print(
        f"   with the constants: {sum(passes(m) for m in good)}/{len(good)} paraphrases answered,"
        f" {sum(passes(m) for m in bad_)}/{len(bad_)} other requests wrongly answered;"
        f" with the clear lead too: {sum(m.accepted for m in good)}/{len(good)} and"
        f" {sum(m.accepted for m in bad_)}/{len(bad_)}"
    )


def _read_complaint(index: MeaningIndex, text: str, vocabulary: set[str]) -> tuple[str, float]:
    """As the policy reads a caller with orders on file: the turn with its product words as
    "this item" and as "it" (as the complaint examples say it), the reading that leads more."""
    return max(
        (
            _raw_problem(index, neutral(text, vocabulary)),
            _raw_problem(index, complaint_view(text, vocabulary)),
        ),
        key=lambda r: r[1],
    )


def _raw_problem(index: MeaningIndex, text: str) -> tuple[str, float]:
    """(kind, lead): the nearest complaint kind and how far it beats the nearest intent."""
    from hark.dialogue.meaning import _nearest

    vector = index.vector(text)
    kind = _nearest(index._problems, index._problem_labels, vector)
    other = _nearest(index._rivals, index._rival_labels, vector)
    assert kind is not None and other is not None
    return kind.label, kind.similarity - other.similarity


if __name__ == "__main__":
    harness.no_options(__doc__)
    sys.exit(main())
