"""What product words mean, for any catalog: purposes, sizes and the head noun.

Plain English knowledge, not shop data: "shower" calls for something
waterproof, "16 oz" is less than "1 Liter", "mini" is smaller than "party",
and "Hard Shell Headphone Carrying Case" is a case (for headphones), not
headphones. Search ranks with it; "something smaller" and the cross-sell
(which must not offer a second mug for a mug) rely on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hark.shop.text_index import raw_words, stem


@dataclass(frozen=True)
class ProductDoc:
    """A product as the brain sees it: plain Python values, detached from the DB."""

    sku: str
    name: str
    category: str
    price: float
    description: str = ""
    tags: tuple[str, ...] = ()
    stock: int = 0
    image_url: str | None = None  # where a browser loads the picture (hark.store.media)
    model_url: str | None = None  # a glTF/GLB 3D model, likewise

    @property
    def in_stock(self) -> bool:
        return self.stock > 0


# General-English purpose words -> attributes that serve them. Not shop data:
# these hold for any catalog, and only add weight where the catalog has the words.
EXPANSIONS: dict[str, tuple[str, ...]] = {
    "hot": ("warm", "insulated", "thermal", "thermo", "heat"),
    "warm": ("hot", "insulated", "thermal", "heat", "heated"),
    "cold": ("cool", "chilled", "insulated", "iced", "ice"),
    "shower": ("waterproof", "bathroom", "bath", "ipx7"),
    "bath": ("waterproof", "bathroom", "shower"),
    "pool": ("waterproof", "swim"),
    "beach": ("waterproof", "portable", "sand"),
    "rain": ("waterproof", "water-resistant"),
    "waterproof": ("water-resistant", "ipx7", "ip67", "ipx5", "splash"),
    "wet": ("waterproof", "water-resistant"),
    "music": ("speaker", "audio", "headphones", "sound", "earbuds"),
    "listen": ("speaker", "headphones", "earbuds", "audio"),
    "song": ("speaker", "headphones", "audio"),
    "sound": ("speaker", "audio"),
    "run": ("running", "sports", "sport", "sweat", "gym"),
    "jog": ("running", "sports", "sweat"),
    "gym": ("sports", "workout", "sweat", "fitness"),
    "workout": ("sports", "gym", "sweat", "fitness"),
    "exercise": ("sports", "gym", "fitness", "workout"),
    "travel": ("portable", "compact", "folding", "foldable", "carry"),
    "trip": ("travel", "portable", "compact"),
    "flight": ("travel", "noise", "portable"),
    "plane": ("travel", "noise", "portable"),
    "flying": ("flight", "travel", "noise", "plane"),
    "fly": ("flight", "travel", "noise", "plane"),
    "commute": ("travel", "portable", "noise"),
    "hike": ("hiking", "backpacking", "camping", "outdoor", "trail"),
    "camp": ("camping", "backpacking", "outdoor", "tent"),
    "outdoor": ("camping", "hiking", "outdoors"),
    "sleep": ("sleeping", "bed", "night"),
    "puppy": ("dog", "pet"),
    "kitten": ("cat", "pet"),
    "pet": ("dog", "cat"),
    "kid": ("kids", "child", "children", "junior"),
    "child": ("kid", "kids", "children", "junior"),
    "daughter": ("kids", "child", "children", "junior"),
    "son": ("kids", "child", "children", "junior"),
    "year": ("kids", "child", "children", "junior"),  # "for my five year old"
    "toddler": ("kids", "child", "children"),
    "baby": ("infant", "toddler"),
    "gift": ("present", "set"),
    "present": ("gift",),
    "coffee": ("espresso", "brew", "beans"),
    "espresso": ("coffee",),
    "cook": ("cooking", "kitchen", "chef"),
    "clean": ("cleaning", "cleaner", "vacuum"),
    "floor": ("vacuum", "mop"),
    "teeth": ("toothbrush", "dental", "oral"),
    "tooth": ("toothbrush", "dental", "oral"),
    "dark": ("light", "lamp", "led", "lantern", "headlamp"),
    "night": ("light", "lamp", "led"),
    "read": ("lamp", "light"),
    "charge": ("charger", "charging", "rechargeable", "battery", "usb"),
    "power": ("battery", "charger", "rechargeable"),
    "call": ("mic", "microphone", "webcam", "phone"),
    "meeting": ("webcam", "camera", "microphone", "video"),
    "video": ("webcam", "camera"),
    "computer": ("laptop", "keyboard", "mouse", "usb"),
    "type": ("keyboard",),
    "work": ("office", "desk"),
    "back": ("ergonomic", "lumbar", "support"),
    "posture": ("ergonomic", "lumbar"),
    "drink": ("drinking", "mug", "cup", "bottle", "water"),
    "quiet": ("noise", "silent", "cancelling"),
    "noise": ("quiet", "cancelling"),
    "wireless": ("bluetooth", "cordless"),
    "cordless": ("wireless", "rechargeable"),
    "small": ("mini", "compact", "portable", "palm"),
    "little": ("small", "mini", "compact"),
    "tiny": ("small", "mini", "compact"),
    "big": ("large", "xl"),
    "large": ("big", "xl"),
    "loud": ("party", "bass", "large"),
    "party": ("loud", "large"),
    "tea": ("kettle", "teapot"),
    "beard": ("trimmer", "shave", "grooming"),
    "shave": ("trimmer", "razor", "grooming"),
    "hair": ("hairbrush", "comb", "trimmer"),
}


# Units a number in the query can carry ("16 oz"): such numbers are attributes, not prices.
UNIT_WORDS = frozenset(
    """
    oz ounce ounces inch inches in liter liters litre litres l ml lb lbs pound pounds ft
    foot feet quart gallon cup cups person people pack count piece pieces watt watts gb tb
    mm cm kg g lumen lumens mah hour hours
    """.split()  # noqa: SIM905 - a word list reads better as text
)


_SIZE_WORDS: dict[str, int] = {
    "mini": 1, "tiny": 1, "pocket": 1, "palm": 1, "compact": 2, "small": 2,
    "portable": 3, "medium": 3, "mid": 3, "regular": 3, "standard": 3,
    "large": 4, "big": 4, "family": 5, "xl": 5, "jumbo": 5, "party": 5, "huge": 5,
}  # fmt: skip


_MEASURE = re.compile(
    r"(\d+(?:\.\d+)?)\s*-?\s*(fl oz|oz|ounces?|liters?|litres?|l|ml|milliliters?|cups?|quarts?|qt|"
    r"gallons?|gal|inch(?:es)?|in|\"|ft|foot|feet|cm|mm|lbs?|pounds?|kg|g|grams?)(?![a-z])",
    re.IGNORECASE,
)


_TO_BASE: dict[str, tuple[str, float]] = {
    "fl oz": ("volume", 29.57), "oz": ("volume", 29.57), "ounce": ("volume", 29.57),
    "ounces": ("volume", 29.57), "liter": ("volume", 1000), "liters": ("volume", 1000),
    "litre": ("volume", 1000), "litres": ("volume", 1000), "l": ("volume", 1000),
    "ml": ("volume", 1), "milliliter": ("volume", 1), "milliliters": ("volume", 1),
    "cup": ("volume", 237), "cups": ("volume", 237), "quart": ("volume", 946),
    "quarts": ("volume", 946), "qt": ("volume", 946), "gallon": ("volume", 3785),
    "gallons": ("volume", 3785), "gal": ("volume", 3785), "inch": ("length", 2.54),
    "inches": ("length", 2.54), "in": ("length", 2.54), '"': ("length", 2.54),
    "ft": ("length", 30.48), "foot": ("length", 30.48), "feet": ("length", 30.48),
    "cm": ("length", 1), "mm": ("length", 0.1), "lb": ("weight", 453.6), "lbs": ("weight", 453.6),
    "pound": ("weight", 453.6), "pounds": ("weight", 453.6), "kg": ("weight", 1000),
    "g": ("weight", 1), "gram": ("weight", 1), "grams": ("weight", 1),
}  # fmt: skip


_SPEC_WORDS = frozenset(
    """
    set of pack pair count piece pieces kit bundle pro plus max lite ultra xl xxl edition
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def head_noun(name: str) -> str:
    """The word naming what a product is: "Hard Shell Headphone Carrying Case" -> "case"."""
    core = re.split(r"\s+(?:with|for|and|by|in)\s+|\s+-\s+|,|\(", name, maxsplit=1)[0]
    cased = [t for t in re.split(r"\s+", core) if t]
    tokens = [t.lower() for t in cased]
    while tokens and (
        any(ch.isdigit() for ch in tokens[-1])
        or tokens[-1] in _SPEC_WORDS
        or tokens[-1] in UNIT_WORDS
        # an acronym after a spec: "Laptop 16 GB RAM" is a laptop
        or (
            len(tokens) > 2
            and cased[len(tokens) - 1].isupper()
            and len(tokens[-1]) <= 4
            and (tokens[-2] in UNIT_WORDS or any(ch.isdigit() for ch in tokens[-2]))
        )
    ):
        tokens.pop()
    if not tokens:
        return ""
    last = raw_words(tokens[-1].replace("-", ""))
    return stem(last[-1]) if last else ""


