"""The handoff desk's rows: listing, claiming, resolving, and the webhook outbox's leases.

Shared by the brain (which writes a handoff in the turn's own transaction), the
operator endpoints and pages (claim, resolve) and the delivery worker (lease a
due row, record the attempt). Every state change is a conditional UPDATE, so
two operators, or two server processes, can't both win the same row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hark.store.models import Conversation, Handoff, utcnow

#: Listing order on the desk: what still needs a person first.
STATUS_RANK = {"open": 0, "claimed": 1, "resolved": 2}
MAX_NOTE_CHARS = 1000


class HandoffNotFound(LookupError):
    pass


class HandoffConflict(RuntimeError):
    """The handoff is not in a state that allows the change (e.g. claimed by someone else)."""


def as_dict(row: Handoff, *, transcript: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The record as the desk and its JSON API show it (no outbox internals but its state)."""
    out: dict[str, Any] = {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "channel": row.channel,
        "customer_id": row.customer_id,
        "identity": row.identity,
        "reason": row.reason,
        "topic": row.topic,
        "summary": row.summary or {},
        "sentiment_trend": row.sentiment_trend,
        "sentiment_last": row.sentiment_last,
        "status": row.status,
        "created_at": _iso(row.created_at),
        "claimed_at": _iso(row.claimed_at),
        "claimed_by": row.claimed_by,
        "resolved_at": _iso(row.resolved_at),
        "resolved_by": row.resolved_by,
        "resolution": row.resolution,
        "transfer_status": row.transfer_status,
        "callback": row.callback,
        "callback_contact": row.callback_contact,
        "delivery": {
            "state": row.delivery_state,
            "attempts": row.delivery_attempts,
            "delivered_at": _iso(row.delivered_at),
            "last_error": row.last_error or None,
        },
    }
    if transcript is not None:
        out["transcript"] = transcript
    return out


def list_handoffs(
    session: Session, *, status: str | None = None, limit: int = 200
) -> list[Handoff]:
    """Open first (longest waiting first), then claimed, then the latest resolved."""
    query = select(Handoff)
    if status:
        query = query.where(Handoff.status == status)
    active = session.scalars(
        query.where(Handoff.status != "resolved").order_by(Handoff.created_at).limit(limit)
    ).all()
    rows = sorted(active, key=lambda h: (STATUS_RANK.get(h.status, 3), h.created_at))
    if len(rows) < limit and status in (None, "resolved"):
        rows += session.scalars(
            select(Handoff)
            .where(Handoff.status == "resolved")
            .order_by(Handoff.resolved_at.desc(), Handoff.created_at.desc())
            .limit(limit - len(rows))
        ).all()
    return list(rows)


def get(session: Session, handoff_id: str) -> Handoff:
    row = session.get(Handoff, handoff_id) if _plausible(handoff_id) else None
    if row is None:
        raise HandoffNotFound(handoff_id)
    return row


def transcript(session: Session, conversation_id: str) -> list[dict[str, Any]]:
    """The conversation's stored (redacted) turns."""
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        return []
    return [
        {
            "seq": t.seq,
            "role": t.role,
            "text": t.text,
            "intent": t.intent,
            "sentiment": t.sentiment,
            "at": _iso(t.created_at),
        }
        for t in conversation.turns
    ]


def claim(session: Session, handoff_id: str, by: str) -> Handoff:
    """open -> claimed by ``by``; claiming one's own claim again is a no-op."""
    row = get(session, handoff_id)
    changed = _changed(
        session.execute(
            update(Handoff)
            .where(Handoff.id == row.id, Handoff.status == "open")
            .values(status="claimed", claimed_at=utcnow(), claimed_by=by)
        )
    )
    session.refresh(row)
    if not changed and not (row.status == "claimed" and row.claimed_by == by):
        raise HandoffConflict(f"handoff is {row.status}" + _by(row))
    return row


