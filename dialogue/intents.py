"""The intent classifier: TF-IDF word + character n-grams into a linear SVM.

Trained at start-up (well under a second: a linear SVM fits in ~30 ms where
a logistic regression needed seconds on two busy cores) from ``data/intents.json``,
whose ``{product}`` / ``{category}`` placeholders are filled from the shop's
own catalog, so the same data file fits any shop. Character n-grams make it
robust to misheard words; digits are folded to ``0`` so "order 3186" and
"order 7002" look the same to it.

Rules run first and win where they are certain: a request for a person, a
bare yes/no, a bare order number. Everything else goes to the model.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from hark.language.normalize import normalize_spoken
from hark.skills.intent import Intent

DEFAULT_DATA_FILE = Path(__file__).resolve().parent / "data" / "intents.json"

#: How many catalog fills each template line gets.
FILLS_PER_TEMPLATE = 3

_DIGIT = re.compile(r"\d")

_YES = frozenset(
    {
        "yes", "yeah", "yep", "yup", "yea", "ya", "sure", "ok", "okay", "alright", "right",
        "correct", "absolutely", "definitely", "certainly", "affirmative", "exactly", "indeed",
        "totally"
    }
)  # fmt: skip
_NO = frozenset(["no", "nope", "nah", "nay", "negative", "not"])
_POLITE = frozenset(["please", "thanks", "thank", "you", "sir", "maam", "yes", "no"])
_HUMAN_RE = re.compile(
    r"\b(?:agent|representative|rep|operator|human|humans|real person|live person|"
    r"actual person|someone real|somebody real|person please|supervisor|manager|"
    r"(?:talk|speak|chat) (?:to|with) (?:a |an |some |the )?(?:person|someone|somebody|people|staff))\b"
)
_NOT_HUMAN_RE = re.compile(
    r"\b(?:are you|am i talking to|is this|is that) (?:a |an )?(?:real |actual )?(?:human|person|robot|bot)\b"
    r"|\bwhen can i\b"
)
_BARE_ORDER_RE = re.compile(
    r"^(?:(?:yes|yeah|ok|okay|sure|its|it|is|the|my|order|number|no|id|was|i think|please)\s)*"
    r"\d{4,12}(?:\s(?:please|thanks|thank you))?$"
)


def classifier_text(normalised: str) -> str:
    """What the model sees: normalised text with every digit folded to 0."""
    return _DIGIT.sub("0", normalised)


@dataclass(frozen=True)
class RuleHit:
    intent: Intent
    confidence: float


def rule_intent(text: str) -> RuleHit | None:
    """Intents that are certain from the words alone (on normalised text)."""
    tokens = text.split()
    if not tokens:
        return None
    if set(tokens) <= {"0", "00", "000", "press", "dial", "i", "zero"} and tokens[-1].startswith(
        "0"
    ):
        return RuleHit(Intent.HUMAN_AGENT, 0.95)  # "zero", "zero zero", "press 0": the IVR habit
    if _HUMAN_RE.search(text) and not _NOT_HUMAN_RE.search(text):
        return RuleHit(Intent.HUMAN_AGENT, 0.95)
    words = set(tokens)
    if (
        len(tokens) <= 4
        and "not" in words
        and words & _YES
        and words <= (_YES | _NO | _POLITE | {"of", "course"})
    ):
        return RuleHit(Intent.DENY, 0.9)  # "absolutely not", "of course not"
    if len(tokens) <= 4 and words <= (_YES | _POLITE) and words & _YES:
        return RuleHit(Intent.AFFIRM, 0.95)
    if (
        len(tokens) <= 4
        and words <= (_NO | _POLITE | {"i", "dont", "think", "so", "im", "good"})
        and (words & _NO)
    ):
        return RuleHit(Intent.DENY, 0.95)
    if _BARE_ORDER_RE.match(text):
        return RuleHit(Intent.ORDER_STATUS, 0.9)
    return None


def load_training_data(data_file: Path | None = None) -> dict:
    """The parsed data file (``intents`` mapping plus ``fillers``)."""
    path = data_file or DEFAULT_DATA_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"NLU training data not found: {path}") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"NLU training data {path} is not valid JSON: {exc}") from exc
    if not isinstance(data.get("intents"), dict):
        raise ValueError(f"NLU training data {path} has no 'intents' object")
    return data


def expand_templates(
    examples: dict[str, list[str]],
    product_phrases: Sequence[str],
    category_phrases: Sequence[str],
    seed: int = 7,
) -> tuple[list[str], list[str]]:
    """Fill ``{product}``/``{category}`` with the shop's own words; returns (texts, labels)."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for intent, lines in examples.items():
        for line in lines:
            if "{" not in line:
                texts.append(line)
                labels.append(intent)
                continue
            for _ in range(FILLS_PER_TEMPLATE):
                filled = line.replace("{product}", rng.choice(product_phrases))
                filled = filled.replace("{category}", rng.choice(category_phrases))
                texts.append(filled)
                labels.append(intent)
    return texts, labels


