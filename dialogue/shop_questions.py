"""A shop question the classifier read as something else: the FAQ's answer, not a guess.

Why this exists: the intent classifier learned the development shops' words.
On another shop, "how quickly will I get my stuff" reads as an order status
(asking for an order number nobody has yet), "can the parcel go to my new
place instead" as a cart edit with an empty cart, "how much do you charge to
send it" as the price of a product that doesn't exist. In each case the
classifier is unsure or the reading has nothing to act on, while the shop's
FAQ answers the question plainly. Two general tests decide, never a word
list: the reading is unsure (:data:`UNSURE_READING`) or finds nothing to act
on (no product, no order id, no quantity, nothing shown or in the cart), and
the FAQ's answer is confident (:data:`FAQ_OVER_READING`, which for a match by
meaning includes the calibrated tests of ``shop/faq_meaning.py``).
"""

from __future__ import annotations

from typing import Final

from hark.shop.search import SearchQuery
from hark.skills import support
from hark.skills.context import SkillReply, TurnContext
from hark.skills.intent import Intent

UNSURE_READING: Final = 0.5
"""Below this the classifier's own probability for its intent is a coin toss between
readings (its confident readings on the development sets sit above 0.6)."""
FAQ_OVER_READING: Final = 0.6
"""The FAQ's confidence needed to take the turn from its reading (a match by meaning reaches
it 0.10 above the similarity floor of ``shop/faq_meaning.py``)."""

NAMED_PRODUCT_SCORE: Final = 0.75
"""A product match this strong names the product (the policy's own bar for a fallback)."""

#: Readings that stand whatever the FAQ says: commands, answers and the FAQ itself.
_STANDING: Final = frozenset(
    {
        Intent.FAQ,
        Intent.HUMAN_AGENT,
        Intent.CANCEL,
        Intent.CHECKOUT,
        Intent.VIEW_CART,
        Intent.GOODBYE,
        Intent.THANKS,
        Intent.GREET,
        Intent.REPEAT,
        Intent.AFFIRM,
        Intent.DENY,
        Intent.SELECT_ITEM,
        Intent.START_RETURN,
        Intent.RETURN_POLICY,
    }
)
#: Readings that act on a product: with none named or found, a shop question may be meant.
_ABOUT_A_PRODUCT: Final = frozenset({Intent.PRODUCT_PRICE, Intent.PRODUCT_INFO})


def _something_to_act_on(ctx: TurnContext) -> bool:
    """The turn names an order, a product, a quantity or points at something shown ("it"
    with nothing shown points nowhere; a product word matched only loosely names nothing)."""
    e = ctx.nlu.entities
    shown = bool(ctx.state.search.results)
    return bool(
        e.order_id
        or any(score >= NAMED_PRODUCT_SCORE for _, score in e.products)
        or e.quantity
        or (shown and (e.ordinal or e.pronoun_ref))
        or e.category
        or e.price_min
        or e.price_max
    )


def faq_instead(ctx: TurnContext) -> SkillReply | None:
    """The FAQ's answer when the turn is a shop question the classifier misread, else None."""
    nlu = ctx.nlu
    if nlu.intent in _STANDING or _something_to_act_on(ctx) or not ctx.text.strip():
        return None
    unsure = nlu.confidence < UNSURE_READING
    if not unsure and nlu.intent not in _ABOUT_A_PRODUCT:
        return None
    match = ctx.knowledge.faq.answer(ctx.text)
    if match is None or match.confidence < FAQ_OVER_READING:
        return None
    if not unsure:
        # a confident price or product question: only when the catalogue has nothing for it
        outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text))
        if outcome.found or outcome.out_of_stock:
            return None
    return support.faq(ctx)
