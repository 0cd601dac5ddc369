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

from dataclasses import replace
from typing import Final

from hark.dialogue.meaning import meaning_index, neutral
from hark.dialogue.nlu import nlu_for
from hark.language.normalize import normalize_tokens
from hark.shop.faq import FaqMatch
from hark.shop.search import SearchQuery
from hark.shop.semantic import CARRIED_MIN, SERVES_MIN
from hark.skills import sales, support
from hark.skills.cart_store import cart_lines, get_cart
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
#: Cart edits: with an empty cart and no product named, there is nothing for them to edit.
_CART_EDITS: Final = frozenset(
    {Intent.ADD_TO_CART, Intent.REMOVE_FROM_CART, Intent.CHANGE_QUANTITY}
)
#: Readings that act on a product: with none named or found, a shop question may be meant.
_ABOUT_A_PRODUCT: Final = frozenset({Intent.PRODUCT_PRICE, Intent.PRODUCT_INFO})


def _something_to_act_on(ctx: TurnContext) -> bool:
    """The turn names an order, a product, a quantity, a price or points at something shown
    ("it" with nothing shown points nowhere; a product word matched only loosely names
    nothing; a category alone is no product: "guitar classes" are the FAQ's lessons)."""
    e = ctx.nlu.entities
    shown = bool(ctx.state.search.results)
    return bool(
        e.order_id
        or any(score >= NAMED_PRODUCT_SCORE for _, score in e.products)
        or e.quantity
        or (shown and (e.ordinal or e.pronoun_ref))
        or e.price_min
        or e.price_max
    )


def _edit_of_nothing(ctx: TurnContext) -> bool:
    """A cart edit that names nothing, with nothing in the cart ("will somebody come and put
    the bike together", "could I borrow a tent instead of buying one"): the reading can only
    answer "your cart is empty", so any answer the FAQ gives (its own threshold) is better."""
    if ctx.nlu.intent not in _CART_EDITS or ctx.nlu.entities.products:
        return False
    return not cart_lines(ctx, get_cart(ctx))


def _as_said(ctx: TurnContext) -> TurnContext:
    """The turn in the caller's own words when the request is those words repaired word for
    word toward the catalogue ("guitar classes" heard as "guitar classic"): a repair that
    helps a product search hides a shop question. A split or shortened request keeps its
    own text (the words said may hold another request)."""
    said = " ".join(normalize_tokens(ctx.said))
    if not said or said == ctx.text or len(said.split()) != len(ctx.text.split()):
        return ctx
    answer = ctx.knowledge.faq.answer(said)
    if answer is None or answer.confidence <= _confidence(ctx.knowledge.faq.answer(ctx.text)):
        return ctx
    return replace(ctx, text=said)


def _confidence(match: FaqMatch | None) -> float:
    return 0.0 if match is None else match.confidence


def faq_instead(ctx: TurnContext) -> SkillReply | None:
    """The FAQ's answer when the turn is a shop question the classifier misread, else None."""
    nlu = ctx.nlu
    if nlu.intent in _STANDING or _something_to_act_on(ctx) or not ctx.text.strip():
        return None
    idle = _edit_of_nothing(ctx)
    unsure = idle or nlu.confidence < UNSURE_READING
    if not unsure and nlu.intent not in _ABOUT_A_PRODUCT:
        return None
    ctx = _as_said(ctx)
    match = ctx.knowledge.faq.answer(ctx.text)
    by_meaning = _policy_by_meaning(ctx)
    if match is None or (match.confidence < FAQ_OVER_READING and not (idle or by_meaning)):
        return None
    if not unsure and not by_meaning:
        # a confident price or product question: only when the catalogue has nothing for it
        outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text))
        if outcome.found or outcome.out_of_stock:
            return None
    return support.faq(ctx)


def _policy_by_meaning(ctx: TurnContext) -> bool:
    """A question about a product that a policy answers ("can the heavy blanket go in the
    washing machine"): the FAQ entry nearest in meaning passes its calibrated tests, which
    include being clearly nearer than any product (``FAQ_OVER_CATALOG``), and is confident."""
    match = ctx.knowledge.faq.by_meaning(ctx.text)
    return match is not None and match.confidence >= FAQ_OVER_READING


