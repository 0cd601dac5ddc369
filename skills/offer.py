"""Saying what a search found: the best one to three, honestly, and in stock.

Two rules shape every answer here. Only products in stock are recommended
as buyable: a match that is sold out is named as sold out, next to the
nearest thing the caller can actually buy (even if it is a little over
budget, said so). And the conversation remembers the products in the order
they were SPOKEN, so "the second one" means the second product the caller
heard, sold out or not.
"""

from __future__ import annotations

from hark.language.speech import join_words
from hark.shop.product_words import ProductDoc
from hark.shop.search import SearchOutcome, SearchQuery
from hark.shop.semantic import NEAR_MISS_MIN
from hark.shop.text_index import term
from hark.skills.context import SkillReply, TurnContext, card, remember_fact
from hark.skills.intent import Intent
from hark.skills.notices.watch import note_sold_out
from hark.skills.state import SearchMemory


def focus(ctx: TurnContext, product: ProductDoc) -> None:
    """The product "it" refers to from now on."""
    ctx.state.focus_sku = product.sku
    remember_fact(ctx.state, "products", product.sku)


def remember(
    ctx: TurnContext,
    query: SearchQuery,
    spoken: list[ProductDoc],
    focus_on: ProductDoc | None = None,
) -> None:
    """Keep the search and the products in the order the caller heard them."""
    ctx.state.search = SearchMemory(
        query=query.text,
        category=query.category,
        price_min=query.price_min,
        price_max=query.price_max,
        in_stock_only=query.in_stock_only,
        results=[p.sku for p in dict.fromkeys(spoken)],
    )
    target = focus_on or next((p for p in spoken if p.in_stock), None)
    if target is not None:
        focus(ctx, target)


