"""Catalog words a misheard word sounds like: "santa coo" -> santoku, "cattle" -> kettle.

Speech recognisers replace a word they don't know by words that sound the
same ("collide a scope" for kaleidoscope, "crisp air fire" for crisp air
fryer), so spelling similarity misses them. Here every catalog word, and
every pair of neighbouring words in a product's name or tag ("air fryer" ->
"airfryer"), is indexed by its Metaphone code (jellyfish); a spoken word, or
two or three neighbours glued together, that codes the same or one or two
sounds apart (longer words tolerate more), and is still spelled somewhat
alike, is taken for that catalog word.

A lone everyday word ("track", "nose") is only re-read next to another word
of the catalog ("monster track", "white nose machine"): on its own it is far
more likely meant as said. Glued pieces are never a word on their own, so
they need no such context. Nothing here knows any shop: the index is built
from the catalog given.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import jellyfish
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

#: A single spoken word at least this common in English is only re-read beside a catalog word.
COMMON_WORD_ZIPF = 3.5
#: Spelling must stay at least this close (rapidfuzz ratio) for a sound-alike to count.
MIN_SPELLING_RATIO = 55.0
#: Shortest code compared at all: two sounds ("NS") are too easy to hit by chance.
MIN_CODE = 2


def sound_code(word: str) -> str:
    """The Metaphone code of a word (letters only), e.g. "kettle" -> "KTL"."""
    letters = "".join(c for c in word.lower() if c.isalpha())
    if not letters:
        return ""
    code = jellyfish.metaphone(letters)
    # semivowels Whisper drops or adds freely ("fire"/"fryer"): only a leading one counts
    return code[:1] + "".join(c for c in code[1:] if c not in "YWH")


def _allowed_distance(code: str) -> int:
    return 1 if len(code) <= 5 else 2


def _min_ratio(code: str, distance: int) -> float:
    """Short codes and inexact sounds need a closer spelling ("yawn"/"yarn" yes, "back"/"vac" no)."""
    if distance and len(code) <= 2:
        return 75.0
    return MIN_SPELLING_RATIO


class PhoneticIndex:
    """Sound-alike lookup over catalog words and glued neighbouring name/tag words."""

    def __init__(self, words: Iterable[str], phrases: Iterable[Sequence[str]]) -> None:
        self._targets: dict[str, tuple[str, ...]] = {}  # glued spelling -> catalog words
        for w in words:
            if len(w) >= 4 and w.isalpha():
                self._targets.setdefault(w, (w,))
        for phrase in phrases:
            for a, b in zip(phrase, phrase[1:], strict=False):
                if a.isalpha() and b.isalpha():
                    self._targets.setdefault(a + b, (a, b))
        self._by_code: dict[str, list[str]] = {}
        for glued in self._targets:
            code = sound_code(glued)
            if len(code) >= MIN_CODE:
                self._by_code.setdefault(code, []).append(glued)
        self._codes = list(self._by_code)

    def lookup(self, spoken: str) -> tuple[str, ...] | None:
        """The catalog word(s) ``spoken`` (letters, glued if several words) sounds like."""
        found = self.match(spoken)
        return found[0] if found else None

    def match(self, spoken: str) -> tuple[tuple[str, ...], float] | None:
        """Like :meth:`lookup`, with the spelling ratio (0..100) of the match."""
        code = sound_code(spoken)
        if len(code) < MIN_CODE or not self._codes:
            return None
        limit = _allowed_distance(code)
        best: tuple[float, str] | None = None
        near = process.extract(
            code, self._codes, scorer=Levenshtein.distance, score_cutoff=limit, limit=None
        )
        for other, distance, _ in near:
            for glued in self._by_code[other]:
                ratio = fuzz.ratio(spoken, glued)
                if ratio >= _min_ratio(code, int(distance)) and (best is None or ratio > best[0]):
                    best = (ratio, glued)
        return (self._targets[best[1]], best[0]) if best else None


def is_common_word(word: str) -> bool:
    """An everyday English word, likely meant as said when no catalog word stands beside it."""
    return zipf_frequency(word, "en") >= COMMON_WORD_ZIPF
