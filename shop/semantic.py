"""Products and FAQ entries by meaning: the embedding half of hybrid retrieval.

Why this exists: BM25 finds the products whose words the caller said; a
caller who describes a need ("something to keep my tea warm on a walk")
or a shop question in other words ("can I collect it myself") shares few
words with the catalog or the FAQ. Each product is embedded once per
knowledge snapshot (name, category, tags and description); a turn embeds
the caller's words once (FAQ entries by meaning: ``shop/faq_meaning.py``). The thresholds
below come from ``bench/semantic_calibration.py`` on development shops:

* :data:`CARRIED_MIN`: the nearest product must be at least this close for
  the shop to be said to carry anything like it ("we don't carry that"
  below it, whatever the words share);
* :data:`NAMED_MIN`: this close, the product is what was asked for in so
  many words (not called a near miss);

Without the embedding model, nothing here is used (``embedding.current()``
is None) and retrieval is BM25 alone, as before.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Final

import numpy as np

from hark.language.embedding import Embedder
from hark.shop.product_words import ProductDoc

CARRIED_MIN: Final = 0.27
SERVES_MIN: Final = 0.38
"""Above every not-carried case: the nearest product serves the need (a recommendation,
not "the closest I have")."""
NAMED_MIN: Final = 0.65
NEAR_MISS_MIN: Final = 0.47
"""A product found by some of the words is "the closest I have" only this near in meaning;
below it the words shared a side word ("a coffee table" and coffee filters) and the shop
doesn't carry the thing asked for."""


def product_text(product: ProductDoc) -> str:
    """What a product is, in one sentence the model reads (name first: it weighs most)."""
    tags = ", ".join(t for t in product.tags if t.strip() and t.strip() != "consumable")
    parts = [product.name, product.category, tags, product.description]
    return ". ".join(p.strip() for p in parts if p and p.strip())


class SemanticCatalog:
    """One snapshot's products as vectors (built on first use, then reused every turn)."""

    def __init__(self, products: Sequence[ProductDoc], embedder: Embedder) -> None:
        self.products = list(products)
        self.embedder = embedder
        self._names: np.ndarray | None = None
        self._docs: np.ndarray | None = None
        self._lock = threading.Lock()

    def _matrices(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._docs is None or self._names is None:
                self._names = self.embedder.embed([p.name for p in self.products])
                self._docs = self.embedder.embed([product_text(p) for p in self.products])
            return self._names, self._docs

    def warm(self) -> None:
        """Embed the products now (start-up), not in the first caller's turn."""
        self._matrices()

    def rank(self, text: str) -> list[tuple[ProductDoc, float]]:
        """Every product with its similarity to ``text``, nearest first.

        The similarity is the better of the product's name alone (a product
        asked for by name) and its whole description (a need it serves).
        """
        if not self.products or not text.strip():
            return []
        names, docs = self._matrices()
        query = self.embedder.embed([text])[0]
        sims = np.maximum(names @ query, docs @ query)
        order = np.argsort(-sims)
        return [(self.products[i], float(sims[i])) for i in order]

    def similarity(self, text: str) -> dict[str, float]:
        """sku -> similarity, for re-ranking BM25's candidates."""
        return {p.sku: s for p, s in self.rank(text)}
