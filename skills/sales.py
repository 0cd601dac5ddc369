"""Sales: find the right product, talk about it, and fill the cart.

The conversation remembers the last search (its words, bounds and the
products offered, in order), the product in focus, and the cart, so the
follow-ups people actually say work: "the first one", "the cheaper one",
"tell me more about it", "how much is it", "something smaller".
"""

from __future__ import annotations

import re

from hark.dialogue.product_words import ProductDoc, compare_size, head_noun, size_of
from hark.dialogue.search import Hit, SearchOutcome, SearchQuery
from hark.dialogue.speech import first_sentence, join_words, number_words, short_text
from hark.dialogue.state import Pending, SearchMemory
from hark.skills.base import SkillReply, TurnContext, card, remember_fact

MENTION_SCORE = 0.72  # NLU product-mention score that names a product outright
_STOCK_WORDS = re.compile(r"\b(stock|available|availability|left|have any|in store)\b")


# --- which product is meant ---------------------------------------------------
def mentioned(ctx: TurnContext, min_score: float = MENTION_SCORE) -> ProductDoc | None:
    products = [(s, sc) for s, sc in ctx.entities.products if sc >= min_score]
    if not products:
        return None
    best = products[0][1]
    close = [s for s, sc in products if best - sc < 0.03]
    preferred = set(ctx.state.search.results) | (
        {ctx.state.focus_sku} if ctx.state.focus_sku else set()
    )
    for sku in close:
        if sku in preferred:
            return ctx.knowledge.product(sku)
    rivals = [s for s, sc in ctx.entities.products[1:] if best - sc < 0.06]
    if rivals and best < 0.95:
        # Names that tie on words ("Garden Hose 50 ft" / "Garden Hose 25 ft"): the full
        # search (sizes, descriptions) may still single one out; else it's a search.
        hits = ctx.knowledge.search.search(SearchQuery(text=ctx.text, limit=3)).hits
        tied = {products[0][0], *rivals}
        if (
            hits
            and hits[0].product.sku in tied
            and (len(hits) == 1 or hits[0].score > 1.2 * hits[1].score)
        ):
            return hits[0].product
        return None  # "a speaker" fits five products: that's a search, not a choice
    return ctx.knowledge.product(products[0][0])


def by_ordinal(ctx: TurnContext) -> ProductDoc | None:
    ordinal = ctx.entities.ordinal
    results = ctx.state.search.results
    if ordinal is None or not results:
        return None
    index = len(results) - 1 if ordinal == -1 else ordinal - 1
    return ctx.knowledge.product(results[index]) if 0 <= index < len(results) else None


def resolve_product(ctx: TurnContext) -> ProductDoc | None:
    """Ordinal, then a clear mention, then "it"/the focus, then a lone search result."""
    product = by_ordinal(ctx) or mentioned(ctx)
    if product is not None:
        return product
    named_other = any(score >= 0.6 for _, score in ctx.entities.products)
    if named_other and not ctx.entities.pronoun_ref:
        return None  # they named something else: don't fall back to the old focus
    focus = ctx.knowledge.product(ctx.state.focus_sku)
    if focus is not None:
        return focus
    if len(ctx.state.search.results) == 1:
        return ctx.knowledge.product(ctx.state.search.results[0])
    return None


def focus(ctx: TurnContext, product: ProductDoc) -> None:
    ctx.state.focus_sku = product.sku
    remember_fact(ctx.state, "products", product.sku)


# --- search -----------------------------------------------------------------------
def _query_from_turn(ctx: TurnContext) -> SearchQuery:
    e = ctx.entities
    return SearchQuery(
        text=ctx.text,
        category=e.category,
        price_min=e.price_min,
        price_max=e.price_max,
        in_stock_only=bool(e.in_stock_only),
    )


def _remember(ctx: TurnContext, query: SearchQuery, offered: list[ProductDoc]) -> None:
    ctx.state.search = SearchMemory(
        query=query.text,
        category=query.category,
        price_min=query.price_min,
        price_max=query.price_max,
        in_stock_only=query.in_stock_only,
        results=[p.sku for p in offered],
    )
    if offered:
        focus(ctx, offered[0])


