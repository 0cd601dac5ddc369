"""Who asked about a product while it was out of stock, and the ``back_in_stock`` events
when the shop's stock for it rises above zero again.

The brain writes a watch when it tells a known customer (verified, or claimed with a
customer id) that a product is out of stock; an anonymous caller leaves nothing. A
restock (``hark import-shop`` raising the product's stock from 0) turns every open
watch on it into one event per customer, keyed by the watch
(``stock:COF-2010:C002:14``), so importing the same files again decides nothing twice;
the watches are closed in the same transaction. Asking again after the next sell-out
opens a new watch, and the next restock is news again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hark.store.models import StockWatch, utcnow
from hark.store.notice_events import Event


def watch(
    session: Session, customer_id: str, sku: str, channel: str, now: dt.datetime | None = None
) -> bool:
    """Remember that ``customer_id`` asked about the sold-out ``sku``; False when they
    already wait for it (one open watch per customer and product)."""
    waiting = session.scalar(
        select(StockWatch.id)
        .where(
            StockWatch.customer_id == customer_id,
            StockWatch.sku == sku,
            StockWatch.notified_at.is_(None),
        )
        .limit(1)
    )
    if waiting is not None:
        return False
    session.add(
        StockWatch(customer_id=customer_id, sku=sku, channel=channel[:32], asked_at=now or utcnow())
    )
    session.flush()
    return True


def restocked_events(
    session: Session, skus: Iterable[str], now: dt.datetime | None = None
) -> list[Event]:
    """One ``back_in_stock`` event per customer with an open watch on each of ``skus``
    (products whose stock just rose from 0); those watches are closed."""
    wanted = sorted(set(skus))
    if not wanted:
        return []
    rows = session.scalars(
        select(StockWatch)
        .where(StockWatch.sku.in_(wanted), StockWatch.notified_at.is_(None))
        .order_by(StockWatch.id)
    ).all()
    events: dict[tuple[str, str], Event] = {}
    for row in rows:
        row.notified_at = now or utcnow()
        key = (row.customer_id, row.sku)
        if key not in events:  # the first watch names the event
            events[key] = Event(
                f"stock:{row.sku}:{row.customer_id}:{row.id}",
                "back_in_stock",
                row.customer_id,
                None,
                {"sku": row.sku},
            )
    return list(events.values())


def export(session: Session, customer_id: str) -> list[dict[str, str | None]]:
    """A customer's watches, for ``hark privacy export``."""
    rows = session.scalars(
        select(StockWatch).where(StockWatch.customer_id == customer_id).order_by(StockWatch.id)
    ).all()
    return [
        {
            "sku": row.sku,
            "asked_at": row.asked_at.isoformat(),
            "channel": row.channel,
            "notified_at": row.notified_at.isoformat() if row.notified_at else None,
        }
        for row in rows
    ]


def erase(session: Session, customer_id: str) -> None:
    session.execute(delete(StockWatch).where(StockWatch.customer_id == customer_id))
