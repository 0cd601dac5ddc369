"""Which skill answers a turn: the NLU's intent, corrected by what was just said.

The NLU judges one utterance alone. The policy adds the context it can't
know: an answer to the question Hark just asked goes to
:mod:`hark.dialogue.pending_answers` first (a bare order number, "yes"/"no",
"add it" after an offer); "what about order 103" is about that order
whatever the intent; a damaged-item report is a problem, not a status
question. Low-confidence turns get a second look (an order id, a confident
FAQ match, a clear product) before Hark admits it didn't understand.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from hark.dialogue import outside, requests, shop_questions
from hark.dialogue.entities import fit_order_id, fit_price
from hark.dialogue.intents import rule_intent
from hark.dialogue.llm import TurnPlanner
from hark.dialogue.meaning import PROBLEM_CLEAR, complaint_view, meaning_index, neutral
from hark.dialogue.nlu import nlu_for
from hark.dialogue.pending_answers import answer_pending, yes_or_no
from hark.dialogue.sentiment import is_upset
from hark.language.speech import money_in_text, short_text
from hark.shop.catalog_match import stem
from hark.shop.product_words import ProductDoc
from hark.shop.search import SearchQuery
from hark.skills import actions, cart, cart_swap, handoff, problems, sales, support
from hark.skills.context import SkillReply, TurnContext
from hark.skills.intent import Intent
from hark.skills.order_state import state_of
from hark.skills.state import Pending
from hark.skills.understanding import NluResult

FAQ_FALLBACK_CONFIDENCE = 0.5
#: An FAQ entry found by meaning alone takes a product request only this sure: on the
#: development cases product requests reach 0.53 ("do you sell guitar amps" ~ repairs).
FAQ_OVER_PRODUCT = 0.6
#: A classifier this sure is believed even when the words are few ("what?", "help").
GARBLE_TRUST = 0.85
_FEW_WORD_INTENTS = frozenset({
    Intent.REPEAT, Intent.HELP, Intent.GREET, Intent.THANKS, Intent.GOODBYE, Intent.VIEW_CART,
    Intent.CHECKOUT, Intent.CANCEL, Intent.HUMAN_AGENT,
})  # fmt: skip
_STOCK_QUESTION = re.compile(
    r"\b(in stock|out of stock|available|availability|left|how many|have any|got any|any left|"
    r"sold out|back in)\b"
)
PRODUCT_FALLBACK_SCORE = 0.75
_END_WORDS = re.compile(r"^(stop|exit|quit|end|hang up|stop it|end call|end the call)$")
_ORDER_WORD = re.compile(r"\border\b")
# "do you do grooming", "can you fix flats": a service question, answered by the FAQ if it can be.
_SERVICE = re.compile(
    r"\b(do|does|can|could|will|would) (you|your \w+|they|someone) (guys )?"
    r"(do|offer|provide|run|host|fix|repair|install|service|deliver)\b"
    r"|\b(can|could) i (book|schedule|make an appointment|get an appointment)\b"
)
_ADD_VERB = re.compile(r"^(please )?(add|put|throw|pop)\b|^i(ll| will) take\b")
#: "Stick a tape measure in the cart": where the product goes says what to do with it.
_TO_CART = re.compile(r"\b(in|into|to|onto) (my|the|your) (cart|basket|trolley)\b")
_TRACKING = re.compile(r"\b(track|where|status|how long|when)\b")

Handler = Callable[[TurnContext], SkillReply]

HANDLERS: dict[Intent, Handler] = {
    # The intents that are one of the skills' actions dispatch through the action
    # registry, the same definition the LLM's tools are generated from.
    Intent.ORDER_STATUS: actions.handler(Intent.ORDER_STATUS),
    Intent.RETURN_POLICY: support.return_policy,
    Intent.START_RETURN: actions.handler(Intent.START_RETURN),
    Intent.FAQ: actions.handler(Intent.FAQ),
    Intent.PRODUCT_SEARCH: actions.handler(Intent.PRODUCT_SEARCH),
    Intent.REFINE_SEARCH: sales.refine_search,
    Intent.SELECT_ITEM: sales.select_item,
    Intent.PRODUCT_INFO: actions.handler(Intent.PRODUCT_INFO),
    Intent.PRODUCT_PRICE: sales.product_price,
    Intent.ADD_TO_CART: actions.handler(Intent.ADD_TO_CART),
    Intent.REMOVE_FROM_CART: actions.handler(Intent.REMOVE_FROM_CART),
    Intent.CHANGE_QUANTITY: cart.change_quantity,
    Intent.VIEW_CART: actions.handler(Intent.VIEW_CART),
    Intent.CHECKOUT: actions.handler(Intent.CHECKOUT),
}


def respond(ctx: TurnContext, pending: Pending | None, planner: TurnPlanner | None) -> SkillReply:
    """The skill reply for this turn (before acknowledgements and handoff checks).

    A turn holding several requests ("when's my order coming and how much is
    shipping") gets each answered, in one reply: see :mod:`hark.dialogue.requests`.
    With the LLM planner in ``always`` mode, it takes the whole turn first (after
    an answer to Hark's own question, a goodbye or a request for a person).
    """
    _fit_numbers(ctx.nlu, ctx)
    if pending is not None:
        # "yes please, two sets" answers the open question whole, before any cutting
        answered = answer_pending(ctx, pending, ctx.nlu.intent)
        if answered is not None:
            return answered
    if planner is not None and planner.mode == "always" and _planner_may_take(ctx):
        planned = planner.plan(ctx, None)
        if planned is not None:
            return planned
        planner = None  # it failed: the built-in skills answer, without asking it again
    if pending is not None:
        answered = _answer_then_ask(ctx, pending, planner)
        if answered is not None:
            return answered  # "yes please, and also a wash mitt": both
    parts = requests.split(ctx.said or ctx.text, nlu_for(ctx.knowledge), ctx.knowledge)
    if parts and _complaint_kind(ctx, ctx.nlu.intent) is not None:
        parts = []  # "it's been ages, my piano still isn't here, I'm fed up": one complaint
    if not parts:
        return _person_for_the_upset(ctx, _respond_one(ctx, pending, planner))
    replies: list[SkillReply] = []
    for n, part in enumerate(parts):
        _fit_numbers(part.nlu, ctx)
        sub = replace(ctx, text=part.nlu.request or part.text, nlu=part.nlu)
        replies.append(_respond_one(sub, pending if n == 0 else None, planner))
    return _person_for_the_upset(ctx, requests.combine(replies))


#: A clause that takes back the yes before it.
_CHANGE_OF_COURSE = re.compile(
    r"^(?:(?:um|uh|er|erm|hmm)\W+)*(actually|but|wait|hold on|instead|no|never ?mind)\b"
)
#: Words that open a new request as often as they say yes.
_MARKERS = frozenset({"ok", "okay", "alright", "all right", "right", "well", "so", "oh"})


def _answer_then_ask(
    ctx: TurnContext, pending: Pending, planner: TurnPlanner | None
) -> SkillReply | None:
    """A plain yes to Hark's question, then a request of its own in the same breath
    ("yes please and also a wash mitt"): the answer, then the request. None unless the
    first clause alone is a yes.

    Why: a "yes please" is no request, so the clause splitter drops it as talk and the
    offer it accepted is lost."""
    clauses = requests.clauses(ctx.said or ctx.text, ctx.knowledge)
    if len(clauses) < 2:
        return None
    nlu = nlu_for(ctx.knowledge)
    first = nlu.parse(clauses[0])
    if first.text in _MARKERS:
        return None  # "ok, and what's your return policy": a turn taken, not a yes
    head = replace(ctx, text=first.request or first.text, nlu=first)
    if yes_or_no(head, first.intent) != "yes":  # a "no, what about ..." already reads right
        return None
    rest_text = " ".join(clauses[1:])
    if _CHANGE_OF_COURSE.match(rest_text.lower()):
        return None  # "yeah, um, actually do you sell glue guns": not a yes after all
    answered = answer_pending(head, pending, first.intent)
    if answered is None:
        return None
    rest = nlu.parse(rest_text)
    _fit_numbers(rest, ctx)
    tail = replace(ctx, text=rest.request or rest.text, said=rest_text, nlu=rest)
    return requests.combine([answered, _respond_one(tail, None, planner)])


def _person_for_the_upset(ctx: TurnContext, reply: SkillReply) -> SkillReply:
    """A frustrated caller told where their order is also hears that a person can take it on."""
    history = ctx.state.sentiment_history
    if (
        reply.intent == Intent.ORDER_STATUS
        and reply.pending is None
        and not reply.end
        and history
        and is_upset(history[-1])
    ):
        reply.say.say("Would you like me to connect you with a person about it?")
        reply.pending = Pending("handoff", {"reason": "frustrated about an order"})
    return reply


def _fit_numbers(nlu: NluResult, ctx: TurnContext) -> None:
    """Numbers read with the shop in mind: an order id of the shop's shape, a price limit
    in the range its prices live in ("under 1.20" for a shop of 6-250 dollar things is 120)."""
    e = nlu.entities
    e.order_id = fit_order_id(e.order_id, ctx.knowledge.order_id_lengths)
    prices = [p.price for p in ctx.knowledge.products.values() if p.price > 0]
    if prices:
        e.price_max = fit_price(e.price_max, min(prices), max(prices))
        e.price_min = fit_price(e.price_min, min(prices), max(prices))


def _planner_may_take(ctx: TurnContext) -> bool:
    """Turns the built-in path keeps even in ``always`` mode: nothing said, a goodbye, a
    request for a person (those must never wait on, or be reworded by, a model)."""
    text = (ctx.nlu.text or "").strip()
    return bool(text) and not _END_WORDS.match(text) and ctx.nlu.intent != Intent.HUMAN_AGENT


def _respond_one(
    ctx: TurnContext, pending: Pending | None, planner: TurnPlanner | None
) -> SkillReply:
    """The reply to one request; "we don't carry that" rather than giving up on a thing asked
    for that the shop has nothing like."""
    reply = _respond_request(ctx, pending, planner)
    return shop_questions.not_carried_instead(ctx, reply) or reply


def _respond_request(
    ctx: TurnContext, pending: Pending | None, planner: TurnPlanner | None
) -> SkillReply:
    """The reply to one request, as the skills give it."""
    nlu = ctx.nlu
    intent = nlu.intent
    text = (nlu.text or "").strip()
    if not text:
        return SkillReply.of(
            Intent.OUT_OF_SCOPE,
            "Sorry, I didn't catch that. Could you say it again?",
            understood=False,
            handled=False,
        )
    if pending is not None:
        answered = answer_pending(ctx, pending, intent)
        if answered is not None:
            return answered
    if _END_WORDS.match(text):
        return _goodbye(ctx)
    elsewhere = outside.answer(ctx)
    if elsewhere is not None:
        return elsewhere  # another language, "are you a robot", small talk, a card offered
    fun = outside.small_talk(ctx)
    if fun is not None:
        return _llm_or(ctx, planner, fun)
    e = ctx.nlu.entities
    if (
        outside.is_garbled(text)
        and (nlu.confidence < GARBLE_TRUST or intent not in _FEW_WORD_INTENTS)
        and not (e.order_id or e.products or e.category or e.ordinal or e.comparative)
        and not (e.pronoun_ref or e.quantity or e.price_min or e.price_max)
        and rule_intent(text) is None
        and ctx.knowledge.faq.answer(ctx.text) is None  # "do you take paypal": the FAQ's words
    ):
        # "the uh the wah": no words to act on (a configured LLM may still make sense of it)
        return _llm_or(ctx, planner, outside.not_understood(ctx))
    complaint = _complaint(ctx, intent)
    if complaint is not None:
        return complaint  # "the lid snapped off the kettle": sorry, that order, the remedy
    if _upset_about_a_late_order(ctx, intent):
        return problems.late_complaint(ctx)  # "third time I'm calling and nobody has helped"
    mine = support.order_in_question(ctx)
    if mine is not None and intent not in (Intent.START_RETURN, Intent.RETURN_POLICY):
        if problems.is_problem_report(text) and not _faq_on_problem(ctx):
            return problems.report_problem(ctx)
        return support.order_status(ctx, mine.order_id)  # "when's my blender showing up"
    if intent in _STOCK_INTENTS and _STOCK_QUESTION.search(text):
        product = _asked_about(ctx)
        if product is not None:
            return sales.stock_answer(ctx, product)  # "is the X in stock": answered directly
    if intent == Intent.HUMAN_AGENT:
        return handoff.handoff(ctx, "requested")
    if intent == Intent.CANCEL:
        return _cancel(ctx, pending)
    if ctx.nlu.entities.order_id and _ORDER_WORD.search(text) and intent not in _ORDER_INTENTS:
        return support.order_status(ctx)  # "what about order 103" is about that order
    if intent in _PROBLEM_INTENTS and problems.is_problem_report(text) and not _faq_on_problem(ctx):
        return problems.report_problem(ctx)
    if cart_swap.is_recount(ctx):
        return cart.change_quantity(ctx)  # "actually just the one": of what was just added
    swapped = cart_swap.swap_in_cart(ctx) if intent not in _COMMANDS else None
    if swapped is not None:
        return swapped  # "I want the dog hammock one instead": the choice just made, replaced
    to_add = _named_to_add(ctx, intent, text)
    if to_add is not None:
        return cart.add_to_cart(ctx, to_add)  # "add two junior helmets" names what to add
    if cart.fewer_in_cart(ctx) or cart.more_of_the_last(ctx):
        return cart.change_quantity(ctx)  # "one less headlamp": off the cart's count
    carried_on = _carried_on(ctx, intent)
    if carried_on is not None:
        return HANDLERS[carried_on](ctx)  # "add the kettle" ... "and the toaster": added too
    asked = shop_questions.faq_instead(ctx)
    if asked is not None:
        return asked  # "how quickly will I get my stuff": the FAQ's answer, not "order number?"
    served = shop_questions.need_instead(ctx)
    if served is not None:
        return served  # "something so my knees don't hurt doing yoga": the mat, not "order?"
    if intent in HANDLERS:
        return _checked(ctx, intent, planner)
    if intent in _UNSURE_READINGS and nlu.confidence < GARBLE_TRUST and _need_served(ctx):
        return sales.product_search(ctx)  # "what do I need to redo my walls": the catalog answers
    simple = _small_talk(ctx, intent, pending)
    if simple is not None:
        return simple
    return _fallback(ctx, planner)


_ADDING = frozenset(
    {Intent.PRODUCT_SEARCH, Intent.PRODUCT_INFO, Intent.SELECT_ITEM, Intent.ADD_TO_CART}
)


def _named_to_add(ctx: TurnContext, intent: Intent, text: str) -> ProductDoc | None:
    """The product an add command names ("add two junior helmets", "pop the lantern in my
    basket"): a product named (``cart_swap.NAMED_MIN``, the bar ``sales.resolve_product``
    also keeps), else a search that singles one out, else the one product named at all.
    The command's own words ("stick", "basket") are no product's, so the search alone is
    rarely exact for them."""
    commanded = bool(_ADD_VERB.match(text))  # "add ..." said first is a command, however read
    if not commanded and (intent not in _ADDING or not _TO_CART.search(text)):
        return None
    if intent in _COMMANDS:
        return None
    # a name heard comes before a search hit: "the 1080p one" is the 1080p Dash Cam, not the
    # camera whose description mentions 1080p at the back
    return (
        sales.mentioned(ctx, cart_swap.NAMED_MIN)
        or cart.single_clear_match(ctx)
        or _only_product_named(ctx)
    )


#: The one product a turn names at all, this surely (``requests`` counts a clause naming a
#: product at this score as a request of its own).
ONLY_NAMED = 0.5


def _only_product_named(ctx: TurnContext) -> ProductDoc | None:
    """ "Add a couple of micro sd cards": one product is named, half-heard, and no other."""
    named = [sku for sku, score in ctx.entities.products if score >= ONLY_NAMED - 0.1]
    if len(named) != 1 or ctx.entities.products[0][1] < ONLY_NAMED:
        return None
    return ctx.knowledge.product(named[0])


#: "And the toaster", "also the lantern": a turn that only names a product, after a cart edit,
#: asks for the same edit on it.
_AND_ALSO = re.compile(r"^(and|also|plus|oh and|and also|as well as)\b")
_CARRIED_EDITS = frozenset({Intent.ADD_TO_CART, Intent.REMOVE_FROM_CART})


def _carried_on(ctx: TurnContext, intent: Intent) -> Intent | None:
    """The last turn's cart edit, when this turn is its elliptical continuation: it starts
    with "and"/"also", reads as no edit of its own, and names a product clearly."""
    if ctx.state.last_intent is None or intent in _CARRIED_EDITS or intent in _COMMANDS:
        return None
    try:
        previous = Intent(ctx.state.last_intent)
    except ValueError:
        return None
    if previous not in _CARRIED_EDITS or not _AND_ALSO.match(ctx.nlu.text or ""):
        return None
    named = sales.mentioned(ctx) or cart.single_clear_match(ctx)
    return previous if named is not None else None


#: Readings a need described without a product word often gets ("what can I use to see in
#: the dark" reads as a request for help): the catalog is asked by meaning before they answer.
_UNSURE_READINGS = frozenset({Intent.HELP, Intent.OUT_OF_SCOPE})


def _need_served(ctx: TurnContext) -> bool:
    """Some product serves what the caller described, by words and meaning together."""
    return shop_questions.need_query(ctx) is not None


#: Readings a stock question ("is the X in stock") may come with.
_STOCK_INTENTS = frozenset(
    {
        Intent.PRODUCT_SEARCH,
        Intent.PRODUCT_INFO,
        Intent.FAQ,
        Intent.OUT_OF_SCOPE,
        Intent.SELECT_ITEM,
    }
)
#: Readings that already say what an order number is for ("what about order 103" is not).
_ORDER_INTENTS = frozenset(
    {Intent.ORDER_STATUS, Intent.START_RETURN, Intent.CANCEL, Intent.FAQ, Intent.RETURN_POLICY}
)
_PROBLEM_INTENTS = frozenset({
    Intent.ORDER_STATUS, Intent.START_RETURN, Intent.RETURN_POLICY, Intent.FAQ,
    Intent.OUT_OF_SCOPE, Intent.PRODUCT_INFO,
})  # fmt: skip


_COMMANDS = frozenset({
    Intent.HUMAN_AGENT, Intent.CANCEL, Intent.CHECKOUT, Intent.VIEW_CART, Intent.GOODBYE,
    Intent.THANKS, Intent.GREET, Intent.REPEAT, Intent.AFFIRM, Intent.DENY, Intent.HELP,
})  # fmt: skip
#: Commands a complaint never overrides; the other short acts (a yes, a no, thanks, hello)
#: only when the classifier is sure: "still no sign of my parcel" is no "no".
_EXPLICIT_COMMANDS = frozenset(
    {Intent.HUMAN_AGENT, Intent.CANCEL, Intent.CHECKOUT, Intent.VIEW_CART, Intent.GOODBYE}
)
SURE_SOCIAL = 0.6
#: A calm "where's my parcel" is a question; a lateness complaint reads further from it.
LATE_LEAD = 0.08
_QUESTION = re.compile(r"^(what|how|do|does|is|are|can|could|will|would|if|when)\b")


def _complaint(ctx: TurnContext, intent: Intent) -> SkillReply | None:
    """A complaint read by meaning (any wording), answered by its kind; None for anything else."""
    kind = _complaint_kind(ctx, intent)
    if kind == "late":
        return problems.late_complaint(ctx)
    if kind == "bad_service":
        return problems.service_complaint(ctx)
    return problems.report_problem(ctx, kind) if kind is not None else None


def _complaint_kind(ctx: TurnContext, intent: Intent) -> str | None:
    """The kind of complaint this turn is, or None.

    Explicit commands keep their rules; a question about what happens *if* something
    breaks is the FAQ's ("what if it arrives broken"), not a complaint.
    """
    text = ctx.nlu.text or ""
    if rule_intent(text) is not None or intent in _EXPLICIT_COMMANDS:
        return None
    if intent in _COMMANDS and ctx.nlu.confidence >= SURE_SOCIAL:
        return None
    index = meaning_index()
    vocabulary = nlu_for(ctx.knowledge).matcher.vocabulary
    # A caller with orders on file can be complaining about one: the turn is read as the
    # complaint examples say it ("it broke"). Without any, a problem described is far
    # more often a need ("my phone keeps sliding off the seat"): the stricter reading.
    views = [neutral, complaint_view] if support.customer_orders(ctx) else [neutral]
    readings = [index.problem(view(text, vocabulary)) for view in views] if index else []
    found = [r for r in readings if r is not None]
    if not found:
        return None
    reading = max(found, key=lambda r: r.similarity - r.runner_up)
    lead = reading.similarity - reading.runner_up
    if lead < PROBLEM_CLEAR and not problems.PROBLEM.search(text):
        return None  # near a complaint, but as near other requests, and no word says so
    if _QUESTION.match(text):
        match = ctx.knowledge.faq.answer(ctx.text)
        if match is not None and match.confidence >= 0.75:
            return None
    if reading.label == "late":
        history = ctx.state.sentiment_history
        upset = bool(history) and is_upset(history[-1])
        if not upset and lead < LATE_LEAD:
            return None  # "where's my parcel" asks where it is: the status answers it
    return reading.label


#: Readings that ask for nothing: an upset caller read this way is venting, not greeting.
_NO_REQUEST = frozenset({
    Intent.GREET, Intent.HELP, Intent.OUT_OF_SCOPE, Intent.AFFIRM, Intent.DENY, Intent.THANKS,
    Intent.REPEAT,
})  # fmt: skip


def _upset_about_a_late_order(ctx: TurnContext, intent: Intent) -> bool:
    """An upset caller who asks for nothing clear ("this is the third time I'm calling and
    nobody has helped me"), with an order on file that is late: that order is why they call.

    Why: the frustrated caller rarely names the order; the greeting already said it is late,
    and a "Hello! How can I help?" to someone venting about it is the wrong answer."""
    history = ctx.state.sentiment_history
    if not history or not is_upset(history[-1]):
        return False
    if intent not in _NO_REQUEST or ctx.nlu.confidence >= SURE_SOCIAL:
        return False
    if rule_intent(ctx.nlu.text or "") is not None:
        return False
    late = ("delayed", "running_late")
    return any(state_of(o, ctx.today).state in late for o in support.customer_orders(ctx))


def _faq_on_problem(ctx: TurnContext) -> bool:
    """The shop's FAQ has its own answer for this kind of problem ("what if it arrives broken")."""
    match = ctx.knowledge.faq.answer(ctx.text)
    return (
        match is not None
        and match.confidence >= 0.75
        and bool(problems.PROBLEM.search(match.entry.question.lower()))
    )


def _checked(ctx: TurnContext, intent: Intent, planner: TurnPlanner | None) -> SkillReply:
    """Run the intent's skill, with cross-checks where NLU confusions are common."""
    if intent == Intent.FAQ:
        ctx = _faq_view(ctx)
    if intent == Intent.FAQ and ctx.knowledge.faq.answer(ctx.text) is None:
        if ctx.nlu.entities.order_id:
            return support.order_status(ctx)
        outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text))
        if outcome.found and outcome.exact:
            return sales.product_search(ctx)
        reply = support.faq(ctx)
        return _llm_or(ctx, planner, reply)
    if (
        intent == Intent.SELECT_ITEM
        and not ctx.state.search.results
        and sales.mentioned(ctx) is None
    ):
        # nothing was listed to choose from: "can I learn the piano with you" is a question
        faq_ctx = _faq_view(ctx)
        match = ctx.knowledge.faq.answer(faq_ctx.text)
        if match is not None and match.confidence >= FAQ_FALLBACK_CONFIDENCE:
            return support.faq(faq_ctx)
        if _need_served(ctx):
            return sales.product_search(ctx)  # "somewhere to sit by the fire": nothing to pick from
    if intent == Intent.PRODUCT_SEARCH and _SERVICE.search(ctx.nlu.text or ""):
        match = ctx.knowledge.faq.answer(ctx.text)
        if match is not None and match.confidence >= FAQ_FALLBACK_CONFIDENCE:
            return support.faq(ctx)
    if intent == Intent.PRODUCT_SEARCH:
        outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text))
        loose = not outcome.exact or outcome.named  # "can I rent a violin": "rent" is no product
        weak = not outcome.found or outcome.by_meaning or (loose and outcome.hits[0].coverage < 0.5)
        if weak and (not outcome.out_of_stock or outcome.by_meaning):
            # "can I hire a floor sander": a service the FAQ answers, not a product to offer
            # (an entry only near in meaning must not take a request for a product: "do you
            # sell guitar amps" is not about guitar repairs, whatever the model finds close)
            match = ctx.knowledge.faq.answer(ctx.text)
            if (
                match is not None
                and match.confidence >= FAQ_FALLBACK_CONFIDENCE
                and (not match.by_meaning or match.confidence >= FAQ_OVER_PRODUCT)
            ):
                return support.faq(ctx)
    if intent == Intent.ORDER_STATUS and not ctx.nlu.entities.order_id:
        # "my package arrived damaged" is a policy question, not "where is it"
        match = ctx.knowledge.faq.answer(ctx.text)
        if (
            match is not None
            and match.confidence >= 0.75
            and problems.PROBLEM.search(ctx.nlu.text)
            and not _TRACKING.search(match.entry.question.lower())
        ):
            return support.faq(ctx)
    if intent == Intent.RETURN_POLICY:
        # "when do I get my money back" is about refunds: a specific FAQ entry beats the policy.
        match = ctx.knowledge.faq.answer(ctx.text)
        policy_entry = support.return_policy_entry(ctx)
        if (
            match is not None
            and match.confidence >= FAQ_FALLBACK_CONFIDENCE
            and policy_entry is not None
            and match.entry.question != policy_entry.question
        ):
            return support.faq(ctx)
    return HANDLERS[intent](ctx)


