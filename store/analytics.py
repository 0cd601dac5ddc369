"""The shop's dashboard figures for a period and channel, read from the stored conversations.

Definitions (docs/admin.md says the same, for the people reading the figures):

* a *conversation* counts when it started in the period (UTC days, both ends
  included) and the caller said at least one thing (a greeting nobody answered
  is not a conversation);
* *contained*: no handoff to a person; *containment rate* = contained / conversations;
* *handoff rate* = conversations with a handoff / conversations; reasons count handoffs;
* *orders and revenue through Hark*: orders Hark placed in those conversations
  (``assisted_orders``), at the total the caller agreed to;
* *cart conversion*: of the conversations where something was put in the cart (an
  ``add_to_cart`` turn), the share that placed an order;
* *sentiment over time*: the mean score (-1..1) of the callers' turns, by day, and by
  hour as well when the period is at most :data:`HOURLY_DAYS` days;
* *top intents*: what Hark did for the turns (the answered intent), greeting excluded;
* *misunderstood utterances*: caller turns the brain could not act on, by their
  redacted text;
* *latency*: percentiles of each stage over the turns that recorded it (``turns.metrics``,
  written from the voice pipeline's ``turn_metrics`` and the brain's own timing).

Everything is computed from rows the store already keeps; nothing is sampled.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from hark.store.models import AssistedOrder, Conversation, Handoff, Turn

STAGES = ("endpoint_ms", "asr_ms", "dialogue_ms", "first_audio_ms", "total_ms")
PERCENTILES = (50, 90, 95, 99)
TOP = 10
HOURLY_DAYS = 2
_BATCH = 500


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00): both days included."""
    return (
        dt.datetime.combine(start, dt.time.min),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min),
    )


def conversation_ids(
    session: Session, start: dt.date, end: dt.date, channel: str | None = None
) -> list[str]:
    """Conversations that started in the period (on ``channel``) with a caller turn."""
    lo, hi = period_bounds(start, end)
    spoke = exists().where(Turn.conversation_id == Conversation.id, Turn.role == "user")
    query = select(Conversation.id).where(
        Conversation.started_at >= lo, Conversation.started_at < hi, spoke
    )
    if channel:
        query = query.where(Conversation.channel == channel)
    return list(session.scalars(query.order_by(Conversation.started_at)))


def analytics(
    session: Session, start: dt.date, end: dt.date, channel: str | None = None
) -> dict[str, Any]:
    """Every dashboard figure for the period (see the module docstring)."""
    ids = conversation_ids(session, start, end, channel)
    started: dict[str, dt.date] = {}
    channels: Counter[str] = Counter()
    for chunk in _chunks(ids):
        for cid, ch, at in session.execute(
            select(Conversation.id, Conversation.channel, Conversation.started_at).where(
                Conversation.id.in_(chunk)
            )
        ):
            started[cid] = at.date()
            channels[ch] += 1

    handoffs = [h for chunk in _chunks(ids) for h in _handoffs(session, chunk)]
    handed = {h.conversation_id for h in handoffs}
    orders = [
        o
        for chunk in _chunks(ids)
        for o in session.scalars(
            select(AssistedOrder).where(AssistedOrder.conversation_id.in_(chunk))
        )
    ]
    ordered = {o.conversation_id for o in orders}

    intents: Counter[str] = Counter()
    misunderstood: Counter[str] = Counter()
    sentiment_by_day: dict[dt.date, list[float]] = defaultdict(list)
    sentiment_by_hour: dict[dt.datetime, list[float]] = defaultdict(list)
    stage_values: dict[str, list[float]] = {stage: [] for stage in STAGES}
    carted: set[str] = set()
    for turn in _turns(session, ids):
        if turn.role == "user":
            if turn.sentiment is not None:
                sentiment_by_day[turn.created_at.date()].append(float(turn.sentiment))
                hour = turn.created_at.replace(minute=0, second=0, microsecond=0)
                sentiment_by_hour[hour].append(float(turn.sentiment))
            if turn.understood is False and turn.text.strip():
                misunderstood[" ".join(turn.text.lower().split())[:200]] += 1
            continue
        if turn.seq == 0:
            continue  # the greeting: not something a caller asked for
        if turn.intent:
            intents[turn.intent] += 1
            if turn.intent == "add_to_cart":
                carted.add(turn.conversation_id)
        for stage in STAGES:
            value = (turn.metrics or {}).get(stage)
            if isinstance(value, int | float) and math.isfinite(value) and value >= 0:
                stage_values[stage].append(float(value))

    total = len(ids)
    revenue = sum((Decimal(o.total) for o in orders), Decimal("0"))
    all_scores = [s for scores in sentiment_by_day.values() for s in scores]
    converted = carted & ordered
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat(), "channel": channel},
        "conversations": total,
        "channels": dict(channels.most_common()),
        "contained": total - len(handed),
        "containment_rate": _rate(total - len(handed), total),
        "handoffs": len(handoffs),
        "handoff_rate": _rate(len(handed), total),
        "handoff_reasons": dict(Counter(h.reason for h in handoffs).most_common()),
        "orders": len(orders),
        "revenue": str(revenue.quantize(Decimal("0.01"))),
        "carts": len(carted),
        "cart_conversions": len(converted),
        "cart_conversion_rate": _rate(len(converted), len(carted)),
        "sentiment": {
            "average": _mean(all_scores),
            "by_day": [
                {"day": day.isoformat(), "average": _mean(scores), "turns": len(scores)}
                for day, scores in sorted(sentiment_by_day.items())
            ],
            "by_hour": [
                {
                    "hour": hour.isoformat(timespec="minutes"),
                    "average": _mean(scores),
                    "turns": len(scores),
                }
                for hour, scores in sorted(sentiment_by_hour.items())
            ]
            if (end - start).days < HOURLY_DAYS
            else None,
        },
        "by_day": _by_day(start, end, started, handed),
        "top_intents": [{"intent": k, "count": v} for k, v in intents.most_common(TOP)],
        "misunderstood": [{"text": k, "count": v} for k, v in misunderstood.most_common(TOP)],
        "latency_ms": {
            stage: _percentiles(values) for stage, values in stage_values.items() if values
        },
    }


def _by_day(
    start: dt.date, end: dt.date, started: dict[str, dt.date], handed: set[str]
) -> list[dict[str, Any]]:
    """One row per day of the period, zeros included, so a time series has no gaps."""
    per_day: Counter[dt.date] = Counter(started.values())
    handoffs_per_day: Counter[dt.date] = Counter(started[c] for c in handed if c in started)
    days: list[dict[str, Any]] = []
    day = start
    while day <= end and len(days) < 3660:
        days.append(
            {
                "day": day.isoformat(),
                "conversations": per_day[day],
                "handoffs": handoffs_per_day[day],
            }
        )
        day += dt.timedelta(days=1)
    return days


def _handoffs(session: Session, ids: list[str]) -> list[Handoff]:
    return list(session.scalars(select(Handoff).where(Handoff.conversation_id.in_(ids))))


def _turns(session: Session, ids: list[str]) -> Iterator[Turn]:
    for chunk in _chunks(ids):
        yield from session.scalars(
            select(Turn).where(Turn.conversation_id.in_(chunk)).order_by(Turn.id)
        )


def _percentiles(values: list[float]) -> dict[str, float | int]:
    """Nearest-rank percentiles (each one is a measured value)."""
    ordered = sorted(values)
    out: dict[str, float | int] = {"count": len(ordered)}
    for p in PERCENTILES:
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        out[f"p{p}"] = round(ordered[rank - 1], 1)
    return out


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]
