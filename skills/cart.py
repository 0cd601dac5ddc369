"""Cart talk and checkout: add, remove, change, read back, and place the order.

Checkout needs a verified customer (payment is on file) and an explicit
"yes" to the read-back total; an anonymous caller hears how to identify, a
claimed one is asked for the phone number or e-mail on file.
The order continues the shop's own numbering, is dated from today, and
takes the stock it sells.
"""

from __future__ import annotations

import re

from hark.language.speech import counted, digits, join_words, number_words, spoken_when
from hark.shop.product_words import ProductDoc
from hark.shop.search import SearchQuery
from hark.skills.cart_store import (
    add_business_days,
    add_item,
    cart_lines,
    cart_summary,
    cart_total,
    get_cart,
    next_order_id,
    set_quantity,
    shipping_days,
)
from hark.skills.context import SkillReply, TurnContext, card, remember_fact
from hark.skills.cross_sell import offer_cross_sell
from hark.skills.identity import Permission
from hark.skills.intent import Intent
from hark.skills.notices.watch import note_sold_out
from hark.skills.reply import Action
from hark.skills.sales import (
    MENTION_SCORE,
    by_ordinal,
    focus,
    product_search,
    resolve_product,
    word_stems,
)
from hark.skills.state import Pending
from hark.skills.verification import ask_to_verify
from hark.store.models import Order, OrderLine, Product


# --- checkout -------------------------------------------------------------------
def checkout(ctx: TurnContext) -> SkillReply:
    cart = get_cart(ctx)
    lines = cart_lines(ctx, cart)
    if not lines:
        return SkillReply.of(Intent.CHECKOUT, "Your cart is empty. What would you like to buy?")
    if not ctx.may(Permission.CHECKOUT):
        reply = SkillReply(intent=Intent.CHECKOUT)
        reply.say.extend(cart_summary(ctx, lines))
        if ctx.claimed is not None or ctx.customer is not None:  # a claim, or a text thread
            ask = ask_to_verify(ctx, "checkout", intent=Intent.CHECKOUT)
            reply.say.extend(ask.say)
            reply.pending, reply.handled = ask.pending, False
            return reply
        reply.say.say(
            "To place an order, I need to know it's you, so I can use the payment on file."
        )
        reply.say.say(
            "Please sign in to your account, or call from the phone number on it, "
            "and I'll place the order right away."
        )
        return reply
    reply = SkillReply(intent=Intent.CHECKOUT)
    reply.say.extend(cart_summary(ctx, lines))
    reply.say.say("Shall I place the order with the payment method on file?")
    reply.pending = Pending("checkout", {"total": str(cart_total(lines))})
    return reply