def _bounds_phrase(ctx: TurnContext, low: float | None, high: float | None) -> str:
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


def product_search(ctx: TurnContext, query: SearchQuery | None = None) -> SkillReply:
    query = query or _query_from_turn(ctx)
    outcome = ctx.knowledge.search.search(query)
    if (
        not outcome.concepts
        and query.category is None
        and query.price_min is None
        and query.price_max is None
    ):
        cats = join_words(ctx.knowledge.categories[:6])
        return SkillReply.of(
            "product_search",
            "Sure. What are you looking for?",
            f"We carry {cats}." if cats else "",
            handled=False,
        )
    direction = ctx.entities.comparative if ctx.nlu.intent == "product_search" else None
    if direction in ("cheaper", "more_expensive") and outcome.hits:
        # "your cheapest speaker": all the speakers, by price, not by relevance
        query.limit = 10
        wide = ctx.knowledge.search.search(query)
        wide.hits.sort(key=lambda h: h.product.price, reverse=direction == "more_expensive")
        wide.hits = wide.hits[:3]
        outcome = wide
        opener = "The most affordable is" if direction == "cheaper" else "The top of the range is"
        return present_outcome(ctx, query, outcome, "product_search", opener=opener)
    return present_outcome(ctx, query, outcome, "product_search")


def present_outcome(
    ctx: TurnContext,
    query: SearchQuery,
    outcome: SearchOutcome,
    intent: str,
    opener: str | None = None,
) -> SkillReply:
    reply = SkillReply(intent=intent)
    bounds = _bounds_phrase(ctx, query.price_min, query.price_max)
    if outcome.hits:
        top = outcome.hits[0]
        if not outcome.exact:
            reply.say.say("I don't have anything made exactly for that.")
            opener = "The closest I have is"
        elif opener is None:
            opener = (
                f"{bounds[0].upper() + bounds[1:]}, I'd recommend" if bounds else "I'd recommend"
            )
        reply.say.say(f"{opener} the {top.product.name}, for {ctx.price(top.product.price)}.")
        if top.reason:
            reply.say.say(top.reason)
        others = outcome.hits[1:3]
        if others:
            listed = join_words(
                [f"the {h.product.name} for {ctx.price(h.product.price)}" for h in others]
            )
            reply.say.say(f"I also have {listed}.")
        oos = [h for h in outcome.out_of_stock if h.score >= 0.8 * top.score][:1]
        if oos:
            reply.say.say(
                f"The {oos[0].product.name} would fit too, but it's out of stock right now."
            )
        reply.say.say(
            "Would you like me to add it to your cart?"
            if not others
            else "Would you like the first one, or to hear more?"
        )
        if not others:
            reply.pending = Pending("add_item", {"sku": top.product.sku})
        offered = [h.product for h in outcome.hits[:3]]
        reply.cards = [card(p) for p in offered]
        _remember(ctx, query, offered)
        return reply
    if outcome.out_of_stock:
        names = join_words([f"the {h.product.name}" for h in outcome.out_of_stock[:2]])
        reply.say.say(
            f"{names[0].upper() + names[1:]} would fit, but "
            f"{'it is' if len(outcome.out_of_stock[:2]) == 1 else 'they are'} "
            "out of stock right now."
        )
        _remember(ctx, query, [])
        reply.cards = [card(h.product) for h in outcome.out_of_stock[:2]]
        return reply
    if outcome.outside_price and bounds:
        near = outcome.outside_price[0].product
        reply.say.say(f"I don't have anything like that {bounds}.")
        reply.say.say(f"The closest is the {near.name}, for {ctx.price(near.price)}.")
        reply.cards = [card(near)]
        _remember(ctx, query, [near])
        return reply
    reply.say.say("Sorry, I couldn't find anything like that in our shop.")
    cats = join_words(ctx.knowledge.categories[:6])
    if cats:
        reply.say.say(f"We carry {cats}.")
    _remember(ctx, query, [])
    return reply


