"""How the caller feels, per turn, tuned for customer-service calls.

VADER is made for social media, where "ridiculous" is mild and a plain "no"
is negative. On a support line the opposite matters: "this is ridiculous",
"useless", "third time I'm calling" must read clearly negative (≤ -0.5) so the
assistant acknowledges the frustration or hands off, while "no", "cancel
that" or "sorry, what?" are just answers. So the lexicon is adjusted and a
few spoken complaint phrases (which VADER cannot see word by word) add
valence before the score is re-normalised to [-1, 1].
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

#: At or below this the reply acknowledges the feeling before answering.
UPSET_THRESHOLD = -0.3
#: At or below this a turn counts toward a handoff (two such turns hand off).
STRONGLY_NEGATIVE_THRESHOLD = -0.5
#: At or above this the caller sounds happy.
POSITIVE_THRESHOLD = 0.3

# VADER's normalisation constant: compound = x / sqrt(x^2 + ALPHA).
_ALPHA = 15.0

#: Lexicon changes for a shop's phone line (VADER valence scale, about -4..4).
LEXICON_UPDATES: dict[str, float] = {
    "ridiculous": -3.0,
    "useless": -3.0,
    "unacceptable": -3.0,
    "frustrated": -3.0,
    "frustrating": -3.0,
    "disappointed": -2.6,
    "disappointing": -2.6,
    "terrible": -2.8,
    "horrible": -2.8,
    "awful": -2.8,
    "pathetic": -3.0,
    "incompetent": -3.0,
    "joke": 0.0,  # "tell me a joke" is no complaint; "this is a joke" is a phrase below
    "jokes": 0.0,
    "honestly": 0.0,  # a discourse marker, not praise
    "fire": 0.0,  # a product word ("air fryer" heard as "air fire") or "fired up"
    "fired": 0.0,
    "bother": 0.0,  # "sorry to bother you" is politeness
    "kidding": -1.0,
    "nonsense": -2.0,
    "garbage": -2.5,
    "ripoff": -3.0,
    "annoying": -2.2,
    "annoyed": -2.2,
    "furious": -3.4,
    "livid": -3.4,
    "late": -1.0,
    "delayed": -1.0,
    "broken": -1.8,
    "damaged": -1.8,
    "missing": -1.2,
    # plain answers and shop words that are not feelings here
    "no": -0.3,
    "cancel": 0.0,
    "sorry": 0.0,
    "help": 0.4,
    "like": 0.5,
    "free": 1.0,
    "cheap": 0.0,
    "please": 0.6,
}

#: Complaint phrases VADER cannot score word by word: (pattern, extra valence).
PHRASES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p), v)
    for p, v in (
        (
            r"\b(?:second|third|fourth|fifth|sixth|2nd|3rd|4th|5th|\d+|umpteenth|hundredth) time\b",
            -3.0,
        ),
        (
            r"\b(?:called|calling|asked|contacted|emailed)\b.*\b(?:times|twice|again)\b",
            -3.0,
        ),
        (r"\bstill (?:hasnt|havent|hasn t|not|no|waiting|nothing|broken)\b", -2.0),
        (r"\bwhat the (?:hell|heck|fuck)\b|\bwtf\b", -2.0),
        (r"\b(?:are you|you) kidding\b", -2.0),
        (r"\b(?:fed up|sick of|sick and tired|had enough|give up)\b", -3.0),
        (r"\bwaste of (?:time|money)\b|\brip off\b|\bpiece of (?:junk|crap|garbage)\b", -3.0),
        (r"\bnever (?:again|shopping|ordering|buying)\b", -2.5),
        (r"\b(?:no one|nobody|noone) (?:is )?(?:help|helps|helping|cares|answers)\b", -2.5),
        (
            r"\b(?:doesnt|does not|dont|do not|isnt|is not|not) work(?:ing)?\b|\bstopped working\b",
            -1.5,
        ),
        (r"\bwaiting (?:for )?(?:weeks|days|ages|forever|a month|months)\b", -2.0),
        (r"\b(?:want|need|demand) (?:my money back|a refund)\b", -1.0),
        (
            r"\b(?:this|that|it|you|your \w+) (?:is|are|s|re) (?:such |a |an )*(?:complete |total |absolute )?joke\b",
            -3.5,
        ),
        (r"\bwhat a joke\b", -2.5),
        (r"\b(?:fired up|on fire)\b", 2.0),
    )
)

# Polite refusals VADER reads as negated thanks ("no thanks" -> -0.34): they are
# answers, so the "no" is dropped before scoring.
_POLITE_NO = re.compile(
    r"\b(?:no|nope|nah)\b(?=[\s,.!]*(?:(?:i[\'\u2019]?m|that[\'\u2019]?s|it[\'\u2019]?s) [a-z ,]{0,20})?"
    r"\b(?:thanks|thank you|thank u|cheers)\b)",
    re.IGNORECASE,
)

_analyzer: SentimentIntensityAnalyzer | None = None


def _shared_analyzer() -> SentimentIntensityAnalyzer:
    # Loading VADER's lexicon takes tens of ms: do it once per process.
    global _analyzer
    if _analyzer is None:
        analyzer = SentimentIntensityAnalyzer()
        analyzer.lexicon.update(LEXICON_UPDATES)
        _analyzer = analyzer
    return _analyzer


def _unnormalise(compound: float) -> float:
    compound = max(min(compound, 0.9999), -0.9999)
    return compound * math.sqrt(_ALPHA / (1.0 - compound * compound))


def _normalise(raw: float) -> float:
    return raw / math.sqrt(raw * raw + _ALPHA)


class SentimentScorer:
    """``score(text)`` in [-1, 1]: VADER compound with a customer-service lexicon."""

    def __init__(self) -> None:
        self._vader = _shared_analyzer()

    def score(self, text: str) -> float:
        text = (text or "").strip()
        if not text:
            return 0.0
        low = text.lower().replace("'", "").replace("\u2019", "")
        compound = float(self._vader.polarity_scores(_POLITE_NO.sub("", text))["compound"])
        extra = sum(v for pattern, v in PHRASES if pattern.search(low))
        if not extra:
            return round(compound, 4)
        return round(_normalise(_unnormalise(compound) + extra), 4)


def is_upset(score: float) -> bool:
    """Should the reply acknowledge the feeling first?"""
    return score <= UPSET_THRESHOLD


def strongly_negative(score: float) -> bool:
    """Does this turn count toward a sentiment handoff?"""
    return score <= STRONGLY_NEGATIVE_THRESHOLD


@dataclass
class SentimentTrend:
    """The per-turn scores of one conversation (JSON-friendly: just a list)."""

    scores: list[float] = field(default_factory=list)

    @classmethod
    def from_list(cls, scores: Iterable[float] | None) -> SentimentTrend:
        return cls([float(s) for s in scores or []])

    def add(self, score: float) -> None:
        self.scores.append(float(score))

    def to_list(self) -> list[float]:
        return list(self.scores)

    @property
    def last(self) -> float:
        return self.scores[-1] if self.scores else 0.0

    def average(self, window: int = 3) -> float:
        recent = self.scores[-window:]
        return sum(recent) / len(recent) if recent else 0.0

    def strongly_negative_streak(self) -> int:
        """How many of the latest turns in a row were strongly negative."""
        n = 0
        for s in reversed(self.scores):
            if not strongly_negative(s):
                break
            n += 1
        return n

    def strongly_negative_count(self) -> int:
        return sum(1 for s in self.scores if strongly_negative(s))

    def direction(self, window: int = 3) -> str:
        """Say "improving", "worsening" or "steady": latest turns against the ones before."""
        if len(self.scores) < 2:
            return "steady"
        recent = self.scores[-window:]
        earlier = self.scores[:-window] or self.scores[:1]
        delta = sum(recent) / len(recent) - sum(earlier) / len(earlier)
        if delta > 0.2:
            return "improving"
        if delta < -0.2:
            return "worsening"
        return "steady"

    def describe(self) -> str:
        """A short phrase for a human agent, e.g. "upset, worsening (-0.62)"."""
        avg = self.average()
        mood = "upset" if is_upset(avg) else "positive" if avg >= POSITIVE_THRESHOLD else "neutral"
        return f"{mood}, {self.direction()} ({avg:+.2f})"
