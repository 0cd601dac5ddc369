"""Product retrieval: which products fit what the caller asked for, and why.

BM25 over name, tags, category and description (weighted in that order),
with three additions that matter for spoken, open-ended requests:

* purpose words expand to the attributes that serve them ("shower" ->
  waterproof, "hot" -> insulated) at a lower weight than the words said;
* ASR splits and misspellings are repaired against the catalog vocabulary
  ("blue tooth head phones" -> bluetooth headphones);
* every hit knows which of the caller's concepts it covers, so the sales
  skill can say "nothing fits exactly" instead of offering what doesn't.

Price bounds and stock are filters applied after relevance, so "no
headphones under 20 dollars" can name the cheapest one that does exist.
Reading the request itself (concepts, repairs, the head noun) is
:mod:`hark.shop.search_concepts`; this module ranks and filters.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from hark.language import embedding
from hark.shop.product_words import EXPANSIONS, ProductDoc, head_noun
from hark.shop.search_concepts import (
    EXPANSION_WEIGHT,
    FUZZY_WEIGHT,
    Concept,
    ConceptReader,
)
from hark.shop.search_words import (
    is_kind,
    match_category,
    measures_of,
    price_distance,
    within,
    without_price_clause,
)
from hark.shop.semantic import CARRIED_MIN, NAMED_MIN, SERVES_MIN, SemanticCatalog
from hark.shop.text_index import BM25Index, raw_words, stem, term, terms

FIELD_WEIGHTS = {"name": 3.0, "tags": 2.0, "category": 2.0, "description": 1.0}
#: Products within this similarity of the nearest one are offered beside it (by meaning).
MEANING_SPREAD = 0.06
#: A half-matched (by words) product gives way to one this much nearer in meaning.
MEANING_OVERRIDE = 0.1


@dataclass
class SearchQuery:
    text: str = ""
    keywords: list[str] = field(default_factory=list)
    category: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = False
    exclude: set[str] = field(default_factory=set)
    limit: int = 3


@dataclass
class Hit:
    product: ProductDoc
    score: float
    coverage: float  # 0..1 share (idf-weighted) of the caller's concepts this product covers
    matched: list[str]  # the caller's words it covers
    reason: str = ""


@dataclass
class SearchOutcome:
    hits: list[Hit]  # relevant, within price, in stock
    out_of_stock: list[Hit]  # relevant and within price, but none left
    outside_price: list[Hit]  # relevant but outside the price bounds (nearest first)
    concepts: list[str]  # the caller's content words, after repair
    unmatched: list[str]  # concepts no offered product covers
    exact: bool  # the best hit covers every concept (in words, or by meaning: ``named``)
    named: bool = False  # exact only by meaning: some words said are in no product
    by_meaning: bool = False  # the words found nothing fit: the hits are the request's meaning
    nearest: float = 0.0  # the first hit's similarity in meaning to the request (0: no model)

    @property
    def found(self) -> bool:
        return bool(self.hits)


class ProductSearch:
    """An in-memory index of the catalog; rebuilt when the shop changes."""

    def __init__(
        self, products: list[ProductDoc], popularity: dict[str, int] | None = None
    ) -> None:
        self.products = products
        self.by_sku = {p.sku: p for p in products}
        self._index_of = {p.sku: i for i, p in enumerate(products)}
        self.popularity = popularity or {}
        bags = [self._bag(p) for p in products]
        self.heads = [head_noun(p.name) for p in products]
        self.name_terms = [set(terms(p.name, normalise=False)) for p in products]
        self.measures = [measures_of(p) for p in products]
        self.index = BM25Index(bags)
        self.reader = ConceptReader(self.index)
        self.categories = sorted({p.category for p in products})
        self._semantic: SemanticCatalog | None = None

    @property
    def semantic(self) -> SemanticCatalog | None:
        """The catalog by meaning (None without the embedding model): built once per snapshot."""
        embedder = embedding.current()
        if embedder is None:
            return None
        if self._semantic is None or self._semantic.embedder is not embedder:
            self._semantic = SemanticCatalog(self.products, embedder)
        return self._semantic

    @staticmethod
    def _bag(product: ProductDoc) -> dict[str, float]:
        bag: dict[str, float] = defaultdict(float)
        fields_text = {
            "name": product.name,
            "tags": " ".join(product.tags),
            "category": product.category,
            "description": product.description,
        }
        for field_name, text in fields_text.items():
            weight = FIELD_WEIGHTS[field_name]
            for word_term in terms(text, normalise=False):
                bag[word_term] += weight
        for tag in product.tags:  # "cutting board" is also findable as "cuttingboard"
            joined = "".join(raw_words(tag))
            if joined:
                bag[stem(joined)] += FIELD_WEIGHTS["tags"] / 2
        return bag

    # --- the request --------------------------------------------------------------
    def concepts(self, query: SearchQuery) -> list[Concept]:
        """What the query asks for (its text, else its keywords), see :class:`ConceptReader`."""
        source = " ".join(query.keywords) if query.keywords and not query.text else query.text
        return self.reader.concepts(source)

    def head_concept(self, query: SearchQuery) -> str | None:
        """The thing asked for ("a speaker for the shower" -> "speaker"), if one was named."""
        return self.reader.head_concept(query.text)

    # --- search ----------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchOutcome:
        concepts = self.concepts(query)
        category = match_category(query.category, self.categories)
        head = self.head_concept(query) if query.text else None
        if (
            head is not None
            and category is None
            and not self.reader.knows(head)
            and not any(head in c.word and len(c.terms) > 0 and c.word != head for c in concepts)
        ):
            # They named a kind of thing no product is: don't offer whatever shares a side word
            # (unless the request means one product outright, a name the words missed).
            sims = self._meaning(query, concepts)
            if sims is None or max(sims.values(), default=0.0) < NAMED_MIN:
                words_ = [c.word for c in concepts]
                return SearchOutcome([], [], [], words_, words_, False)
            by_need = self._by_meaning(sims, category, query)
            return self._outcome(query, concepts, by_need, meaning=sims, by_meaning=True)
        candidates: list[tuple[ProductDoc, float, float, list[str]]]
        if not concepts and category is None:
            candidates = [(p, 0.0, 1.0, []) for p in self.products]
        else:
            candidates = self._rank(concepts, category)
        candidates = [c for c in candidates if c[0].sku not in query.exclude]
        candidates = self._drop_accessories(candidates, head, concepts)
        sims = self._meaning(query, concepts)
        by_meaning = False
        if sims is not None:
            best_cov = max((c[2] for c in candidates), default=0.0)
            top_sim = max(sims.values(), default=0.0)
            if top_sim < CARRIED_MIN and best_cov < 0.85:
                candidates = []  # nothing in the shop is anything like it: words only brushed
            elif top_sim >= CARRIED_MIN and (
                best_cov < 0.5 or (best_cov < 0.85 and self._meaning_disagrees(candidates, sims))
            ):
                candidates = self._by_meaning(sims, category, query)  # a need, not a name
                by_meaning = True
        return self._outcome(query, concepts, candidates, meaning=sims, by_meaning=by_meaning)

    def _meaning(self, query: SearchQuery, concepts: list[Concept]) -> dict[str, float] | None:
        """sku -> similarity of the request's meaning, when the model is there and words were said."""
        semantic = self.semantic
        if semantic is None or not concepts or not query.text.strip():
            return None
        bounds = [b for b in (query.price_min, query.price_max) if b is not None]
        return semantic.similarity(without_price_clause(query.text, bounds) or query.text)

    @staticmethod
    def _meaning_disagrees(
        candidates: list[tuple[ProductDoc, float, float, list[str]]], sims: dict[str, float]
    ) -> bool:
        """The words half-matched one product ("cleaned out" -> a cleaning vacuum) while the
        request clearly means another ("get up to the gutters" -> a ladder)."""
        if not candidates:
            return True
        by_words = max(candidates, key=lambda c: c[1])[0]
        top = max(sims.values(), default=0.0)
        return top >= SERVES_MIN and top - sims.get(by_words.sku, 0.0) >= MEANING_OVERRIDE

    def _by_meaning(
        self, sims: dict[str, float], category: str | None, query: SearchQuery
    ) -> list[tuple[ProductDoc, float, float, list[str]]]:
        """Candidates ranked by meaning alone: those near the nearest one."""
        top = max(sims.values(), default=0.0)
        floor = max(CARRIED_MIN, top - MEANING_SPREAD)
        out: list[tuple[ProductDoc, float, float, list[str]]] = []
        for product in self.products:
            sim = sims.get(product.sku, 0.0)
            if sim < floor or product.sku in query.exclude:
                continue
            if category is not None and product.category != category:
                continue
            coverage = 1.0 if sim >= SERVES_MIN else 0.6
            out.append((product, sim, coverage, []))
        return out

    def _outcome(
        self,
        query: SearchQuery,
        concepts: list[Concept],
        candidates: list[tuple[ProductDoc, float, float, list[str]]],
        meaning: dict[str, float] | None = None,
        by_meaning: bool = False,
    ) -> SearchOutcome:
        category = match_category(query.category, self.categories)
        if concepts and candidates:
            best_cov = max(c[2] for c in candidates)
            best_score = max(c[1] for c in candidates) or 1.0
            floor = max(0.34, 0.75 * best_cov)
            candidates = [
                c for c in candidates if c[2] >= floor - 1e-9 and c[1] >= 0.3 * best_score
            ]
        elif category is not None:
            candidates = [c for c in candidates if c[0].category == category]
        candidates.sort(key=lambda c: (-(c[1] + self._popularity_bonus(c[0])), c[0].price))

        def hit(c: tuple[ProductDoc, float, float, list[str]]) -> Hit:
            return Hit(c[0], c[1], c[2], c[3], reason_for(c[0], c[3]))

        in_price = [c for c in candidates if within(c[0].price, query.price_min, query.price_max)]
        outside = [c for c in candidates if c not in in_price]
        outside.sort(key=lambda c: price_distance(c[0].price, query.price_min, query.price_max))
        hits = [hit(c) for c in in_price if c[0].in_stock][: query.limit]
        if hits and concepts:  # only what is close to the best, not filler to reach three
            top = hits[0].score + self._popularity_bonus(hits[0].product)
            hits = [h for h in hits if h.score + self._popularity_bonus(h.product) >= 0.45 * top]
        out_of_stock = [hit(c) for c in in_price if not c[0].in_stock][:3]
        best_cov = hits[0].coverage if hits else (candidates[0][2] if candidates else 0.0)
        # asked for in so many words, by meaning, though not every word is in the catalog
        named = (
            bool(hits)
            and meaning is not None
            and meaning.get(hits[0].product.sku, 0.0) >= NAMED_MIN
        )
        covered = {w for h in hits for w in h.matched}
        unmatched = [c.word for c in concepts if c.word not in covered and not c.soft]
        top_at = self._index_of[hits[0].product.sku] if hits else -1
        stated = self.measures[top_at] if hits else set()
        missed = any(c.measure is not None and c.measure not in stated for c in concepts)
        if named and missed:
            named = False  # "a fifty foot lock" is not met by a six-foot one, however alike
        if hits and meaning and not named and self._serves_need(query, hits[0], meaning):
            best_cov = 1.0  # a need described, and words and meaning agree on what serves it
        head = self.head_concept(query) if (named or by_meaning) and query.text else None
        top_is_it = bool(hits) and head is not None and is_kind(self.heads[top_at], {term(head)})
        unmet = head is not None and term(head) in {term(w) for w in unmatched}
        if (unmet and not top_is_it) or (by_meaning and missed):
            # "a drum kit" is no practice pad, "guitar amps" no guitar, however close they sit;
            # nor is a six-person tent the "4 person tent" asked for
            named = False
            best_cov = min(best_cov, 0.6) if by_meaning else best_cov
        return SearchOutcome(
            hits=hits,
            out_of_stock=out_of_stock,
            outside_price=[hit(c) for c in outside if c[0].in_stock][:3],
            concepts=[c.word for c in concepts],
            unmatched=unmatched if hits else [c.word for c in concepts],
            exact=best_cov >= 0.85 or named,
            named=named and best_cov < 0.85,
            by_meaning=by_meaning and bool(hits or out_of_stock),
            nearest=meaning.get(hits[0].product.sku, 0.0) if hits and meaning else 0.0,
        )

    def _serves_need(self, query: SearchQuery, top: Hit, meaning: dict[str, float]) -> bool:
        """A purpose or a situation ("what would keep my coffee hot"), not a thing named, whose
        best product by words is also the nearest by meaning, near enough to serve it: that
        product is the answer, not "the closest I have"."""
        if not query.text or self.reader.names_a_thing(query.text):
            return False
        nearest = max(meaning.values(), default=0.0)
        sim = meaning.get(top.product.sku, 0.0)
        return sim >= SERVES_MIN and sim >= nearest - 1e-9

    def _rank(
        self, concepts: list[Concept], category: str | None
    ) -> list[tuple[ProductDoc, float, float, list[str]]]:
        weighted: dict[str, float] = {}
        for concept in concepts:
            for name, w in concept.terms.items():
                weighted[name] = max(weighted.get(name, 0.0), w)
        scores = self.index.scores(weighted)
        required = [c for c in concepts if not c.soft] or concepts
        total_idf = sum(c.idf for c in required) or 1.0
        out = []
        for doc, score in scores.items():
            product = self.products[doc]
            bag = self.index.docs[doc]
            covered = 0.0
            matched: list[str] = []
            for concept in concepts:
                credit = max((w for t, w in concept.terms.items() if t in bag), default=0.0)
                if concept.measure is not None and concept.measure not in self.measures[doc]:
                    credit = 0.0  # "4 people" is not met by "ages 4 to 6"
                if credit:
                    if concept in required:
                        covered += concept.idf * min(1.0, credit / FUZZY_WEIGHT * 0.95 + 0.05)
                    if credit >= EXPANSION_WEIGHT:
                        matched.append(concept.word)
            coverage = min(1.0, covered / total_idf)
            said = {t for c in concepts for t, w in c.terms.items() if w >= FUZZY_WEIGHT}
            if is_kind(self.heads[doc], said):
                score *= 1.5  # it IS what was asked for ("filters" -> the filters)
            elif said & self.name_terms[doc]:
                score *= 0.4  # an accessory FOR it ("headphones" -> a headphone case)
            if category is not None and product.category == category:
                score *= 1.25
                coverage = min(1.0, coverage + 0.15)
            out.append((product, score, coverage, matched))
        if category is not None:  # "kitchen things" with no other word the index knows
            known = {p.sku for p, *_ in out}
            out += [
                (p, 0.01, 0.5, [])
                for p in self.products
                if p.category == category and p.sku not in known
            ]
        return out

    def _drop_accessories(
        self,
        candidates: list[tuple[ProductDoc, float, float, list[str]]],
        head: str | None,
        concepts: list[Concept],
    ) -> list[tuple[ProductDoc, float, float, list[str]]]:
        """ "A laptop for travel" wants a laptop: when some products ARE the thing named,
        drop those that only mention it in their name ("Laptop Charger") and those that
        don't cover it at all (a power bank that is merely good for travel)."""
        if head is None:
            return candidates
        wanted = {term(head)}
        for concept in concepts:
            if concept.word.endswith(head):  # "head phones" was glued to "headphones"
                wanted |= {t for t, w in concept.terms.items() if w >= FUZZY_WEIGHT}
        index = self._index_of
        is_it = [c for c in candidates if is_kind(self.heads[index[c[0].sku]], wanted)]
        if not is_it:
            return candidates
        head_words = {c.word for c in concepts if c.word.endswith(head) or term(c.word) in wanted}
        return [
            c
            for c in candidates
            if c in is_it
            or (
                not (wanted & self.name_terms[index[c[0].sku]])
                and bool(head_words & set(c[3]))  # it is that kind too ("Kibble" is dog food)
            )
        ]

    def _popularity_bonus(self, product: ProductDoc) -> float:
        return 0.05 * math.log1p(self.popularity.get(product.sku, 0))


def reason_for(product: ProductDoc, matched: list[str]) -> str:
    """The description sentence that best shows why this product fits (short, speakable)."""
    from hark.language.speech import first_sentence

    sentences = [s for s in re.split(r"(?<=[.!?])\s+", product.description) if s.strip()]
    if not sentences:
        return ""
    if matched:
        wanted = {stem(w) for w in matched}
        for w in matched:
            wanted.update(stem(e) for e in EXPANSIONS.get(stem(w), ()))
        sentences.sort(key=lambda s: -len(wanted & set(terms(s, normalise=False))))
    return first_sentence(sentences[0], max_words=20)