def _last_query(ctx: TurnContext, limit: int = 10) -> SearchQuery:
    memory = ctx.state.search
    return SearchQuery(
        text=memory.query,
        category=memory.category,
        price_min=memory.price_min,
        price_max=memory.price_max,
        in_stock_only=memory.in_stock_only,
        limit=limit,
    )


def refine_search(ctx: TurnContext) -> SkillReply:
    e = ctx.entities
    memory = ctx.state.search
    direction = e.comparative
    if direction and (ctx.state.focus_sku or memory.results):
        return _step(ctx, direction, "refine_search")
    if not memory.query and not memory.category and not memory.results:
        return product_search(ctx)
    query = _last_query(ctx, limit=3)
    if e.price_min is not None or e.price_max is not None:
        query.price_min, query.price_max = e.price_min, e.price_max
    if e.in_stock_only:
        query.in_stock_only = True
    extra = " ".join(k for k in e.keywords if k not in query.text.split())
    if extra:
        query.text = f"{query.text} {extra}".strip()
    return present_outcome(ctx, query, ctx.knowledge.search.search(query), "refine_search")


def _reference(ctx: TurnContext) -> ProductDoc | None:
    focus = ctx.knowledge.product(ctx.state.focus_sku)
    if focus is not None:
        return focus
    results = ctx.state.search.results
    return ctx.knowledge.product(results[0]) if results else None


def _step(ctx: TurnContext, direction: str, intent: str) -> SkillReply:
    """Cheaper / pricier / smaller / bigger than the product in focus, within the last search."""
    ref = _reference(ctx)
    query = _last_query(ctx)
    query.price_min = query.price_max = None  # the direction replaces old bounds
    if not query.text and not query.category and ref is not None:
        query.text = head_noun(ref.name) or ref.name  # no search yet: compare with its own kind
    candidates: list[Hit] = (
        ctx.knowledge.search.search(query).hits if query.text or query.category else []
    )
    if ref is not None:  # its own kind too: "the 50 ft hose" -> other hoses
        same_kind = SearchQuery(text=head_noun(ref.name) or ref.name, limit=10)
        candidates += ctx.knowledge.search.search(same_kind).hits
    shown = [ctx.knowledge.product(s) for s in ctx.state.search.results]
    pool = [h.product for h in candidates] + [p for p in shown if p is not None]
    pool = [p for p in dict.fromkeys(pool) if p.in_stock and (ref is None or p.sku != ref.sku)]
    reply = SkillReply(intent=intent)
    if ref is None:
        return SkillReply.of(intent, "Which product should I compare with?", handled=False)
    chosen: ProductDoc | None = None
    note = ""
    if direction == "cheaper":
        cheaper = [p for p in pool if p.price < ref.price]
        chosen = cheaper[0] if cheaper else None
        note = "is cheaper"
    elif direction in ("more_expensive", "better"):
        pricier = [p for p in pool if p.price > ref.price]
        chosen = pricier[0] if pricier else None
        note = "is a step up"
    elif direction in ("smaller", "bigger"):
        sign = -1 if direction == "smaller" else 1
        sized = [(compare_size(p, ref), p) for p in pool]
        fitting = [(d, p) for d, p in sized if d is not None and d * sign > 0]
        if fitting:
            chosen = min(fitting, key=lambda dp: abs(dp[0]))[1]
            note = f"is {direction}"
        elif size_of(ref) is None or all(d is None for d, _ in sized):
            proxy = [p for p in pool if (p.price - ref.price) * sign > 0]
            if proxy:
                chosen = min(proxy, key=lambda p: abs(p.price - ref.price))
                reply.say.say("I don't have exact sizes for these.")
                note = (
                    "is the closest "
                    + ("lower-priced" if sign < 0 else "higher-priced")
                    + " option"
                )
    if chosen is None:
        word = {
            "cheaper": "cheapest",
            "more_expensive": "priciest",
            "better": "top",
            "smaller": "smallest",
            "bigger": "biggest",
        }.get(direction, "closest")
        reply.say.say(f"The {ref.name} is the {word} option I have for that.")
        return reply
    reply.say.say(f"The {chosen.name} {note}, at {ctx.price(chosen.price)}.")
    reason = first_sentence(chosen.description, 20)
    if reason:
        reply.say.say(reason)
    reply.say.say("Would you like me to add it to your cart?")
    reply.pending = Pending("add_item", {"sku": chosen.sku})
    reply.cards = [card(chosen)]
    ctx.state.search.results = [chosen.sku] + [
        s for s in ctx.state.search.results if s != chosen.sku
    ][:2]
    focus(ctx, chosen)
    return reply


