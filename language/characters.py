"""One canonical character set for whatever a caller types or a recogniser returns.

Unicode has hundreds of characters that are digits to a person ("➇", "⓿",
"٣", "１") and to ``str.isdigit`` but not to ``int`` or to a ``\\d`` written
for ASCII: a turn that compared them both ways used to fail with a 500, and a
card number typed in full-width digits slipped past redaction. Folding them
to ASCII once, where text enters, makes every later stage (redaction, NLU,
storage) agree. Control and bidirectional-format characters are dropped
(they can forge log lines or hide text), and a lone surrogate, which no
database can store, becomes U+FFFD.
"""

from __future__ import annotations

import unicodedata

_KEEP_CONTROLS = frozenset("\n\t")


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
    if category == "Cc":
        return " "
    if category == "Cf" and ch not in ("\u200c", "\u200d"):  # joiners shape words and emoji
        return ""
    digit = unicodedata.digit(ch, None)
    if digit is not None:
        return str(digit)
    return ch


def fold_text(text: str) -> str:
    """NFKC, every Unicode digit as its ASCII digit, no control or format characters.

    >>> fold_text("order ➇⓿①２")
    'order 8012'
    """
    if text.isascii() and text.isprintable():
        return text
    # Surrogates first: NFKC cannot encode them.
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    text = unicodedata.normalize("NFKC", text)
    return "".join(_fold_char(ch) for ch in text)
