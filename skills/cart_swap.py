"""A caller correcting what they just chose: "I want the dog hammock one instead", "actually
the front and rear one".

Why this exists: such a turn names a product and reads, to a classifier, as a quantity
change or a removal ("How many would you like?"), while the caller means one thing: take
what I just chose off, and put this one in its place. A correction marker ("instead",
"swap", "rather"; or, for a product of the same kind, a turn that opens with "actually",
"no", "sorry", "scratch that") and a product named that is not in the cart are what
make it one; the line replaced is the one just added (the product in focus), else the only
line of that kind. When nothing was put in the cart yet but products were just offered,
the correction is a choice among them, and the product named is added.
"""

from __future__ import annotations

import re

from hark.shop.product_words import ProductDoc
from hark.skills.cart_store import cart_lines, cart_total, get_cart, set_quantity
from hark.skills.context import SkillReply, TurnContext, card
from hark.skills.intent import Intent
from hark.skills.sales import focus, mentioned

#: Words that replace one choice with another, whatever the product.
_INSTEAD = re.compile(
    r"\b(instead|rather|swap|switch|exchange|replace)\b|\bchange (it|that|this) (to|for)\b"
)
#: A turn that opens by taking back what was just said: a correction when it names a product
#: of the same kind as the one just chosen ("actually the blue one").
_TAKE_BACK = re.compile(
    r"^(actually|no|nope|sorry|wait|oh|hmm|um|scratch that|on second thought|make that|"
    r"i meant|i mean)\b"
)
#: Replies after which "the X instead" chooses among what was offered.
_OFFERED = frozenset({Intent.PRODUCT_SEARCH.value, Intent.REFINE_SEARCH.value})
#: How sure a product mention must be to be the replacement (``sales.mentioned``'s scale).
NAMED_MIN = 0.6


def swap_in_cart(ctx: TurnContext) -> SkillReply | None:
    """The correction's reply, or None when the turn is not a correction of a choice."""
    words = ctx.nlu.text or ""
    instead = bool(_INSTEAD.search(words))
    if not instead and not _TAKE_BACK.match(words):
        return None
    chosen = mentioned(ctx, NAMED_MIN)
    if chosen is None or not chosen.in_stock:
        return None  # nothing named, or nothing to put in its place (the search says so)
    lines = cart_lines(ctx, get_cart(ctx))
    have = {p.sku: q for p, q in lines}
    if chosen.sku in have:
        return None  # already there: a quantity or removal matter, not a swap
    old = _replaced(ctx, lines, chosen, instead)
    if old is None:
        if not lines and instead and ctx.state.last_intent in _OFFERED:
            return _add(ctx, chosen, ctx.entities.quantity or 1, None)
        return None
    quantity = ctx.entities.quantity or have[old.sku]
    set_quantity(ctx, old, 0)
    return _add(ctx, chosen, quantity, old)


def _replaced(
    ctx: TurnContext, lines: list[tuple[ProductDoc, int]], chosen: ProductDoc, instead: bool
) -> ProductDoc | None:
    """The line the correction takes back: the product just chosen, else the only line of the
    same kind. Without "instead" only a product of the same kind corrects a choice ("actually
    the toaster" after the kettle may be a second thing wanted)."""
    just_added = ctx.state.last_intent in (Intent.ADD_TO_CART.value, Intent.CHANGE_QUANTITY.value)
    in_cart = {p.sku: p for p, _ in lines}
    focus_line = in_cart.get(ctx.state.focus_sku or "")
    if (
        focus_line is not None
        and just_added
        and (instead or focus_line.category == chosen.category)
    ):
        return focus_line
    same_kind = [p for p, _ in lines if p.category == chosen.category]
    if len(same_kind) == 1:
        return same_kind[0]
    if instead and len(lines) == 1:
        return lines[0][0]
    return None


def _add(
    ctx: TurnContext, product: ProductDoc, quantity: int, old: ProductDoc | None
) -> SkillReply:
    """Put the new choice in (imported here: ``cart`` dispatches to this module)."""
    from hark.skills.cart import add_to_cart

    reply = add_to_cart(ctx, product, quantity)
    focus(ctx, product)
    if old is None or reply.intent != Intent.ADD_TO_CART:
        return reply
    swapped = SkillReply(intent=Intent.ADD_TO_CART, cards=[card(product)])
    swapped.say.say(f"Okay, I've swapped the {old.name} for the {product.name}.")
    lines = cart_lines(ctx, get_cart(ctx))
    swapped.say.say(f"Your total is {ctx.price(float(cart_total(lines)))}.")
    swapped.say.say("Anything else, or shall we check out?")
    return swapped
