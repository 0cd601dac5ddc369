"""The notices' outbox and ledger: leases, sends, outcomes, and the listing.

Every state change is a conditional UPDATE (as for the handoff outbox), so of
several server processes only one holds a notice. A send is written as a
``sending`` row and committed *before* the provider is asked; if the process
dies before the answer is recorded, the notice is closed as ``failed``
("interrupted") rather than sent again: a customer never gets the same
notice twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from hark.store.models import Notice, NoticeSend, utcnow

OUTCOMES = ("delivered", "answered", "voicemail", "failed", "suppressed")


def due(session: Session, now: dt.datetime, limit: int = 50) -> list[int]:
    """Pending notices whose time has come that nobody holds."""
    return list(
        session.scalars(
            select(Notice.id)
            .where(
                Notice.state == "pending",
                Notice.next_attempt_at <= now,
                or_(Notice.lease_until.is_(None), Notice.lease_until < now),
            )
            .order_by(Notice.next_attempt_at, Notice.id)
            .limit(limit)
        )
    )


def take_lease(
    session: Session, notice_id: int, owner: str, now: dt.datetime, hold_s: float
) -> Notice | None:
    """Hold one due notice for ``hold_s`` seconds: only one process's UPDATE matches."""
    won = session.execute(
        update(Notice)
        .where(
            Notice.id == notice_id,
            Notice.state == "pending",
            Notice.next_attempt_at <= now,
            or_(Notice.lease_until.is_(None), Notice.lease_until < now),
        )
        .values(lease_until=now + dt.timedelta(seconds=hold_s), lease_owner=owner)
    )
    if not _changed(won):
        return None
    notice = session.get(Notice, notice_id)
    if notice is not None:
        session.refresh(notice)
    return notice


def settle_silent_calls(session: Session, now: dt.datetime, after: dt.timedelta) -> int:
    """Calls placed ``after`` ago whose outcome Twilio never reported: closed as failed, so a
    lost status callback can't hold a notice open for ever."""
    rows = session.scalars(select(Notice).where(Notice.state == "calling")).all()
    closed = 0
    for notice in rows:
        last = max((s.at for s in notice.sends if s.channel == "call"), default=None)
        if last is None or now - last > after:
            close(notice, "failed", "the call's outcome was never reported", "call")
            closed += 1
    return closed


def interrupted(session: Session, notice: Notice) -> bool:
    """A send of this notice was started and never recorded (a crash): close it, unsent."""
    stuck = [s for s in notice.sends if s.outcome == "sending"]
    for send in stuck:
        send.outcome, send.detail = "failed", "interrupted; not sent again"
    if stuck and notice.state == "pending":
        close(notice, "failed", "interrupted while sending; not sent again")
    return bool(stuck)


def close(notice: Notice, outcome: str, reason: str, channel: str | None = None) -> None:
    """The notice's final outcome (the caller holds its lease or its call)."""
    notice.state, notice.outcome, notice.reason = "done", outcome, reason[:300]
    notice.channel = channel or notice.channel
    notice.done_at = utcnow()
    notice.lease_until = notice.lease_owner = None
    notice.next_attempt_at = None


def defer(notice: Notice, until: dt.datetime, reason: str) -> None:
    notice.next_attempt_at, notice.reason = until, reason[:300]
    notice.lease_until = notice.lease_owner = None


def start_send(session: Session, notice: Notice, channel: str) -> NoticeSend:
    """The ``sending`` row, committed by the caller before the provider is asked."""
    send = NoticeSend(
        notice_id=notice.id, customer_id=notice.customer_id, channel=channel, outcome="sending"
    )
    session.add(send)
    notice.attempts += 1
    notice.channel = channel
    session.flush()
    return send


def end_send(
    session: Session,
    send_id: int,
    outcome: str,
    *,
    provider_id: str | None = None,
    detail: str = "",
) -> NoticeSend | None:
    send = session.get(NoticeSend, send_id)
    if send is None:
        return None
    send.outcome, send.detail = outcome, detail[:300]
    if provider_id:
        send.provider_id = provider_id[:64]
    return send


def send_by_provider(session: Session, provider_id: str) -> NoticeSend | None:
    return session.scalars(
        select(NoticeSend).where(NoticeSend.provider_id == provider_id).limit(1)
    ).first()


def sends_since(session: Session, customer_id: str, channel: str, since: dt.datetime) -> int:
    """Messages or calls made to this customer on this channel since ``since`` (caps)."""
    return int(
        session.scalar(
            select(func.count(NoticeSend.id)).where(
                NoticeSend.customer_id == customer_id,
                NoticeSend.channel == channel,
                NoticeSend.at >= since,
                NoticeSend.outcome.not_in(("failed", "no-answer")),  # no contact was made
            )
        )
        or 0
    )


# --- the ledger as the API and the dashboard show it ----------------------------------
def as_dict(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "event": notice.kind,
        "event_key": notice.event_key,
        "customer_id": notice.customer_id,
        "order_id": notice.order_id,
        "created_at": _iso(notice.created_at),
        "state": notice.state,
        "outcome": notice.outcome,
        "reason": notice.reason or None,
        "channel": notice.channel,
        "attempts": notice.attempts,
        "next_attempt_at": _iso(notice.next_attempt_at),
        "done_at": _iso(notice.done_at),
        "conversation_id": notice.conversation_id,
        "sends": [
            {
                "channel": s.channel,
                "at": _iso(s.at),
                "outcome": s.outcome,
                "detail": s.detail or None,
            }
            for s in notice.sends
        ],
    }


def list_notices(
    session: Session,
    *,
    customer_id: str | None = None,
    kind: str | None = None,
    limit: int = 200,
) -> list[Notice]:
    query = select(Notice)
    if customer_id:
        query = query.where(Notice.customer_id == customer_id)
    if kind:
        query = query.where(Notice.kind == kind)
    return list(
        session.scalars(query.order_by(Notice.created_at.desc(), Notice.id.desc()).limit(limit))
    )


def outcomes_by_day(session: Session, days: int = 30) -> list[dict[str, Any]]:
    """Per day (UTC) of creation: how many notices ended in each outcome, and how many wait."""
    since = utcnow() - dt.timedelta(days=days)
    counts: dict[str, Counter[str]] = {}
    for created, outcome in session.execute(
        select(Notice.created_at, Notice.outcome).where(Notice.created_at >= since)
    ):
        counts.setdefault(created.date().isoformat(), Counter())[outcome or "waiting"] += 1
    return [
        {"day": day, **{k: c.get(k, 0) for k in (*OUTCOMES, "waiting")}}
        for day, c in sorted(counts.items())
    ]


def _changed(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
