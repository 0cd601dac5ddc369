"""The review queue: caller turns worth a person's look, and the examples reviewers make.

A turn is queued when the NLU was unsure of it (confidence under
:data:`UNSURE_BELOW`), when the brain could not act on it ("sorry, I didn't
understand"), or when it led to a handoff. A reviewer assigns the intent it
should have had, or ``out_of_scope``; the result is an ``nlu_examples`` row,
kept apart from the shipped training data, which ``hark nlu train`` adds.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hark.store.models import Conversation, Handoff, NluExample, Turn, utcnow

#: Below this NLU confidence a turn is queued for review.
UNSURE_BELOW = 0.5
MAX_TEXT_CHARS = 1000


class TurnNotReviewable(LookupError):
    """No such caller turn (or it is the assistant's)."""


def queue(session: Session, *, limit: int = 100, reviewed: bool = False) -> list[dict[str, Any]]:
    """Queued caller turns, newest first; with ``reviewed``, those already labelled."""
    handed = select(Handoff.turn_id).where(Handoff.turn_id.is_not(None))
    labelled = select(NluExample.turn_id).where(NluExample.turn_id.is_not(None))
    query = (
        select(Turn, Conversation.channel)
        .join(Conversation, Conversation.id == Turn.conversation_id)
        .where(
            Turn.role == "user",
            or_(
                Turn.confidence < UNSURE_BELOW,
                Turn.understood.is_(False),
                Turn.id.in_(handed),
            ),
            Turn.id.in_(labelled) if reviewed else Turn.id.not_in(labelled),
        )
        .order_by(Turn.created_at.desc(), Turn.id.desc())
        .limit(limit)
    )
    rows = session.execute(query).all()
    handoff_turns = set(session.scalars(handed.where(Handoff.turn_id.in_([t.id for t, _ in rows]))))
    examples = {
        e.turn_id: e
        for e in session.scalars(
            select(NluExample).where(NluExample.turn_id.in_([t.id for t, _ in rows]))
        )
    }
    return [
        _item(turn, channel, turn.id in handoff_turns, examples.get(turn.id))
        for turn, channel in rows
    ]


def _item(turn: Turn, channel: str, handed: bool, example: NluExample | None) -> dict[str, Any]:
    reasons = []
    if turn.confidence is not None and turn.confidence < UNSURE_BELOW:
        reasons.append("unsure")
    if turn.understood is False:
        reasons.append("not_understood")
    if handed:
        reasons.append("handoff")
    return {
        "turn_id": turn.id,
        "conversation_id": turn.conversation_id,
        "channel": channel,
        "text": turn.text,
        "chosen_intent": turn.intent,
        "confidence": turn.confidence,
        "reasons": reasons,
        "at": turn.created_at.isoformat() if turn.created_at else None,
        "review": example_dict(example) if example is not None else None,
    }


def example_dict(example: NluExample) -> dict[str, Any]:
    return {
        "id": example.id,
        "turn_id": example.turn_id,
        "text": example.text,
        "chosen_intent": example.chosen_intent,
        "intent": example.intent,
        "reviewer": example.reviewer,
        "created_at": example.created_at.isoformat() if example.created_at else None,
        "heldout_delta": example.heldout_delta,
        "flagged": example.flagged,
        "confirmed": example.confirmed,
    }


def label(
    session: Session, turn_id: int, intent: str, reviewer: str, *, confirm: bool = False
) -> NluExample:
    """Store (or change) the reviewer's intent for a caller turn; the text is the turn's own,
    already redacted. Changing the intent clears an earlier held-out assessment."""
    turn = session.get(Turn, turn_id)
    if turn is None or turn.role != "user":
        raise TurnNotReviewable(str(turn_id))
    example = session.scalars(select(NluExample).where(NluExample.turn_id == turn_id)).first()
    if example is None:
        example = NluExample(
            turn_id=turn.id,
            conversation_id=turn.conversation_id,
            text=turn.text[:MAX_TEXT_CHARS],
            chosen_intent=turn.intent,
            intent=intent,
            reviewer=reviewer[:64],
            created_at=utcnow(),
            flagged=False,
            confirmed=confirm,
        )
        session.add(example)
    else:
        if example.intent != intent:
            example.heldout_delta, example.flagged = None, False
        example.intent, example.reviewer = intent, reviewer[:64]
        example.confirmed = confirm or (example.confirmed and example.intent == intent)
        example.created_at = utcnow()
    session.flush()
    return example


def all_examples(session: Session) -> list[NluExample]:
    return list(session.scalars(select(NluExample).order_by(NluExample.id)))


def trainable(examples: list[NluExample]) -> list[NluExample]:
    """What training uses: every example but the flagged ones nobody confirmed."""
    return [e for e in examples if not e.flagged or e.confirmed]
