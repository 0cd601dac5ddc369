"""Finding conversations for the operator pages and exporting them (already redacted).

Filters: the period and channel (as the dashboard counts them), an intent any
turn had, the mood (mean caller sentiment: ``negative`` below -0.2, ``positive``
above 0.2, else ``neutral``), whether there was a handoff, and words the caller
said. Export gives the same conversations with their transcripts, as JSON
objects or CSV rows (one per turn).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hark.store.analytics import conversation_ids
from hark.store.models import Conversation, Handoff, Turn

MOODS = ("negative", "neutral", "positive")
MOOD_EDGE = 0.2
MAX_EXPORT = 5000
CSV_COLUMNS = (
    "conversation_id",
    "channel",
    "started_at",
    "identity",
    "handoff",
    "seq",
    "role",
    "text",
    "intent",
    "sentiment",
    "at",
)
_BATCH = 500


@dataclass(frozen=True)
class ConversationFilter:
    start: dt.date
    end: dt.date
    channel: str | None = None
    intent: str | None = None
    mood: str | None = None
    handoff: bool | None = None
    text: str | None = None


def mood_of(score: float | None) -> str:
    if score is None:
        return "neutral"
    return "negative" if score < -MOOD_EDGE else "positive" if score > MOOD_EDGE else "neutral"


def search(session: Session, f: ConversationFilter, limit: int = 100) -> list[dict[str, Any]]:
    """Matching conversations, newest first, with what the list shows of each."""
    found: list[dict[str, Any]] = []
    ids = list(reversed(conversation_ids(session, f.start, f.end, f.channel)))
    needle = " ".join((f.text or "").lower().split())
    for chunk in _chunks(ids):
        conversations = {
            c.id: c for c in session.scalars(select(Conversation).where(Conversation.id.in_(chunk)))
        }
        turns: dict[str, list[Turn]] = defaultdict(list)
        for turn in session.scalars(
            select(Turn).where(Turn.conversation_id.in_(chunk)).order_by(Turn.seq)
        ):
            turns[turn.conversation_id].append(turn)
        handed = set(
            session.scalars(
                select(Handoff.conversation_id).where(Handoff.conversation_id.in_(chunk))
            )
        )
        for cid in chunk:
            conversation = conversations.get(cid)
            if conversation is None:
                continue
            rows = turns[cid]
            scores = [t.sentiment for t in rows if t.role == "user" and t.sentiment is not None]
            mean = sum(scores) / len(scores) if scores else None
            intents = sorted({t.intent for t in rows if t.intent and t.seq > 0})
            if f.intent and f.intent not in intents:
                continue
            if f.mood and mood_of(mean) != f.mood:
                continue
            if f.handoff is not None and (cid in handed) != f.handoff:
                continue
            if needle and not any(
                needle in " ".join(t.text.lower().split()) for t in rows if t.role == "user"
            ):
                continue
            found.append(
                {
                    "conversation_id": cid,
                    "channel": conversation.channel,
                    "started_at": conversation.started_at.isoformat(),
                    "ended_at": conversation.ended_at.isoformat()
                    if conversation.ended_at
                    else None,
                    "identity": conversation.identity,
                    "customer_id": conversation.customer_id,
                    "turns": sum(t.role == "user" for t in rows),
                    "sentiment": round(mean, 3) if mean is not None else None,
                    "mood": mood_of(mean),
                    "intents": intents,
                    "handoff": cid in handed,
                    "summary": conversation.summary,
                }
            )
            if len(found) >= limit:
                return found
    return found


def transcripts(session: Session, listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The listed conversations with their stored (redacted) turns."""
    out = []
    ids = [c["conversation_id"] for c in listed]
    turns: dict[str, list[Turn]] = defaultdict(list)
    for chunk in _chunks(ids):
        for turn in session.scalars(
            select(Turn).where(Turn.conversation_id.in_(chunk)).order_by(Turn.seq)
        ):
            turns[turn.conversation_id].append(turn)
    for item in listed:
        out.append(
            {
                **item,
                "transcript": [
                    {
                        "seq": t.seq,
                        "role": t.role,
                        "text": t.text,
                        "intent": t.intent,
                        "sentiment": t.sentiment,
                        "at": t.created_at.isoformat() if t.created_at else None,
                    }
                    for t in turns[item["conversation_id"]]
                ],
            }
        )
    return out


def as_csv(conversations: list[dict[str, Any]]) -> str:
    """One row per turn; a spreadsheet formula can't hide in a cell (leading = + - @ quoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for c in conversations:
        for t in c["transcript"]:
            writer.writerow(
                [
                    _cell(v)
                    for v in (
                        c["conversation_id"],
                        c["channel"],
                        c["started_at"],
                        c["identity"],
                        "yes" if c["handoff"] else "no",
                        t["seq"],
                        t["role"],
                        t["text"],
                        t["intent"] or "",
                        "" if t["sentiment"] is None else t["sentiment"],
                        t["at"] or "",
                    )
                ]
            )
    return buffer.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]
