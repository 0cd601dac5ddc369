"""Where the cart lives and how an order is numbered and dated.

The cart is in the database (``Cart``/``CartItem``), not in the conversation:
a known customer's open cart follows them across calls and channels (the
proactive greeting can mention it); an anonymous caller's cart belongs to
the conversation until ``identify`` hands it to the customer. Quantities
never exceed stock, so checkout never promises what isn't there.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from typing import Literal, overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from hark.language.speech import Utterance, counted, join_words
from hark.shop.product_words import ProductDoc
from hark.skills.context import TurnContext, remember_fact
from hark.skills.reply import CartLine, CartView
from hark.store.models import Cart, CartItem, Order, utcnow

DEFAULT_SHIPPING_DAYS = 5


@overload
def get_cart(ctx: TurnContext, create: Literal[True]) -> Cart: ...
@overload
def get_cart(ctx: TurnContext, create: bool = False) -> Cart | None: ...
def get_cart(ctx: TurnContext, create: bool = False) -> Cart | None:
    """The caller's open cart: the customer's own, else this conversation's."""
    session = ctx.session
    cart = None
    if ctx.state.cart_id is not None:
        cart = session.get(Cart, ctx.state.cart_id)
        if cart is not None and (cart.status != "open" or not _belongs(ctx, cart)):
            cart = None
    if cart is None and ctx.customer is not None:
        cart = session.scalars(
            select(Cart)
            .where(Cart.customer_id == ctx.customer.customer_id, Cart.status == "open")
            .order_by(Cart.updated_at.desc(), Cart.id.desc())
        ).first()
    if cart is None and ctx.customer is None:
        cart = session.scalars(
            select(Cart).where(Cart.conversation_id == ctx.conversation.id, Cart.status == "open")
        ).first()
    if cart is None and create:
        cart = Cart(
            customer_id=ctx.customer.customer_id if ctx.customer else None,
            conversation_id=ctx.conversation.id,
            status="open",
        )
        session.add(cart)
        session.flush()
    ctx.state.cart_id = cart.id if cart is not None else None
    return cart


def merge_guest_cart(session: Session, conversation_id: str, customer_id: str) -> None:
    """Hand the conversation's anonymous cart to the customer just identified.

    It becomes theirs, or, when they already have an open cart, its items are
    added to that one, so nothing the caller picked before saying who they are
    is lost.
    """
    guest = session.scalars(
        select(Cart).where(
            Cart.conversation_id == conversation_id,
            Cart.customer_id.is_(None),
            Cart.status == "open",
        )
    ).first()
    if guest is None:
        return
    own = session.scalars(
        select(Cart).where(Cart.customer_id == customer_id, Cart.status == "open")
    ).first()
    if own is None:
        guest.customer_id = customer_id
        return
    for item in list(guest.items):
        mine = next((i for i in own.items if i.sku == item.sku), None)
        if mine is None:
            own.items.append(CartItem(sku=item.sku, quantity=item.quantity))
        else:
            mine.quantity += item.quantity
    session.delete(guest)


def _belongs(ctx: TurnContext, cart: Cart) -> bool:
    if ctx.customer is not None:
        return cart.customer_id == ctx.customer.customer_id
    return cart.conversation_id == ctx.conversation.id and cart.customer_id is None


def cart_lines(ctx: TurnContext, cart: Cart | None) -> list[tuple[ProductDoc, int]]:
    if cart is None:
        return []
    lines = []
    for item in cart.items:
        product = ctx.knowledge.product(item.sku)
        if product is not None and item.quantity > 0:
            lines.append((product, item.quantity))
    return lines


def cart_total(lines: list[tuple[ProductDoc, int]]) -> Decimal:
    return sum((Decimal(str(p.price)) * q for p, q in lines), Decimal("0")).quantize(
        Decimal("0.01")
    )


