"""What a known customer most likely called about, said before they ask.

Ranked, most urgent first: a delayed (or overdue) order, an order arriving
soon, an open cart, a consumable that is probably running out, and a matter
left unresolved in a recent conversation on any channel. The greeting leads
with the top one only; the next one is offered once, later ("By the way,
..."), when the caller's own request has been handled.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hark.language.normalize import parse_number
from hark.language.speech import Utterance, digits, join_words, spoken_when
from hark.shop.knowledge import Knowledge
from hark.shop.product_words import ProductDoc
from hark.skills.context import remember_fact
from hark.skills.identity import Identity
from hark.skills.order_state import (
    late_sentence,
    late_words,
    record_remedy,
    remedy_sentence,
    state_of,
)
from hark.skills.state import ConversationState
from hark.skills.support import items_phrase
from hark.store.models import Cart, Conversation, Customer, Order

ARRIVING_SOON_DAYS = 3
UNRESOLVED_WITHIN_DAYS = 30
DEFAULT_REPLENISH_DAYS = 30
MAX_REPLENISH_DAYS = 365

# Words that mark a product as used up and bought again (any shop, any language of tags
# would need its own list; these are English).
_CONSUMABLE_STRONG = re.compile(
    r"\b(consumables?|refills?|replacements?|cartridges?|pods|capsules|beans|ground coffee|"
    r"tea bags|loose leaf|food|seeds?|soil|fertili[sz]er|compost|potting mix|"
    r"treats|chews|filters|sponges|wipes|detergents?|soap|shampoo|toothpaste|toner|ink|"
    r"batteries|litter|supplements?|vitamins|snacks|heads|bags|pads|liners|cleaner|spray)\b",
    re.IGNORECASE,
)
_REUSABLE = re.compile(r"\b(reusable|washable|machine-washable|lifetime|durable)\b", re.IGNORECASE)
_DEVICE = re.compile(
    r"\b(machine|grinder|maker|pitcher|brewer|press|kettle|fountain|dripper|"
    r"vacuum cleaner|device|appliance)\b",
    re.IGNORECASE,
)
_EVERY = re.compile(
    r"\b(?:every|lasts?(?: about| up to)?|each lasts about)\s+(\w+)(?:\s+to\s+(\w+))?\s+(day|week|month)s?",
    re.IGNORECASE,
)
#: "Replace every six months", "change it every 12 months": the description gives the
#: product a replacement cadence, so it is used up and bought again whatever it is called.
_REPLACE_EVERY = re.compile(
    r"\b(replace|change|renew|refill|swap)\w*\b(?:\s+\w+){0,3}?\s+every\s+\w+"
    r"(?:\s+to\s+\w+)?\s+(day|week|month)s?\b",
    re.IGNORECASE,
)
_PACK = re.compile(r"\b(\d+)[- ]?(?:pack|count|ct)\b", re.IGNORECASE)


@dataclass
class ProactiveItem:
    """One thing worth mentioning; ``pending`` is the yes/no question it asks, if any.

    ``key`` ("delayed_order:5274") identifies it across turns: the conversation
    state keeps only keys, and the item is rebuilt from fresh data when offered.
    """

    kind: str
    key: str
    say: Utterance
    pending: dict[str, Any] | None = None
    actions: list[dict[str, Any]] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)  # skus
    remedy: str = ""  # the delay remedy this item promises (HARK_DELAY_REMEDY), if any


def note_facts(
    state: ConversationState,
    item: ProactiveItem,
    session: Session | None = None,
    conversation_id: str | None = None,
) -> None:
    """What the caller was told proactively is part of the call: an agent must see it too.

    With the ``session``, a remedy the item promised is recorded against its order
    (:func:`hark.skills.order_state.record_remedy`), so a person can honour it.
    """
    ref = item.key.split(":", 1)[1] if ":" in item.key else ""
    if item.remedy and ref and session is not None:
        record_remedy(session, ref, item.remedy, conversation_id)
    if item.kind in ("delayed_order", "arriving_soon") and ref:
        remember_fact(state, "orders", ref)
        state.focus_order_id = state.focus_order_id or ref
    elif item.kind == "unresolved" and ref:
        remember_fact(state, "previous_conversations", ref)
    for sku in item.cards:
        remember_fact(state, "cart" if item.kind == "open_cart" else "products", sku)


def _item(kind: str, ref: str, u: Utterance, **extra: Any) -> ProactiveItem:
    return ProactiveItem(kind, f"{kind}:{ref}", u, **extra)


def is_consumable(product: ProductDoc) -> bool:
    """Used up and bought again? Decided from the product's own words, for any catalog."""
    tags = " ".join(product.tags)
    strong_text = f"{product.name} {tags} {product.category}"
    if (
        _REUSABLE.search(f"{strong_text} {product.description}")
        and "consumable" not in tags.lower()
    ):
        return False
    if "consumable" in tags.lower() or _REPLACE_EVERY.search(product.description):
        return True
    if _DEVICE.search(product.name):
        return False
    return bool(_CONSUMABLE_STRONG.search(strong_text)) or bool(
        _PACK.search(product.name) and _CONSUMABLE_STRONG.search(product.description)
    )


