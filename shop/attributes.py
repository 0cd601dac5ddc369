"""Comparable product attributes, for "something longer / brighter / lighter".

Any catalog states its specs as numbers with units ("16 ft", "800 lumens",
"1.8 kg", "6 hour runtime"). A comparative word names a direction along one
of those dimensions; this module reads the dimensions from a product's own
name and description, so a refinement works for a shop we have never seen.
When the products don't state the dimension, the caller is told and price is
used as an honest proxy (see ``skills.refine``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hark.language.normalize import normalize_spoken
from hark.shop.product_words import ProductDoc, compare_size

# Spoken comparatives -> direction label (the first found in the utterance wins).
COMPARATIVES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("less", "expensive"), "cheaper"), (("least", "expensive"), "cheaper"),
    (("more", "affordable"), "cheaper"), (("lower", "price"), "cheaper"),
    (("lower", "priced"), "cheaper"), (("cheaper",), "cheaper"), (("cheapest",), "cheaper"),
    (("inexpensive",), "cheaper"), (("more", "expensive"), "more_expensive"),
    (("most", "expensive"), "more_expensive"), (("higher", "end"), "more_expensive"),
    (("high", "end"), "more_expensive"), (("pricier",), "more_expensive"),
    (("premium",), "more_expensive"), (("fancier",), "more_expensive"),
    (("more", "compact"), "smaller"), (("smaller",), "smaller"), (("smallest",), "smaller"),
    (("tinier",), "smaller"), (("compact",), "smaller"), (("bigger",), "bigger"),
    (("biggest",), "bigger"), (("larger",), "bigger"), (("largest",), "bigger"),
    (("longer",), "longer"), (("longest",), "longer"), (("shorter",), "shorter"),
    (("shortest",), "shorter"), (("brighter",), "brighter"), (("brightest",), "brighter"),
    (("dimmer",), "dimmer"), (("lighter",), "lighter"), (("lightest",), "lighter"),
    (("less", "heavy"), "lighter"), (("heavier",), "heavier"), (("heaviest",), "heavier"),
    (("more", "powerful"), "more_powerful"), (("most", "powerful"), "more_powerful"),
    (("stronger",), "more_powerful"), (("less", "powerful"), "less_powerful"),
    (("more", "storage"), "more_capacity"), (("more", "space"), "more_capacity"),
    (("more", "capacity"), "more_capacity"), (("higher", "quality"), "better"),
    (("better",), "better"), (("best",), "better"), (("nicer",), "better"),
    (("top", "rated"), "better"), (("upgrade",), "better"),
)  # fmt: skip


@dataclass(frozen=True)
class Direction:
    dimensions: tuple[str, ...]  # what to compare, in order of preference
    sign: int  # +1: more of it; -1: less of it
    adjective: str  # "longer"
    superlative: str  # "longest"
    noun: str  # what the caller is told is missing: "length"


DIRECTIONS: dict[str, Direction] = {
    "smaller": Direction(("volume", "length", "capacity"), -1, "smaller", "smallest", "size"),
    "bigger": Direction(("volume", "length", "capacity"), 1, "bigger", "biggest", "size"),
    "longer": Direction(("length", "duration"), 1, "longer", "longest", "length"),
    "shorter": Direction(("length", "duration"), -1, "shorter", "shortest", "length"),
    "brighter": Direction(("brightness",), 1, "brighter", "brightest", "brightness"),
    "dimmer": Direction(("brightness",), -1, "dimmer", "dimmest", "brightness"),
    "lighter": Direction(("weight",), -1, "lighter", "lightest", "weight"),
    "heavier": Direction(("weight",), 1, "heavier", "heaviest", "weight"),
    "more_powerful": Direction(("power",), 1, "more powerful", "most powerful", "power"),
    "less_powerful": Direction(("power",), -1, "less powerful", "least powerful", "power"),
    "more_capacity": Direction(("capacity", "volume"), 1, "bigger", "biggest", "capacity"),
}

_UNITS: dict[str, tuple[str, float]] = {
    "mm": ("length", 0.1), "millimeter": ("length", 0.1), "cm": ("length", 1),
    "centimeter": ("length", 1), "m": ("length", 100), "meter": ("length", 100),
    "metre": ("length", 100), "in": ("length", 2.54), "inch": ("length", 2.54),
    "ft": ("length", 30.48), "foot": ("length", 30.48), "feet": ("length", 30.48),
    "yard": ("length", 91.44), "yd": ("length", 91.44), "mile": ("length", 160934),
    "ml": ("volume", 1), "milliliter": ("volume", 1), "l": ("volume", 1000),
    "liter": ("volume", 1000), "litre": ("volume", 1000), "oz": ("volume", 29.57),
    "ounce": ("volume", 29.57), "cup": ("volume", 237), "quart": ("volume", 946),
    "qt": ("volume", 946), "gallon": ("volume", 3785), "gal": ("volume", 3785),
    "g": ("weight", 1), "gram": ("weight", 1), "kg": ("weight", 1000),
    "kilogram": ("weight", 1000), "lb": ("weight", 453.6), "pound": ("weight", 453.6),
    "lumen": ("brightness", 1), "lm": ("brightness", 1), "w": ("power", 1),
    "watt": ("power", 1), "kw": ("power", 1000), "hour": ("duration", 60),
    "hr": ("duration", 60), "h": ("duration", 60), "minute": ("duration", 1),
    "min": ("duration", 1), "day": ("duration", 1440), "mah": ("capacity", 1),
    "gb": ("capacity", 1), "tb": ("capacity", 1000), "person": ("capacity", 1),
    "people": ("capacity", 1), "seater": ("capacity", 1),
}  # fmt: skip

_MEASURE = re.compile(r"(\d+(?:\.\d+)?)\s*-?\s*([a-z]+)")


def measures(product: ProductDoc) -> dict[str, float]:
    """Dimension -> value in a base unit, the name first (its numbers define the product)."""
    found: dict[str, float] = {}
    for text in (product.name, product.description):
        spoken = normalize_spoken(text.lower().replace("-", " "))
        for number, unit in _MEASURE.findall(spoken):
            key = unit if unit in _UNITS else unit.rstrip("s")
            if key in _UNITS:
                dimension, factor = _UNITS[key]
                found.setdefault(dimension, float(number) * factor)
    return found


def compare(a: ProductDoc, b: ProductDoc, direction: Direction) -> float | None:
    """How far ``a`` lies from ``b`` along the direction's dimension (>0: further that way).

    None when the two can't be compared on what they state.
    """
    ma, mb = measures(a), measures(b)
    for dimension in direction.dimensions:
        if dimension in ma and dimension in mb:
            return (ma[dimension] - mb[dimension]) * direction.sign
    if direction.noun == "size":  # "mini" vs "party" when no numbers are given
        delta = compare_size(a, b)
        return None if delta is None else delta * direction.sign
    return None


def states(product: ProductDoc, direction: Direction) -> bool:
    """Does the product give a figure along this direction?"""
    ms = measures(product)
    return any(d in ms for d in direction.dimensions)
