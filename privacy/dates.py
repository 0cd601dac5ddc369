"""Dates of birth (and card expiry dates said with a month name), written or spoken.

"03/04/1985", "March 3rd, 1985", "the fourth of july nineteen seventy six",
"oh three oh four eighty five": a date is read from month names, ordinals
("third", "21st", "twenty first") and the number runs of :mod:`hark.privacy.scan`.
A date is a date of birth when birth is spoken of around it ("born", "date of
birth", "DOB", "birthday"), or when it is a full day-month-year at least 13
years back: an order placed that long ago is not what callers ring a shop
about, a birthday is. A month and year after "expires" (or right after a card
was read out) is a card's expiry date. Other dates (delivery dates, "next
Monday", this year's order dates) are left alone: support needs them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from hark.privacy.kinds import DATE_OF_BIRTH, EXPIRY
from hark.privacy.numbers import EXPIRY_WORDS
from hark.privacy.scan import Run, Token

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
    "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18,
    "nineteenth": 19, "twentieth": 20, "thirtieth": 30,
}  # fmt: skip
_SUFFIXES = frozenset({"st", "nd", "rd", "th"})
_TRANSPARENT = frozenset({"the", "of", ",", "in", "on", "-", "/", "."})
BIRTH_WORDS = re.compile(
    r"\b(?:born|birth\s?days?|birthday's|birth\s?date|date\s+of\s+birth|d\.?\s?o\.?\s?b\b\.?)",
    re.IGNORECASE,
)
MIN_AGE_YEARS = 13
_BEFORE_CHARS = 60
_AFTER_CHARS = 30


@dataclass
class _El:
    kind: str  # month | ord | num | other | skip
    start: int
    end: int
    value: int = 0
    groups: tuple[str, ...] = ()


def _elements(tokens: list[Token], runs: list[Run]) -> list[_El]:
    by_start = {r.groups[0].start: r for r in runs}
    out: list[_El] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        low = tok.low
        run = by_start.get(tok.start)
        if run is not None:
            j = i
            while j < n and tokens[j].end <= run.end:
                j += 1
            groups = tuple(g.digits for g in run.groups)
            # "twenty first": a spoken tens group followed by a unit ordinal is one ordinal
            if j < n and tokens[j].low in ORDINALS and ORDINALS[tokens[j].low] < 10:
                tens = groups[-1]
                if len(tens) == 2 and tens.endswith("0") and tens != "10":
                    if len(groups) > 1:
                        out.append(_El("num", run.start, run.groups[-2].end, groups=groups[:-1]))
                    value = int(tens) + ORDINALS[tokens[j].low]
                    out.append(_El("ord", run.groups[-1].start, tokens[j].end, value))
                    i = j + 1
                    continue
            # "3rd": digits glued to an ordinal suffix
            if j < n and tokens[j].low in _SUFFIXES and tokens[j].start == tokens[j - 1].end:
                out.append(_El("ord", run.start, tokens[j].end, int(run.digits)))
                i = j + 1
                continue
            out.append(_El("num", run.start, run.end, groups=groups))
            i = j
            continue
        if low in MONTHS:
            out.append(_El("month", tok.start, tok.end, MONTHS[low]))
        elif low in ORDINALS:
            out.append(_El("ord", tok.start, tok.end, ORDINALS[low]))
        elif low in _TRANSPARENT:
            out.append(_El("skip", tok.start, tok.end))
        else:
            out.append(_El("other", tok.start, tok.end))
        i += 1
    return [e for e in out if e.kind != "skip"] if out else out


def _year(digits: str, today: dt.date) -> int | None:
    if len(digits) == 4 and digits[:2] in ("19", "20"):
        return int(digits)
    if len(digits) == 2:
        yy = int(digits)
        return 2000 + yy if yy <= today.year % 100 else 1900 + yy
    return None


def _day(el: _El) -> int | None:
    if el.kind == "ord":
        return el.value if 1 <= el.value <= 31 else None
    if el.kind == "num" and len(el.groups) == 1 and el.groups[0].isdigit():
        value = int(el.groups[0])
        return value if 1 <= value <= 31 and len(el.groups[0]) <= 2 else None
    return None


@dataclass
class _Date:
    start: int
    end: int
    day: int | None
    month: int | None
    year: int | None
    loose: bool = False  # read from a bare digit string: a date only if birth is mentioned


def _numeric(groups: tuple[str, ...], today: dt.date) -> tuple[int | None, int | None, int | None]:
    """Day, month, year of "03/04/1985", "1985-03-04", or "030485" read digit by digit."""
    if len(groups) == 3 and all(g.isdigit() for g in groups):
        a, b, c = groups
        if len(a) == 4:
            year, month, day = _year(a, today), int(b), int(c)
        else:
            year = _year(c, today)
            first, second = int(a), int(b)
            month, day = (first, second) if first <= 12 else (second, first)
        if year and 1 <= month <= 12 and 1 <= day <= 31:
            return day, month, year
        return None, None, None
    digits = "".join(groups)
    for size in (4, 2):
        if len(digits) == 4 + size:
            head, year = digits[:4], _year(digits[4:], today)
            first, second = int(head[:2]), int(head[2:])
            month, day = (first, second) if first <= 12 else (second, first)
            if year and 1 <= month <= 12 and 1 <= day <= 31:
                return day, month, year
    if len(digits) == 8:
        year, month, day = _year(digits[:4], today), int(digits[4:6]), int(digits[6:])
        if year and 1 <= month <= 12 and 1 <= day <= 31:
            return day, month, year
    return None, None, None


def _dates(els: list[_El], today: dt.date) -> list[_Date]:
    found: list[_Date] = []
    i, n = 0, len(els)
    while i < n:
        el = els[i]
        nxt = els[i + 1] if i + 1 < n else None
        third = els[i + 2] if i + 2 < n else None
        if el.kind == "month" and nxt is not None:
            day = _day(nxt)
            if nxt.kind == "num" and len(nxt.groups) >= 2:
                year = _year("".join(nxt.groups), today)
                if year is not None:  # "march twenty twenty eight"
                    found.append(_Date(el.start, nxt.end, None, el.value, year))
                    i += 2
                    continue
                first = _day(_El("num", 0, 0, groups=nxt.groups[:1]))
                year = _year("".join(nxt.groups[1:]), today)
                if first and year:  # "march 3, 1985"
                    found.append(_Date(el.start, nxt.end, first, el.value, year))
                    i += 2
                    continue
            if day is not None and third is not None and third.kind == "num":
                year = _year("".join(third.groups), today)
                if year is not None:
                    found.append(_Date(el.start, third.end, day, el.value, year))
                    i += 3
                    continue
            if day is not None:
                found.append(_Date(el.start, nxt.end, day, el.value, None))
                i += 2
                continue
            if nxt.kind == "num":
                year = _year("".join(nxt.groups), today)
                if year is not None and len("".join(nxt.groups)) == 4:
                    found.append(_Date(el.start, nxt.end, None, el.value, year))
                    i += 2
                    continue
        if el.kind in ("ord", "num") and nxt is not None and nxt.kind == "month":
            day = _day(el)
            if day is not None:
                if third is not None and third.kind == "num":
                    year = _year("".join(third.groups), today)
                    if year is not None:
                        found.append(_Date(el.start, third.end, day, nxt.value, year))
                        i += 3
                        continue
                found.append(_Date(el.start, nxt.end, day, nxt.value, None))
                i += 2
                continue
        if el.kind == "num":
            day, month, year = _numeric(el.groups, today)
            if year is not None:
                loose = len(el.groups) != 3
                found.append(_Date(el.start, el.end, day, month, year, loose))
            elif (
                len(el.groups) >= 1
                and _year("".join(el.groups), today)
                and len("".join(el.groups)) == 4
            ):
                found.append(_Date(el.start, el.end, None, None, _year("".join(el.groups), today)))
        i += 1
    return found


def find(
    text: str,
    tokens: list[Token],
    runs: list[Run],
    *,
    today: dt.date,
    card_given: bool = False,
) -> list[tuple[int, int, str]]:
    """Spans of dates of birth and of expiry dates said with a month name."""
    spans: list[tuple[int, int, str]] = []
    for date in _dates(_elements(tokens, runs), today):
        window = text[max(0, date.start - _BEFORE_CHARS) : date.start]
        after = text[date.end : date.end + _AFTER_CHARS]
        birth = bool(BIRTH_WORDS.search(window) or BIRTH_WORDS.search(after))
        if birth and (date.month is not None or date.year is not None):
            spans.append((date.start, date.end, DATE_OF_BIRTH))
            continue
        if date.loose:
            continue
        expiry = bool(EXPIRY_WORDS.search(window)) or card_given
        if expiry and date.month is not None and date.year is not None and date.day is None:
            if today.year - 1 <= date.year <= today.year + 25:
                spans.append((date.start, date.end, EXPIRY))
            continue
        year = date.year
        full = date.day is not None and date.month is not None and year is not None
        if full and year is not None and 1900 <= year <= today.year - MIN_AGE_YEARS:
            spans.append((date.start, date.end, DATE_OF_BIRTH))
    return spans