# --- talking about one product --------------------------------------------------
def _stock_sentence(product: ProductDoc) -> str:
    if product.stock <= 0:
        return "It's out of stock right now."
    if product.stock <= 5:
        return f"There are only {number_words(product.stock)} left."
    return "It's in stock."


def select_item(ctx: TurnContext) -> SkillReply:
    e = ctx.entities
    shown = [p for p in (ctx.knowledge.product(s) for s in ctx.state.search.results) if p]
    product = by_ordinal(ctx)
    if product is None and e.comparative and shown:
        if e.comparative == "cheaper":
            product = min(shown, key=lambda p: p.price)
        elif e.comparative in ("more_expensive", "better"):
            product = max(shown, key=lambda p: p.price)
        elif e.comparative in ("smaller", "bigger"):
            sized = [p for p in shown if size_of(p) is not None]
            if len(sized) >= 2:
                ordered = sorted(sized, key=lambda p: (size_of(p).dimension, size_of(p).value))
                product = ordered[0] if e.comparative == "smaller" else ordered[-1]
            else:
                return _step(ctx, e.comparative, "select_item")
    product = product or mentioned(ctx) or (shown[0] if len(shown) == 1 else None)
    if product is None:
        if shown:
            names = join_words([f"the {p.name}" for p in shown[:3]], "or")
            return SkillReply.of("select_item", f"Which one: {names}?", handled=False)
        return SkillReply.of(
            "select_item",
            "Which product do you mean? Tell me what you're looking for.",
            handled=False,
            understood=False,
        )
    return describe_product(ctx, product, "select_item")


def describe_product(ctx: TurnContext, product: ProductDoc, intent: str) -> SkillReply:
    focus(ctx, product)
    reply = SkillReply(intent=intent, cards=[card(product)])
    reply.say.say(f"The {product.name} costs {ctx.price(product.price)}.")
    detail = short_text(product.description, max_sentences=2, max_words=35)
    if detail:
        reply.say.say(detail)
    reply.say.say(_stock_sentence(product))
    if product.in_stock:
        reply.say.say("Would you like me to add it to your cart?")
        reply.pending = Pending("add_item", {"sku": product.sku})
    return reply


def product_info(ctx: TurnContext) -> SkillReply:
    product = resolve_product(ctx)
    if product is None:
        if ctx.entities.keywords:
            return product_search(ctx)
        return SkillReply.of(
            "product_info", "Which product would you like to know about?", handled=False
        )
    if _STOCK_WORDS.search(ctx.nlu.text or ""):
        focus(ctx, product)
        reply = SkillReply(intent="product_info", cards=[card(product)])
        if product.in_stock:
            left = f"We have {product.stock} in stock." if product.stock <= 5 else "It's in stock."
            reply.say.say(f"Yes, the {product.name} is available. {left}")
            reply.say.say("Would you like me to add it to your cart?")
            reply.pending = Pending("add_item", {"sku": product.sku})
        else:
            reply.say.say(f"Sorry, the {product.name} is out of stock right now.")
        return reply
    return describe_product(ctx, product, "product_info")


def product_price(ctx: TurnContext) -> SkillReply:
    product = resolve_product(ctx)
    if product is None:
        if ctx.entities.keywords:
            return product_search(ctx)
        return SkillReply.of(
            "product_price", "Which product would you like the price of?", handled=False
        )
    focus(ctx, product)
    reply = SkillReply(intent="product_price", cards=[card(product)])
    reply.say.say(f"The {product.name} costs {ctx.price(product.price)}.")
    if not product.in_stock:
        reply.say.say("It's out of stock right now, though.")
    else:
        reply.say.say("Would you like me to add it to your cart?")
        reply.pending = Pending("add_item", {"sku": product.sku})
    return reply
