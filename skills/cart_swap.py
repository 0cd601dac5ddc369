"""A caller correcting what they just chose: "I want the dog hammock one instead", "actually
the front and rear one".

Why this exists: such a turn names a product and reads, to a classifier, as a quantity
change or a removal ("How many would you like?"), while the caller means one thing: take
what I just chose off, and put this one in its place. A correction marker ("instead",
"swap", "rather"; or, for a product of the same kind, a turn that opens with "actually",
"no", "sorry", "scratch that") and a product named that is not in the cart are what
make it one; the line replaced is the one just added (the product in focus), else the only
line of that kind. With nothing in the cart, "the X instead" of a product Hark just offered
in a list is the caller's choice among them ("would you like the first one?"), and is added.
"""

from __future__ import annotations

import re

from hark.shop.product_words import ProductDoc
from hark.skills.cart import add_to_cart
from hark.skills.cart_store import cart_lines, cart_total, get_cart, set_quantity
from hark.skills.context import SkillReply, TurnContext, card
from hark.skills.intent import Intent
from hark.skills.sales import focus, mentioned, word_stems

#: Words that replace one choice with another, whatever the product.
_INSTEAD = re.compile(r"\binstead\b|\b(swap|switch|change) (it|that|this|them|those) (to|for)\b")
#: A turn that opens by taking back what was just said: a correction when it names a product
#: of the same kind as the one just chosen ("actually the blue one").
_TAKE_BACK = re.compile(
    r"^(actually|no|nope|sorry|wait|oh|hmm|um|scratch that|on second thought|make that|"
    r"i meant|i mean)\b"
)
#: How sure a product mention must be to be the replacement (``sales.mentioned``'s scale).
NAMED_MIN = 0.6


#: A correction that only says a count ("actually just the one", "no, only two of them").
_COUNT_ONLY = re.compile(
    r"^(?:(?:actually|no|nope|sorry|wait|oh|hmm|um|just|only|the|make it|make that|i meant|"
    r"i mean)\s+)+(?:\d+|one)(?:\s+(?:of (?:them|those|it)|please|then|instead))*$"
)


def is_recount(ctx: TurnContext) -> bool:
    """ "Actually just the one" right after an add: the count of what was just added, not a
    choice among products ("the one")."""
    just_added = ctx.state.last_intent in (Intent.ADD_TO_CART.value, Intent.CHANGE_QUANTITY.value)
    if not just_added or not _COUNT_ONLY.match(ctx.nlu.text or ""):
        return False
    return any(p.sku == ctx.state.focus_sku for p, _ in cart_lines(ctx, get_cart(ctx)))


def swap_in_cart(ctx: TurnContext) -> SkillReply | None:
    """The correction's reply, or None when the turn is not a correction of a choice."""
    words = ctx.nlu.text or ""
    instead = bool(_INSTEAD.search(words))
    if not instead and not _TAKE_BACK.match(words):
        return None
    chosen = mentioned(ctx, NAMED_MIN) or _variant(ctx)
    if chosen is None or not chosen.in_stock:
        return None  # nothing named, or nothing to put in its place (the search says so)
    lines = cart_lines(ctx, get_cart(ctx))
    have = {p.sku: q for p, q in lines}
    if chosen.sku in have:
        return None  # already there: a quantity or removal matter, not a swap
    old = _replaced(ctx, lines, chosen, instead)
    if old is None:
        offered = _just_offered(ctx)
        if not lines and instead and (chosen.sku in offered or ctx.state.focus_sku in offered):
            # "would you like the first one?" - "the front and rear one instead": that one
            return _add(ctx, chosen, ctx.entities.quantity or 1, None)
        return None
    quantity = ctx.entities.quantity or have[old.sku]
    set_quantity(ctx, old, 0)
    return _add(ctx, chosen, quantity, old)


def _variant(ctx: TurnContext) -> ProductDoc | None:
    """ "The beige one" after the black steering wheel cover: the product whose name is the
    one in focus but for a word the caller said (a colour, a size, a model).

    Why: a variant named by its one differing word scores low as a mention (most of its name
    is unsaid), and a correction is exactly when a caller names only the difference."""
    base = ctx.knowledge.product(ctx.state.focus_sku or "")
    if base is None:
        return None
    said = word_stems(ctx.nlu.text or "")
    own = word_stems(base.name)
    found = []
    for product in ctx.knowledge.products.values():
        if product.sku == base.sku:
            continue
        theirs = word_stems(product.name)
        shared = len(own & theirs)
        if shared * 2 < max(len(own), len(theirs)):
            continue  # not the same product in another form
        if (theirs - own) & said and not (own - theirs) & said:
            found.append(product)
    return found[0] if len(found) == 1 else None


def _just_offered(ctx: TurnContext) -> set[str]:
    """The products Hark offered in its last reply (when it offered a list)."""
    listed = ctx.state.last_intent in (Intent.PRODUCT_SEARCH.value, Intent.REFINE_SEARCH.value)
    return set(ctx.state.search.results) if listed else set()


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
    """Put the new choice in, and say it as a swap when it replaced a line."""
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
