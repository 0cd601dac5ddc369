"""A customer's data rights, and retention: export, erase, purge.

What a shop owes a person under GDPR/CCPA-style laws, in one place below the
server so the CLI (`hark privacy ...`) and the admin endpoints share it:

* :func:`export_customer`: everything Hark holds about one customer, as JSON;
* :func:`erase_customer`: their personal data removed, orders kept for the
  shop's accounts but tied to no one; idempotent;
* :func:`purge_conversations`: conversations older than the retention period
  deleted (``HARK_RETENTION_DAYS``; the running server does it daily).

Every table that can hold a customer's or a conversation's data is named in
:data:`HANDLED_TABLES`. Any other table with a ``conversation_id`` column (a
channel's call or message records, say) is handled generically: its rows are
exported with their conversation and deleted with it (:func:`linked_tables`).
A test fails when a new table with a ``customer_id`` column appears without
being handled here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, delete, func, or_, select, update
from sqlalchemy.orm import Session

from hark.privacy.caller_keys import CallerKeys
from hark.store import notice_rights, verify_attempts
from hark.store.db import Database
from hark.store.models import (
    Base,
    Cart,
    CartItem,
    ChannelLink,
    Conversation,
    Customer,
    Handoff,
    NluExample,
    Order,
    PhoneCall,
    ReturnRequest,
    TextMessage,
    Turn,
    utcnow,
)

#: Tables whose rows hold a customer's or a conversation's data, and what happens to them.
HANDLED_TABLES: dict[str, str] = {
    "customers": "exported; name, phone and e-mail erased",
    "orders": "exported; kept on erasure, tied to no customer",
    "order_lines": "exported with their order; kept",
    "returns": "exported; kept on erasure with the reason text cleared",
    "carts": "exported; deleted on erasure; guest carts purged with their conversation",
    "cart_items": "exported with their cart; deleted with it",
    "channel_links": "exported; deleted on erasure",
    "conversations": "exported; deleted on erasure and after the retention period",
    "turns": "exported with their conversation; deleted with it",
    "handoffs": "exported with their conversation (callback numbers included); deleted with it "
    "and on erasure",
    "nlu_examples": "reviewed turns (redacted text): exported with their conversation; deleted "
    "on erasure; after the retention period kept as training data, unlinked from it",
    "verify_attempts": "failed identity checks (no answers, no contact details): deleted on "
    "erasure and once older than the HARK_VERIFY_LOCKOUT window",
    "phone_calls": "deleted with their conversation, on erasure by the caller's keyed digest "
    "(also calls that never joined a conversation), and after the retention period",
    "text_messages": "deleted with their conversation, on erasure by the sender's keyed digest, "
    "and after the retention period",
    "contact_consents": "exported; deleted on erasure (an erased customer is never contacted)",
    "notices": "exported; deleted on erasure; kept when their conversation is purged (the ledger)",
    "notice_sends": "exported with their notice; deleted with it",
    "stock_watches": "exported; deleted on erasure (what they asked about while sold out)",
}
_BATCH = 500


def linked_tables() -> list[Table]:
    """Tables besides the known ones whose rows belong to a conversation."""
    known = {"conversations", "turns", "carts", "nlu_examples", "notices"}
    return [
        table
        for table in Base.metadata.sorted_tables
        if "conversation_id" in table.c and table.name not in known
    ]


class UnknownCustomer(LookupError):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"customer not found: {customer_id}")
        self.customer_id = customer_id


@dataclass
class ErasureReport:
    customer_id: str
    already_erased: bool = False
    conversations: int = 0
    turns: int = 0
    channel_links: int = 0
    carts: int = 0
    orders_kept: int = 0
    returns_cleared: int = 0
    call_records: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))

    def summary(self) -> str:
        """One line saying what was done."""
        removed = (
            f"{self.conversations} conversation(s) ({self.turns} turns), "
            f"{self.channel_links} channel link(s), {self.carts} cart(s), "
            f"{self.call_records} call/text record(s) deleted"
        )
        if self.already_erased and not (
            self.conversations
            or self.channel_links
            or self.carts
            or self.orders_kept
            or self.call_records
        ):
            return f"customer {self.customer_id} was already erased: nothing left to remove"
        return (
            f"erased customer {self.customer_id}: {removed}; name, phone and e-mail cleared; "
            f"{self.orders_kept} order(s) kept without the customer"
        )


@dataclass
class PurgeReport:
    cutoff: dt.datetime | None
    conversations: int = 0
    turns: int = 0
    carts: int = 0
    call_records: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat() if self.cutoff else None,
            "conversations": self.conversations,
            "turns": self.turns,
            "carts": self.carts,
            "call_records": self.call_records,
        }

    def summary(self) -> str:
        if self.cutoff is None:
            return "retention is off (HARK_RETENTION_DAYS=0): nothing purged"
        return (
            f"purged {self.conversations} conversation(s) ({self.turns} turns, "
            f"{self.carts} guest cart(s), {self.call_records} call/text record(s)) "
            f"with no activity since {self.cutoff:%Y-%m-%d %H:%M} UTC"
        )


# --- export -------------------------------------------------------------------------------
def export_customer(db: Database, customer_id: str) -> dict[str, Any]:
    """Everything Hark holds about ``customer_id`` (turns are stored redacted)."""
    with db.session() as session:
        customer = _customer(session, customer_id)
        orders = session.scalars(
            select(Order).where(Order.customer_id == customer.customer_id).order_by(Order.order_id)
        ).all()
        order_ids = [o.order_id for o in orders]
        returns = (
            session.scalars(
                select(ReturnRequest)
                .where(ReturnRequest.order_id.in_(order_ids))
                .order_by(ReturnRequest.id)
            ).all()
            if order_ids
            else []
        )
        conversations = session.scalars(
            select(Conversation)
            .where(Conversation.customer_id == customer.customer_id)
            .order_by(Conversation.started_at, Conversation.id)
        ).all()
        carts = session.scalars(
            select(Cart)
            .where(_carts_of(customer.customer_id, [c.id for c in conversations]))
            .order_by(Cart.id)
        ).all()
        links = session.scalars(
            select(ChannelLink)
            .where(ChannelLink.customer_id == customer.customer_id)
            .order_by(ChannelLink.id)
        ).all()
        return {
            "customer": {
                "customer_id": customer.customer_id,
                "name": customer.name,
                "phone": customer.phone,
                "email": customer.email,
                "erased_at": _iso(customer.erased_at),
            },
            "orders": [
                {
                    "order_id": o.order_id,
                    "status": o.status,
                    "placed_at": _iso(o.placed_at),
                    "eta": _iso(o.eta),
                    "lines": [{"sku": line.sku, "quantity": line.quantity} for line in o.lines],
                }
                for o in orders
            ],
            "returns": [
                {
                    "id": r.id,
                    "order_id": r.order_id,
                    "created_at": _iso(r.created_at),
                    "reason": r.reason,
                    "status": r.status,
                }
                for r in returns
            ],
            "carts": [
                {
                    "id": c.id,
                    "status": c.status,
                    "updated_at": _iso(c.updated_at),
                    "items": [{"sku": i.sku, "quantity": i.quantity} for i in c.items],
                }
                for c in carts
            ],
            "channel_links": [{"channel": k.channel, "external_id": k.external_id} for k in links],
            "conversations": [
                {
                    "conversation_id": c.id,
                    "channel": c.channel,
                    "started_at": _iso(c.started_at),
                    "ended_at": _iso(c.ended_at),
                    "resolved": c.resolved,
                    "summary": c.summary,
                    "turns": [
                        {
                            "seq": t.seq,
                            "role": t.role,
                            "text": t.text,
                            "intent": t.intent,
                            "at": _iso(t.created_at),
                        }
                        for t in c.turns
                    ],
                }
                for c in conversations
            ],
            "conversation_records": _linked_rows(session, [c.id for c in conversations]),
            "reviewed_examples": [
                {"text": e.text, "intent": e.intent, "conversation_id": e.conversation_id}
                for chunk in _chunks([c.id for c in conversations])
                for e in session.scalars(
                    select(NluExample).where(NluExample.conversation_id.in_(chunk))
                )
            ],
            "contact_consents": notice_rights.consents(session, customer.customer_id),
            "notices": notice_rights.notices(session, customer.customer_id),
            "stock_watches": notice_rights.stock_watches(session, customer.customer_id),
            "exported_at": _iso(utcnow()),
        }


# --- erase --------------------------------------------------------------------------------
def erase_customer(
    db: Database, customer_id: str, caller_keys: CallerKeys | None = None
) -> ErasureReport:
    """Remove ``customer_id``'s personal data in one transaction; safe to run again.

    With ``caller_keys`` (the server's, :meth:`CallerKeys.of`), every call and text row
    whose caller digest is that of the customer's phone on file goes too, also those of
    calls that never joined one of their conversations.
    """
    with db.session() as session:
        customer = _customer(session, customer_id, lock=True)
        report = ErasureReport(customer.customer_id, already_erased=customer.erased_at is not None)
        keys = caller_keys.of_phone(customer.phone) if caller_keys is not None else []
        if keys:
            report.call_records = _rows(
                session, delete(PhoneCall).where(PhoneCall.caller_key.in_(keys))
            ) + _rows(session, delete(TextMessage).where(TextMessage.sender_key.in_(keys)))
        conversation_ids = list(
            session.scalars(
                select(Conversation.id).where(Conversation.customer_id == customer.customer_id)
            )
        )
        report.carts = _delete_carts(session, _carts_of(customer.customer_id, conversation_ids))
        for chunk in _chunks(conversation_ids):  # the caller's own words, even reviewed
            _rows(session, delete(NluExample).where(NluExample.conversation_id.in_(chunk)))
        report.conversations, report.turns = _delete_conversations(session, conversation_ids)
        _rows(session, delete(Handoff).where(Handoff.customer_id == customer.customer_id))
        notice_rights.erase(session, customer.customer_id)
        report.channel_links = _rows(
            session, delete(ChannelLink).where(ChannelLink.customer_id == customer.customer_id)
        )
        order_ids = list(
            session.scalars(select(Order.order_id).where(Order.customer_id == customer.customer_id))
        )
        for chunk in _chunks(order_ids):
            report.returns_cleared += _rows(
                session,
                update(ReturnRequest)
                .where(ReturnRequest.order_id.in_(chunk), ReturnRequest.reason != "")
                .values(reason=""),
            )
        verify_attempts.forget_customer(session, customer.customer_id, order_ids)
        report.orders_kept = _rows(
            session,
            update(Order).where(Order.customer_id == customer.customer_id).values(customer_id=None),
        )
        customer.name, customer.phone, customer.email = "", None, None
        if customer.erased_at is None:
            customer.erased_at = utcnow()
        return report


# --- purge --------------------------------------------------------------------------------
def purge_conversations(
    db: Database, retention_days: int, now: dt.datetime | None = None
) -> PurgeReport:
    """Delete conversations with no activity (start, end, last turn) in ``retention_days``.

    ``retention_days=0`` means keep forever. Guest carts of the purged conversations
    go with them; a known customer's cart is theirs and stays.
    """
    if retention_days <= 0:
        return PurgeReport(None)
    cutoff = (now or utcnow()) - dt.timedelta(days=retention_days)
    report = PurgeReport(cutoff)
    last_turn = (
        select(Turn.conversation_id, func.max(Turn.created_at).label("last_at"))
        .group_by(Turn.conversation_id)
        .subquery()
    )
    with db.session() as session:
        stale = list(
            session.scalars(
                select(Conversation.id)
                .outerjoin(last_turn, last_turn.c.conversation_id == Conversation.id)
                .where(
                    Conversation.started_at < cutoff,
                    or_(Conversation.ended_at.is_(None), Conversation.ended_at < cutoff),
                    or_(last_turn.c.last_at.is_(None), last_turn.c.last_at < cutoff),
                )
            )
        )
        for chunk in _chunks(stale):
            report.carts += _delete_carts(
                session, (Cart.conversation_id.in_(chunk)) & (Cart.customer_id.is_(None))
            )
        for chunk in _chunks(stale):  # reviewed examples outlive them, tied to no one
            _rows(
                session,
                update(NluExample)
                .where(NluExample.conversation_id.in_(chunk))
                .values(conversation_id=None, turn_id=None),
            )
        report.conversations, report.turns = _delete_conversations(session, stale)
        # Call and text records outlive nothing: also those that never joined a conversation.
        report.call_records = _rows(
            session, delete(PhoneCall).where(PhoneCall.updated_at < cutoff)
        ) + _rows(session, delete(TextMessage).where(TextMessage.received_at < cutoff))
    return report


# --- helpers ------------------------------------------------------------------------------
def _customer(session: Session, customer_id: str, *, lock: bool = False) -> Customer:
    if not isinstance(customer_id, str) or not customer_id or "\x00" in customer_id:
        raise UnknownCustomer(str(customer_id).replace("\x00", ""))
    customer = session.get(Customer, customer_id, with_for_update=lock)
    if customer is None:
        raise UnknownCustomer(customer_id)
    return customer


def _carts_of(customer_id: str, conversation_ids: list[str]):
    condition = Cart.customer_id == customer_id
    if conversation_ids:
        condition = or_(condition, Cart.conversation_id.in_(conversation_ids))
    return condition


def _delete_carts(session: Session, condition) -> int:
    cart_ids = list(session.scalars(select(Cart.id).where(condition)))
    for chunk in _chunks(cart_ids):
        _rows(session, delete(CartItem).where(CartItem.cart_id.in_(chunk)))
        _rows(session, delete(Cart).where(Cart.id.in_(chunk)))
    return len(cart_ids)


def _delete_conversations(session: Session, conversation_ids: list[str]) -> tuple[int, int]:
    conversations = turns = 0
    for chunk in _chunks(conversation_ids):
        for table in linked_tables():
            _rows(session, delete(table).where(table.c.conversation_id.in_(chunk)))
        turns += _rows(session, delete(Turn).where(Turn.conversation_id.in_(chunk)))
        conversations += _rows(session, delete(Conversation).where(Conversation.id.in_(chunk)))
    return conversations, turns


def _linked_rows(session: Session, conversation_ids: list[str]) -> dict[str, list[dict]]:
    """Rows of the generically linked tables that belong to these conversations."""
    out: dict[str, list[dict]] = {}
    for table in linked_tables():
        rows: list[dict] = []
        for chunk in _chunks(conversation_ids):
            for row in session.execute(select(table).where(table.c.conversation_id.in_(chunk))):
                rows.append({k: _plain(v) for k, v in row._mapping.items()})
        if rows:
            out[table.name] = rows
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _rows(session: Session, statement: Any) -> int:
    """Run a bulk DELETE or UPDATE; how many rows it touched."""
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)


def _chunks(items: list[str] | list[int]) -> Iterator[list]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def handled_tables() -> Iterable[str]:
    return HANDLED_TABLES.keys()