def replenish_days(product: ProductDoc, quantity: int, history: list[dt.date]) -> int:
    """How long one purchase lasts: the customer's own rhythm, else the description, else a month."""
    if len(history) >= 2:
        gaps = [
            (b - a).days for a, b in zip(history, history[1:], strict=False) if (b - a).days > 0
        ]
        if gaps:
            return int(min(MAX_REPLENISH_DAYS, statistics.median(gaps)))
    match = _EVERY.search(product.description)
    if match:
        raw = match.group(2) or match.group(1)
        n = int(raw) if raw.isdigit() else int(1 if raw.lower() == "a" else parse_number(raw) or 0)
        if n:
            unit = {"day": 1, "week": 7, "month": 30}[match.group(3).lower()]
            pack = _PACK.search(product.name)
            units = int(pack.group(1)) if pack else 1
            return int(min(MAX_REPLENISH_DAYS, n * unit * max(1, units) * max(1, quantity)))
    return DEFAULT_REPLENISH_DAYS * max(1, min(quantity, 3))


def items_for(
    session: Session,
    knowledge: Knowledge,
    customer: Customer,
    today: dt.date,
    conversation_id: str | None,
    remedy: str = "",
) -> list[ProactiveItem]:
    """Everything worth mentioning, most important first (``remedy``: HARK_DELAY_REMEDY)."""
    orders = list(
        session.scalars(
            select(Order)
            .where(Order.customer_id == customer.customer_id)
            .order_by(Order.placed_at.desc(), Order.order_id.desc())
        )
    )
    items: list[ProactiveItem] = []
    items += _late_orders(orders, today, remedy.strip())
    items += _arriving(orders, today)
    cart = _open_cart(session, knowledge, customer)
    if cart:
        items.append(cart)
    replenish = _replenishment(orders, knowledge, today, cart_skus=_cart_skus(session, customer))
    if replenish:
        items.append(replenish)
    items += _unresolved(session, customer, today, conversation_id)
    return items


def _late_orders(orders: list[Order], today: dt.date, remedy: str) -> list[ProactiveItem]:
    """Delayed and overdue orders, said as :mod:`hark.skills.order_state` decides for all skills."""
    out = []
    for order in orders:
        state = state_of(order, today)
        if not state.late:
            continue
        u = Utterance()
        u.say(
            "I'm sorry, your order ",
            digits(order.order_id),
            f" with {items_phrase(order)} {late_words(state)}.",
        )
        u.say(late_sentence(state, today))
        actions: list[dict[str, Any]] = []
        if remedy:
            u.say(remedy_sentence(remedy))
            actions.append({"type": "remedy", "order_id": order.order_id, "offer": remedy})
        out.append(_item("delayed_order", order.order_id, u, actions=actions, remedy=remedy))
    return out


def _arriving(orders: list[Order], today: dt.date) -> list[ProactiveItem]:
    out = []
    for order in orders:
        if order.status not in ("shipped", "processing") or order.eta is None:
            continue
        days = (order.eta - today).days
        if 0 <= days <= ARRIVING_SOON_DAYS:
            u = Utterance()
            u.say(
                "Good news: your order ",
                digits(order.order_id),
                f" with {items_phrase(order)} should arrive {spoken_when(order.eta, today)}.",
            )
            out.append(_item("arriving_soon", order.order_id, u))
    return out


