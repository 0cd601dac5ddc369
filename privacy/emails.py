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
    r"(?<![\w.+-])[\w.+'-]{1,64}\s?@\s?[\w-]{1,63}(?:\s?\.\s?[\w-]{1,63}){0,6}", re.IGNORECASE
)
SPOKEN = re.compile(
    rf"(?<![\w@.'\u2019])(?:{_SPELLED}|{_LOCAL}(?:{_JOIN}{_LOCAL}){{0,4}})"
    rf"{_AT}{_LABEL}(?:\s+{_LABEL}(?=\s+dot\s))?(?:{_DOT}{_LABEL}){{1,5}}(?![\w@])",
    re.IGNORECASE,
)


def find(text: str) -> list[tuple[int, int, str]]:
    """Spans of e-mail addresses in ``text``."""
    spans = [(m.start(), m.end(), EMAIL) for m in WRITTEN.finditer(text)]
    if " at " in text.lower() or "(at)" in text.lower() or "[at]" in text.lower():
        spans += [(m.start(), m.end(), EMAIL) for m in SPOKEN.finditer(text)]
    return spans
