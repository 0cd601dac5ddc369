"""Entity extractors over normalised tokens: order ids, money, quantities, references.

They run on the output of :func:`hark.language.normalize.normalize_tokens`,
so every number is already a digit token and every money word is
"dollars"/"euros"/"pounds". Each extractor claims the token positions it
used, so one number is never read twice: "under 100" is a price bound, not an
order id; "2 of them" is a quantity, not an ordinal.
"""

from __future__ import annotations

import re

from hark.language.normalize import MONEY_WORDS, is_number_token
from hark.shop.attributes import COMPARATIVES
from hark.shop.catalog_match import STOPWORDS, CatalogMatcher, stem
from hark.shop.product_words import glue_models
from hark.skills.understanding import Entities

_MONEY = frozenset(MONEY_WORDS.values()) - {"cents"}

#: Units after a number that make it a measurement, not a price or an id.
_UNITS: frozenset[str] = frozenset(
    {
        "hour", "hours", "minute", "minutes", "second", "seconds", "day", "days", "week", "weeks",
        "month", "months", "year", "years", "inch", "inches", "foot", "feet", "ft", "cm", "mm",
        "meter", "meters", "oz", "ounce", "ounces", "lb", "lbs", "pound", "liter", "liters",
        "litre", "litres", "ml", "gallon", "gallons", "watt", "watts", "w", "percent", "degrees",
        "degree", "cups", "cup", "people", "person", "gb", "mah", "lumens", "lumen", "mph", "times",
        "pack", "packs"
    }
)  # fmt: skip

_MAX_BEFORE: tuple[tuple[str, ...], ...] = (
    ("no", "more", "than"), ("not", "more", "than"), ("no", "higher", "than"),
    ("less", "than"), ("cheaper", "than"), ("lower", "than"), ("at", "most"), ("up", "to"),
    ("maximum", "of"), ("budget", "of"), ("budget", "is"), ("not", "over"), ("nothing", "over"),
    ("nothing", "above"), ("not", "above"), ("nothing", "more", "than"), ("under",),
    ("below",), ("max",), ("maximum",), ("budget",), ("within",), ("beneath",),
)  # fmt: skip
_MIN_BEFORE: tuple[tuple[str, ...], ...] = (
    ("more", "expensive", "than"), ("more", "than"), ("at", "least"), ("higher", "than"),
    ("pricier", "than"), ("starting", "at"), ("upwards", "of"), ("minimum", "of"), ("over",),
    ("above",), ("minimum",), ("min",),
)  # fmt: skip
_AROUND_BEFORE: tuple[tuple[str, ...], ...] = (
    ("close", "to"), ("around",), ("about",), ("roughly",), ("approximately",), ("near",),
)  # fmt: skip
_MAX_AFTER: tuple[tuple[str, ...], ...] = (("or", "less"), ("or", "under"), ("max",), ("tops",))
_MIN_AFTER: tuple[tuple[str, ...], ...] = (
    ("or", "more"),
    ("and", "up"),
    ("or", "above"),
    ("plus",),
)

_ORDER_WORDS = frozenset({"order", "orders", "confirmation", "reference", "tracking", "purchase"})
_ORDER_GLUE = frozenset({"number", "no", "id", "is", "its", "was", "num", "code"})

_ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "last": -1, "former": 1, "latter": -1, "final": -1,
    "top": 1, "bottom": -1,
}  # fmt: skip
_NOT_ORDINAL_NEXT = frozenset(
    {
        "time", "times", "week", "weeks", "month", "months", "year", "years", "night", "day",
        "days", "call", "order", "orders", "purchase", "thing", "things", "of", "minute", "minutes",
        "hour", "hours", "name"
    }
)  # fmt: skip
_SELECT_NOUNS = frozenset({"number", "option", "item", "choice", "product", "result"})


_IN_STOCK: tuple[tuple[str, ...], ...] = (
    ("in", "stock"), ("available", "now"), ("available", "today"), ("available", "right", "now"),
    ("ready", "to", "ship"), ("ships", "today"), ("ship", "today"), ("on", "hand"),
    ("you", "have", "now"), ("right", "now"),
)  # fmt: skip

