"""Remove personal data from text before it is stored, logged or sent to an LLM.

Callers type and say the same things many ways ("4111-1111-...", "four one
one one, double one ..."; "hank@schrader.email", "hank at schrader dot
email"), so the text is first folded to one character set
(:func:`hark.language.characters.fold_text`), then every detector marks the
spans it recognises, and each span becomes a typed placeholder
(:data:`PLACEHOLDERS`, e.g. ``[card number]``):

* :mod:`~hark.privacy.numbers`: card numbers (Luhn, card talk, misheard ones),
  their expiry dates and security codes, phones (:mod:`~hark.privacy.phones`,
  libphonenumber), SSNs, bank account and routing numbers;
* :mod:`~hark.privacy.emails`: e-mail addresses, any domain, typed or spoken;
* :mod:`~hark.privacy.accounts`: IBANs (checked by python-stdnum);
* :mod:`~hark.privacy.addresses`: street addresses, PO boxes, ZIPs, postcodes;
* :mod:`~hark.privacy.dates`: dates of birth, expiry dates said with a month.

Overlapping spans merge, so nothing is half-redacted. A card read out over
several turns is recognised with :class:`~hark.privacy.memory.RedactionMemory`,
which the conversation keeps (digit counts, never digits). Hex ids, UUIDs,
order numbers, prices and quantities are left as they are.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from hark.language.characters import fold_text
from hark.privacy import accounts, addresses, dates, emails
from hark.privacy.kinds import (
    ADDRESS,
    BANK_ACCOUNT,
    CARD,
    CARD_KINDS,
    DATE_OF_BIRTH,
    EMAIL,
    EXPIRY,
    PHONE,
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    SECURITY_CODE,
    SSN,
)
from hark.privacy.memory import RedactionMemory
from hark.privacy.numbers import PAYMENT_CARD_TALK, classify_run
from hark.privacy.phones import current_region, set_region
from hark.privacy.scan import runs, tokenize

__all__ = [
    "ADDRESS",
    "BANK_ACCOUNT",
    "CARD",
    "CARD_KINDS",
    "DATE_OF_BIRTH",
    "EMAIL",
    "EXPIRY",
    "PHONE",
    "PLACEHOLDERS",
    "PLACEHOLDER_RE",
    "SECURITY_CODE",
    "SSN",
    "RedactingFilter",
    "RedactionMemory",
    "RedactionResult",
    "bounded",
    "current_region",
    "luhn_valid",
    "redact",
    "set_region",
]

# Text without a digit, an "@", a number word or a month can hold none of the kinds.
_QUICK_RE = re.compile(
    r"\d|@|\b(?:at|dot|zero|oh|o|nought|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
    r"thirty|forty|fourty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|double|triple|"
    r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|"
    r"[a-z]+teenth|twentieth|thirtieth|box)\b",
    re.IGNORECASE,
)
_PRIORITY = {
    CARD: 9,
    SECURITY_CODE: 8,
    EXPIRY: 7,
    BANK_ACCOUNT: 6,
    SSN: 6,
    PHONE: 5,
    EMAIL: 5,
    DATE_OF_BIRTH: 4,
    ADDRESS: 3,
}


@dataclass
class RedactionResult:
    """Redacted text, the kinds removed, and the conversation's updated memory."""

    text: str
    found: set[str] = field(default_factory=set)
    memory: RedactionMemory | None = None


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies (python-stdnum's)."""
    from stdnum import luhn

    return digits.isascii() and digits.isdigit() and luhn.is_valid(digits)


def redact(
    text: str,
    memory: RedactionMemory | None = None,
    *,
    region: str | None = None,
    today: dt.date | None = None,
) -> RedactionResult:
    """Replace personal data in ``text`` with placeholders such as ``[card number]``.

    With ``memory`` (a conversation's, from the previous turn) digits that
    continue a card read out earlier are recognised too; the result carries the
    memory to keep for the next turn. Without it, each text stands alone.
    """
    text = fold_text(text if isinstance(text, str) else str(text or ""))
    mem = memory.copy() if memory is not None else RedactionMemory()
    card_talk = bool(PAYMENT_CARD_TALK.search(text))
    if not text or not _QUICK_RE.search(text):
        if memory is not None:
            mem.end_turn(card_talk)
        return RedactionResult(text, set(), mem if memory is not None else None)
    today = today or dt.date.today()
    tokens = tokenize(text)
    number_runs = runs(text, tokens)
    spans: list[tuple[int, int, str]] = []
    spans += emails.find(text)
    spans += accounts.find(text)
    spans += addresses.find(text, tokens, number_runs)
    claimed = _merge(spans)
    card_before = mem.card_digits
    card_digits_found = False
    for run in number_runs:
        if _inside(claimed, run.start, run.end):
            continue
        for seg in classify_run(text, run, mem, region):
            spans.append((seg.start, seg.end, seg.kind))
            card_digits_found = card_digits_found or seg.kind in CARD_KINDS
    spans += dates.find(text, tokens, number_runs, today=today, card_given=mem.card_given)
    merged = _merge(spans)
    found = {kind for _, _, kind in merged}
    if memory is not None:
        mem.end_turn(card_talk or card_digits_found or mem.card_digits != card_before)
    if not merged:
        return RedactionResult(text, found, mem if memory is not None else None)
    pieces: list[str] = []
    last = 0
    for start, end, kind in merged:
        pieces.append(text[last:start])
        pieces.append(PLACEHOLDERS[kind])
        last = end
    pieces.append(text[last:])
    return RedactionResult("".join(pieces), found, mem if memory is not None else None)


_NUMBERISH_TAIL = re.compile(
    r"(?:[\s\d\-.,/()+]|\b(?:oh|o|zero|nought|one|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve|[a-z]+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    r"hundred|thousand|double|triple)\b)+$",
    re.IGNORECASE,
)


def bounded(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, for redaction to stay cheap on a flood.

    The cut never leaves half a number behind: digits, number words and separators
    at the end of the kept part are dropped too, since what follows them is gone.
    """
    if len(text) <= limit:
        return text
    return _NUMBERISH_TAIL.sub("", text[:limit])


def _merge(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Overlapping spans become one, named after the longest reading in it."""
    merged: list[tuple[int, int, str]] = []
    widest: list[int] = []  # length of the span that named each merged one
    for start, end, kind in sorted(spans):
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            m_start, m_end, m_kind = merged[-1]
            # the longer reading names it ("march twenty twenty eight" is an expiry
            # date, not the "twenty twenty eight" a digit reader took for a code)
            longer = (end - start, _PRIORITY[kind]) > (widest[-1], _PRIORITY[m_kind])
            merged[-1] = (m_start, max(m_end, end), kind if longer else m_kind)
            widest[-1] = max(widest[-1], end - start) if not longer else end - start
        else:
            merged.append((start, end, kind))
            widest.append(end - start)
    return merged


def _inside(spans: list[tuple[int, int, str]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e, _ in spans)


from hark.privacy.logfilter import RedactingFilter  # noqa: E402  (re-exported; it uses redact)
