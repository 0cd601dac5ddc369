"""FAQ entries by meaning: every way an entry can be asked, and when to abstain.

Why this exists: a caller rarely asks the FAQ's question. "Do you take amex"
is answered by one sentence of "Which payment methods are accepted?", "can I
swing by and grab it myself" by the pickup entry's answer, "how many days
before it turns up" by the delivery question. One vector for a whole entry
(question and answer run together) blurs those: a short turn sits far from
a long mixed text. So each entry is embedded several ways (its question,
its question with its answer, each sentence of its answer) and an entry is
as near as its nearest view.

The turn is read twice: as said, and without its conversational wrapping
(``language.chatter``: "hi there, I was wondering whether you'd be able
to ..."), which dilutes a short question's vector; the nearer reading counts.

Abstaining matters as much as answering. A small model puts "do you sell
car tyres" or "what if the toaster breaks" somewhere near every FAQ entry,
so three calibrated tests must all hold (``bench/semantic_calibration.py``,
development shops only): the entry is near enough (:data:`FAQ_MIN`), clearly
nearer than the next entry (:data:`FAQ_LEAD`), and nearer than anything in
the catalogue (:data:`FAQ_OVER_CATALOG`: a turn closer to a product is about
that product, not a policy).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np

from hark.language.chatter import strip_chatter
from hark.language.embedding import Embedder
from hark.language.normalize import normalize_tokens
from hark.shop.product_words import ProductDoc
from hark.shop.semantic import SemanticCatalog

FAQ_MIN: Final = 0.44
"""The nearest view of the entry is at least this close to the turn."""
QUESTION_DISCOUNT: Final = 0.04
"""Taken off a match through the entry's bare question: a short question shares its frame
("do you have a ...", "can I ...") with any question a caller asks, so it sits nearer
unrelated asks than an answer sentence does (every request wrongly matched above 0.45 in
the calibration cases matched a bare question)."""
FAQ_LEAD: Final = 0.03
"""The best entry beats the next entry by this much (else it is a guess between two)."""
FAQ_OVER_CATALOG: Final = 0.06
"""The best entry is this much nearer than the nearest product (else the turn is about it)."""

FAQ_CLEAR_MIN: Final = 0.38
"""A match below :data:`FAQ_MIN` but at least this near is taken when it is clearly the only
candidate (:data:`FAQ_CLEAR_LEAD`): "can you duplicate a house key" sits 0.41 from "Do you
cut keys?" and 0.18 ahead of anything else. ``bench/semantic_calibration.py``: of the
development requests a FAQ must not answer, none this near leads by more than 0.10."""
FAQ_CLEAR_LEAD: Final = 0.12
"""...by this much over both the next entry and the nearest product."""

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def entry_views(question: str, answer: str) -> list[str]:
    """The texts an entry is recognised by: its question, question and answer together, and
    each sentence of the answer (callers often use the answer's words: "gift cards")."""
    views = [question.strip(), f"{question.strip()} {answer.strip()}".strip()]
    views += [s.strip() for s in _SENTENCE_END.split(answer) if len(s.split()) >= 2]
    return [v for v in dict.fromkeys(views) if v]


def readings(text: str) -> list[str]:
    """The turn as said and without its conversational wrapping (when that differs)."""
    said = text.strip()
    plain = " ".join(strip_chatter(normalize_tokens(said)))
    return [said] if not plain or plain == said.lower() else [said, plain]


@dataclass(frozen=True)
class MeaningMatch:
    """The nearest entry by meaning and the evidence for and against it."""

    index: int
    similarity: float
    runner_up: float
    catalog: float  # the nearest product's similarity (0 when there are no products)

    @property
    def clear_lead(self) -> float:
        """How far the entry is ahead of both the next entry and the nearest product."""
        return min(self.similarity - self.runner_up, self.similarity - self.catalog)

    @property
    def accepted(self) -> bool:
        """All three calibrated tests hold (see the module's docstring), or a match a little
        less near is far ahead of every other entry and product (:data:`FAQ_CLEAR_MIN`)."""
        if self.similarity >= FAQ_CLEAR_MIN and self.clear_lead >= FAQ_CLEAR_LEAD:
            return True
        return (
            self.similarity >= FAQ_MIN
            and self.similarity - self.runner_up >= FAQ_LEAD
            and self.similarity - self.catalog >= FAQ_OVER_CATALOG
        )


class FaqMeaning:
    """A shop's FAQ as vectors of every view of every entry (built once per embedder)."""

    def __init__(
        self, entries: Sequence[tuple[str, str]], products: Sequence[ProductDoc] = ()
    ) -> None:
        self.views: list[str] = []
        owners: list[int] = []
        discounts: list[float] = []
        for i, (question, answer) in enumerate(entries):
            for view in entry_views(question, answer):
                self.views.append(view)
                owners.append(i)
                discounts.append(QUESTION_DISCOUNT if view == question.strip() else 0.0)
        self.owners = np.asarray(owners, dtype=np.int64)
        self.discounts = np.asarray(discounts, dtype=np.float32)
        self.count = len(entries)
        self.products = list(products)
        self._lock = threading.Lock()
        self._built_for: Embedder | None = None
        self._matrix: np.ndarray | None = None
        self._catalog: SemanticCatalog | None = None

    def _state(self, embedder: Embedder) -> tuple[np.ndarray, SemanticCatalog | None]:
        with self._lock:
            if self._matrix is None or self._built_for is not embedder:
                self._matrix = embedder.embed(self.views)
                self._catalog = SemanticCatalog(self.products, embedder) if self.products else None
                self._built_for = embedder
            return self._matrix, self._catalog

    def warm(self, embedder: Embedder) -> None:
        """Embed the views (and the products) now, not in a caller's turn."""
        _, catalog = self._state(embedder)
        if catalog is not None:
            catalog.warm()

    def entry_similarities(self, embedder: Embedder, text: str) -> np.ndarray:
        """Per entry, the best similarity of any view to any reading of ``text`` (a bare
        question's less :data:`QUESTION_DISCOUNT`)."""
        matrix, _ = self._state(embedder)
        best = np.full(self.count, -1.0, dtype=np.float32)
        if not self.count or not text.strip():
            return best
        sims = (matrix @ embedder.embed(readings(text)).T).max(axis=1) - self.discounts
        np.maximum.at(best, self.owners, sims)
        return best

    def nearest(self, embedder: Embedder, text: str) -> MeaningMatch | None:
        """The entry nearest ``text`` with its runner-up and the catalogue's best, or None."""
        if not self.count or not text.strip():
            return None
        per_entry = self.entry_similarities(embedder, text)
        order = np.argsort(-per_entry)
        runner_up = float(per_entry[order[1]]) if self.count > 1 else 0.0
        _, catalog = self._state(embedder)
        product = 0.0
        if catalog is not None:
            product = max((catalog.rank(reading)[0][1] for reading in readings(text)), default=0.0)
        return MeaningMatch(int(order[0]), float(per_entry[order[0]]), runner_up, product)
