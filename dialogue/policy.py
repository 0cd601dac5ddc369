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

from hark.dialogue.llm import TurnPlanner
from hark.dialogue.pending_answers import answer_pending
from hark.language.speech import money_in_text, short_text
from hark.shop.search import SearchQuery
from hark.skills import actions, cart, handoff, problems, sales, support
from hark.skills.context import SkillReply, TurnContext
from hark.skills.state import Pending

FAQ_FALLBACK_CONFIDENCE = 0.5
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
_TRACKING = re.compile(r"\b(track|where|status|how long|when)\b")

Handler = Callable[[TurnContext], SkillReply]

HANDLERS: dict[str, Handler] = {
    # The intents that are one of the skills' actions dispatch through the action
    # registry, the same definition the LLM's tools are generated from.
    "order_status": actions.handler("get_order_status"),
    "return_policy": support.return_policy,
    "start_return": actions.handler("start_return"),
    "faq": actions.handler("faq_lookup"),
    "product_search": actions.handler("search_products"),
    "refine_search": sales.refine_search,
    "select_item": sales.select_item,
    "product_info": actions.handler("get_product"),
    "product_price": sales.product_price,
    "add_to_cart": actions.handler("add_to_cart"),
    "remove_from_cart": actions.handler("remove_from_cart"),
    "change_quantity": cart.change_quantity,
    "view_cart": actions.handler("view_cart"),
    "checkout": actions.handler("checkout"),
}


def respond(ctx: TurnContext, pending: Pending | None, planner: TurnPlanner | None) -> SkillReply:
    """The skill reply for this turn (before acknowledgements and handoff checks)."""
    nlu = ctx.nlu
    intent = nlu.intent
    text = (nlu.text or "").strip()
    if not text:
        return SkillReply.of(
            "out_of_scope",
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
    if intent == "human_agent":
        return handoff.handoff(ctx, "requested")
    if planner is not None and planner.mode == "always":
        planned = planner.plan(ctx, None)
        if planned is not None:
            return planned
        planner = None  # it failed: the built-in skills answer, without asking it again
    if intent == "cancel":
        return _cancel(ctx, pending)
    if (
        ctx.nlu.entities.order_id
        and _ORDER_WORD.search(text)
        and intent not in ("order_status", "start_return", "cancel", "faq", "return_policy")
    ):
        return support.order_status(ctx)  # "what about order 103" is about that order
    if intent in _PROBLEM_INTENTS and problems.is_problem_report(text) and not _faq_on_problem(ctx):
        return problems.report_problem(ctx)
    if (
        intent in ("product_search", "product_info", "select_item")
        and _ADD_VERB.match(text)
        and sales.mentioned(ctx) is not None
    ):
        return cart.add_to_cart(ctx)  # "add two junior helmets" names what to add
    if intent in HANDLERS:
        return _checked(ctx, intent, planner)
    simple = _small_talk(ctx, intent, pending)
    if simple is not None:
        return simple
    return _fallback(ctx, planner)


_PROBLEM_INTENTS = frozenset(
    {"order_status", "start_return", "return_policy", "faq", "out_of_scope", "product_info"}
)


def _faq_on_problem(ctx: TurnContext) -> bool:
    """The shop's FAQ has its own answer for this kind of problem ("what if it arrives broken")."""
    match = ctx.knowledge.faq.answer(ctx.text)
    return (
        match is not None
        and match.confidence >= 0.75
        and bool(problems.PROBLEM.search(match.entry.question.lower()))
    )


def _checked(ctx: TurnContext, intent: str, planner: TurnPlanner | None) -> SkillReply:
    """Run the intent's skill, with cross-checks where NLU confusions are common."""
    if intent == "faq" and ctx.knowledge.faq.answer(ctx.text) is None:
        if ctx.nlu.entities.order_id:
            return support.order_status(ctx)
        outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text))
        if outcome.found and outcome.exact:
            return sales.product_search(ctx)
        reply = support.faq(ctx)
        return _llm_or(ctx, planner, reply)
    if intent == "product_search" and _SERVICE.search(ctx.nlu.text or ""):
        match = ctx.knowledge.faq.answer(ctx.text)
        if match is not None and match.confidence >= FAQ_FALLBACK_CONFIDENCE:
            return support.faq(ctx)
    if intent == "product_search":
        outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text))
        if not outcome.found and not outcome.out_of_stock:
            match = ctx.knowledge.faq.answer(ctx.text)
            if match is not None and match.confidence >= FAQ_FALLBACK_CONFIDENCE:
                return support.faq(ctx)
    if intent == "order_status" and not ctx.nlu.entities.order_id:
        # "my package arrived damaged" is a policy question, not "where is it"
        match = ctx.knowledge.faq.answer(ctx.text)
        if (
            match is not None
            and match.confidence >= 0.75
            and problems.PROBLEM.search(ctx.nlu.text)
            and not _TRACKING.search(match.entry.question.lower())
        ):
            return support.faq(ctx)
    if intent == "return_policy":
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
        reply = SkillReply(intent="cancel")
        if entry is not None:
            reply.say.say(short_text(money_in_text(entry.answer, ctx.currency), 3, 60))
        reply.say.say(
            "I can't cancel orders myself. Would you like me to connect you with a person?"
        )
        reply.pending = Pending("handoff", {"reason": "order cancellation"})
        return reply
    if pending is not None:
        return SkillReply.of(
            "cancel",
            "Okay, I won't do that. Is there anything else I can help with?",
            handled=False,
        )
    return SkillReply.of("cancel", "Okay. Is there anything else I can help with?", handled=False)


