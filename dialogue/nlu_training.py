"""Retraining the intent classifier from reviewed turns, and measuring what it changes.

The shipped training data (``dialogue/data/intents.json``) is never edited:
reviewed examples live in the database (``nlu_examples``) and a retraining
records *which* of them the classifier is built with (a ``nlu_models`` row).
Every server process notices the new row on its next turn (one cheap query,
``hark.shop.knowledge.read_signature``) and rebuilds the same classifier,
which takes a fraction of a second; no restart, no pickles in the database.

Accuracy is measured on the held-out paraphrases ``dialogue/data/nlu_heldout.jsonl``
(package data, never trained on; ``bench/nlu_accuracy.py`` reads the same file) and on the reviewed examples themselves, before and after.
Before a reviewed example is trained on, it is *assessed*: the classifier is
built with it alone added, and if held-out accuracy drops the example is
flagged and left out until a reviewer confirms it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from hark.dialogue.nlu import INTENTS, Nlu, nlu_for, train_for
from hark.shop import knowledge as shop_knowledge
from hark.shop.knowledge import Knowledge
from hark.store import review
from hark.store.db import Database
from hark.store.models import NluExample, NluModel

log = logging.getLogger("hark.nlu")

HELDOUT_FILE = Path(__file__).resolve().parent / "data" / "nlu_heldout.jsonl"
#: Below this change in held-out accuracy an example is flagged (any drop: one line of ~250).
TOLERANCE = 1e-9


def load_heldout(path: Path | None = None) -> list[tuple[str, str]]:
    """``(text, intent)`` lines of the held-out set."""
    path = path or HELDOUT_FILE
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            row = json.loads(line)
            if row.get("intent") not in INTENTS:
                raise ValueError(f"{path}:{n}: unknown intent {row.get('intent')!r}")
            items.append((str(row["text"]), str(row["intent"])))
    return items


def accuracy(nlu: Nlu, items: Sequence[tuple[str, str]]) -> float | None:
    if not items:
        return None
    right = sum(nlu.parse(text).intent == intent for text, intent in items)
    return right / len(items)


def build(knowledge: Knowledge, reviewed: Sequence[tuple[str, str]]) -> Nlu:
    """The classifier this shop would have with exactly these reviewed examples (uncached),
    judged on its own: the embedding model's rescue of unsure turns would hide a bad label."""
    nlu = train_for(dataclasses.replace(knowledge, reviewed=tuple(reviewed)))
    nlu.by_meaning = False
    return nlu


def _pairs(examples: Sequence[NluExample]) -> tuple[tuple[str, str], ...]:
    return tuple((e.text, e.intent) for e in examples)


@dataclass
class Assessment:
    example_id: int
    text: str
    intent: str
    heldout_delta: float
    flagged: bool


@dataclass
class TrainingReport:
    """Before (the model in use) and after (shipped plus the trainable reviewed examples)."""

    heldout_items: int
    reviewed_items: int
    heldout_before: float | None
    heldout_after: float | None
    reviewed_before: float | None
    reviewed_after: float | None
    examples_used: int
    model_id: int | None = None
    flagged: list[dict[str, Any]] = field(default_factory=list)
    assessed: list[Assessment] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["assessed"] = [dataclasses.asdict(a) for a in self.assessed]
        return out


class Trainer:
    """Assess, evaluate and retrain against one database's shop and reviews."""

    def __init__(self, db: Database, heldout: Path | None = None) -> None:
        self.db = db
        self.heldout = load_heldout(heldout)
        self.knowledge = shop_knowledge.build(db)  # ``reviewed`` = the model in use
        self._baseline: float | None = None

    def baseline(self) -> float | None:
        """Held-out accuracy of the classifier in use (judged alone, as :func:`build` does)."""
        if self._baseline is None:
            self._baseline = accuracy(build(self.knowledge, self.knowledge.reviewed), self.heldout)
        return self._baseline

    def assess(self, example: NluExample) -> Assessment:
        """What adding this one example does to held-out accuracy; flags a drop."""
        current = self.knowledge.reviewed
        with_it = build(self.knowledge, (*current, (example.text, example.intent)))
        after = accuracy(with_it, self.heldout) or 0.0
        delta = after - (self.baseline() or 0.0)
        return Assessment(example.id, example.text, example.intent, delta, delta < -TOLERANCE)

    def assess_and_store(self, example_id: int) -> Assessment | None:
        with self.db.session() as session:
            example = session.get(NluExample, example_id)
            if example is None:
                return None
            result = self.assess(example)
            example.heldout_delta = round(result.heldout_delta, 6)
            example.flagged = result.flagged
        return result

    def evaluate(self, *, write: bool = False, trained_by: str = "") -> TrainingReport:
        """Before and after; with ``write``, unassessed examples are assessed first and the
        new model is recorded (every running server picks it up on its next turn)."""
        with self.db.session() as session:
            examples = review.all_examples(session)
            assessed = []
            if write:
                for example in examples:
                    if example.heldout_delta is None:
                        result = self.assess(example)
                        example.heldout_delta = round(result.heldout_delta, 6)
                        example.flagged = result.flagged
                        assessed.append(result)
            usable = review.trainable(examples)
            reviewed_items = [(e.text, e.intent) for e in examples]
            before = nlu_for(self.knowledge)
            after = build(self.knowledge, _pairs(usable))
            report = TrainingReport(
                heldout_items=len(self.heldout),
                reviewed_items=len(reviewed_items),
                heldout_before=self.baseline(),
                heldout_after=accuracy(after, self.heldout),
                reviewed_before=accuracy(before, reviewed_items),
                reviewed_after=accuracy(after, reviewed_items),
                examples_used=len(usable),
                flagged=[review.example_dict(e) for e in examples if e.flagged],
                assessed=assessed,
            )
            if write:
                model = NluModel(
                    example_ids=[e.id for e in usable],
                    examples=len(usable),
                    heldout_before=report.heldout_before,
                    heldout_after=report.heldout_after,
                    reviewed_before=report.reviewed_before,
                    reviewed_after=report.reviewed_after,
                    trained_by=trained_by[:64],
                )
                session.add(model)
                session.flush()
                report.model_id = model.id
        if write:
            log.info(
                "nlu retrained",
                extra={
                    "model": report.model_id,
                    "examples": report.examples_used,
                    "heldout_before": report.heldout_before,
                    "heldout_after": report.heldout_after,
                },
            )
        return report


def latest_model(db: Database) -> dict[str, Any] | None:
    """The newest retraining, as the Review page shows it."""
    with db.session() as session:
        model = session.scalars(select(NluModel).order_by(NluModel.id.desc()).limit(1)).first()
        if model is None:
            return None
        return {
            "id": model.id,
            "created_at": model.created_at.isoformat(),
            "examples": model.examples,
            "heldout_before": model.heldout_before,
            "heldout_after": model.heldout_after,
            "reviewed_before": model.reviewed_before,
            "reviewed_after": model.reviewed_after,
            "trained_by": model.trained_by,
        }
