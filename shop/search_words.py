"""Small word-level helpers of product search, kept apart so search.py stays readable.

Which product heads count as the thing asked for, homophone slips, the
measures a product states and the price words removed from a query.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from rapidfuzz import fuzz, process

from hark.language.spoken_numbers import TEENS, TENS, UNITS
from hark.shop.product_words import UNIT_WORDS, ProductDoc
from hark.shop.text_index import STOPWORDS, term, words


def is_kind(head: str, wanted: set[str]) -> bool:
    """Is a product whose name ends in ``head`` one of the things wanted? "ulock" is a lock."""
    return head in wanted or any(len(w) >= 3 and head.endswith(w) for w in wanted)


def one_vowel_apart(a: str, b: str) -> bool:
    """One vowel changed, added or dropped: the slips of homophones ("flee"/"flea")."""
    vowels = "aeiouy"
    if len(a) == len(b):
        diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
        return len(diff) == 1 and diff[0][0] in vowels and diff[0][1] in vowels
    short, long_ = sorted((a, b), key=len)
    if len(long_) - len(short) != 1:
        return False
    return any(
        long_[i] in vowels and long_[:i] + long_[i + 1 :] == short for i in range(len(long_))
    )


def measures_of(product: ProductDoc) -> set[tuple[str, str]]:
    """(number, unit term) pairs a product states: "six person tent" -> ("6", "person")."""
    text = " ".join((product.name, " ".join(product.tags), product.description))
    # "Two-Person Dome Tent" states ("2", "person") as "2-person" would: number words as digits
    tokens = [str({**UNITS, **TEENS, **TENS}.get(t, t)) for t in words(text.replace("-", " "))]
    return {
        (term(tok), term(nxt))
        for tok, nxt in zip(tokens, tokens[1:], strict=False)
        if tok.isdigit() and nxt in UNIT_WORDS
    }


def drop_prices(tokens: list[str]) -> list[str]:
    """Remove "under 100 dollars", "between 50 and 80" and the like from the words."""
    out: list[str] = []
    skip_next_number = False
    for i, tok in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if tok in ("dollars", "euros", "pounds", "cents"):
            continue
        if re.fullmatch(r"\d+(?:\.\d+)?", tok) and (
            skip_next_number or nxt in ("dollars", "euros", "pounds", "cents", "to", "and")
        ):
            skip_next_number = nxt in ("to", "and")
            continue
        skip_next_number = False
        out.append(tok)
    return out


_MONEY_WORDS = frozenset({"dollars", "dollar", "bucks", "euros", "pounds", "cents", "quid"})


def without_price_clause(text: str, bounds: Collection[float]) -> str:
    """The request without the words of its price bounds ("under 100 dollars", "budget
    2.50"): a bound is a filter applied to the hits, and as words it only blurs what the
    request means. Other numbers ("for a 4 year old", "20 ft") stay."""
    tokens = words(text)
    keep = [True] * len(tokens)
    for i, tok in enumerate(tokens):
        if not re.fullmatch(r"\d+(?:\.\d+)?", tok):
            continue
        said = float(tok)
        if not any(abs(b - said) < 1e-6 or abs(b - said * 100) < 1e-6 for b in bounds):
            continue  # not the number a bound was read from (read in the shop's range: x100)
        keep[i] = False
        j = i - 1
        while j >= 0 and keep[j] and tokens[j] in STOPWORDS and i - j <= 3:
            keep[j] = False  # "under", "no more than", "budget of"
            j -= 1
        if i + 1 < len(tokens) and tokens[i + 1] in _MONEY_WORDS:
            keep[i + 1] = False
    return " ".join(t for t, k in zip(tokens, keep, strict=True) if k)


def match_category(category: str | None, categories: list[str]) -> str | None:
    if not category:
        return None
    lowered = {c.lower(): c for c in categories}
    if category.lower() in lowered:
        return lowered[category.lower()]
    match = process.extractOne(category.lower(), list(lowered), scorer=fuzz.WRatio, score_cutoff=88)
    return lowered[match[0]] if match else None


def within(price: float, low: float | None, high: float | None) -> bool:
    return (low is None or price >= low - 1e-9) and (high is None or price <= high + 1e-9)


def price_distance(price: float, low: float | None, high: float | None) -> float:
    if low is not None and price < low:
        return low - price
    if high is not None and price > high:
        return price - high
    return 0.0