def resolve(session: Session, handoff_id: str, by: str, note: str = "") -> Handoff:
    """open or claimed -> resolved, with a note (already redacted by the caller)."""
    row = get(session, handoff_id)
    values: dict[str, Any] = {
        "status": "resolved",
        "resolved_at": utcnow(),
        "resolved_by": by,
        "resolution": note[:MAX_NOTE_CHARS],
    }
    changed = _changed(
        session.execute(
            update(Handoff)
            .where(Handoff.id == row.id, Handoff.status.in_(("open", "claimed")))
            .values(**values)
        )
    )
    session.refresh(row)
    if not changed:
        raise HandoffConflict("handoff is already resolved" + _by(row))
    if row.claimed_at is None:  # resolved straight from open: it was taken by the resolver
        row.claimed_at, row.claimed_by = row.resolved_at, by
    return row


def latest_for(session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's most recent handoff (a channel reports its outcome on it)."""
    return session.scalars(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.created_at.desc(), Handoff.id)
        .limit(1)
    ).first()


def settle(row: Handoff, now: dt.datetime | None = None) -> None:
    """The caller's side is settled (callback answered, transfer over): deliver now, not later."""
    if row.delivery_state == "pending" and row.delivery_attempts == 0:
        now = now or utcnow()
        if row.next_attempt_at is None or row.next_attempt_at > now:
            row.next_attempt_at = now


# --- the outbox ------------------------------------------------------------------------
@dataclass(frozen=True)
class Lease:
    handoff_id: str
    attempts: int  # attempts made before this one
    payload: str  # the body built at the first attempt ("" before)


def due(session: Session, now: dt.datetime, limit: int = 20) -> list[str]:
    """Ids of handoffs waiting for delivery whose time has come and that nobody holds."""
    return list(
        session.scalars(
            select(Handoff.id)
            .where(
                Handoff.delivery_state == "pending",
                Handoff.next_attempt_at <= now,
                or_(Handoff.lease_until.is_(None), Handoff.lease_until < now),
            )
            .order_by(Handoff.next_attempt_at)
            .limit(limit)
        )
    )


def take_lease(
    session: Session, handoff_id: str, owner: str, now: dt.datetime, hold_s: float
) -> Lease | None:
    """Hold one due row for ``hold_s`` seconds: only one process's UPDATE can match."""
    won = _changed(
        session.execute(
            update(Handoff)
            .where(
                Handoff.id == handoff_id,
                Handoff.delivery_state == "pending",
                Handoff.next_attempt_at <= now,
                or_(Handoff.lease_until.is_(None), Handoff.lease_until < now),
            )
            .values(lease_until=now + dt.timedelta(seconds=hold_s), lease_owner=owner)
        )
    )
    if not won:
        return None
    row = session.get(Handoff, handoff_id)
    if row is None:
        return None
    session.refresh(row)
    return Lease(row.id, row.delivery_attempts, row.payload)


def store_payload(session: Session, lease: Lease, owner: str, payload: str) -> None:
    """Keep the body of the first attempt, so every retry sends the same bytes."""
    session.execute(
        update(Handoff)
        .where(Handoff.id == lease.handoff_id, Handoff.lease_owner == owner)
        .values(payload=payload)
    )


def record_attempt(
    session: Session,
    lease: Lease,
    owner: str,
    *,
    delivered: bool,
    error: str = "",
    retry_at: dt.datetime | None = None,
    give_up: bool = False,
) -> bool:
    """The outcome of one attempt, written only while this process still holds the lease."""
    now = utcnow()
    values: dict[str, Any] = {
        "delivery_attempts": lease.attempts + 1,
        "lease_until": None,
        "lease_owner": None,
        "last_error": error[:300],
    }
    if delivered:
        values.update(delivery_state="delivered", delivered_at=now, next_attempt_at=None)
    elif give_up:
        values.update(delivery_state="failed", next_attempt_at=None)
    else:
        values.update(next_attempt_at=retry_at or now)
    return bool(
        _changed(
            session.execute(
                update(Handoff)
                .where(
                    Handoff.id == lease.handoff_id,
                    Handoff.lease_owner == owner,
                    Handoff.delivery_state == "pending",
                )
                .values(**values)
            )
        )
    )


def _by(row: Handoff) -> str:
    who = row.resolved_by if row.status == "resolved" else row.claimed_by
    return f" by {who}" if who else ""


def _plausible(handoff_id: object) -> bool:
    return isinstance(handoff_id, str) and 0 < len(handoff_id) <= 32 and handoff_id.isalnum()


def _changed(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
