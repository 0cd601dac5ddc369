"""What state an order is in, decided in one place for every skill.

The proactive greeting, the order-status answer, returns and complaints all
describe the same order, so they must agree: an order marked ``delayed`` is
delayed; an order ``processing`` or ``shipped`` whose delivery date has
passed is running late (still moving, but not when promised). Every skill
asks :func:`state_of` and speaks :func:`late_sentence`, never the raw status.

When the shop sets ``HARK_DELAY_REMEDY``, a late order's caller is offered
that remedy and the promise is recorded against the order
(:class:`hark.store.models.OrderRemedy`) so a person can honour it; with the
setting empty nothing is promised.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hark.language.speech import spoken_when
from hark.store.models import Order, OrderRemedy

LATE_STATES = ("delayed", "running_late")


@dataclass(frozen=True)
class OrderState:
    """``state`` is the status as callers should hear it: ``processing``, ``shipped``,
    ``running_late``, ``delayed``, ``delivered``, ``cancelled``, ``returned`` (or the raw
    status for anything else); ``eta_known`` says whether a future delivery date exists."""

    state: str
    eta: dt.date | None
    eta_known: bool

    @property
    def late(self) -> bool:
        return self.state in LATE_STATES


def state_of(order: Order, today: dt.date) -> OrderState:
    eta = order.eta
    future = eta is not None and eta >= today
    if order.status == "delayed":
        return OrderState("delayed", eta, future)
    if (
        order.status in ("processing", "shipped", "out_for_delivery")
        and eta is not None
        and eta < today
    ):
        return OrderState("running_late", eta, False)
    return OrderState(order.status, eta, future)


def late_words(state: OrderState) -> str:
    """The headline, the same wherever the order is described: "is delayed" / "is running late"."""
    return "is delayed" if state.state == "delayed" else "is running late"


def late_sentence(state: OrderState, today: dt.date) -> str:
    """The detail after the headline: the new date, or when it was due."""
    if state.state == "delayed":
        if state.eta_known and state.eta is not None:
            return f"The new delivery date is {spoken_when(state.eta, today)}."
        return "We don't have a new delivery date yet."
    if state.eta is not None:
        return f"It was due {_on(state.eta, today)}, and we don't have a new delivery date yet."
    return "We don't have a new delivery date yet."


def _on(day: dt.date, today: dt.date) -> str:
    when = spoken_when(day, today)
    return when if when.startswith(("today", "tomorrow", "yesterday")) else f"on {when}"


def remedy_sentence(remedy: str) -> str:
    return f"To make up for it, you'll get {remedy}."


def record_remedy(
    session: Session, order_id: str, remedy: str, conversation_id: str | None
) -> OrderRemedy:
    """Record the promise once per order and remedy (a repeat call finds the same row)."""
    existing = session.scalars(
        select(OrderRemedy).where(OrderRemedy.order_id == order_id, OrderRemedy.remedy == remedy)
    ).first()
    if existing is not None:
        return existing
    row = OrderRemedy(
        order_id=order_id, remedy=remedy, conversation_id=conversation_id, status="promised"
    )
    session.add(row)
    session.flush()
    return row