def _goodbye(ctx: TurnContext) -> SkillReply:
    name = ctx.first_name()
    bye = f"Thanks for calling {ctx.settings.shop_name}"
    return SkillReply.of(
        "goodbye",
        f"{bye}, {name}. Goodbye!" if name else f"{bye}. Goodbye!",
        end=True,
        handled=False,
    )


def _small_talk(ctx: TurnContext, intent: str, pending: Pending | None) -> SkillReply | None:
    if intent == "goodbye":
        return _goodbye(ctx)
    if intent == "greet":
        return SkillReply.of("greet", "Hello! How can I help you today?", handled=False)
    if intent == "thanks":
        return SkillReply.of(
            "thanks", "You're welcome! Is there anything else I can help with?", handled=False
        )
    if intent == "help":
        return SkillReply.of(
            "help",
            "I can tell you where an order is, start a return, and answer questions about the store.",
            "I can also help you find products, fill your cart and check out.",
            "Or say agent to talk to a person. What would you like to do?",
            handled=False,
        )
    if intent == "repeat":
        reply = SkillReply(intent="repeat", handled=False, pending=pending)
        last = ctx.state.last_reply or "I haven't said anything yet. How can I help?"
        reply.say.say(last)
        return reply
    if intent == "affirm":
        return SkillReply.of("affirm", "Okay. What can I help you with?", handled=False)
    if intent == "deny":
        return SkillReply.of(
            "deny", "Alright. Is there anything else I can help with?", handled=False
        )
    return None


def _fallback(ctx: TurnContext, planner: TurnPlanner | None) -> SkillReply:
    """A low-confidence turn: look for something solid in it before giving up."""
    entities = ctx.nlu.entities
    if entities.order_id:
        return support.order_status(ctx)
    match = ctx.knowledge.faq.answer(ctx.text)
    if match is not None and match.confidence >= FAQ_FALLBACK_CONFIDENCE:
        return support.faq(ctx)
    strong = [s for s, score in entities.products if score >= PRODUCT_FALLBACK_SCORE]
    outcome = ctx.knowledge.search.search(SearchQuery(text=ctx.text))
    if outcome.found and (strong or outcome.exact or outcome.hits[0].coverage >= 0.6):
        return sales.product_search(ctx)
    reply = SkillReply.of(
        "out_of_scope",
        "Sorry, I didn't understand that.",
        "I can check an order, help with a return, answer questions about the store, "
        "or help you find a product.",
        understood=False,
        handled=False,
    )
    return _llm_or(ctx, planner, reply)


def _llm_or(ctx: TurnContext, planner: TurnPlanner | None, reply: SkillReply) -> SkillReply:
    """A turn the skills couldn't place: the optional LLM planner may answer it instead
    (with the skills as its tools); without one, or when it fails, the built-in reply."""
    if planner is None or planner.mode != "fallback":
        return reply
    return planner.plan(ctx, reply) or reply