def confirm_checkout(ctx: TurnContext) -> SkillReply:
    if not ctx.may(Permission.CHECKOUT) or ctx.customer is None:
        return checkout(ctx)
    cart = get_cart(ctx)
    lines = cart_lines(ctx, cart)
    if cart is None or not lines:
        return SkillReply.of(Intent.CHECKOUT, "Your cart is empty, so there's nothing to order.")
    sold_out = [p for p, q in lines if p.stock < q]
    if sold_out:
        return SkillReply.of(
            Intent.CHECKOUT,
            f"Sorry, we no longer have enough of {join_words(['the ' + p.name for p in sold_out])}.",
            "Would you like to change the quantity or remove it?",
        )
    eta = add_business_days(ctx.today, shipping_days(ctx))
    order = Order(
        order_id=next_order_id(ctx),
        customer_id=ctx.customer.customer_id,
        status="processing",
        placed_at=ctx.today,
        eta=eta,
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
    ctx.state.proof_for = None  # a proof given for an action is used up by it
    ctx.state.focus_order_id = order.order_id
    remember_fact(ctx.state, "orders", order.order_id)
    total = cart_total(lines)
    reply = SkillReply(intent=Intent.CHECKOUT)
    reply.say.say("Your order is placed. The order number is ", digits(order.order_id), ".")
    reply.say.say(f"The total of {ctx.price(float(total))} goes on the payment method on file.")
    reply.say.say(f"It should arrive by {spoken_when(eta, ctx.today)}.")
    reply.actions.append(
        Action(
            "order_placed",
            {
                "order_id": order.order_id,
                "total": float(total),
                "eta": eta.isoformat(),
                "lines": [{"sku": p.sku, "quantity": q} for p, q in lines],
            },
        )
    )
    reply.cards = [card(p) for p, _ in lines]
    return reply


# --- talking about the cart ---------------------------------------------------
# --- cart ---------------------------------------------------------------------------
def add_to_cart(
    ctx: TurnContext, product: ProductDoc | None = None, quantity: int | None = None
) -> SkillReply:
    product = product or resolve_product(ctx) or single_clear_match(ctx)
    if product is None:
        if ctx.entities.keywords:
            return product_search(ctx)
        return SkillReply.of(Intent.ADD_TO_CART, "What would you like to add?", handled=False)
    quantity = quantity or ctx.entities.quantity or 1
    focus(ctx, product)
    reply = SkillReply(intent=Intent.ADD_TO_CART, cards=[card(product)])
    now, problem = add_item(ctx, product, quantity)
    if problem == "out_of_stock":
        reply.say.say(f"Sorry, the {product.name} is out of stock right now.")
        note_sold_out(ctx, product)
        return reply
    if problem == "limited":
        reply.say.say(
            f"We only have {number_words(product.stock)} of the {product.name}, "
            f"so your cart now has {number_words(now)}."
        )
    else:
        what = counted(quantity, product.name)
        reply.say.say(f"I've added {what} to your cart.")
    lines = cart_lines(ctx, get_cart(ctx))
    reply.say.say(f"Your total is {ctx.price(float(cart_total(lines)))}.")
    offer_cross_sell(ctx, reply, product)
    if reply.pending is None:
        reply.say.say("Anything else, or shall we check out?")
    return reply


def single_clear_match(ctx: TurnContext) -> ProductDoc | None:
    """ "Add the potting soil": one product clearly fits the words, so no need to ask."""
    if not ctx.entities.keywords:
        return None
    outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text, limit=3))
    hits = outcome.hits
    if outcome.exact and hits and (len(hits) == 1 or hits[0].score > 1.3 * hits[1].score):
        return hits[0].product
    return None


#: A mention this sure names a product (as in ``sales.resolve_product``), in the cart or not.
NAMED_OTHER = 0.6
#: Replies that read out a list of products ("the first one" then means one of those).
_LISTINGS = frozenset({Intent.PRODUCT_SEARCH.value, Intent.REFINE_SEARCH.value})


def _cart_target(ctx: TurnContext, lines: list[tuple[ProductDoc, int]]) -> ProductDoc | None:
    """The cart line a cart edit is about: one named, one counted ("the second one": in the
    list just offered if that product is in the cart, else in the cart's own order), the
    product in focus, or the only line. A product named or counted that is not in the cart
    is never swapped for another line ("take the tuner out" never removes the strings)."""
    in_cart = {p.sku: p for p, _ in lines}
    for sku, score in ctx.entities.products:
        if sku in in_cart and score >= 0.55:
            return in_cart[sku]
    ordinal = ctx.entities.ordinal
    if ordinal is not None:
        # the list the caller heard last: the products just offered, else the cart itself
        offered = by_ordinal(ctx) if ctx.state.last_intent in _LISTINGS else None
        if offered is not None and offered.sku in in_cart:
            return offered
        index = len(lines) - 1 if ordinal == -1 else ordinal - 1
        return lines[index][0] if 0 <= index < len(lines) else None
    if any(score >= NAMED_OTHER for _, score in ctx.entities.products):
        return None  # they named something that is not in the cart
    by_words = _line_by_words(ctx, in_cart)
    if by_words is not None:
        return by_words  # "take the wipers out": the words the matcher half-knew
    if ctx.state.focus_sku in in_cart and (ctx.entities.pronoun_ref or not ctx.entities.products):
        return in_cart[ctx.state.focus_sku]
    if len(lines) == 1:
        return lines[0][0]
    return None


