"""What a turn means, read by the embedding model: its nearest examples, or none.

Why this exists: the TF-IDF classifier knows the words of its training lines;
a caller of a shop it never saw says the same thing in other words ("the
handle came off" is a complaint, not a cart edit). This module compares the
caller's sentence with every example line of ``data/intents.json`` (the
intents, and the ``problems`` section: complaints by kind) in the embedding
space of :mod:`hark.language.embedding`, and answers with the label whose
examples are nearest, or with nothing when no example is near enough: the
thresholds below were calibrated on development shops
(``bench/semantic_calibration.py``), so it abstains rather than guesses.

The examples are shop-independent (``{product}`` reads "this item"), so
their vectors are computed once per process and embedder. Each lookup
embeds the caller's text once (the embedder caches it for the rest of the turn).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from hark.dialogue.intents import DEFAULT_DATA_FILE, load_training_data
from hark.language import embedding
from hark.language.embedding import Embedder, embed_stored
from hark.shop.catalog_match import stem
from hark.shop.knowledge import Knowledge
from hark.skills.intent import Intent

INTENT_MIN_SIM: Final = 0.65
"""Nearest intent example at least this close, else no opinion. Leave-one-out over the
examples: 89 % right at 0.65 with the margin below, so it only rescues turns the classifier
would have called out of scope."""
INTENT_MARGIN: Final = 0.05
"""The runner-up intent's nearest example must be this much further away."""
ANSWER_MIN_SIM: Final = 0.5
"""A yes or a no to Hark's own question: the question is the context, so a nearer example
than :data:`INTENT_MIN_SIM` is not needed ("go on then" is 0.58 from "go ahead")."""
PROBLEM_MIN_SIM: Final = 0.35
"""A complaint kind is named only when one of its examples is this close (calibrated)."""
PROBLEM_LEAD: Final = -0.06
"""...and no intent example is nearer than it by more than this. Read on the turn with its
product words neutral (:func:`neutral`). ``bench/semantic_calibration.py``: complaints lead
by -0.06 to 0.31, other turns by up to 0.01, so a lead this small is taken only beside
words that say something is wrong (:data:`PROBLEM_CLEAR` alone otherwise)."""
PROBLEM_CLEAR: Final = 0.02
"""A lead that is a complaint on its own: above every other turn of the development cases."""
ITEM: Final = "this item"
COMPLAINT_LIKE: Final = frozenset({Intent.START_RETURN})

PROBLEM_KINDS: Final = (
    "damaged",
    "defective",
    "wrong_item",
    "missing_item",
    "late",
    "bad_service",
)


@dataclass(frozen=True)
class Reading:
    """The label nearest in meaning, how close (cosine of the nearest example), and the runner-up."""

    label: str
    similarity: float
    runner_up: float


class MeaningIndex:
    """Example sentences by label, embedded once; nearest-label lookups for a turn."""

    def __init__(self, embedder: Embedder, data_file: Path | None = None) -> None:
        data = load_training_data(data_file)
        intents: dict[str, list[str]] = data["intents"]
        problems: dict[str, list[str]] = {
            k: v for k, v in data.get("problems", {}).items() if k in PROBLEM_KINDS
        }
        self.embedder = embedder
        self._intent_labels, intent_texts = _flatten(intents)
        self._problem_labels, problem_texts = _flatten(problems)
        self._intents = embed_stored(embedder, intent_texts)
        # A complaint competes with every other intent but a return: asking to send
        # something back because it broke IS a complaint ("the x I got is broken").
        rivals = [i for i, label in enumerate(self._intent_labels) if label not in COMPLAINT_LIKE]
        self._rivals = self._intents[rivals]
        self._rival_labels = [self._intent_labels[i] for i in rivals]
        self._problems = (
            embed_stored(embedder, problem_texts)
            if problem_texts
            else np.zeros((0, self._intents.shape[1]))
        )

    def vector(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]

    def intent(self, text: str) -> Reading | None:
        """The intent whose examples are nearest, when near enough and clearly ahead."""
        reading = _nearest(self._intents, self._intent_labels, self.vector(text))
        if reading is None or reading.similarity < INTENT_MIN_SIM:
            return None
        if reading.similarity - reading.runner_up < INTENT_MARGIN:
            return None
        return reading

    def nearest_intent(self, text: str) -> Reading | None:
        """The intent of the nearest example, however near: a hint that decides nothing alone
        (``shop_questions.not_carried_instead`` pairs it with the catalogue's own test)."""
        return _nearest(self._intents, self._intent_labels, self.vector(text))

    def answer(self, text: str) -> Reading | None:
        """A yes ("affirm") or a no ("deny") to a question Hark asked, when clearly one."""
        reading = _nearest(self._intents, self._intent_labels, self.vector(text))
        if reading is None or reading.label not in (Intent.AFFIRM, Intent.DENY):
            return None
        if (
            reading.similarity < ANSWER_MIN_SIM
            or reading.similarity - reading.runner_up < INTENT_MARGIN
        ):
            return None
        return reading

    def problem(self, text: str) -> Reading | None:
        """The kind of complaint this is, or None when it reads as anything else.

        ``runner_up`` of the answer is the nearest other intent example's similarity.
        """
        vector = self.vector(text)
        kind = _nearest(self._problems, self._problem_labels, vector)
        if kind is None or kind.similarity < PROBLEM_MIN_SIM:
            return None
        other = _nearest(self._rivals, self._rival_labels, vector)
        nearest_other = other.similarity if other is not None else -1.0
        if nearest_other + PROBLEM_LEAD > kind.similarity:
            return None
        return Reading(kind.label, kind.similarity, nearest_other)


