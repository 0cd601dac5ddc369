"""Spoken number grammar: "thirty one eighty six", "seven thousand and two", "nine point nine nine".

A run of number words can hold one number or several said in a row. This
module splits a run into the numbers it contains (:func:`parse_run`) and
decides how they read together (:func:`render_run`): one id
("thirty one eighty six" -> 3186), a price when the context says money
("twenty nine ninety nine dollars" -> 29.99), or separate numbers.
:mod:`hark.language.normalize` finds the runs in a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS: dict[str, int] = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES: dict[str, int] = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
# Every word below a hundred, with the kind the grammar tracks for it.
_SMALL: dict[str, tuple[int, str]] = {
    **{w: (v, "unit") for w, v in UNITS.items()},
    **{w: (v, "teen") for w, v in TEENS.items()},
    **{w: (v, "tens") for w, v in TENS.items()},
}


@dataclass
class Segment:
    """One spoken number inside a run, e.g. "thirty one" in "thirty one eighty six"."""

    value: float
    simple: bool  # no scale word / decimal: can be read digit-wise as part of an id
    digits: str  # how it reads digit-wise ("31", "7", "0")
    pair: bool = False  # a two-digit form (10..99), usable as cents


def parse_run(words: list[str]) -> list[Segment]:
    """Split a run of number words into the spoken numbers it contains."""
    segments: list[Segment] = []
    total = 0  # thousands and above
    current = 0  # below a thousand
    last = ""  # kind of the previous word
    started = False
    simple = True
    digits = ""
    decimals = ""
    in_decimal = False

    def flush() -> None:
        nonlocal total, current, last, started, simple, digits, decimals, in_decimal
        if started:
            value = float(total + current)
            if decimals:
                value = float(f"{total + current}.{decimals}")
            pair = simple and len(digits) == 2 and not decimals
            segments.append(Segment(value, simple and not decimals, digits, pair))
        total = current = 0
        last, started, simple, digits, decimals, in_decimal = "", False, True, "", "", False

    after_scale = ("hundred", "thousand", "million", "and")
    for w in words:
        if w == "o":
            w = "zero"
        if in_decimal:
            if w in _SMALL:
                decimals += str(_SMALL[w][0])
                continue
            flush()
        if w in _SMALL:
            v, kind = _SMALL[w]
            if kind == "unit" and started and last == "tens" and v != 0:
                current += v
                digits = digits[:-1] + str(v)  # "thirty one" reads "31"
                last = "tens_unit"
            elif started and last in after_scale:
                current += v
                last = kind
                simple = False
            else:
                flush()
                started, current, digits, last = True, v, str(v), kind
        elif w == "hundred":
            if started and last in ("unit", "teen", "tens", "tens_unit") and current < 100:
                current = current * 100
            elif started and last in ("thousand", "million"):
                current = 100
            else:
                flush()
                started, current = True, 100
            last, simple = "hundred", False
        elif w in ("thousand", "million"):
            if started and last not in ("thousand", "million"):
                if w == "thousand":
                    total += (current or 1) * 1000
                else:
                    total = (total + (current or 1)) * 1_000_000
            else:
                flush()
                started, total = True, SCALES[w]
            current, last, simple = 0, w, False
        elif w == "dozen":
            if started and last in ("unit", "teen", "tens", "tens_unit"):
                current *= 12
            else:
                flush()
                started, current = True, 12
            last, simple = "dozen", False
            flush()
        elif w == "a":
            flush()
            started, current, last, simple = True, 1, "unit", False
        elif w == "and":
            last = "and"
        elif w == "point" and started:
            in_decimal = True
            simple = False
    flush()
    return segments


def format_number(value: float) -> str:
    """3186.0 -> "3186", 29.99 -> "29.99"."""
    if value == int(value):
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


def render_run(
    segments: list[Segment], price_context: bool, cents_follow: bool = False
) -> list[str]:
    """Decide how several spoken numbers in a row read: price, id or separate numbers.

    In a price context two numbers said in a row are dollars and cents
    ("twenty nine ninety nine" -> 29.99), except "one fifty": a US caller
    saying that of a price means a hundred and fifty ("under one fifty",
    "one fifty dollars"), a dollar fifty only when "cents" follows.
    """
    if len(segments) == 1:
        return [format_number(segments[0].value)]
    if (
        price_context
        and len(segments) == 2
        and segments[0].simple
        and segments[1].pair
        and 1 <= segments[0].value <= 999
        and (segments[0].digits != "1" or cents_follow)
    ):
        return [f"{int(segments[0].value)}.{int(segments[1].value):02d}"]
    if all(s.simple for s in segments):
        return ["".join(s.digits for s in segments)]
    return [format_number(s.value) for s in segments]
