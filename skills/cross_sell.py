"""One relevant cross-sell after an add to cart, and never again after a "no".

Complementary, not similar: first what other customers bought in the same
order (co-purchase history), else an accessory whose own text says it goes
with the product ("a case that fits most over-ear headphones"), else a much
cheaper add-on from the same category. Substitutes (a second mug for a mug)
are never offered.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TypeGuard

from hark.shop.product_words import ProductDoc, head_noun
from hark.skills.cart_store import cart_lines, get_cart
from hark.skills.context import SkillReply, TurnContext, card
from hark.skills.state import Pending


# --- cross-sell -------------------------------------------------------------------
def pick_cross_sell(ctx: TurnContext, added: ProductDoc) -> tuple[ProductDoc, str] | None:
    """One complementary product: bought together before, else made to go with it."""
    state = ctx.state
    if state.cross_sell_declined:
        return None
    in_cart = {p.sku for p, _ in cart_lines(ctx, get_cart(ctx))}
    added_head = head_noun(added.name)

    def eligible(p: ProductDoc | None) -> TypeGuard[ProductDoc]:
        return (
            p is not None
            and p.sku != added.sku
            and p.in_stock
            and p.sku not in in_cart
            and p.sku not in state.cross_sell_offered
            and head_noun(p.name) != added_head
        )

    others = [p.name.lower() for p in ctx.knowledge.products.values() if p.sku != added.sku]

    def for_another(p: ProductDoc) -> bool:
        """ "Filters for the Cordless Stick Vacuum" are not for the robot vacuum."""
        text = f"{p.name} {p.description}".lower().replace(p.name.lower(), "")
        return added.name.lower() not in text and any(name in text for name in others)

    for sku, _count in ctx.knowledge.co_purchase.get(added.sku, Counter()).most_common(5):
        product = ctx.knowledge.product(sku)
        if eligible(product) and not _substitute(product, added) and _add_on_price(product, added):
            return product, "bought_together"
    # No purchase history: an accessory whose own text says it goes with this one
    # ("a case that fits most over-ear headphones", "replacement heads for the toothbrush").
    if added_head:
        fits = re.compile(
            rf"\b(?:fits?|for|compatible with|works with|replacement|made for)\b(?:\W+[\w-]+){{0,4}}?"
            rf"\W+{re.escape(added_head)}(?:e?s)?\b"
        )
        accessories = [
            p
            for p in ctx.knowledge.products.values()
            if eligible(p)
            and fits.search(f"{p.name} {p.description}".lower())
            and not for_another(p)
        ]
        if accessories:
            return _most_popular(ctx, accessories, added), "goes_with"
    # Else an add-on from the same category: much cheaper, related but not a substitute.
    added_tags = {t.lower() for t in added.tags}
    addons = []
    for p in ctx.knowledge.products.values():
        if not eligible(p) or p.category != added.category or p.price > 0.6 * added.price:
            continue
        shared = added_tags & {t.lower() for t in p.tags}
        if shared and not _substitute(p, added) and not for_another(p):
            addons.append(p)
    if addons:
        return _most_popular(ctx, addons, added), "goes_with"
    return None


def _add_on_price(product: ProductDoc, added: ProductDoc) -> bool:
    """An add-on costs about as much as what was added, or less: a 12-dollar screen
    protector doesn't earn a pitch for the 899-dollar laptop someone once bought with it."""
    return product.price <= max(2 * added.price, added.price + 30)


def _substitute(product: ProductDoc, added: ProductDoc) -> bool:
    """Same kind of thing (a second mug for a mug): not a cross-sell."""
    if head_noun(product.name) == head_noun(added.name):
        return True
    a = {t.lower() for t in added.tags}
    b = {t.lower() for t in product.tags}
    return bool(a and b) and len(a & b) / min(len(a), len(b)) > 0.4


def _most_popular(ctx: TurnContext, products: list[ProductDoc], added: ProductDoc) -> ProductDoc:
    added_tags = {t.lower() for t in added.tags}
    return max(
        products,
        key=lambda p: (
            ctx.knowledge.popularity.get(p.sku, 0),
            len(added_tags & {t.lower() for t in p.tags}),
            -p.price,
        ),
    )


def offer_cross_sell(ctx: TurnContext, reply: SkillReply, added: ProductDoc) -> None:
    picked = pick_cross_sell(ctx, added)
    if picked is None:
        return
    product, why = picked
    ctx.state.cross_sell_offered.append(product.sku)
    if why == "bought_together":
        reply.say.say(
            f"Customers who buy the {added.name} often add the {product.name}, "
            f"for {ctx.price(product.price)}."
        )
    else:
        reply.say.say(f"It goes well with the {product.name}, for {ctx.price(product.price)}.")
    reply.say.say("Would you like me to add that too?")
    reply.cards.append(card(product))
    reply.pending = Pending("cross_sell", {"sku": product.sku})