def neutral(text: str, vocabulary: set[str]) -> str:
    """The turn with the shop's product words as "this item", as the examples say it.

    "the handle on the kettle came off" and "im after a glue gun" then differ by what
    is said about the product, not by which product it is (the model otherwise finds
    kettles and glue guns closer to one another than to the complaint).
    """
    out: list[str] = []
    for word in text.split():
        if stem(word) in vocabulary:
            if not out or out[-1] != ITEM:
                out.append(ITEM)
        else:
            out.append(word)
    return " ".join(out).replace(f"the {ITEM}", ITEM).replace(f"a {ITEM}", ITEM)


#: How the complaint examples name what they are about ("it arrived broken").
COMPLAINT_ITEM: Final = "it"
_DETERMINED_IT = re.compile(r"\b(the|a|an|my|your|our|this|that|these|those) it\b")


def complaint_view(text: str, vocabulary: set[str]) -> str:
    """The turn as the complaint examples say it: the shop's product words as "it".

    Why not :func:`neutral`: the intent examples name a product as "this item" ("add
    this item to my cart"), so a turn neutralised that way shares the phrase with every
    one of them, and "the zip on this item broke" reads as near a product request as a
    complaint. The complaint examples say "it"; so do short intent examples ("add it",
    "how much is it"), which stay as near as before. ``bench/semantic_calibration.py``
    shows the separation of complaints from other turns on the development cases.
    """
    said = neutral(text, vocabulary).replace(ITEM, COMPLAINT_ITEM)
    return _DETERMINED_IT.sub(COMPLAINT_ITEM, said)


def _flatten(groups: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    labels: list[str] = []
    texts: list[str] = []
    for label, lines in groups.items():
        if not isinstance(lines, list):
            continue
        for line in lines:
            labels.append(label)
            texts.append(line.replace("{product}", ITEM).replace("{category}", "products"))
    return labels, texts


def _nearest(matrix: np.ndarray, labels: list[str], vector: np.ndarray) -> Reading | None:
    """Best label by its nearest example, with the best other label's nearest as runner-up."""
    if matrix.shape[0] == 0:
        return None
    sims = matrix @ vector
    best: dict[str, float] = {}
    for label, sim in zip(labels, sims.tolist(), strict=True):
        if sim > best.get(label, -1.0):
            best[label] = sim
    ranked = sorted(best.items(), key=lambda p: -p[1])
    runner = ranked[1][1] if len(ranked) > 1 else -1.0
    return Reading(ranked[0][0], ranked[0][1], runner)


_lock = threading.Lock()
_indexes: dict[int, MeaningIndex] = {}


def meaning_index() -> MeaningIndex | None:
    """The index for the process's embedder (built on first use), or None without a model."""
    current = embedding.current()
    if current is None:
        return None
    key = id(current)
    with _lock:
        index = _indexes.get(key)
        if index is None:
            _indexes.clear()
            index = MeaningIndex(current, DEFAULT_DATA_FILE)
            _indexes[key] = index
    return index


def warm_meaning(knowledge: Knowledge) -> None:
    """Embed the examples and the shop's products and FAQ now, not in a caller's turn."""
    index = meaning_index()
    if index is None:
        return
    semantic = knowledge.search.semantic
    if semantic is not None:
        semantic.warm()
    knowledge.faq.meaning.warm(index.embedder)
