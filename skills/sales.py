"""Sales: find the right product, talk about it, and fill the cart.

The conversation remembers the last search (its words, bounds and the
products offered, in order), the product in focus, and the cart, so the
follow-ups people actually say work: "the first one", "the cheaper one",
"tell me more about it", "how much is it", "something smaller".
"""

from __future__ import annotations

import re

from hark.language.speech import join_words, number_words, short_text
from hark.shop.catalog_match import stem
from hark.shop.product_words import ProductDoc, head_noun
from hark.shop.search import SearchQuery
from hark.skills.context import SkillReply, TurnContext, card
from hark.skills.intent import Intent
from hark.skills.notices.watch import note_sold_out
from hark.skills.offer import categories_sentence, focus, present_outcome
from hark.skills.refine import last_query, pick_shown, shown, step
from hark.skills.state import Pending

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


def product_search(ctx: TurnContext, query: SearchQuery | None = None) -> SkillReply:
    query = query or _query_from_turn(ctx)
    outcome = ctx.knowledge.search.search(query)
    if (
        not outcome.concepts
        and query.category is None
        and query.price_min is None
        and query.price_max is None
    ):
        return SkillReply.of(
            Intent.PRODUCT_SEARCH,
            "Sure. What are you looking for?",
            categories_sentence(ctx),
            handled=False,
        )
    direction = ctx.entities.comparative if ctx.intent == Intent.PRODUCT_SEARCH else None
    if direction in ("cheaper", "more_expensive") and outcome.hits:
        # "your cheapest speaker": all the speakers, by price, not by relevance
        query.limit = 10
        wide = ctx.knowledge.search.search(query)
        wide.hits.sort(key=lambda h: h.product.price, reverse=direction == "more_expensive")
        wide.hits = wide.hits[:3]
        outcome = wide
        opener = "The most affordable is" if direction == "cheaper" else "The top of the range is"
        return present_outcome(ctx, query, outcome, Intent.PRODUCT_SEARCH, opener=opener)
    return present_outcome(ctx, query, outcome, Intent.PRODUCT_SEARCH)


def refine_search(ctx: TurnContext) -> SkillReply:
    e = ctx.entities
    memory = ctx.state.search
    direction = e.comparative
    if direction and (ctx.state.focus_sku or memory.results):
        return step(ctx, direction, Intent.REFINE_SEARCH)
    if not memory.query and not memory.category and not memory.results:
        return product_search(ctx)
    query = last_query(ctx, limit=3)
    if e.price_min is not None or e.price_max is not None:
        query.price_min, query.price_max = e.price_min, e.price_max
    if e.in_stock_only:
        query.in_stock_only = True
    extra = " ".join(k for k in e.keywords if k not in query.text.split())
    if extra:
        query.text = f"{query.text} {extra}".strip()
    return present_outcome(ctx, query, ctx.knowledge.search.search(query), Intent.REFINE_SEARCH)


# --- talking about one product --------------------------------------------------
def _stock_sentence(product: ProductDoc) -> str:
    if product.stock <= 0:
        return "It's out of stock right now."
    if product.stock <= 5:
        return f"There are only {number_words(product.stock)} left."
    return "It's in stock."


def select_item(ctx: TurnContext) -> SkillReply:
    e = ctx.entities
    listed = shown(ctx)
    product = by_ordinal(ctx)
    if product is None and e.comparative and listed:
        product = pick_shown(ctx, e.comparative)
        if product is None:
            return step(ctx, e.comparative, Intent.SELECT_ITEM)
    product = (
        product
        or mentioned(ctx)
        or _by_own_word(ctx, listed)
        or (listed[0] if len(listed) == 1 else None)
    )
    if product is None:
        if listed:
            names = join_words([f"the {p.name}" for p in listed[:3]], "or")
            return SkillReply.of(Intent.SELECT_ITEM, f"Which one: {names}?", handled=False)
        return SkillReply.of(
            Intent.SELECT_ITEM,
            "Which product do you mean? Tell me what you're looking for.",
            handled=False,
            understood=False,
        )
    return describe_product(ctx, product, Intent.SELECT_ITEM)