def _cancel(ctx: TurnContext, pending: Pending | None) -> SkillReply:
    """ "Cancel" / "never mind": drop the open question; "cancel my order" is a policy matter."""
    if _ORDER_WORD.search(ctx.nlu.text) or ctx.nlu.entities.order_id:
        entry = ctx.knowledge.faq.find("cancel")
        reply = SkillReply(intent=Intent.CANCEL)
        if entry is not None:
            reply.say.say(short_text(money_in_text(entry.answer, ctx.currency), 3, 60))
        reply.say.say(
            "I can't cancel orders myself. Would you like me to connect you with a person?"
        )
        reply.pending = Pending("handoff", {"reason": "order cancellation"})
        return reply
    if pending is not None:
        return SkillReply.of(
            Intent.CANCEL,
            "Okay, I won't do that. Is there anything else I can help with?",
            handled=False,
        )
    return SkillReply.of(
        Intent.CANCEL, "Okay. Is there anything else I can help with?", handled=False
    )


def _goodbye(ctx: TurnContext) -> SkillReply:
    name = ctx.first_name()
    bye = f"Thanks for calling {ctx.settings.shop_name}"
    return SkillReply.of(
        Intent.GOODBYE,
        f"{bye}, {name}. Goodbye!" if name else f"{bye}. Goodbye!",
        end=True,
        handled=False,
    )


