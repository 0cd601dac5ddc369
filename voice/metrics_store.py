"""Saving a voice turn's stage timings with the stored turn.

``DialogueManager.turn(..., metrics=...)`` stores what is known when the
brain is called (endpoint and ASR times, on the user turn). The rest
(dialogue, first audio, total) exists only after the reply has been spoken,
so it is merged into the stored *assistant* turn's ``metrics`` afterwards;
the brain's contract has no method for that, and this is a one-column update
of the turn the brain just wrote, identified by ``Reply.turn_id``.
"""

from __future__ import annotations

from typing import Any

from hark.store.db import Database
from hark.store.models import Turn


def merge_turn_metrics(db: Database, turn_id: int, metrics: dict[str, Any]) -> bool:
    """Merge ``metrics`` into turn ``turn_id``'s metrics; False if the turn is gone."""
    with db.session() as session:
        turn = session.get(Turn, turn_id)
        if turn is None:
            return False
        turn.metrics = {**(turn.metrics or {}), **metrics}
    return True
