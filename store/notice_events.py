"""Events from the shop's data, each decided once into a notice row.

An order's change (from ``hark import-shop`` or ``PUT /v1/admin/orders/{id}``)
is compared with the stored order in the same transaction that writes it, and
each event gets a key made of what happened (``order:1072:delayed:2026-12-10``):
the ``notices.event_key`` unique constraint makes a second sight of the same
event, in this process or another, a no-op. The rules the shop switched on
decide at once whether the notice waits to be sent (``pending``) or is kept
in the ledger as ``suppressed`` with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hark.store.models import Cart, Notice, utcnow

#: Statuses after which an ETA change is news no more.
FINISHED = ("delivered", "cancelled", "returned", "refunded")
#: A status the order turns to -> (event, what its key says happened). A status not here
#: (processing, cancelled) is no event; the order stays compared for a later ETA move.
BY_STATUS = {
    "delayed": ("order_delayed", "delayed:{eta}"),
    "shipped": ("order_shipped", "shipped"),
    "out_for_delivery": ("order_out_for_delivery", "out_for_delivery"),
    "delivered": ("order_delivered", "delivered"),
    "returned": ("return_received", "returned"),
    "refunded": ("return_refunded", "refunded"),
}


@dataclass(frozen=True)
class Event:
    key: str
    kind: str
    customer_id: str | None
    order_id: str | None = None
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderSnapshot:
    """What a notice needs to know of an order, before or after a change."""

    order_id: str
    customer_id: str | None
    status: str
    eta: dt.date | None


def order_ending(order_id: str) -> str:
    """The last two characters a notice may name ("your order ending 72")."""
    return order_id.strip()[-2:]


def order_events(before: OrderSnapshot | None, after: OrderSnapshot) -> list[Event]:
    """What changed for the customer between two versions of an order (none for a new one:
    a shop's first import is not news)."""
    if before is None or after.customer_id is None:
        return []
    oid, eta = after.order_id, after.eta
    facts: dict[str, Any] = {
        "order_ending": order_ending(oid),
        "status": after.status,
        "eta": eta.isoformat() if eta else None,
        "previous_eta": before.eta.isoformat() if before.eta else None,
    }

    def event(kind: str, key: str) -> Event:
        return Event(f"order:{oid}:{key}", kind, after.customer_id, oid, facts)

    if after.status != before.status:
        if after.status in BY_STATUS:
            kind, key = BY_STATUS[after.status]
            return [event(kind, key.format(eta=facts["eta"]))]
        return []
    later = eta is not None and (before.eta is None or eta > before.eta)
    if after.status not in FINISHED and later:
        return [event("order_eta_moved", f"eta:{facts['eta']}")]
    return []


def cart_events(session: Session, now: dt.datetime, left_h: float) -> list[Event]:
    """Open carts of known customers, with items, untouched for ``left_h`` hours."""
    cutoff = now - dt.timedelta(hours=left_h)
    carts = session.scalars(
        select(Cart).where(
            Cart.status == "open", Cart.customer_id.is_not(None), Cart.updated_at <= cutoff
        )
    ).all()
    events = []
    for cart in carts:
        if not cart.items:
            continue
        stamp = cart.updated_at.strftime("%Y%m%dT%H%M%S")
        facts = {"items": sum(item.quantity for item in cart.items)}
        events.append(
            Event(f"cart:{cart.id}:{stamp}", "cart_reminder", cart.customer_id, None, facts)
        )
    return events


def record_event(
    session: Session, event: Event, enabled: frozenset[str], now: dt.datetime | None = None
) -> Notice | None:
    """Decide the event into a notice once; None if its key was seen before."""
    if session.scalar(select(Notice.id).where(Notice.event_key == event.key)) is not None:
        return None
    now = now or utcnow()
    notice = Notice(
        event_key=event.key,
        kind=event.kind,
        customer_id=event.customer_id,
        order_id=event.order_id,
        facts=dict(event.facts),
        created_at=now,
        attempts=0,
        reason="",
    )
    if event.kind not in enabled:
        notice.state, notice.outcome, notice.done_at = "done", "suppressed", now
        notice.reason = f"rule off: {event.kind} is not in HARK_NOTICES"
    else:
        notice.state, notice.next_attempt_at = "pending", now
    try:
        with session.begin_nested():  # another process may decide the same event now
            session.add(notice)
    except IntegrityError:
        return None
    return notice


def record_events(
    session: Session, events: list[Event], enabled: frozenset[str], now: dt.datetime | None = None
) -> list[Notice]:
    return [n for e in events if (n := record_event(session, e, enabled, now)) is not None]
