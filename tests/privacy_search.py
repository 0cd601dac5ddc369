"""Searching captured output for raw personal data (the corpus test's eyes).

A secret with 7 or more digits is looked for as its digits, whatever was
between them in the haystack (spaces, dashes, dots, brackets), and only as a
whole number (not inside a longer one). Any other secret is looked for as
written, ignoring case and runs of spaces, and also only as a whole token: a
five-digit ZIP code found inside a random conversation id or a timestamp
("...a78701f..." or "14:51:21.787012") is a coincidence, not a leak.
"""

from __future__ import annotations

import re

_BETWEEN_DIGITS = re.compile(r"(?<=\d)[\s\-./()]+(?=\d)")
_SPACES = re.compile(r"\s+")


def digits_view(haystack: str) -> str:
    return _BETWEEN_DIGITS.sub("", haystack)


def text_view(haystack: str) -> str:
    return _SPACES.sub(" ", haystack.lower())


def leaked(secret: str, digits_haystack: str, text_haystack: str) -> bool:
    digits = re.sub(r"\D", "", secret)
    if len(digits) >= 7:
        pattern = rf"(?<![0-9A-Za-z]){digits}(?![0-9A-Za-z])"
        return re.search(pattern, digits_haystack) is not None
    needle = re.escape(text_view(secret))
    return re.search(rf"(?<![0-9a-z]){needle}(?![0-9a-z])", text_haystack) is not None
