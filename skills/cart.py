"""The cart, checkout and the one cross-sell after an add.

The cart lives in the database (``Cart``/``CartItem``), not in the
conversation: a known customer's open cart follows them across calls and
channels (the proactive greeting can mention it); an anonymous caller's
cart is tied to the conversation. Checkout needs an identified customer
(payment is on file) and an explicit "yes" to the read-back total.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from hark.dialogue.reply import Action
from hark.dialogue.search import ProductDoc, head_noun
from hark.dialogue.speech import Utterance, digits, join_words, number_words, spoken_when
from hark.dialogue.state import Pending
from hark.skills.base import SkillReply, TurnContext, card, remember_fact
from hark.store.models import Cart, CartItem, Order, OrderLine, Product, utcnow

DEFAULT_SHIPPING_DAYS = 5


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
    return sum((Decimal(str(p.price)) * q for p, q in lines), Decimal("0")).quantize(Decimal("0.01"))


def lines_phrase(lines: list[tuple[ProductDoc, int]]) -> str:
    return join_words([f"the {p.name}" if q == 1 else f"{number_words(q)} {p.name}" for p, q in lines])


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
    if item is None:
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


# --- checkout -------------------------------------------------------------------
def checkout(ctx: TurnContext) -> SkillReply:
    cart = get_cart(ctx)
    lines = cart_lines(ctx, cart)
    if not lines:
        return SkillReply.of("checkout", "Your cart is empty. What would you like to buy?")
    if ctx.customer is None:
        reply = SkillReply(intent="checkout")
        reply.say.extend(cart_summary(ctx, lines))
        reply.say.say("To place an order, I need to know it's you, so I can use the payment on file.")
        reply.say.say("Please sign in to your account, or call from the phone number on it, "
                      "and I'll place the order right away.")
        return reply
    reply = SkillReply(intent="checkout")
    reply.say.extend(cart_summary(ctx, lines))
    reply.say.say("Shall I place the order with the payment method on file?")
    reply.pending = Pending("checkout", {"total": str(cart_total(lines))})
    return reply


def confirm_checkout(ctx: TurnContext) -> SkillReply:
    if ctx.customer is None:
        return checkout(ctx)
    cart = get_cart(ctx)
    lines = cart_lines(ctx, cart)
    if not lines:
        return SkillReply.of("checkout", "Your cart is empty, so there's nothing to order.")
    sold_out = [p for p, q in lines if p.stock < q]
    if sold_out:
        return SkillReply.of(
            "checkout",
            f"Sorry, we no longer have enough of {join_words(['the ' + p.name for p in sold_out])}.",
            "Would you like to change the quantity or remove it?",
        )
    order = Order(
        order_id=next_order_id(ctx),
        customer_id=ctx.customer.customer_id,
        status="processing",
        placed_at=ctx.today,
        eta=add_business_days(ctx.today, shipping_days(ctx)),
    )
    for product, quantity in lines:
        order.lines.append(OrderLine(sku=product.sku, quantity=quantity))
        row = ctx.session.get(Product, product.sku)
        if row is not None:
            row.stock = max(0, int(row.stock) - quantity)
    ctx.session.add(order)
    cart.status = "ordered"
    ctx.session.flush()
    ctx.state.cart_id = None
    ctx.state.focus_order_id = order.order_id
    remember_fact(ctx.state, "orders", order.order_id)
    total = cart_total(lines)
    reply = SkillReply(intent="checkout")
    reply.say.say("Your order is placed. The order number is ", digits(order.order_id), ".")
    reply.say.say(f"The total of {ctx.price(float(total))} goes on the payment method on file.")
    reply.say.say(f"It should arrive by {spoken_when(order.eta, ctx.today)}.")
    reply.actions.append(Action("order_placed", {
        "order_id": order.order_id, "total": float(total), "eta": order.eta.isoformat(),
        "lines": [{"sku": p.sku, "quantity": q} for p, q in lines],
    }))
    reply.cards = [card(p) for p, _ in lines]
    return reply


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


# --- cross-sell -------------------------------------------------------------------
def pick_cross_sell(ctx: TurnContext, added: ProductDoc) -> tuple[ProductDoc, str] | None:
    """One complementary product: bought together before, else made to go with it."""
    state = ctx.state
    if state.cross_sell_declined:
        return None
    in_cart = {p.sku for p, _ in cart_lines(ctx, get_cart(ctx))}
    added_head = head_noun(added.name)

    def eligible(p: ProductDoc | None) -> bool:
        return (
            p is not None and p.sku != added.sku and p.in_stock and p.sku not in in_cart
            and p.sku not in state.cross_sell_offered and head_noun(p.name) != added_head
        )

    for sku, _count in ctx.knowledge.co_purchase.get(added.sku, Counter()).most_common(5):
        product = ctx.knowledge.product(sku)
        if eligible(product) and not _substitute(product, added):
            return product, "bought_together"
    # No purchase history: an accessory whose own text says it goes with this one
    # ("a case that fits most over-ear headphones", "replacement heads for the toothbrush").
    if added_head:
        fits = re.compile(
            rf"\b(?:fits?|for|compatible with|works with|replacement|made for)\b(?:\W+[\w-]+){{0,4}}?"
            rf"\W+{re.escape(added_head)}(?:e?s)?\b"
        )
        accessories = [p for p in ctx.knowledge.products.values()
                       if eligible(p) and fits.search(f"{p.name} {p.description}".lower())]
        if accessories:
            return _most_popular(ctx, accessories, added), "goes_with"
    # Else an add-on from the same category: much cheaper, related but not a substitute.
    added_tags = {t.lower() for t in added.tags}
    addons = []
    for p in ctx.knowledge.products.values():
        if not eligible(p) or p.category != added.category or p.price > 0.6 * added.price:
            continue
        shared = added_tags & {t.lower() for t in p.tags}
        if shared and not _substitute(p, added):
            addons.append(p)
    if addons:
        return _most_popular(ctx, addons, added), "goes_with"
    return None


def _substitute(product: ProductDoc, added: ProductDoc) -> bool:
    """Same kind of thing (a second mug for a mug): not a cross-sell."""
    if head_noun(product.name) == head_noun(added.name):
        return True
    a = {t.lower() for t in added.tags}
    b = {t.lower() for t in product.tags}
    return bool(a and b) and len(a & b) / min(len(a), len(b)) > 0.4


def _most_popular(ctx: TurnContext, products: list[ProductDoc], added: ProductDoc) -> ProductDoc:
    added_tags = {t.lower() for t in added.tags}
    return max(products, key=lambda p: (ctx.knowledge.popularity.get(p.sku, 0),
                                        len(added_tags & {t.lower() for t in p.tags}), -p.price))


def offer_cross_sell(ctx: TurnContext, reply: SkillReply, added: ProductDoc) -> None:
    picked = pick_cross_sell(ctx, added)
    if picked is None:
        return
    product, why = picked
    ctx.state.cross_sell_offered.append(product.sku)
    if why == "bought_together":
        reply.say.say(f"Customers who buy the {added.name} often add the {product.name}, "
                      f"for {ctx.price(product.price)}.")
    else:
        reply.say.say(f"It goes well with the {product.name}, for {ctx.price(product.price)}.")
    reply.say.say("Would you like me to add that too?")
    reply.cards.append(card(product))
    reply.pending = Pending("cross_sell", {"sku": product.sku})