_QTY_BEFORE: tuple[tuple[str, ...], ...] = (
    ("make", "it"), ("make", "that"), ("make", "them"), ("change", "it", "to"),
    ("change", "that", "to"), ("change", "to"), ("quantity", "to"), ("quantity", "of"),
    ("quantity",), ("set", "it", "to"), ("give", "me"), ("get", "me"), ("ill", "take"),
    ("i", "take"), ("add",), ("take",), ("buy",), ("get",), ("want",), ("need",), ("order",),
    ("just",), ("only",), ("x",), ("to",), ("another",), ("instead", "of"), ("like",),
    ("purchase",), ("grab",),
)  # fmt: skip
_QTY_AFTER = frozenset(
    {
        "of", "more", "instead", "please", "units", "unit", "pieces", "piece", "items", "item",
        "ones", "copies", "packs", "pack", "pairs", "boxes", "bottles", "bags", "sets", "each"
    }
)  # fmt: skip

_PRONOUNS = frozenset({"it", "its", "them", "those", "these", "they"})
_DEMONSTRATIVE = frozenset({"that", "this"})
_DEMO_NEXT = frozenset({"", "one", "item", "product", "thing", "model", "please", "instead", "too"})
_DEMO_PREV = frozenset(
    {
        "about", "is", "add", "buy", "take", "want", "get", "remove", "like", "need", "order",
        "describe", "price", "cost", "with", "for", "on", "of", "keep", "love", "prefer", "choose",
        "pick", "ill"
    }
)  # fmt: skip

#: Extra words that never help a catalog search.
_NOT_KEYWORDS = frozenset(
    {
        "dollars", "euros", "pounds", "cents", "number", "option", "choice", "stock", "available",
        "today", "now", "right", "ready", "ship", "ships", "hand", "quantity", "change", "make",
        "set", "tell", "more", "details", "info", "information", "describe", "much", "cost",
        "costs", "price", "priced", "ones", "one", "pair", "pairs", "piece", "pieces", "unit", "units",
        "left", "remaining", "nothing", "everything"
    }
)  # fmt: skip


def _ends_with(tokens: list[str], end: int, phrase: tuple[str, ...]) -> bool:
    """True if ``tokens[:end]`` ends with ``phrase``."""
    k = len(phrase)
    return end >= k and tuple(tokens[end - k : end]) == phrase


def _starts_with(tokens: list[str], start: int, phrase: tuple[str, ...]) -> bool:
    return tuple(tokens[start : start + len(phrase)]) == phrase


def _find(tokens: list[str], phrase: tuple[str, ...]) -> int:
    k = len(phrase)
    for i in range(len(tokens) - k + 1):
        if tuple(tokens[i : i + k]) == phrase:
            return i
    return -1


def _num(tok: str) -> float:
    return float(tok)


def extract_prices(tokens: list[str], used: set[int]) -> tuple[float | None, float | None]:
    """Price bounds: "under 100", "between 50 and 80", "20 dollars or more", "around 40 bucks"."""
    lo: float | None = None
    hi: float | None = None
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if i in used or not is_number_token(tok):
            continue
        nxt = tokens[i + 1] if i + 1 < n else ""
        if nxt in _UNITS:
            continue
        money = nxt in _MONEY
        after = i + 2 if money else i + 1
        # ranges: "between A and B", "from A to B", "A to B dollars"
        for sep in ("and", "to"):
            j = after
            if j < n and tokens[j] == sep and j + 1 < n and is_number_token(tokens[j + 1]):
                b_next = tokens[j + 2] if j + 2 < n else ""
                is_range = (
                    (
                        (_ends_with(tokens, i, ("between",)) or _ends_with(tokens, i, ("from",)))
                        and _num(tokens[j + 1]) >= 5  # "from 2 to 3" is a quantity change
                    )
                    or money
                    or b_next in _MONEY
                    # "speakers 50 to 80": a plain rising pair reads as prices
                    or (
                        sep == "to"
                        and 5 <= _num(tok) < _num(tokens[j + 1])
                        and not (i and (tokens[i - 1] in _ORDER_WORDS or tokens[i - 1] == "number"))
                    )
                )
                if is_range and b_next not in _UNITS:
                    a, b = _num(tok), _num(tokens[j + 1])
                    lo, hi = min(a, b), max(a, b)
                    used.update({i, j + 1})
                    break
        if i in used:
            continue
        if any(_ends_with(tokens, i, p) for p in _MAX_BEFORE) or any(
            _starts_with(tokens, after, p) for p in _MAX_AFTER
        ):
            hi = _num(tok)
            used.add(i)
        elif any(_ends_with(tokens, i, p) for p in _MIN_BEFORE) or any(
            _starts_with(tokens, after, p) for p in _MIN_AFTER
        ):
            lo = _num(tok)
            used.add(i)
        elif money and any(_ends_with(tokens, i, p) for p in _AROUND_BEFORE):
            v = _num(tok)
            lo, hi = round(v * 0.8, 2), round(v * 1.2, 2)
            used.add(i)
        elif money:
            hi = _num(tok)  # "a speaker for 50 dollars": treat as the budget
            used.add(i)
    return lo, hi


