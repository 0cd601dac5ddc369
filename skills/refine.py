"""Moving from the product in focus: cheaper, pricier, longer, brighter, lighter, bigger.

The candidates are the last search's products and the focus product's own
kind; only products in stock are offered. A size-like direction compares
the figures the products state (``dialogue.attributes``); when they state
none, the caller hears that, and price stands in as the closest proxy.
"""

from __future__ import annotations

import re

from hark.language.speech import first_sentence
from hark.shop.attributes import DIRECTIONS, compare, measures, states
from hark.shop.product_words import ProductDoc, head_noun
from hark.shop.search import SearchQuery
from hark.shop.search_words import is_kind
from hark.skills.context import SkillReply, TurnContext, card
from hark.skills.intent import Intent
from hark.skills.offer import focus


def last_query(ctx: TurnContext, limit: int = 10) -> SearchQuery:
    memory = ctx.state.search
    return SearchQuery(
        text=memory.query,
        category=memory.category,
        price_min=memory.price_min,
        price_max=memory.price_max,
        in_stock_only=memory.in_stock_only,
        limit=limit,
    )


def reference(ctx: TurnContext) -> ProductDoc | None:
    product = ctx.knowledge.product(ctx.state.focus_sku)
    if product is not None:
        return product
    results = ctx.state.search.results
    return ctx.knowledge.product(results[0]) if results else None


def shown(ctx: TurnContext) -> list[ProductDoc]:
    """The products of the last answer, in the order the caller heard them."""
    return [p for p in (ctx.knowledge.product(s) for s in ctx.state.search.results) if p]


def pick_shown(ctx: TurnContext, direction: str) -> ProductDoc | None:
    """ "The cheaper one", "the longer one": a choice among the products just named."""
    listed = shown(ctx)
    if not listed:
        return None
    if direction == "cheaper":
        return min(listed, key=lambda p: p.price)
    if direction in ("more_expensive", "better"):
        return max(listed, key=lambda p: p.price)
    way = DIRECTIONS.get(direction)
    if way is None:
        return None
    for dimension in way.dimensions:
        having = [p for p in listed if dimension in measures(p)]
        if len(having) >= 2:
            return max(having, key=lambda p: measures(p)[dimension] * way.sign)
    return None


def _pool(ctx: TurnContext, ref: ProductDoc) -> list[ProductDoc]:
    query = last_query(ctx)
    query.price_min = query.price_max = None  # the direction replaces old bounds
    if not query.text and not query.category:
        query.text = head_noun(ref.name) or ref.name  # no search yet: compare with its own kind
    search = ctx.knowledge.search
    candidates = [h.product for h in search.search(query).hits]
    for kind_word in _kind_words(ref):  # its own kind too: "the 50 ft hose" -> other hoses
        outcome = search.search(SearchQuery(text=kind_word, limit=10))
        candidates += [h.product for h in outcome.hits + outcome.out_of_stock]
    pool = [p for p in dict.fromkeys(candidates + shown(ctx)) if p.sku != ref.sku]
    kind = head_noun(ref.name)
    same = [p for p in pool if is_kind(head_noun(p.name), {kind})]
    return same or pool  # "a lighter one" than a laptop is another laptop


def _kind_words(ref: ProductDoc) -> list[str]:
    """ "Hardened U-Lock" is a "ulock" and so a "lock": search for both."""
    head = head_noun(ref.name)
    if not head:
        return [ref.name]
    tails = [w for w in re.findall(r"[a-z]+", ref.name.lower()) if w != head and head.endswith(w)]
    return [head, *[w for w in tails if len(w) >= 3][:1]]


def step(ctx: TurnContext, direction: str, intent: Intent) -> SkillReply:
    """One step from the focus product in the asked direction, or an honest "that's the end"."""
    ref = reference(ctx)
    if ref is None:
        return SkillReply.of(intent, "Which product should I compare with?", handled=False)
    everything = _pool(ctx, ref)
    pool = [p for p in everything if p.in_stock]
    reply = SkillReply(intent=intent)
    chosen: ProductDoc | None = None
    note = ""
    if direction == "cheaper":
        chosen = next((p for p in pool if p.price < ref.price), None)
        note, end = "is cheaper", "cheapest"
    elif direction in ("more_expensive", "better"):
        chosen = next((p for p in pool if p.price > ref.price), None)
        note, end = "is a step up", "priciest" if direction == "more_expensive" else "top"
    else:
        way = DIRECTIONS.get(direction)
        if way is None:
            return SkillReply.of(intent, "How should it be different?", handled=False)
        end = way.superlative
        ahead = [(d, p) for p in pool if (d := compare(p, ref, way)) is not None and d > 0]
        if ahead:
            chosen = min(ahead, key=lambda dp: dp[0])[1]
            note = f"is {way.adjective}"
        elif not states(ref, way) and not any(states(p, way) for p in pool):
            chosen = _price_proxy(pool, ref, way.sign)
            if chosen is not None:
                reply.say.say(f"I don't have {way.noun} details for these, so I'm going by price.")
                note = (
                    "is the closest " + ("lower" if way.sign < 0 else "higher") + "-priced option"
                )
        else:
            sold_out = [
                p
                for p in everything
                if not p.in_stock and (d := compare(p, ref, way)) is not None and d > 0
            ]
            reply.say.say(f"The {ref.name} is the {end} option I have in stock.")
            if sold_out:
                reply.say.say(
                    f"The {sold_out[0].name} is {way.adjective}, but it's out of stock right now."
                )
            return reply
    if chosen is None:
        reply.say.say(f"The {ref.name} is the {end} option I have for that.")
        return reply
    reply.say.say(f"The {chosen.name} {note}, at {ctx.price(chosen.price)}.")
    reason = first_sentence(chosen.description, 20)
    if reason:
        reply.say.say(reason)
    reply.ask_to_add(chosen)
    reply.cards = [card(chosen)]
    ctx.state.search.results = [chosen.sku] + [
        s for s in ctx.state.search.results if s != chosen.sku
    ][:2]
    focus(ctx, chosen)
    return reply


def _price_proxy(pool: list[ProductDoc], ref: ProductDoc, sign: int) -> ProductDoc | None:
    proxy = [p for p in pool if (p.price - ref.price) * sign > 0]
    return min(proxy, key=lambda p: abs(p.price - ref.price)) if proxy else None