def _line_by_words(ctx: TurnContext, in_cart: dict[str, ProductDoc]) -> ProductDoc | None:
    """The one cart line whose name, tags or category hold the turn's content words, stem for
    stem ("the wipers" for the wiper blades, "two more mitts" for the wash mitt).

    Why: the product matcher scores a plural or a tag word low, and with no product mention
    the focus would be taken: "take the wipers out" said after adding the screen wash would
    remove the screen wash. Only the cart's own lines compete, so one shared word decides."""
    said = word_stems(" ".join(ctx.entities.keywords))
    if not said or not in_cart:
        return None
    shared = {sku: _shared(said, p) for sku, p in in_cart.items()}
    best = max(shared.values())
    winners = [sku for sku, n in shared.items() if n == best]
    return in_cart[winners[0]] if any(best) and len(winners) == 1 else None


def _shared(said: set[str], product: ProductDoc) -> tuple[int, int, int]:
    """Words shared with the product's name, then its tags, then its category: a word of
    the name says more ("wipers" is the wiper blades, not the screen wash filed under wipers)."""
    return (
        len(said & word_stems(product.name)),
        len(said & word_stems(" ".join(product.tags))),
        len(said & word_stems(product.category)),
    )


#: "Empty my cart", "take everything out": the removal is of the whole cart.
_WHOLE_CART = re.compile(r"\b(cart|basket|everything|all of (it|them)|the lot)\b")
#: "Remove one of the toasters", "take one off": a count taken off a line, not the line.
_SOME_OF = re.compile(r"\b(\d+|a|an) (of (the|them|those|these)|(\w+ ){0,3}?(off|out)\b)")


def remove_from_cart(ctx: TurnContext) -> SkillReply:
    lines = cart_lines(ctx, get_cart(ctx))
    if not lines:
        return SkillReply.of(Intent.REMOVE_FROM_CART, "Your cart is already empty.")
    named = any(score >= MENTION_SCORE for _, score in ctx.entities.products)
    if not named and ctx.entities.ordinal is None and _WHOLE_CART.search(ctx.words):
        for line, _ in lines:
            set_quantity(ctx, line, 0)
        return SkillReply.of(Intent.REMOVE_FROM_CART, "Okay, I've emptied your cart.")
    product = _cart_target(ctx, lines)
    have = dict((p.sku, q) for p, q in lines)
    fewer = ctx.entities.quantity if _SOME_OF.search(ctx.words) else None
    if product is not None and fewer is not None and 0 < fewer < have[product.sku]:
        return _set_to(ctx, product, have[product.sku] - fewer)  # "take one off": one less
    if product is None:
        names = join_words([f"the {p.name}" for p, _ in lines], "or")
        return SkillReply.of(
            Intent.REMOVE_FROM_CART, f"Which should I remove: {names}?", handled=False
        )
    set_quantity(ctx, product, 0)
    reply = SkillReply(intent=Intent.REMOVE_FROM_CART)
    reply.say.say(f"I've removed the {product.name}.")
    reply.say.extend(cart_summary(ctx, cart_lines(ctx, get_cart(ctx))))
    return reply


#: "1 more", "two extra", "another": a number added to the cart's, not the new total.
_MORE = re.compile(
    r"\b(\d+|a|an|one) ((couple|pair) )?(more|extra)\b(?! (thing|question|time|favou?r))"
    r"|\banother\b(?! (thing|question|time|favou?r))"
)


def _count(ctx: TurnContext) -> int | None:
    """How many, in a turn that changes a quantity: the count the entities read, else the one
    number said ("make the chair 2", "make that one"), when no price or order id took it."""
    e = ctx.entities
    if e.quantity is not None:
        return e.quantity
    if e.price_min is not None or e.price_max is not None or e.order_id:
        return None
    counts = [int(n) for n in e.numbers if n.is_integer() and 1 <= n <= 999]
    if len(counts) == 1 and len(e.numbers) == 1:
        return counts[0]
    if not e.numbers and ctx.words.split()[-1:] == ["one"]:
        return 1  # "make that one": the count, said last (not "that one" pointing back)
    if not e.numbers and (_MORE.search(ctx.words) or _FEWER.search(ctx.words)):
        return 1  # "add another", "knock one off": one, said as a word that is no digit
    return None


