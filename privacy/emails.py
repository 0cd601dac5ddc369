"""E-mail addresses, typed ("hank@schrader.email") or said ("hank at schrader dot email").

Any domain counts: top-level domains are a long and growing list (.email,
.legal, .shop, .online, ...), so no list of them is kept. A typed address is
anything around an "@"; a spoken one is a local part, "at", and a domain of
at least two labels joined by "dot" (the first may be said as two words, "los
pollos dot biz"), where the local part may be spelled
("j o h n") or joined by "dot"/"underscore"/"dash"/"plus". Every repeat is
bounded so a long line costs linear time, never a catastrophic backtrack.
"""

from __future__ import annotations

import re

from hark.privacy.kinds import EMAIL

_WORD = r"[^\W_](?:[\w'+-]{0,62}[^\W_])?"
_SPELLED = r"[^\W_](?:\s+[^\W_](?![^\W_])){1,40}"
_JOIN = r"\s+(?:dot|underscore|under\s+score|dash|hyphen|plus|period)\s+"
_DOT = r"(?:\.(?=[^\W_])|\s+dot\s+|\s*[(\[]\s*dot\s*[)\]]\s*)"  # "a. Uses" ends a sentence
_AT = r"(?:\s*@\s*|\s+at\s+|\s*[(\[]\s*at\s*[)\]]\s*)"
_LABEL = rf"(?!(?:dot|at)\b)(?:{_SPELLED}|{_WORD})"
# A local part may be typed while the rest is said: "maria.lopez at example dot com".
_LOCAL_WORD = r"[^\W_](?:[\w.'+-]{0,62}[^\W_])?"
_LOCAL = rf"(?!(?:dot|at)\b)(?:{_SPELLED}|{_LOCAL_WORD})"

WRITTEN = re.compile(
    r"(?<![\w.+-])[\w+'-]{1,64}(?:\s?\.+\s?[\w+'-]{1,64}){0,6}\.*\s?@\s?[\w-]{1,63}"
    r"(?:\s?\.\s?[\w-]{1,63}){0,6}",
    re.IGNORECASE,
)
SPOKEN = re.compile(
    rf"(?<![\w@.'\u2019])(?:{_SPELLED}|{_LOCAL}(?:{_JOIN}{_LOCAL}){{0,4}})"
    rf"{_AT}{_LABEL}(?:\s+{_LABEL}(?=\s+dot\s))?(?:{_DOT}{_LABEL}){{1,5}}(?![\w@])",
    re.IGNORECASE,
)


_SPELLED_CHAR = frozenset(".@_+-'")
_MAX_GAP = 3  # spaces between two spelled characters


def find(text: str) -> list[tuple[int, int, str]]:
    """Spans of e-mail addresses in ``text``."""
    spans = [_spelled_out(text, m.start(), m.end()) for m in WRITTEN.finditer(text)]
    if " at " in text.lower() or "(at)" in text.lower() or "[at]" in text.lower():
        spans += [(m.start(), m.end(), EMAIL) for m in SPOKEN.finditer(text)]
    return spans


def _spelled_out(text: str, start: int, end: int) -> tuple[int, int, str]:
    """An address typed one character at a time ("j a n e . d o e @ g m a i l . c o m")
    reads as the address to a person: where the match starts (or ends) on a lone
    character, the lone characters spaced out before (after) it belong to it too."""
    if _lone(text, start):
        while (before := _next_lone(text, start, -1)) is not None:
            start = before
    if _lone(text, end - 1):
        while (after := _next_lone(text, end - 1, 1)) is not None:
            end = after + 1
    return start, end, EMAIL


def _lone(text: str, i: int) -> bool:
    """``text[i]`` is one letter, digit or address sign standing alone between spaces/@/."""
    if not (0 <= i < len(text)) or not (text[i].isalnum() or text[i] in _SPELLED_CHAR):
        return False
    left = i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_+-'")
    right = i + 1 == len(text) or not (text[i + 1].isalnum() or text[i + 1] in "_+-'")
    return left and right


def _next_lone(text: str, i: int, step: int) -> int | None:
    """The spelled character a few spaces from ``text[i]`` in direction ``step``, if any."""
    j = i + step
    gap = 0
    while 0 <= j < len(text) and text[j] in " \t" and gap <= _MAX_GAP:
        j, gap = j + step, gap + 1
    if gap == 0 or gap > _MAX_GAP or not _lone(text, j):
        return None
    return j