# --- size, for "something smaller" --------------------------------------------
@dataclass(frozen=True)
class Size:
    dimension: str  # volume | length | weight | word
    value: float


def size_of(product: ProductDoc) -> Size | None:
    """A comparable size from the name (first) or description: "16 oz", "1 Liter", "mini"."""
    for text in (product.name, product.description):
        for number, unit in _MEASURE.findall(text):
            key = unit.lower().rstrip(".")
            if key in _TO_BASE:
                dimension, factor = _TO_BASE[key]
                return Size(dimension, float(number) * factor)
    for text in (product.name, " ".join(product.tags), product.description):
        ranks = [_SIZE_WORDS[w] for w in raw_words(text.replace("-", " ")) if w in _SIZE_WORDS]
        if ranks:
            return Size("word", float(min(ranks) if min(ranks) <= 2 else max(ranks)))
    return None


def compare_size(a: ProductDoc, b: ProductDoc) -> float | None:
    """Negative when ``a`` is smaller than ``b``; None when they can't be compared."""
    sa, sb = size_of(a), size_of(b)
    if sa is None or sb is None:
        return None
    if sa.dimension == sb.dimension:
        return sa.value - sb.value
    wa, wb = _word_size(a), _word_size(b)
    if wa is not None and wb is not None:
        return wa - wb
    return None


