"""Tokenising, light stemming and a small BM25 index shared by product search and FAQ.

Why hand-rolled rather than a vectoriser: catalogs and FAQ lists are small
(tens to a few thousand rows), a turn must take well under 10 ms, and we
need per-term match information (which words of the query a product
covers) to say honestly when nothing fits. A dict-of-postings BM25 gives
all of that in microseconds with no model to train.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from hark.language.normalize import normalize_spoken

STOPWORDS: frozenset[str] = frozenset(
    """
    a about above after again all also am an and any anything are as at be because been
    before being below between both but by can cant could did do does doing dont down during
    each either else ever every few for from further get gets getting give go going got had
    has have having he her here hers him his how i id if im in into is it its itself ive
    just kind let lets like me might mine more most much must my myself need needs no nor
    not now of off on once one only or other our ours out over own please pretty quite
    rather really same she should so some something somewhere such than that thats the their
    them then there these they thing things this those though through to too under until up
    us very want wanted wants was way we were what whats when where which while who whom why
    will with would yes you your youd youre yours ok okay hi hello hey thanks thank sure
    maybe guess think know tell show find looking look search buy buying purchase sell sells
    selling carry stock available got recommend suggest suggestion recommendation option
    options item items product products stuff thingy sort type kinds good great nice best
    decent cool awesome perfect ideal right proper quality new dollars dollar bucks euros
    pounds cents price priced cost costs cheap cheaper cheapest expensive budget less least
    many around approximately roughly exactly max maximum minimum lover lovers fan fans
    friend friends mom dad mother father wife husband boyfriend girlfriend son daughter
    someone somebody person birthday christmas holiday anniversary everyday daily use using
    used usable help helps able also actually basically add adding added cart basket
    checkout order ordering ordered put remove delete wishlist please thanks likes loves enjoys
    wants needs
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_WORD_RE = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


def stem(word: str) -> str:
    """Fold plurals and common verb endings so "keeps"/"keep", "batteries"/"battery" meet.

    Deliberately timid: over-stemming merges unrelated words, and the same
    function runs on both documents and queries, so consistency is all we need.
    """
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "os")):
        return word[:-1]
    if word.endswith("ing") and len(word) > 5:
        base = word[:-3]
        if len(base) > 2 and base[-1] == base[-2] and base[-1] not in "lsz":
            base = base[:-1]
        return base
    if word.endswith("ed") and len(word) > 4 and not word.endswith("eed"):
        return word[:-1] if word.endswith(("ated", "ized", "ised", "uced")) else word[:-2]
    return word


def words(text: str) -> list[str]:
    """Normalised lowercase words (spoken numbers as digits), stopwords kept."""
    return _WORD_RE.findall(normalize_spoken(text)) if text else []


def raw_words(text: str) -> list[str]:
    """Lowercase words without number normalisation: cheap, for documents."""
    return _WORD_RE.findall(text.lower().replace("'", "")) if text else []


_SOUND_RULES = (
    ("ph", "f"), ("ck", "k"), ("dg", "j"), ("gh", ""), ("q", "k"), ("x", "ks"), ("z", "s"),
    ("ce", "se"), ("ci", "si"), ("cy", "sy"), ("c", "k"),
)  # fmt: skip


def sound_key(word: str) -> str:
    """A rough sound-alike key: "flee"/"flea" -> "fl", "card" -> "krd" but "car" -> "kr".

    ASR hears a word right and writes a homophone ("flee collar"); short words are
    too short for edit distance to tell a slip from a different word, their
    consonant skeleton is not.
    """
    word = word.lower()
    for old, new in _SOUND_RULES:
        word = word.replace(old, new)
    if not word:
        return ""
    out = word[0]
    for ch in word[1:]:
        if ch in "aeiouyhw" or ch == out[-1]:
            continue
        out += ch
    return out


# Units written many ways ("50 ft", "50 foot", "50 feet") meet on one term.
UNIT_TERMS: dict[str, str] = {
    "foot": "ft", "feet": "ft", "inch": "in", "inches": "in", "ounce": "oz", "ounces": "oz",
    "lbs": "lb", "pound": "lb", "liter": "l", "litre": "l", "liters": "l", "litres": "l",
    "quart": "qt", "quarts": "qt", "gallon": "gal", "gallons": "gal", "millimeter": "mm",
    "centimeter": "cm", "milliliter": "ml", "people": "person", "persons": "person",
}  # fmt: skip


def term(word: str) -> str:
    """One word as an index term: unit spellings unified, then stemmed."""
    return UNIT_TERMS.get(word) or stem(word)


def terms(text: str, normalise: bool = True) -> list[str]:
    """Index terms: stemmed content words; hyphenated compounds also joined ("pour-over" -> "pourover")."""
    source = words(text) if normalise else raw_words(text)
    out = [term(w) for w in source if w not in STOPWORDS]
    for compound in re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", text.lower()):
        out.append(stem(compound.replace("-", "")))
    return out


class BM25Index:
    """Okapi BM25 over pre-weighted term bags (one bag per document)."""

    def __init__(
        self, docs: Sequence[Mapping[str, float]], k1: float = 1.2, b: float = 0.6
    ) -> None:
        self.k1, self.b = k1, b
        self.docs = docs
        self.n = len(docs)
        self.lengths = [sum(d.values()) for d in docs]
        self.avg_len = (sum(self.lengths) / self.n) if self.n else 1.0
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, bag in enumerate(docs):
            for term, tf in bag.items():
                self.postings[term].append((i, tf))
        self.idf = {
            t: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5))
            for t, p in self.postings.items()
        }
        self.max_idf = math.log(1 + (self.n + 0.5) / 0.5) if self.n else 1.0

    @property
    def vocabulary(self) -> Iterable[str]:
        return self.postings.keys()

    def term_idf(self, term: str) -> float:
        return self.idf.get(term, self.max_idf)

    def scores(self, weighted_terms: dict[str, float]) -> dict[int, float]:
        """Doc index -> BM25 score for a query whose terms carry weights."""
        out: dict[int, float] = defaultdict(float)
        for term, weight in weighted_terms.items():
            postings = self.postings.get(term)
            if not postings:
                continue
            idf = self.idf[term]
            for doc, tf in postings:
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[doc] / self.avg_len)
                out[doc] += weight * idf * tf * (self.k1 + 1) / norm
        return out