def _small_talk(ctx: TurnContext, intent: Intent, pending: Pending | None) -> SkillReply | None:
    if intent == Intent.GOODBYE:
        return _goodbye(ctx)
    if intent == Intent.GREET:
        return SkillReply.of(Intent.GREET, "Hello! How can I help you today?", handled=False)
    if intent == Intent.THANKS:
        return SkillReply.of(
            Intent.THANKS, "You're welcome! Is there anything else I can help with?", handled=False
        )
    if intent == Intent.HELP:
        return SkillReply.of(
            Intent.HELP,
            "I can tell you where an order is, start a return, and answer questions about the store.",
            "I can also help you find products, fill your cart and check out.",
            "Or say agent to talk to a person. What would you like to do?",
            handled=False,
        )
    if intent == Intent.REPEAT:
        reply = SkillReply(intent=Intent.REPEAT, handled=False, pending=pending)
        last = ctx.state.last_reply or "I haven't said anything yet. How can I help?"
        reply.say.say(last)
        return reply
    if (
        intent in (Intent.AFFIRM, Intent.DENY)
        and rule_intent(ctx.nlu.text) is None
        and outside.is_garbled(ctx.nlu.text)
    ):
        return outside.not_understood(ctx)  # "no the uh the wah" is not a "no"
    if intent == Intent.AFFIRM:
        return SkillReply.of(Intent.AFFIRM, "Okay. What can I help you with?", handled=False)
    if intent == Intent.DENY:
        return SkillReply.of(
            Intent.DENY, "Alright. Is there anything else I can help with?", handled=False
        )
    return None


