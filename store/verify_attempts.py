"""Failed identity checks as rows (``verify_attempts``): counted per customer and per order.

Every process reads the same rows, so a lockout holds across conversations,
channels and server processes. The policy (how many, how long) is the
caller's: :mod:`hark.skills.verify_budget` reads ``HARK_VERIFY_LOCKOUT``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from hark.store.models import VerifyAttempt, utcnow

FAILURE = "failure"
CODE_SENT = "code_sent"


@dataclass(frozen=True)
class Lockout:
    """One customer or order number that self-service is closed to until ``until``."""

    subject: str  # "customer" | "order"
    key: str
    failures: int
    until: dt.datetime


def record(
    session: Session,
    kind: str,
    *,
    customer_id: str | None,
    order_key: str | None,
    channel: str,
    window_s: int,
) -> None:
    """Add one row; rows older than the window count for nothing and are deleted here, so
    none is kept longer than ``HARK_VERIFY_LOCKOUT``'s window."""
    session.execute(
        delete(VerifyAttempt).where(
            VerifyAttempt.created_at <= utcnow() - dt.timedelta(seconds=window_s)
        )
    )
    session.add(
        VerifyAttempt(kind=kind, customer_id=customer_id, order_key=order_key, channel=channel)
    )
    session.flush()


def count(
    session: Session,
    kind: str,
    window_s: int,
    *,
    customer_id: str | None = None,
    order_key: str | None = None,
) -> int:
    """Rows of ``kind`` for this customer or this order number within the window."""
    if customer_id is None and order_key is None:
        return 0
    since = utcnow() - dt.timedelta(seconds=window_s)
    subjects = []
    if customer_id is not None:
        subjects.append(VerifyAttempt.customer_id == customer_id)
    if order_key is not None:
        subjects.append(VerifyAttempt.order_key == order_key)
    counts = [
        session.scalar(
            select(func.count())
            .select_from(VerifyAttempt)
            .where(VerifyAttempt.kind == kind, VerifyAttempt.created_at > since, subject)
        )
        or 0
        for subject in subjects
    ]
    return max(counts)


def active(session: Session, allowed: int, window_s: int, limit: int = 100) -> list[Lockout]:
    """Every customer and order number locked out now, the most recent first."""
    since = utcnow() - dt.timedelta(seconds=window_s)
    found: list[Lockout] = []
    for subject, column in (
        ("customer", VerifyAttempt.customer_id),
        ("order", VerifyAttempt.order_key),
    ):
        rows = session.execute(
            select(column, func.count(), func.max(VerifyAttempt.created_at))
            .where(
                VerifyAttempt.kind == FAILURE,
                VerifyAttempt.created_at > since,
                column.is_not(None),
            )
            .group_by(column)
            .having(func.count() >= allowed)
            .order_by(func.max(VerifyAttempt.created_at).desc())
            .limit(limit)
        ).all()
        for key, failures, last in rows:
            until = _until(session, column, key, allowed, since, window_s) or last
            found.append(Lockout(subject, str(key), int(failures), until))
    found.sort(key=lambda lockout: lockout.until, reverse=True)
    return found[:limit]


def _until(session, column, key, allowed, since, window_s) -> dt.datetime | None:
    """When the failures in the window drop below ``allowed``: the moment the one that
    tips the count over leaves the window."""
    times = session.scalars(
        select(VerifyAttempt.created_at)
        .where(VerifyAttempt.kind == FAILURE, VerifyAttempt.created_at > since, column == key)
        .order_by(VerifyAttempt.created_at.desc())
    ).all()
    if len(times) < allowed:
        return None
    return times[allowed - 1] + dt.timedelta(seconds=window_s)


def clear(session: Session, subject: str, key: str) -> int:
    """A person helped: this customer's (or order number's) failures are forgotten."""
    column = VerifyAttempt.customer_id if subject == "customer" else VerifyAttempt.order_key
    result = session.execute(
        delete(VerifyAttempt).where(VerifyAttempt.kind == FAILURE, column == key)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def forget_customer(session: Session, customer_id: str, order_ids: list[str]) -> None:
    """Erasure: no row keeps the customer's id or one of their order ids."""
    conditions = [VerifyAttempt.customer_id == customer_id]
    if order_ids:
        conditions.append(VerifyAttempt.order_key.in_(order_ids))
    session.execute(delete(VerifyAttempt).where(or_(*conditions)))