def _word_size(product: ProductDoc) -> float | None:
    text = " ".join((product.name, " ".join(product.tags), product.description)).replace("-", " ")
    ranks = [_SIZE_WORDS[w] for w in raw_words(text) if w in _SIZE_WORDS]
    if not ranks:
        return None
    return float(min(ranks) if min(ranks) <= 2 else max(ranks))


# --- model numbers, for "the ex two hundred" -------------------------------------
# How letters sound when spoken before a number ("ex 200" is the X200).
LETTER_NAMES: dict[str, str] = {
    "ay": "a", "bee": "b", "be": "b", "see": "c", "sea": "c", "dee": "d", "ee": "e", "eff": "f",
    "ef": "f", "gee": "g", "aitch": "h", "jay": "j", "kay": "k", "el": "l", "ell": "l", "em": "m",
    "en": "n", "oh": "o", "pee": "p", "pea": "p", "cue": "q", "queue": "q", "are": "r", "ar": "r",
    "es": "s", "ess": "s", "tee": "t", "tea": "t", "you": "u", "vee": "v", "ex": "x", "why": "y",
    "zee": "z", "zed": "z",
}  # fmt: skip


def glue_models(tokens: list[str], vocabulary: set[str] | frozenset[str]) -> list[str]:
    """Join a spoken letter (or letters) and the number after it when the catalog has that
    model name: ["the", "ex", "200"] -> ["the", "x200"]. Anything else is left alone."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt.isdigit() and tok.isalpha() and len(tok) <= 5:
            for letters in (tok, LETTER_NAMES.get(tok, "")):
                if letters and f"{letters}{nxt}" in vocabulary:
                    out.append(f"{letters}{nxt}")
                    i += 2
                    break
            else:
                out.append(tok)
                i += 1
            continue
        out.append(tok)
        i += 1
    return out