_BARE_ALNUM_ID = re.compile(r"^[a-z]{1,4}\d{4,12}$")


def extract_order_id(
    tokens: list[str], used: set[int], skus: frozenset[str] = frozenset()
) -> str | None:
    """An order id after "order (number)" / "#", or a bare 4-12 digit number or "ord1001".

    ``skus`` (normalised, alphanumeric only) are never taken for order ids.
    """
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok not in _ORDER_WORDS and tok != "number":
            continue
        j = i + 1
        while j < n and tokens[j] in _ORDER_GLUE:
            j += 1
        if j < n and j not in used and tokens[j] not in skus and _id_like(tokens[j]):
            ident = tokens[j]
            k = j + 1
            # ASR splits ids into groups: "31 86" -> "3186"
            while (
                k < n and tokens[k].isdigit() and ident.isdigit() and len(ident + tokens[k]) <= 12
            ):
                ident += tokens[k]
                k += 1
            if ident.isdigit() and len(ident) < 3:
                continue
            used.update(range(j, k))
            return ident
    for i, tok in enumerate(tokens):
        if i in used or tok in skus:
            continue
        if not (tok.isdigit() and 4 <= len(tok) <= 12) and not _BARE_ALNUM_ID.match(tok):
            continue
        nxt = tokens[i + 1] if i + 1 < n else ""
        prev = tokens[i - 1] if i else ""
        if nxt in _MONEY or nxt in _UNITS or prev in ("in", "since", "of", "year"):
            continue
        used.add(i)
        return tok
    return None


def _id_like(tok: str) -> bool:
    if tok.isdigit():
        return 1 <= len(tok) <= 12
    digits = sum(c.isdigit() for c in tok)
    return digits >= 3 and tok.isalnum() and len(tok) <= 16


def extract_quantity(
    tokens: list[str], used: set[int], matcher: CatalogMatcher | None = None
) -> int | None:
    """How many: "make it 3", "2 of them", "add 2", "just 1", "another one", "a couple",
    "2 toasters" (a number before a catalog word, unless the two are part of a name:
    "a 2 slice toaster")."""
    n = len(tokens)
    for phrase, q in ((("a", "couple"), 2), (("a", "pair"), 2), (("another", "one"), 1)):
        at = _find(tokens, phrase)
        if at >= 0:
            after = tokens[at + len(phrase) : at + len(phrase) + 2]
            if after and after[0] == "of":
                after = after[1:]
            if after and after[0] in _UNITS:
                continue  # "a couple of weeks ago" is a time, not how many
            return q
    content = [
        t for t in tokens if t not in ("please", "just", "only", "ok", "okay", "yes", "yeah")
    ]
    for i, tok in enumerate(tokens):
        if i in used or not tok.isdigit() or not 1 <= int(tok) <= 999:
            continue
        nxt = tokens[i + 1] if i + 1 < n else ""
        if nxt in _UNITS or nxt in _MONEY:
            continue
        bare = len(content) == 1
        counted = matcher is not None and _counts_a_product(tok, nxt, matcher)
        if (
            bare
            or counted
            or nxt in _QTY_AFTER
            or any(_ends_with(tokens, i, p) for p in _QTY_BEFORE)
        ):
            used.add(i)
            return int(tok)
    return None


def _counts_a_product(number: str, word: str, matcher: CatalogMatcher) -> bool:
    """ "2 toasters": the number counts the product after it, unless a name holds the pair."""
    following = stem(word)
    if not word or following not in matcher.vocabulary:
        return False
    return (number, following) not in matcher.numbered_pairs


def extract_ordinal(tokens: list[str], used: set[int]) -> int | None:
    """Which listed item: "the first one" -> 1, "the last one" -> -1, "option 2" -> 2."""
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok in _ORDINALS:
            nxt = tokens[i + 1] if i + 1 < n else ""
            prev = tokens[i - 1] if i else ""
            if nxt in _NOT_ORDINAL_NEXT:
                continue
            if tok == "second" and prev in ("a", "1", "one", "per", "few", "couple", "just"):
                continue
            if tok in ("top", "bottom") and nxt not in (
                "one",
                "option",
                "choice",
                "item",
                "result",
            ):
                continue
            if (
                tok in ("last", "final")
                and prev not in ("the", "that")
                and nxt not in ("one", "option", "choice", "item", "")
            ):
                continue  # "my last order", "last time"
            return _ORDINALS[tok]
        if (
            tok in _SELECT_NOUNS
            and i + 1 < n
            and i + 1 not in used
            and tokens[i + 1].isdigit()
            and not (i and tokens[i - 1] in ("order", "return", "tracking"))  # "order number 8 8"
            and not (i + 2 < n and tokens[i + 2].isdigit())
        ):
            v = int(tokens[i + 1])
            if 1 <= v <= 20:
                used.add(i + 1)
                return v
    return None


