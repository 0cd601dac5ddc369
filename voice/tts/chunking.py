"""Split reply text into speakable sentences for sentence-by-sentence synthesis.

Splitting on every full stop would break "$24.99", "Dr. Lee", "e.g. the red
one" or "3.5 mm" into fragments that a voice reads with odd pauses and that
delay nothing useful. The rules, kept deliberately simple and predictable:

* A sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes or
  brackets) followed by whitespace, or at a line break.
* A full stop does not end a sentence after a known abbreviation (``Dr.``,
  ``e.g.``, ``approx.``; ``No.``/``Dec.`` only before a number), after a
  single capital (initials: "J. R.") or a dotted form ("U.S."), inside a
  number ("24.99": the period is not followed by whitespace) or when the next
  word starts in lowercase (usually an abbreviation we do not know).
* Fragments without a letter or digit (":-)", "...") are dropped: there is
  nothing to say.
* Very long sentences are cut at the last clause mark (``,;:`` or a dash)
  before ``max_chars`` so one run-on sentence cannot hold back first audio.
* ``speech_pieces`` goes one step further for the *first* sentence only:
  when it is long, its first clause is synthesised on its own, because the
  caller waits for exactly that much synthesis before hearing anything, and
  the rest of the sentence is made while the clause plays.

The function is pure and deterministic: the voice session relies on it to
pair audio chunks with the words they speak (see ``hark.voice.tts.base``).
"""

from __future__ import annotations

import re
from typing import Final

ABBREVIATIONS: Final[frozenset[str]] = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "rev",
        "hon",
        "gen",
        "capt",
        "sgt",
        "lt",
        "col",
        "vs",
        "approx",
        "dept",
        "eg",
        "ie",
        "cf",
        "ca",
    }
)
"""Lower-cased abbreviations (dots removed) after which a full stop never ends a sentence."""

NUMBERED: Final[frozenset[str]] = frozenset(
    {
        "no",
        "nos",
        "vol",
        "fig",
        "ref",
        "ext",
        "tel",
        "p",
        "pp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)
"""Abbreviations that do not end a sentence when a number follows ("No. 5", "Dec. 24")."""

MAX_CHARS: Final = 220
FIRST_PIECE_CHARS: Final = 40
"""A first sentence longer than this is cut at its first clause mark (``speech_pieces``)."""
MIN_CLAUSE_CHARS: Final = 8
"""Neither side of that cut may be shorter than this ("Yes," alone is not worth a call)."""

# A candidate boundary: terminal punctuation, optional closers, then whitespace.
_BOUNDARY = re.compile(r"([.!?…]+)([\"'”’)\]]*)(\s+)")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")
_CLAUSE = re.compile(r"[,;:]\s|\s[—–-]\s")


def split_sentences(text: str, *, max_chars: int = MAX_CHARS) -> list[str]:
    """Return the non-empty sentences of ``text`` in order, whitespace-normalised."""
    sentences: list[str] = []
    for line in text.splitlines():
        for sentence in _split_line(line):
            sentences.extend(_cut_long(sentence, max_chars))
    return [s for s in sentences if any(ch.isalnum() for ch in s)]


def speech_pieces(text: str) -> list[str]:
    """``split_sentences(text)``, with a long first sentence cut after its first clause.

    The pieces are what a session synthesises one by one; joined with single
    spaces they give back the sentences' text.
    """
    pieces = split_sentences(text)
    if not pieces or len(pieces[0]) <= FIRST_PIECE_CHARS:
        return pieces
    first = pieces[0]
    for match in _CLAUSE.finditer(first):
        cut = match.start() + 1 if first[match.start()] in ",;:" else match.start()
        head, tail = first[:cut].strip(), first[cut:].strip()
        if len(head) < MIN_CLAUSE_CHARS:
            continue
        if len(tail) >= MIN_CLAUSE_CHARS and any(ch.isalnum() for ch in tail):
            return [head, tail, *pieces[1:]]
        break
    return pieces


def _split_line(line: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(line):
        end = match.end(2)
        if _is_boundary(line, match):
            parts.append(line[start:end])
            start = match.end()
    parts.append(line[start:])
    return [" ".join(p.split()) for p in parts if p.strip()]


def _is_boundary(line: str, match: re.Match[str]) -> bool:
    punctuation = match.group(1)
    if punctuation != ".":  # "!", "?", "…", "..." always end a sentence
        return True
    following = line[match.end() :]
    if following[:1].islower():
        return False  # "approx. two weeks": a sentence does not start in lowercase
    word = _WORD_BEFORE.search(line[: match.start(1)])
    if not word:
        return True  # after a number or symbol: "It costs $24. Want it?"
    token = word.group(1)
    bare = token.replace(".", "").lower()
    if bare in ABBREVIATIONS or (bare in NUMBERED and following[:1].isdigit()):
        return False
    # Initials ("J. R. Smith") and dotted abbreviations we do not list ("U.S.", "a.m.").
    return not (len(bare) == 1 and token[:1].isupper() or "." in token)


def _cut_long(sentence: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    rest = sentence
    while len(rest) > max_chars:
        cut = None
        for match in _CLAUSE.finditer(rest, 0, max_chars):
            cut = match.start() + 1 if rest[match.start()] in ",;:" else match.start()
        if cut is None or cut < max_chars // 4:
            space = rest.rfind(" ", 0, max_chars)
            cut = space if space > 0 else max_chars
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return pieces