def cart_view(ctx: TurnContext) -> CartView | None:
    """The caller's open cart for screens (``None`` when they have none)."""
    cart = get_cart(ctx)
    if cart is None:
        return None
    lines = cart_lines(ctx, cart)
    return CartView(
        lines=tuple(CartLine(p.sku, p.name, round(p.price, 2), q, p.image_url) for p, q in lines),
        total=float(cart_total(lines)),
        currency=ctx.currency,
    )


def lines_phrase(lines: list[tuple[ProductDoc, int]]) -> str:
    return join_words([counted(q, p.name) for p, q in lines])


def cart_summary(ctx: TurnContext, lines: list[tuple[ProductDoc, int]]) -> Utterance:
    u = Utterance()
    if not lines:
        return u.say("Your cart is empty.")
    u.say(f"Your cart has {lines_phrase(lines)}.")
    u.say(f"The total is {ctx.price(float(cart_total(lines)))}.")
    return u


def add_item(ctx: TurnContext, product: ProductDoc, quantity: int) -> tuple[int, str | None]:
    """Adds up to what's in stock; returns (quantity now in cart, problem or None)."""
    if product.stock <= 0:
        return 0, "out_of_stock"
    cart = get_cart(ctx, create=True)
    item = next((i for i in cart.items if i.sku == product.sku), None)
    current = item.quantity if item else 0
    wanted = current + max(1, quantity)
    problem = None
    if wanted > product.stock:
        wanted, problem = product.stock, "limited"
    if item is None:
        cart.items.append(CartItem(sku=product.sku, quantity=wanted))
    else:
        item.quantity = wanted
    cart.updated_at = utcnow()
    ctx.session.flush()
    remember_fact(ctx.state, "cart", product.sku)
    return wanted, problem


def set_quantity(ctx: TurnContext, product: ProductDoc, quantity: int) -> tuple[int, str | None]:
    cart = get_cart(ctx)
    item = next((i for i in cart.items if i.sku == product.sku), None) if cart else None
    if cart is None or item is None:
        if quantity <= 0:
            return 0, None
        return add_item(ctx, product, quantity)
    problem = None
    if quantity <= 0:
        cart.items.remove(item)
        quantity = 0
    else:
        if quantity > product.stock:
            quantity, problem = product.stock, "limited"
        item.quantity = quantity
    cart.updated_at = utcnow()
    ctx.session.flush()
    return quantity, problem


def next_order_id(ctx: TurnContext) -> str:
    """Continue the shop's own numbering ("7002" -> next number; "ORD-0042" -> "ORD-0043")."""
    ids = list(ctx.session.scalars(select(Order.order_id)))
    patterns: Counter[tuple[str, int]] = Counter()
    highest: dict[tuple[str, int], int] = {}
    for order_id in ids:
        match = re.fullmatch(r"(\D*?)(\d+)", order_id)
        if match:
            key = (match.group(1), len(match.group(2)))
            patterns[key] += 1
            highest[key] = max(highest.get(key, 0), int(match.group(2)))
    prefix, width = patterns.most_common(1)[0][0] if patterns else ("", 4)
    number = highest.get((prefix, width), 1000) + 1
    existing = set(ids)
    while True:
        candidate = f"{prefix}{number:0{width}d}"
        if candidate not in existing:
            return candidate
        number += 1


def shipping_days(ctx: TurnContext) -> int:
    """Business days to delivery, from the shop's own shipping FAQ when it says ("3 to 5 business days")."""
    entry = ctx.knowledge.faq.find("ship", "long")
    if entry is not None:
        match = re.search(r"(\d+)\s*(?:to|-|–)\s*(\d+)\s*business days", entry.answer)
        single = re.search(r"(\d+)\s*business days", entry.answer)
        if match:
            return int(match.group(2))
        if single:
            return int(single.group(1))
    return DEFAULT_SHIPPING_DAYS


def add_business_days(day: dt.date, days: int) -> dt.date:
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