def extract_comparative(tokens: list[str]) -> str | None:
    """A direction to move a search: cheaper, more_expensive, smaller, bigger, better."""
    best: tuple[int, str] | None = None
    for phrase, label in COMPARATIVES:
        at = _find(tokens, phrase)
        if at < 0:
            continue
        end = at + len(phrase)
        if end < len(tokens) - 1 and tokens[end] == "than" and is_number_token(tokens[end + 1]):
            continue  # "cheaper than 50" is a price bound
        if best is None or at < best[0]:
            best = (at, label)
    return best[1] if best else None


def has_pronoun_ref(tokens: list[str]) -> bool:
    """Does the utterance point back at something said before ("it", "that one")?"""
    n = len(tokens)
    for i, tok in enumerate(tokens):
        if tok in _PRONOUNS:
            return True
        if tok in _DEMONSTRATIVE:
            nxt = tokens[i + 1] if i + 1 < n else ""
            prev = tokens[i - 1] if i else ""
            if nxt in _DEMO_NEXT or prev in _DEMO_PREV:
                return True
        if tok == "one" and i and tokens[i - 1] in ("the", "that", "this", "which", "another"):
            return True
    return False


def content_words(tokens: list[str]) -> list[str]:
    """Words that may name a product: no stopwords, numbers, money or filler."""
    return [
        t
        for t in tokens
        if t not in STOPWORDS and t not in _NOT_KEYWORDS and not is_number_token(t) and len(t) > 1
    ]


def extract(tokens: list[str], matcher: CatalogMatcher | None) -> Entities:
    """All entities of one normalised utterance."""
    used: set[int] = set()
    if matcher is not None:
        tokens = glue_models(tokens, matcher.model_words)
    ent = Entities()
    ent.numbers = [float(t) for t in tokens if is_number_token(t)]
    ent.price_min, ent.price_max = extract_prices(tokens, used)
    ent.ordinal = extract_ordinal(tokens, used)
    skus = frozenset(matcher.sku_index) if matcher is not None else frozenset()
    ent.order_id = extract_order_id(tokens, used, skus)
    ent.quantity = extract_quantity(tokens, used, matcher)
    ent.comparative = extract_comparative(tokens)
    ent.in_stock_only = (
        any(_find(tokens, p) >= 0 for p in _IN_STOCK) and _find(tokens, ("out", "of", "stock")) < 0
    )
    ent.pronoun_ref = has_pronoun_ref(tokens)
    content = content_words(tokens)
    if matcher is not None:
        ent.category, used_by_category = matcher.category_span(content)
        # a category mention ("pet supplies") is not a product mention
        named = [w for i, w in enumerate(content) if i not in used_by_category]
        ent.products = matcher.products(named, tokens)
        content = [matcher.corrected(w) for w in matcher.glue_known(content)]
    ent.keywords = list(dict.fromkeys(content))  # first occurrences, in order
    return ent


#: Digits a recogniser writes for a word before an id read digit by digit ("for 8, 1, 2, 6").
_HOMOPHONE_DIGITS = frozenset("428")


def fit_order_id(order_id: str | None, lengths: frozenset[int]) -> str | None:
    """The order id in the shop's own shape: "48126" is "8126" when every id has four digits
    and the first digit was a word before the id ("it's order for 8, 1, 2, 6")."""
    if not order_id or not lengths or len(order_id) in lengths or not order_id.isdigit():
        return order_id
    if len(order_id) - 1 in lengths and order_id[0] in _HOMOPHONE_DIGITS:
        return order_id[1:]
    return order_id


def fit_price(bound: float | None, cheapest: float, dearest: float) -> float | None:
    """A price limit in the shop's range: "one twenty" written "1.20" where nothing costs
    under 6 dollars is 120 (a hundred times it), when that lands within the range."""
    if bound is None or bound >= cheapest or bound <= 0:
        return bound
    scaled = round(bound * 100, 2)
    if cheapest <= scaled <= dearest * 1.5 and not float(bound).is_integer():
        return scaled
    return bound