def _cart_skus(session: Session, customer: Customer) -> set[str]:
    carts = session.scalars(
        select(Cart).where(Cart.customer_id == customer.customer_id, Cart.status == "open")
    )
    return {item.sku for cart in carts for item in cart.items}


def _open_cart(session: Session, knowledge: Knowledge, customer: Customer) -> ProactiveItem | None:
    cart = session.scalars(
        select(Cart)
        .where(Cart.customer_id == customer.customer_id, Cart.status == "open")
        .order_by(Cart.updated_at.desc())
    ).first()
    if cart is None:
        return None
    lines = [
        (product, i.quantity)
        for i in cart.items
        if i.quantity > 0 and (product := knowledge.product(i.sku)) is not None
    ]
    if not lines:
        return None
    names = [f"the {p.name}" for p, _ in lines[:2]]
    if len(lines) > 2:
        names.append(f"{len(lines) - 2} more")
    u = Utterance()
    u.say(f"You still have {join_words(names)} in your cart.")
    u.say("Would you like to check out?")
    return _item(
        "open_cart",
        str(cart.id),
        u,
        pending={"kind": "checkout_offer", "data": {}},
        cards=[p.sku for p, _ in lines],
    )


def _replenishment(
    orders: list[Order], knowledge: Knowledge, today: dt.date, cart_skus: set[str]
) -> ProactiveItem | None:
    active = {
        line.sku
        for o in orders
        if o.status in ("processing", "shipped", "delayed")
        for line in o.lines
    }
    history: dict[str, list[tuple[dt.date, int]]] = {}
    for order in orders:
        if order.status != "delivered":
            continue
        for line in order.lines:
            history.setdefault(line.sku, []).append((order.placed_at, line.quantity))
    best: tuple[int, ProductDoc, dt.date] | None = None
    for sku, buys in history.items():
        product = knowledge.product(sku)
        if product is None or not product.in_stock or sku in active or sku in cart_skus:
            continue
        if not is_consumable(product):
            continue
        buys.sort()
        last_date, last_qty = buys[-1]
        due = replenish_days(product, last_qty, [d for d, _ in buys])
        overdue = (today - last_date).days - due
        if overdue < 0 or (today - last_date).days > MAX_REPLENISH_DAYS:
            continue
        if best is None or overdue > best[0]:
            best = (overdue, product, last_date)
    if best is None:
        return None
    _, product, last_date = best
    u = Utterance()
    u.say(f"It's been {_ago(today, last_date)} since you bought the {product.name}.")
    u.say("Would you like me to add another to your cart?")
    return _item(
        "replenish",
        product.sku,
        u,
        pending={"kind": "replenish", "data": {"sku": product.sku}},
        cards=[product.sku],
    )


def _ago(today: dt.date, then: dt.date) -> str:
    days = (today - then).days
    if days < 14:
        return f"{days} days"
    if days < 60:
        return f"about {round(days / 7)} weeks"
    return f"about {round(days / 30)} months"


def _unresolved(
    session: Session, customer: Customer, today: dt.date, conversation_id: str | None
) -> list[ProactiveItem]:
    since = dt.datetime.combine(today - dt.timedelta(days=UNRESOLVED_WITHIN_DAYS), dt.time())
    rows = session.scalars(
        select(Conversation)
        .where(
            Conversation.customer_id == customer.customer_id,
            Conversation.identity == Identity.VERIFIED.value,  # not what a caller ID claimed
            Conversation.resolved.is_(False),
            Conversation.started_at >= since,
        )
        .order_by(Conversation.started_at.desc())
    )
    for conv in rows:
        if conv.id == conversation_id:
            continue
        topic = conv.summary if conv.summary and len(conv.summary.split()) <= 8 else "your question"
        u = Utterance()
        u.say(f"When we spoke recently about {topic}, we didn't get it resolved.")
        u.say("Would you like me to connect you with a person about it now?")
        return [
            _item(
                "unresolved",
                conv.id,
                u,
                pending={
                    "kind": "handoff",
                    "data": {"reason": "unresolved matter", "previous_conversation": conv.id},
                },
            )
        ]
    return []