#: Sharpness of the softmax that turns SVM margins into probabilities. Margins
#: of a linear SVM sit roughly in [-1.5, 1.5]; 4 makes a clear winner ~0.9.
SOFTMAX_SCALE = 4.0


def _softmax(margins: np.ndarray) -> np.ndarray:
    z = margins * SOFTMAX_SCALE
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class _FastTfidf:
    """The same numbers as a fitted ``TfidfVectorizer.transform`` for one text, minus overhead.

    scikit-learn's per-call input validation costs ~0.3 ms; per utterance we
    only need the analyzer, a dict lookup, sublinear tf * idf and an L2 norm.
    """

    def __init__(self, vectorizer: TfidfVectorizer, offset: int) -> None:
        self.analyze = vectorizer.build_analyzer()
        self.vocab: dict[str, int] = {k: int(v) for k, v in vectorizer.vocabulary_.items()}
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64)
        self.offset = offset

    def features(self, text: str) -> tuple[list[int], np.ndarray]:
        counts: dict[int, int] = {}
        for gram in self.analyze(text):
            j = self.vocab.get(gram)
            if j is not None:
                counts[j] = counts.get(j, 0) + 1
        if not counts:
            return [], np.zeros(0)
        idx = list(counts)
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(idx)))
        vals = tf * self.idf[idx]
        vals /= np.sqrt(np.dot(vals, vals))
        return [i + self.offset for i in idx], vals


class IntentClassifier:
    """Word and character TF-IDF features with a one-vs-rest linear SVM."""

    def __init__(self) -> None:
        self.word = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"\b\w+\b"
        )
        self.char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=1
        )
        self.model = LinearSVC(C=1.0, random_state=0)  # deterministic across processes
        self.labels: list[str] = []
        self._fast: list[_FastTfidf] = []
        self._coef = np.zeros((0, 0))
        self._intercept = np.zeros(0)

    def fit(self, texts: list[str], labels: list[str]) -> IntentClassifier:
        prepared = [classifier_text(normalize_spoken(t)) for t in texts]
        x = hstack([self.word.fit_transform(prepared), self.char.fit_transform(prepared)]).tocsr()
        self.model.fit(x, labels)
        self.labels = [str(c) for c in self.model.classes_]
        n_word = len(self.word.vocabulary_)
        self._fast = [_FastTfidf(self.word, 0), _FastTfidf(self.char, n_word)]
        # column-major so coef[:, idx] gathers contiguous columns
        self._coef = np.asfortranarray(self.model.coef_, dtype=np.float64)
        self._intercept = np.asarray(self.model.intercept_, dtype=np.float64)
        return self

    def margins(self, normalised: str) -> np.ndarray:
        """SVM decision values per label (same as ``decision_function``), fast path."""
        text = classifier_text(normalised)
        out = self._intercept.copy()
        for fast in self._fast:
            idx, vals = fast.features(text)
            if idx:
                out += self._coef[:, idx] @ vals
        return out

    def predict(self, normalised: str) -> dict[str, float]:
        """Per-intent probabilities for already-normalised text."""
        probs = _softmax(self.margins(normalised)[None, :])[0]
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}

    def predict_many(self, normalised: list[str]) -> np.ndarray:
        """Probabilities for many texts through scikit-learn itself (reference path)."""
        t = [classifier_text(s) for s in normalised]
        x = hstack([self.word.transform(t), self.char.transform(t)]).tocsr()
        return _softmax(self.model.decision_function(x))