#: Readings that, with nothing named to act on, can only ask back ("what's your order
#: number?") or give up: a need described may be what was meant. Not a cart edit: an unclear
#: "one more of those" is about the cart even when it is empty.
_NOTHING_WITHOUT_WORDS: Final = frozenset({Intent.ORDER_STATUS, Intent.OUT_OF_SCOPE, Intent.HELP})


def need_instead(ctx: TurnContext) -> SkillReply | None:
    """The product that serves a need the classifier misread, else None ("something so my
    knees don't hurt when I do yoga" read as an order question by an unknown caller, "I keep
    getting blisters from the barbell" as out of scope). The same two general tests as a shop
    question: the reading is unsure (:data:`UNSURE_READING`) and has nothing to act on, with
    an empty cart and no order of the caller's to ask about; and the catalogue
    serves the words by words and meaning together (``SearchOutcome.exact`` and the nearest
    product at least ``SERVES_MIN``, calibrated on development needs against things not
    carried)."""
    nlu = ctx.nlu
    if (
        nlu.intent not in _NOTHING_WITHOUT_WORDS
        or nlu.confidence >= UNSURE_READING
        or _something_to_act_on(ctx)
        or not ctx.text.strip()
        or cart_lines(ctx, get_cart(ctx))
        or (nlu.intent == Intent.ORDER_STATUS and ctx.customer is not None)
    ):
        return None  # an unclear turn may be about the cart or the known caller's orders
    query = need_query(ctx)
    return None if query is None else sales.product_search(ctx, query)


def need_query(ctx: TurnContext) -> SearchQuery | None:
    """The turn as a search, when some product serves what the caller described by words and
    meaning together: the search offers it as a match and it is the nearest in meaning, at
    least :data:`SERVES_MIN` close (calibrated on the development needs against things the
    shops don't carry)."""
    e = ctx.nlu.entities
    query = SearchQuery(text=ctx.text, price_min=e.price_min, price_max=e.price_max)
    outcome = ctx.knowledge.search.search(query)
    served = outcome.found and outcome.exact and outcome.nearest >= SERVES_MIN
    return query if served else None


#: Readings a caller's "do you sell X" may get when X is no word of the shop's.
_GAVE_UP_ON: Final = frozenset(
    {Intent.FAQ, Intent.OUT_OF_SCOPE, Intent.HELP, Intent.PRODUCT_SEARCH}
)


#: Nearest readings of "do you stock paint brushes": a request for a product or a question
#: about one (the model puts "do you stock X" between the two).
_ASKS_FOR_A_PRODUCT: Final = frozenset({Intent.PRODUCT_SEARCH, Intent.PRODUCT_INFO})


def not_carried_instead(ctx: TurnContext, reply: SkillReply) -> SkillReply | None:
    """ "We don't carry that" for a request for a thing the shop has nothing like, when the
    turn was about to end in "I'm not sure" or "I didn't understand" ("can I buy concert
    tickets", "I need some vitamins" in a toy shop). Three tests: the turn is nearest the
    examples of a product request, it names a thing (``head_concept``), and the catalogue's
    nearest product is below the calibrated :data:`CARRIED_MIN`; the FAQ has no answer."""
    if reply.handled or reply.intent not in _GAVE_UP_ON or not ctx.text.strip():
        return None
    search = ctx.knowledge.search
    semantic = search.semantic
    index = meaning_index()
    if semantic is None or index is None or search.head_concept(SearchQuery(text=ctx.text)) is None:
        return None
    reading = index.nearest_intent(
        neutral(ctx.nlu.text or ctx.text, nlu_for(ctx.knowledge).matcher.vocabulary)
    )
    if reading is None or reading.label not in _ASKS_FOR_A_PRODUCT:
        return None
    nearest = semantic.rank(ctx.text)
    if (
        not nearest
        or nearest[0][1] >= CARRIED_MIN
        or ctx.knowledge.faq.answer(ctx.text) is not None
    ):
        return None
    return sales.product_search(ctx, SearchQuery(text=ctx.text))