def bounds_phrase(ctx: TurnContext, low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        middle = round(low / 0.8, 2)
        if low > 0 and abs(high - middle * 1.2) < 0.02:  # the NLU reads "around 50" as 40..60
            return f"around {ctx.price(middle)}"
        if float(low).is_integer() and float(high).is_integer():
            return f"between {int(low)} and {ctx.price(high)}"
        return f"between {ctx.price(low)} and {ctx.price(high)}"
    if high is not None:
        return f"under {ctx.price(high)}"
    if low is not None:
        return f"over {ctx.price(low)}"
    return ""


def categories_sentence(ctx: TurnContext) -> str:
    """ "We carry bikes, helmets and locks." (up to six), or "" for a shop with none."""
    cats = join_words(ctx.knowledge.categories[:6])
    return f"We carry {cats}." if cats else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def present_outcome(
    ctx: TurnContext,
    query: SearchQuery,
    outcome: SearchOutcome,
    intent: Intent,
    opener: str | None = None,
) -> SkillReply:
    if outcome.hits and _only_a_side_word(ctx, query, outcome):
        return _not_carried(ctx, query, intent)
    if outcome.hits:
        return _recommend(ctx, query, outcome, intent, opener)
    if outcome.out_of_stock:
        return _sold_out(ctx, query, outcome, intent)
    reply = SkillReply(intent=intent)
    bounds = bounds_phrase(ctx, query.price_min, query.price_max)
    if outcome.outside_price and bounds:
        near = outcome.outside_price[0].product
        reply.say.say(f"I don't have anything like that {bounds}.")
        reply.say.say(f"The closest is the {near.name}, for {ctx.price(near.price)}.")
        reply.ask_to_add(near, ctx.entities.quantity)
        reply.cards = [card(near)]
        remember(ctx, query, [near])
        return reply
    return _not_carried(ctx, query, intent)


def _not_carried(ctx: TurnContext, query: SearchQuery, intent: Intent) -> SkillReply:
    reply = SkillReply(intent=intent)
    reply.say.say("Sorry, we don't carry that: I couldn't find anything like it in our shop.")
    reply.say.say(categories_sentence(ctx))
    remember(ctx, query, [])
    return reply


def _only_a_side_word(ctx: TurnContext, query: SearchQuery, outcome: SearchOutcome) -> bool:
    """A near miss found by words that names a thing ("do you have a coffee table") no product
    matched, whose best product is far in meaning (coffee filters): the words met on a side
    word, and the shop doesn't carry the thing (the calibrated :data:`NEAR_MISS_MIN`). Needs read by meaning
    and exact matches are left as they are."""
    search = ctx.knowledge.search
    semantic = search.semantic
    if outcome.exact or outcome.by_meaning or semantic is None or not query.text.strip():
        return False
    head = search.head_concept(query)
    if head is None or term(head) not in {term(w) for w in outcome.unmatched}:
        return False  # the thing itself was found ("a lamp for my teenage son"): a near miss
    sims = semantic.similarity(query.text)
    return max((sims.get(h.product.sku, 0.0) for h in outcome.hits), default=0.0) < NEAR_MISS_MIN


def _recommend(
    ctx: TurnContext, query: SearchQuery, outcome: SearchOutcome, intent: Intent, opener: str | None
) -> SkillReply:
    reply = SkillReply(intent=intent)
    bounds = bounds_phrase(ctx, query.price_min, query.price_max)
    top = outcome.hits[0]
    if not outcome.exact:
        reply.say.say("I don't have anything made exactly for that.")
        opener = "The closest I have is"
    elif opener is None:
        opener = f"{_capital(bounds)}, I'd recommend" if bounds else "I'd recommend"
    reply.say.say(f"{opener} the {top.product.name}, for {ctx.price(top.product.price)}.")
    if top.reason:
        reply.say.say(top.reason)
    others = outcome.hits[1:3]
    if others:
        listed = join_words(
            [f"the {h.product.name} for {ctx.price(h.product.price)}" for h in others]
        )
        reply.say.say(f"I also have {listed}.")
    spoken = [h.product for h in outcome.hits[:3]]
    oos = [h for h in outcome.out_of_stock if h.score >= 0.8 * top.score][:1]
    if oos and not query.in_stock_only:
        reply.say.say(f"The {oos[0].product.name} would fit too, but it's out of stock right now.")
        spoken.append(oos[0].product)
    if others:
        reply.say.say("Would you like the first one, or to hear more?")
    else:
        reply.ask_to_add(top.product, ctx.entities.quantity)
    reply.cards = [card(h.product) for h in outcome.hits[:3]]  # the screen shows what's buyable
    remember(ctx, query, spoken, focus_on=top.product)
    return reply


def _sold_out(
    ctx: TurnContext, query: SearchQuery, outcome: SearchOutcome, intent: Intent
) -> SkillReply:
    """Every match is sold out: say so, then offer the nearest thing in stock."""
    reply = SkillReply(intent=intent)
    bounds = bounds_phrase(ctx, query.price_min, query.price_max)
    sold = [h.product for h in outcome.out_of_stock[:2]]
    if query.in_stock_only:
        reply.say.say(f"Nothing in stock fits that{' ' + bounds if bounds else ''}.")
    else:
        names = join_words([f"the {p.name}" for p in sold])
        verb = "it is" if len(sold) == 1 else "they are"
        reply.say.say(f"{_capital(names)} would fit, but {verb} out of stock right now.")
        for product in sold:
            note_sold_out(ctx, product)
    alternative = _in_stock_alternative(ctx, query, outcome, {p.sku for p in sold})
    spoken = [] if query.in_stock_only else list(sold)
    if alternative is not None:
        over = query.price_max is not None and alternative.price > query.price_max + 1e-9
        under = query.price_min is not None and alternative.price < query.price_min - 1e-9
        where = " It's a little over your budget." if over else ""
        where = " It's a little under your range." if under else where
        reply.say.say(
            f"The closest I have in stock is the {alternative.name}, "
            f"for {ctx.price(alternative.price)}.{where}"
        )
        reply.ask_to_add(alternative)
        spoken.append(alternative)
    reply.cards = [card(p) for p in spoken]
    remember(ctx, query, spoken, focus_on=alternative)
    return reply


def _in_stock_alternative(
    ctx: TurnContext, query: SearchQuery, outcome: SearchOutcome, exclude: set[str]
) -> ProductDoc | None:
    """The nearest buyable product: the same match outside the price bounds, else the same kind."""
    if outcome.outside_price:
        return outcome.outside_price[0].product
    head = ctx.knowledge.search.head_concept(query) if query.text else None
    if not head and not query.category:
        return None
    wider = SearchQuery(
        text=head or "",
        category=query.category,
        price_min=query.price_min,
        price_max=query.price_max,
        exclude=exclude,
        limit=3,
    )
    found = ctx.knowledge.search.search(wider)
    pool = found.hits or found.outside_price
    return pool[0].product if pool else None