def word_stems(text: str) -> set[str]:
    """The stems of a text's words ("Wiper Blades 22 in" -> wiper, blade, 22, in)."""
    return {stem(w) for w in re.findall(r"[a-z0-9]+", text.lower())}


def _by_own_word(ctx: TurnContext, listed: list[ProductDoc]) -> ProductDoc | None:
    """ "The beige one" among the black and the beige cover just listed: the one product
    whose name holds a word the caller said that no other listed name has."""
    said = word_stems(ctx.nlu.text or "")
    names = {p.sku: word_stems(p.name) for p in listed}
    own = [
        p
        for p in listed
        if said & (names[p.sku] - set().union(*(n for k, n in names.items() if k != p.sku)))
    ]
    return own[0] if len(own) == 1 else None


def _about(ctx: TurnContext, product: ProductDoc, intent: Intent) -> SkillReply:
    """A reply about one product: it is "it" from now on and its card is on screen."""
    focus(ctx, product)
    return SkillReply(intent=intent, cards=[card(product)])


def _unresolved(ctx: TurnContext, intent: Intent, question: str) -> SkillReply:
    """No product to talk about: search for the words said, else ask which one."""
    if ctx.entities.keywords:
        return product_search(ctx)
    return SkillReply.of(intent, question, handled=False)


def describe_product(ctx: TurnContext, product: ProductDoc, intent: Intent) -> SkillReply:
    reply = _about(ctx, product, intent)
    reply.say.say(f"The {product.name} costs {ctx.price(product.price)}.")
    detail = short_text(product.description, max_sentences=2, max_words=35)
    if detail:
        reply.say.say(detail)
    reply.say.say(_stock_sentence(product))
    if product.in_stock:
        reply.ask_to_add(product)
    else:
        note_sold_out(ctx, product)
        _offer_in_stock_instead(ctx, reply, product)
    return reply


def _offer_in_stock_instead(ctx: TurnContext, reply: SkillReply, product: ProductDoc) -> None:
    """A sold-out product was asked about: point at one from the same answer that can be bought."""
    other = next((p for p in shown(ctx) if p.in_stock and p.sku != product.sku), None)
    if other is None:  # nothing else was named: the nearest of its own kind
        kind = SearchQuery(text=head_noun(product.name), exclude={product.sku}, limit=1)
        hits = ctx.knowledge.search.search(kind).hits if kind.text else []
        other = hits[0].product if hits else None
    if other is None:
        return
    reply.say.say(
        f"The {other.name} is in stock, for {ctx.price(other.price)}. Would you like that one?"
    )
    reply.pending = Pending("add_item", {"sku": other.sku})
    reply.cards.append(card(other))


def product_info(ctx: TurnContext) -> SkillReply:
    product = resolve_product(ctx)
    if product is None:
        return _unresolved(ctx, Intent.PRODUCT_INFO, "Which product would you like to know about?")
    if _STOCK_WORDS.search(ctx.words):
        return stock_answer(ctx, product)
    return describe_product(ctx, product, Intent.PRODUCT_INFO)


def stock_answer(ctx: TurnContext, product: ProductDoc) -> SkillReply:
    """ "Is the X in stock?", "how many X are left?": yes or no first, then the offer."""
    reply = _about(ctx, product, Intent.PRODUCT_INFO)
    if product.in_stock:
        left = f"We have {product.stock} in stock." if product.stock <= 5 else "It's in stock."
        reply.say.say(f"Yes, the {product.name} is available. {left}")
        reply.ask_to_add(product)
    else:
        reply.say.say(f"Sorry, the {product.name} is out of stock right now.")
        note_sold_out(ctx, product)
        _offer_in_stock_instead(ctx, reply, product)
    return reply


def product_price(ctx: TurnContext) -> SkillReply:
    product = resolve_product(ctx)
    if product is None:
        return _unresolved(ctx, Intent.PRODUCT_PRICE, "Which product would you like the price of?")
    reply = _about(ctx, product, Intent.PRODUCT_PRICE)
    reply.say.say(f"The {product.name} costs {ctx.price(product.price)}.")
    if not product.in_stock:
        reply.say.say("It's out of stock right now, though.")
        note_sold_out(ctx, product)
    else:
        reply.ask_to_add(product)
    return reply
