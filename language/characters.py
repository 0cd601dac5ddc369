"""One canonical character set for whatever a caller types or a recogniser returns.

Unicode has hundreds of characters that are digits to a person ("➇", "⓿",
"٣", "１") and to ``str.isdigit`` but not to ``int`` or to a ``\\d`` written
for ASCII: a turn that compared them both ways used to fail with a 500, and a
card number typed in full-width digits slipped past redaction. Folding them
to ASCII once, where text enters, makes every later stage (redaction, NLU,
storage) agree. Control and bidirectional-format characters are dropped
(they can forge log lines or hide text), and a lone surrogate, which no
database can store, becomes U+FFFD.

What a person does not see is not kept either, so it can't split a card number,
a phone or an e-mail address where a person reads it whole: every Unicode
``Default_Ignorable_Code_Point`` (zero-width spaces and joiners, the combining
grapheme joiner U+034F, variation selectors such as U+FE0F, Hangul fillers such
as U+3164, tag characters: the property itself, read from the ``regex`` module's
Unicode tables, never a hand list) and every combining mark left on an ASCII
letter or digit after NFKC composition ("4" + U+0301). Marks on other letters
(Devanagari vowel signs, say) are text and stay, and so do the joiners that shape
an emoji sequence or a Persian word, between two non-ASCII characters.
"""

from __future__ import annotations

import unicodedata

import regex

_KEEP_CONTROLS = frozenset("\n\t")
_JOINERS = frozenset("\u200c\u200d")  # ZWNJ, ZWJ: shape emoji and some scripts' words
_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
# Every ignorable but the joiners, in one pass over the text (set difference: regex V1).
_UNSEEN = regex.compile(r"[\p{Default_Ignorable_Code_Point}--[\u200c\u200d]]+", regex.V1)
_MARKS = frozenset({"Mn", "Me"})  # nonspacing and enclosing marks: drawn on their base
_BLANKS = frozenset("\u2800")  # BRAILLE PATTERN BLANK: a blank to a reader, not ignorable


def is_ignorable(ch: str) -> bool:
    """A character Unicode says to draw as nothing (``Default_Ignorable_Code_Point``)."""
    return _IGNORABLE.match(ch) is not None


def _fold_char(ch: str) -> str:
    if ch < "\x80":
        if ch == "\x00":  # NUL: dropped, as PostgreSQL would refuse it
            return ""
        if ch < " " and ch not in _KEEP_CONTROLS or ch == "\x7f":
            return " "
        return ch
    category = unicodedata.category(ch)
    if category == "Cs":  # a lone surrogate (e.g. "\ud800" from JSON): not storable text
        return "\ufffd"
    if category == "Cc" or ch in _BLANKS:
        return " "
    if category == "Cf":  # format characters (bidi controls, ...); the ignorable are gone
        return ""
    digit = unicodedata.digit(ch, None)
    if digit is not None:
        return str(digit)
    return ch


def _shapes(before: str, after: str) -> bool:
    """A joiner between these two characters shapes them (emoji, a Persian word)."""
    return (
        bool(before)
        and bool(after)
        and not before.isascii()
        and not after.isascii()
        and not before.isspace()
        and not after.isspace()
        and before not in _JOINERS
        and after not in _JOINERS
    )


def fold_text(text: str) -> str:
    """NFKC, every Unicode digit as its ASCII digit, nothing a reader can't see.

    >>> fold_text("order ➇⓿①２")
    'order 8012'
    >>> fold_text("4\u200d1\u034f1\ufe0f1 j\u3164a\u0301")
    '4111 já'
    """
    if text.isascii() and text.isprintable():
        return text
    # Surrogates first: NFKC cannot encode them.
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    text = _UNSEEN.sub("", unicodedata.normalize("NFKC", text))
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch in _JOINERS:
            before = out[-1] if out else ""
            if _shapes(before, text[i + 1] if i + 1 < len(text) else ""):
                out.append(ch)
            continue
        if ch >= "\x80" and unicodedata.category(ch) in _MARKS:
            base = out[-1] if out else ""
            if not base or base.isascii() or base in _JOINERS:
                continue  # a mark on nothing, or on a letter or digit it can't compose with
            out.append(ch)
            continue
        folded = _fold_char(ch)
        if folded:
            out.append(folded)
    return "".join(out)
