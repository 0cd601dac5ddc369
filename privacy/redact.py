"""Remove card numbers and other personal data before text is stored, logged or sent out.

Callers read card numbers aloud ("four one one one one one ..."), so digits
are found both as typed digits and as spoken number words, and judged by
what they are, not by how they were written:

* 13-19 digits passing the Luhn check (or any 13-19 digits right after
  "card"/"visa"/...) -> ``[card number]``
* 3-4 digits after "cvv", "security code", ... -> ``[security code]``
* ``123-45-6789`` or 9 digits after "social security"/"ssn" -> ``[ssn]``
* 10-15 digit phone numbers (7 digits after "phone"/"call me") -> ``[phone]``
* emails, typed or spoken ("john at example dot com") -> ``[email]``

Order numbers (4-6 digits), prices and quantities are left alone, because
the transcript must still show what the customer asked about.
``RedactingFilter`` applies the same to every log record.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from hark.language.normalize import normalize_tokens
from hark.language.spoken_numbers import TEENS, TENS, UNITS

CARD = "card_number"
SECURITY_CODE = "security_code"
SSN = "ssn"
EMAIL = "email"
PHONE = "phone"

PLACEHOLDERS: dict[str, str] = {
    CARD: "[card number]",
    SECURITY_CODE: "[security code]",
    SSN: "[ssn]",
    EMAIL: "[email]",
    PHONE: "[phone]",
}


@dataclass
class RedactionResult:
    """Redacted text and the kinds of data that were removed (see the constants)."""

    text: str
    found: set[str] = field(default_factory=set)


_TLDS = "com|net|org|edu|gov|io|co|us|uk|ca|de|fr|es|it|nl|au|info|biz|me|app|dev|ai|mx|in|jp|ch|se"
_DOT = r"\s*(?:\.|\bdot\b)\s*"
# Every repeat is bounded (RFC limits: 64-char local part, 63-char labels) so a
# long run of digits or dots costs linear time, never a catastrophic backtrack.
_EMAIL_RE = re.compile(
    rf"(?:(?<![\w'\u2019])[a-z0-9]\s+){{0,30}}[\w.+-]{{1,64}}(?:{_DOT}[\w+-]{{1,64}}){{0,4}}"
    rf"\s*(?:@|\bat\b)\s*[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}}){{0,4}}{_DOT}(?:{_TLDS})\b",
    re.IGNORECASE,
)
_SSN_RE = re.compile(r"(?<![\d-])\d{3}[- ]\d{2}[- ]\d{4}(?![\d-])")

_DIGIT_WORDS = set(UNITS) | set(TEENS) | set(TENS) | {"oh", "o", "double", "triple"}
_TOKEN_RE = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d]")
_SEPARATORS = {"-", ",", ".", "(", ")", "/", "um", "uh", "er", "erm", "ah", "hmm", "umm", "uhh"}

_CARD_CONTEXT = re.compile(
    r"\b(?:card|credit|debit|visa|mastercard|master card|amex|american express|discover|"
    r"account number|cc)\b",
    re.IGNORECASE,
)
_CODE_CONTEXT = re.compile(
    r"\b(?:cvv2?|cvc2?|csc|cid|cv2|security code|security number|card code|verification code|"
    r"verification number|code on the back|three digit code|3 digit code|pin|pin number)\b",
    re.IGNORECASE,
)
_SSN_CONTEXT = re.compile(r"\b(?:social security|social|ssn|s s n|tax id)\b", re.IGNORECASE)
_PHONE_CONTEXT = re.compile(
    r"\b(?:phone|call me|call|cell|mobile|telephone|reach me|text me|landline)\b", re.IGNORECASE
)
_QUICK_RE = re.compile(
    r"\d|@|\b(?:at|zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety)\b",
    re.IGNORECASE,
)


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum every payment card number satisfies."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _expand_repeats(words: list[str]) -> list[str]:
    """ "double four" -> "four four", as people read out card and phone numbers."""
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("double", "triple") and i + 1 < len(words):
            out.extend([words[i + 1]] * (2 if w == "double" else 3))
            i += 2
            continue
        out.append(w)
        i += 1
    return out


def _run_digits(tokens: list[str]) -> str | None:
    """The digit string a run of digit tokens / number words reads as, or None."""
    words = [t for t in tokens if t not in _SEPARATORS]
    normalised = normalize_tokens(" ".join(_expand_repeats([w.lower() for w in words])))
    if not normalised or not all(t.isdigit() for t in normalised):
        return None
    return "".join(normalised)


def _numeric_runs(text: str) -> list[tuple[int, int, list[str]]]:
    """Spans of consecutive digit groups / digit words (with separators) in ``text``."""
    runs: list[tuple[int, int, list[str]]] = []
    cur: list[re.Match[str]] = []

    def close() -> None:
        while cur and cur[-1].group() in _SEPARATORS:
            cur.pop()
        if cur:
            runs.append((cur[0].start(), cur[-1].end(), [m.group() for m in cur]))
        cur.clear()

    for m in _TOKEN_RE.finditer(text):
        tok = m.group()
        low = tok.lower()
        numeric = tok.isdigit() or low in _DIGIT_WORDS
        joins = low in _SEPARATORS if cur else tok in ("+", "(")
        if numeric or joins:
            cur.append(m)
        else:
            close()
    close()
    return runs


def _context_before(text: str, start: int, chars: int = 48) -> str:
    return text[max(0, start - chars) : start]


def _classify(text: str, start: int, digits: str, raw: list[str]) -> str | None:
    n = len(digits)
    before = _context_before(text, start)
    if 13 <= n <= 19 and luhn_valid(digits):
        return CARD
    if 8 <= n <= 19 and _CARD_CONTEXT.search(before):
        return CARD  # a misheard or partial card number is still one
    if n == 9 and _SSN_CONTEXT.search(before):
        return SSN
    if 3 <= n <= 4 and _CODE_CONTEXT.search(before):
        return SECURITY_CODE
    international = bool(raw) and raw[0] in ("+", "plus")
    phone_context = bool(_PHONE_CONTEXT.search(before))
    if n == 10 or (n == 11 and digits[0] == "1") or (international and 8 <= n <= 15):
        return PHONE
    if phone_context and (n == 7 or 10 <= n <= 13):
        return PHONE
    return None


def redact(text: str) -> RedactionResult:
    """Replace personal data in ``text`` with placeholders such as ``[card number]``."""
    if not text or not _QUICK_RE.search(text):
        return RedactionResult(text or "", set())
    found: set[str] = set()

    def sub_email(m: re.Match[str]) -> str:
        found.add(EMAIL)
        return PLACEHOLDERS[EMAIL]

    text = _EMAIL_RE.sub(sub_email, text)

    def sub_ssn(m: re.Match[str]) -> str:
        found.add(SSN)
        return PLACEHOLDERS[SSN]

    text = _SSN_RE.sub(sub_ssn, text)
    pieces: list[str] = []
    last = 0
    for start, end, raw in _numeric_runs(text):
        digits = _run_digits([t for t in raw if t not in ("+", "(")])
        if digits is None:
            continue
        kind = _classify(text, start, digits, raw)
        if kind is None:
            continue
        found.add(kind)
        pieces.append(text[last:start])
        pieces.append(PLACEHOLDERS[kind])
        last = end
    if pieces:
        text = "".join(pieces) + text[last:]
    return RedactionResult(text, found)


_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
}


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the message, its arguments and string extras.

    Install it on handlers (not loggers) so records from every library pass
    through it: ``handler.addFilter(RedactingFilter())``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the log line
            message = str(record.msg)
        redacted = redact(message).text
        if redacted != message or record.args:
            record.msg = redacted
            record.args = None
        for key, value in list(vars(record).items()):
            if key in _STANDARD_ATTRS:
                continue
            if isinstance(value, str):
                setattr(record, key, redact(value).text)
            elif isinstance(value, (dict, list, tuple)):
                setattr(record, key, _redact_obj(value))
        if record.exc_text:
            record.exc_text = redact(record.exc_text).text
        return True


def _redact_obj(value: object, depth: int = 0) -> object:
    if depth > 4:
        return value
    if isinstance(value, str):
        return redact(value).text
    if isinstance(value, dict):
        return {k: _redact_obj(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_obj(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_redact_obj(v, depth + 1) for v in value)
    return value