def _asked_about(ctx: TurnContext):
    """The one product a question names: a clear mention, else a search with one exact hit."""
    product = sales.mentioned(ctx, 0.5)
    if product is not None:
        return product
    words = " ".join(ctx.entities.keywords) or ctx.text  # "how many ladders ... left": ladders
    outcome = ctx.knowledge.search.search(SearchQuery(text=words, limit=2))
    if outcome.exact and len(outcome.hits) + len(outcome.out_of_stock) == 1:
        return (outcome.hits or outcome.out_of_stock)[0].product
    return None


def _faq_view(ctx: TurnContext) -> TurnContext:
    """The turn as the FAQ should read it: "is there a guarantee on the air fryer" asks about
    guarantees; when the whole sentence matches no entry, the catalog's words are set aside."""
    if ctx.knowledge.faq.answer(ctx.text) is not None:
        return ctx
    vocabulary = nlu_for(ctx.knowledge).matcher.vocabulary
    words = [w for w in ctx.text.split() if stem(w.lower()) not in vocabulary]
    if len(words) == len(ctx.text.split()) or not words:
        return ctx
    rest = " ".join(words)
    return replace(ctx, text=rest) if ctx.knowledge.faq.answer(rest) is not None else ctx


def _fallback(ctx: TurnContext, planner: TurnPlanner | None) -> SkillReply:
    """A low-confidence turn: look for something solid in it before giving up."""
    entities = ctx.nlu.entities
    if entities.order_id:
        return support.order_status(ctx)
    faq_ctx = _faq_view(ctx)
    match = ctx.knowledge.faq.answer(faq_ctx.text)
    if match is not None and match.confidence >= FAQ_FALLBACK_CONFIDENCE:
        return support.faq(faq_ctx)
    strong = [s for s, score in entities.products if score >= PRODUCT_FALLBACK_SCORE]
    outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text))
    if outcome.found and (strong or outcome.exact or outcome.hits[0].coverage >= 0.6):
        return sales.product_search(ctx)
    if _need_served(ctx):
        return sales.product_search(ctx)
    return _llm_or(ctx, planner, outside.not_understood(ctx))


def _llm_or(ctx: TurnContext, planner: TurnPlanner | None, reply: SkillReply) -> SkillReply:
    """A turn the skills couldn't place: the optional LLM planner may answer it instead
    (with the skills as its tools); without one, or when it fails, the built-in reply."""
    if planner is None or planner.mode != "fallback":
        return reply
    return planner.plan(ctx, reply) or reply
