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
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from hark.dialogue.product_words import (
    EXPANSIONS,
    UNIT_WORDS,
    ProductDoc,
    glue_models,
    head_noun,
)
from hark.dialogue.search_words import (
    drop_prices,
    is_kind,
    match_category,
    measures_of,
    one_vowel_apart,
    price_distance,
    within,
)
from hark.dialogue.text_index import (
    STOPWORDS,
    BM25Index,
    raw_words,
    sound_key,
    stem,
    term,
    terms,
    words,
)

FIELD_WEIGHTS = {"name": 3.0, "tags": 2.0, "category": 2.0, "description": 1.0}
EXPANSION_WEIGHT = 0.45
FUZZY_WEIGHT = 0.85


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
    exact: bool  # the best hit covers every concept

    @property
    def found(self) -> bool:
        return bool(self.hits)


@dataclass
class _Concept:
    word: str
    terms: dict[str, float]  # term -> weight (said, fuzzy-repaired or expanded)
    idf: float
    soft: bool = False  # "gift": helps a product that has it, never required
    measure: tuple[str, str] | None = None  # ("4", "person"): the number must carry that unit


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
        self.vocab = sorted(self.index.vocabulary)
        self._vocab_set = set(self.vocab)
        self._sounds: dict[str, list[str]] = {}
        for word in self.vocab:
            if len(word) >= 4 and word.isalpha():
                self._sounds.setdefault(sound_key(word), []).append(word)
        self.categories = sorted({p.category for p in products})

    @staticmethod
    def _bag(product: ProductDoc) -> Counter[str]:
        bag: Counter[str] = Counter()
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

    # --- query analysis ------------------------------------------------------
    def concepts(self, query: SearchQuery) -> list[_Concept]:
        source = " ".join(query.keywords) if query.keywords and not query.text else query.text
        tokens = words(source)
        tokens = glue_models(drop_prices(tokens), self._vocab_set)
        out: list[_Concept] = []
        seen: set[str] = set()
        context_from = self._context_start(tokens)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in STOPWORDS:
                i += 1
                continue
            context = (
                i >= context_from
                and not EXPANSIONS.get(term(token), EXPANSIONS.get(token))
                and self.knows(token)
            )
            # ASR splits compounds: "blue tooth" -> "bluetooth", "head phones" -> "headphones".
            if i + 1 < len(tokens):
                joined = stem(token + tokens[i + 1])
                if joined in self._vocab_set and stem(token) not in ("a",):
                    self._add_concept(
                        out, seen, token + tokens[i + 1], {joined: 1.0}, context=context
                    )
                    i += 2
                    continue
            i += 1
            key = term(token)
            if key in _STOP or token in _STOP or token in STOPWORDS:
                continue
            if key.isdigit() and (i >= len(tokens) or tokens[i] not in UNIT_WORDS):
                continue
            if key.isdigit():  # a measurement ("50 ft", "2 person") is a spec the product must meet
                unit = term(tokens[i])
                self._add_concept(
                    out, seen, f"{token} {tokens[i]}", {key: 1.0}, measure=(key, unit)
                )
                i += 1  # the unit word is part of the measure
                continue
            weights = {key: 1.0}
            if key not in self._vocab_set and not key.isdigit():
                match = self._fuzzy(key)
                if match:
                    weights = {match: FUZZY_WEIGHT}
            for extra in EXPANSIONS.get(key, EXPANSIONS.get(token, ())):
                for t in terms(extra, normalise=False):
                    weights.setdefault(t, EXPANSION_WEIGHT)
            self._add_concept(out, seen, token, weights, context=context)
        return out

    def _context_start(self, tokens: list[str]) -> int:
        """Where the words about what a product is FOR begin ("a lock | for my bike").

        Once a known thing was named, "for my bike" says what it goes with, not what
        it is: such words rank, but aren't required (a lock is a lock even if its
        description never says "bike"). Only words the catalog knows count as such
        context; purpose words that call for an attribute ("for the shower" ->
        waterproof, see :data:`EXPANSIONS`) and words no product has ("for my
        teenage son") stay required, so "nothing fits exactly" stays honest.
        """
        head: str | None = None
        for i, token in enumerate(tokens):
            if token in _CONTEXT_WORDS and head is not None and self.knows(head):
                return i
            if token in _CLAUSE_WORDS:
                if head is not None:
                    return len(tokens)
                continue
            if token not in STOPWORDS and token not in _STOP and not token.isdigit():
                head = token
        return len(tokens)

    def head_concept(self, query: SearchQuery) -> str | None:
        """The thing asked for: the last content word before "for/to/that/with/under..."

        "lawn mowers" -> "mowers"; "a speaker for the shower" -> "speaker";
        "something to keep coffee hot" -> None (a purpose, no named thing).
        """
        tokens = glue_models(drop_prices(words(query.text)), self._vocab_set)
        head = None
        for token in tokens:
            if token in _CLAUSE_WORDS:
                break
            if (
                token not in STOPWORDS
                and token not in _STOP
                and not token.isdigit()
                and token not in UNIT_WORDS
            ):
                head = token
        return head

    def knows(self, word: str) -> bool:
        """Does any product use this word (exactly, as a split compound, or nearly)?"""
        key = term(word)
        return key in self._vocab_set or self._fuzzy(key) is not None

    def _fuzzy(self, key: str) -> str | None:
        """A catalog word one slip away ("hedlamp" -> "headlamp"); short words must match exactly
        ("card" is not "car")."""
        if len(key) < 5:
            return self._sounds_like(key)
        cutoff = 88 if len(key) <= 6 else 84
        match = process.extractOne(key, self.vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
        return match[0] if match else self._sounds_like(key)

    def _sounds_like(self, key: str) -> str | None:
        """A catalog word one vowel away that sounds the same ("flee" -> "flea", not "tier")."""
        if len(key) < 4 or not key.isalpha():
            return None
        options = [w for w in self._sounds.get(sound_key(key), ()) if one_vowel_apart(w, key)]
        return options[0] if len(options) == 1 else None

    def _add_concept(
        self,
        out: list[_Concept],
        seen: set[str],
        word: str,
        weights: dict[str, float],
        measure: tuple[str, str] | None = None,
        context: bool = False,
    ) -> None:
        key = next(iter(weights)) if measure is None else " ".join(measure)
        if key in seen:
            return
        seen.add(key)
        known = [
            self.index.term_idf(t)
            for t, w in weights.items()
            if w >= FUZZY_WEIGHT and t in self._vocab_set
        ]
        # A word no product has is either a thing the shop doesn't sell or chatter;
        # it counts, but not as much as a word the catalog knows.
        idf = max(known) if known else 0.5 * self.index.max_idf
        if measure:
            idf = self.index.max_idf
        soft = key in _SOFT or (context and measure is None)
        out.append(_Concept(word, weights, idf, soft=soft, measure=measure))

    # --- search ----------------------------------------------------------------
    def search(self, query: SearchQuery) -> SearchOutcome:
        concepts = self.concepts(query)
        category = match_category(query.category, self.categories)
        head = self.head_concept(query) if query.text else None
        if (
            head is not None
            and category is None
            and not self.knows(head)
            and not any(head in c.word and len(c.terms) > 0 and c.word != head for c in concepts)
        ):
            # They named a kind of thing no product is: don't offer whatever shares a side word.
            words_ = [c.word for c in concepts]
            return SearchOutcome([], [], [], words_, words_, False)
        if not concepts and category is None:
            candidates = [(p, 0.0, 1.0, []) for p in self.products]
        else:
            candidates = self._rank(concepts, category)
        candidates = [c for c in candidates if c[0].sku not in query.exclude]
        candidates = self._drop_accessories(candidates, head, concepts)
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
        covered = {w for h in hits for w in h.matched}
        unmatched = [c.word for c in concepts if c.word not in covered and not c.soft]
        return SearchOutcome(
            hits=hits,
            out_of_stock=out_of_stock,
            outside_price=[hit(c) for c in outside if c[0].in_stock][:3],
            concepts=[c.word for c in concepts],
            unmatched=unmatched if hits else [c.word for c in concepts],
            exact=best_cov >= 0.85,
        )

    def _rank(
        self, concepts: list[_Concept], category: str | None
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
        concepts: list[_Concept],
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


_STOP = frozenset({"something", "anything", "thing", "stuff", "one", "ones", "it", "them"})
_CLAUSE_WORDS = frozenset(
    """
    for to that which with without under over below above between in on at from by so who
    because if when where like here is are was and or but
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# Words after which the caller says what a product goes with: "a lock for my bike".
_CONTEXT_WORDS = frozenset({"for", "fit", "fits", "on"})
# Words that shape a wish but rarely name a product: matched if possible, never required.
_SOFT = frozenset({"gift", "present", "home", "quality", "durable", "light", "easy"})


def reason_for(product: ProductDoc, matched: list[str]) -> str:
    """The description sentence that best shows why this product fits (short, speakable)."""
    from hark.dialogue.speech import first_sentence

    sentences = [s for s in re.split(r"(?<=[.!?])\s+", product.description) if s.strip()]
    if not sentences:
        return ""
    if matched:
        wanted = {stem(w) for w in matched}
        for w in matched:
            wanted.update(stem(e) for e in EXPANSIONS.get(stem(w), ()))
        sentences.sort(key=lambda s: -len(wanted & set(terms(s, normalise=False))))
    return first_sentence(sentences[0], max_words=20)