#: "One less headlamp", "two fewer": a number taken off the cart's, not the new total.
_FEWER = re.compile(r"\b(\d+|a|an) (less|fewer)\b|\b(\d+|one) off\b")


def more_of_the_last(ctx: TurnContext) -> bool:
    """ "And a couple more", "two extra please" right after an add: more of what was just
    added (a turn that names no other product)."""
    if ctx.state.last_intent not in (Intent.ADD_TO_CART.value, Intent.CHANGE_QUANTITY.value):
        return False
    if not _MORE.search(ctx.words) or any(
        s != ctx.state.focus_sku for s, _ in ctx.entities.products
    ):
        return False
    return any(p.sku == ctx.state.focus_sku for p, _ in cart_lines(ctx, get_cart(ctx)))


def fewer_in_cart(ctx: TurnContext) -> bool:
    """ "One less headlamp": a count taken off a line of the caller's cart."""
    return bool(_FEWER.search(ctx.words)) and bool(cart_lines(ctx, get_cart(ctx)))


#: "Double that", "triple it": the line's quantity times two or three.
_TIMES = {"double": 2, "triple": 3}


def change_quantity(ctx: TurnContext) -> SkillReply:
    quantity = _count(ctx)
    lines = cart_lines(ctx, get_cart(ctx))
    factor = next((f for w, f in _TIMES.items() if w in ctx.words.split()), None)
    if quantity is None and factor is not None and lines:
        product = _cart_target(ctx, lines)
        if product is not None:
            return _set_to(ctx, product, dict((p.sku, q) for p, q in lines)[product.sku] * factor)
    if quantity is None:
        return SkillReply.of(Intent.CHANGE_QUANTITY, "How many would you like?", handled=False)
    if not lines:
        product = resolve_product(ctx)
        if product is not None:
            return add_to_cart(ctx, product, quantity)
        return SkillReply.of(
            Intent.CHANGE_QUANTITY, "Your cart is empty. What would you like to add?"
        )
    product = _cart_target(ctx, lines)
    if product is None:
        names = join_words([f"the {p.name}" for p, _ in lines], "or")
        return SkillReply.of(Intent.CHANGE_QUANTITY, f"Which item: {names}?", handled=False)
    if _MORE.search(ctx.words):
        return add_to_cart(ctx, product, quantity)  # "one more of those": on top of what's there
    if _FEWER.search(ctx.words):
        return _set_to(ctx, product, dict((p.sku, q) for p, q in lines)[product.sku] - quantity)
    return _set_to(ctx, product, quantity)


def _set_to(ctx: TurnContext, product: ProductDoc, quantity: int) -> SkillReply:
    """The line's new quantity, said back with the cart's total."""
    now, problem = set_quantity(ctx, product, quantity)
    focus(ctx, product)
    reply = SkillReply(intent=Intent.CHANGE_QUANTITY)
    if now == 0:
        reply.say.say(f"I've removed the {product.name}.")
    elif problem == "limited":
        reply.say.say(
            f"We only have {number_words(now)} of the {product.name}, so that's what's in your cart."
        )
    else:
        reply.say.say(f"Okay, {number_words(now)} of the {product.name}.")
    lines = cart_lines(ctx, get_cart(ctx))
    if len(lines) > 1 or now == 0:
        reply.say.extend(cart_summary(ctx, lines))
    else:
        reply.say.say(f"The total is {ctx.price(float(cart_total(lines)))}.")
    return reply


def view_cart(ctx: TurnContext) -> SkillReply:
    lines = cart_lines(ctx, get_cart(ctx))
    reply = SkillReply(intent=Intent.VIEW_CART, say=cart_summary(ctx, lines))
    reply.cards = [card(p) for p, _ in lines]
    if lines:
        reply.say.say("Would you like to check out?")
        reply.pending = Pending("checkout_offer")
    return reply
