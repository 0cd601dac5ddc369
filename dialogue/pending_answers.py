"""Answers to the question Hark just asked: an order number, a yes or a no, "add it".

The NLU judges one utterance alone, so "yes", "the second one" or a bare
"3186" mean nothing by themselves. After "what's your order number?" a bare
number is the order; after "shall I place the order?" a "yes please" places
it; after a cross-sell offer "add it" means the offered product. The policy
asks here first whenever a question is open, and routes the turn as usual
when the answer is about something else (None).
"""

from __future__ import annotations

import re

from hark.dialogue.intents import rule_intent
from hark.dialogue.meaning import meaning_index
from hark.dialogue.nlu import nlu_for
from hark.dialogue.outside import is_garbled
from hark.language.normalize import FILLERS
from hark.skills import cart, handoff, sales, support, verification, verify_code
from hark.skills.context import SkillReply, TurnContext
from hark.skills.intent import Intent
from hark.skills.state import Pending
from hark.skills.verification import VERIFY, AnswerCheck

# After "what's the phone number or e-mail on the account?", these say nothing new:
# the question is asked again. Any other request is served as usual.
_NOT_AN_ANSWER = frozenset(
    {Intent.AFFIRM, Intent.OUT_OF_SCOPE, Intent.REPEAT, Intent.THANKS, Intent.GREET, Intent.HELP}
)


def answer_pending(ctx: TurnContext, pending: Pending, intent: Intent) -> SkillReply | None:
    """The reply when this turn answers the open question; None when it is about something else."""
    kind, data = pending.kind, pending.data
    entities = ctx.nlu.entities
    if kind == VERIFY:
        if intent in (Intent.DENY, Intent.CANCEL) or _NO_START.match(ctx.nlu.text):
            return SkillReply.of(
                Intent.DENY,
                "Okay. I can't share order details without checking it's you.",
                "Is there anything else I can help with? Or say agent to talk to a person.",
                handled=False,
            )
        if verify_code.asks_for_code(ctx.nlu.text):
            return verification.send_code(ctx, pending)
        if intent in _NOT_AN_ANSWER or not ctx.nlu.text.strip():
            return verification.ask_again(ctx, pending)
        return None
    if kind == "order_number":
        number = entities.order_id or _bare_number(ctx)
        if number:
            if data.get("purpose") == "return":
                return support.start_return(ctx, number)
            return support.order_status(ctx, number)
        if intent in (Intent.AFFIRM,):
            return SkillReply.of(
                Intent.ORDER_STATUS,
                "Sure. What's the order number?",
                pending=pending,
                handled=False,
            )
        return None
    if kind == "replenish" and _SAME_AGAIN.search(ctx.nlu.text or ""):
        return _on_yes(ctx, pending)  # "same again please": the reorder offered, taken
    if kind == "return" and _REMEDY.search(ctx.nlu.text or ""):
        # "can you just send me a new one": the remedy a return is the way to
        return support.confirm_return(ctx, data.get("order_id", ""))
    answer = _yes_or_no(ctx, intent)
    if answer == "yes":
        return _on_yes(ctx, pending)
    if answer == "no":
        return _on_no(ctx, pending)
    if answer == "unclear":
        # "no the uh the wah": a yes or a no may have been meant; ask, and keep the question open
        return SkillReply.of(
            Intent.REPEAT,
            "Sorry, I didn't understand that. Could you say it again?",
            pending=pending,
            understood=False,
            handled=False,
        )
    if answer == "declined":
        if pending.kind == "cross_sell":
            ctx.state.cross_sell_declined = True
        return None  # "no, what about the cutting mat": the offer is declined, the request stands
    sku = data.get("sku")
    named = any(score >= 0.6 for _, score in entities.products)
    if (
        sku
        and intent == Intent.ADD_TO_CART
        and entities.ordinal is None
        and (entities.pronoun_ref or not named)
        and not sales.mentioned(ctx)
    ):
        product = ctx.knowledge.product(sku)
        if product is not None:
            return cart.add_to_cart(ctx, product, entities.quantity or 1)
    if kind == "checkout" and intent == Intent.CHECKOUT:
        return cart.confirm_checkout(ctx)
    if kind == "handoff" and intent in (Intent.HUMAN_AGENT,):
        return handoff.handoff(ctx, "offered")
    return None


#: The remedies a return leads to, asked for by name while a return is offered.
_REMEDY = re.compile(
    r"\b(new one|another one|replacement|replace (it|them)|refund|money back|exchange|swap (it|them))\b"
)
#: Taking a reorder by pointing at the last one ("same again", "the usual").
_SAME_AGAIN = re.compile(
    r"\b(same again|the same( again| as (last time|before))?|same as (last time|before)|"
    r"(my|the) usual)\b"
)
#: A count said with an answer ("go on then, two of them"): the answer is what is left.
_COUNT_OF = re.compile(r"\b(\d+|a couple|a pair)( of (them|those|these|it))?\b")
_YES_START = re.compile(
    r"^(yes|yeah|yep|yup|sure|ok|okay|alright|all right|please do|go ahead|do it|"
    r"sounds good|absolutely|of course|definitely|certainly|why not|that would be great)\b"
)
_NO_START = re.compile(r"^(no|nope|nah|not now|not today|dont|do not|no thanks|never mind)\b")


def answer_verification(ctx: TurnContext, pending: Pending, check: AnswerCheck) -> SkillReply:
    """The caller gave a phone number, e-mail or code: verified (and served), or a failed
    check (counted)."""
    matched = verification.settle(ctx, pending, check)
    if matched is None:
        return verification.wrong_answer(ctx, pending, check)
    purpose, order_ref = pending.data.get("purpose"), pending.data.get("order_id")
    verification.become_verified(ctx, matched, purpose if isinstance(purpose, str) else None)
    order_ref = order_ref if isinstance(order_ref, str) else None
    if purpose == "return":
        reply = support.start_return(ctx, order_ref)
    elif purpose == "checkout":
        reply = cart.checkout(ctx)
    else:
        reply = support.order_status(ctx, order_ref)
    reply.say.prepend("Thank you, that matches our records.")
    return reply


#: Words that close an answer without adding a request ("no thanks, I'm good").
_CLOSERS = frozenset(
    """
    please thanks thank you thats all it im good fine ok okay sure not now today right then
    so much for me i am we are will do that would be great lovely perfect cheers mate just
    one 1 a an the for this time yes yeah no nope nah sounds go ahead do
    """.split()  # noqa: SIM905 - a word list reads better as text
)
#: Requests that answer an add-to-cart offer ("yes, add two"), not a new request.
#: Whole answers whose words would read otherwise ("sure, why not" has a "not" in it).
_IDIOMS = frozenset({"why not", "of course", "go for it", "i dont see why not", "cant hurt"})
_ABOUT_THE_OFFER = frozenset(
    {Intent.ADD_TO_CART, Intent.CHANGE_QUANTITY, Intent.AFFIRM, Intent.CHECKOUT, Intent.DENY}
)
_MULTILINGUAL_YES = re.compile(r"^(si|sí|oui|ja|sim|tak|да|是|はい|네)\b")


def _answer_by_meaning(text: str) -> str | None:
    """ "yes" or "no" when the turn's nearest examples are clearly a yes or a no; a yes/no
    question is open, so a looser bar than an intent read cold (hark.dialogue.meaning)."""
    index = meaning_index()
    reading = index.answer(text) if index is not None else None
    return None if reading is None else "yes" if reading.label == Intent.AFFIRM else "no"


def yes_or_no(ctx: TurnContext, intent: Intent) -> str | None:
    """How this turn answers a yes/no question Hark asked (see :func:`_yes_or_no`)."""
    return _yes_or_no(ctx, intent)


def _yes_or_no(ctx: TurnContext, intent: Intent) -> str | None:
    """How this turn answers a yes/no question: "yes", "no", "unclear", "declined" (a no that
    goes on to another request), or None when it is not an answer at all.

    A leading "ok" or "yeah" is only a yes when nothing else follows it: "ok, can I
    change my address" is a new request, and "yeah, I'll take a couple" is a yes.
    """
    text = ctx.nlu.text
    hit = rule_intent(text)
    if hit is not None and hit.intent in (Intent.AFFIRM, Intent.DENY):
        return "yes" if hit.intent == Intent.AFFIRM else "no"
    if intent in (Intent.HUMAN_AGENT, Intent.GOODBYE, Intent.CANCEL):
        return None
    lead = "no" if _NO_START.match(text) else "yes" if _YES_START.match(text) else None
    if lead is None and _MULTILINGUAL_YES.match(text):
        lead = "yes"
    if lead is None:
        if intent in (Intent.AFFIRM, Intent.DENY) and not is_garbled(text):
            return "yes" if intent == Intent.AFFIRM else "no"
        meant = _answer_by_meaning(text)  # "go for it", "nah I'm good"
        if meant is None and ctx.nlu.entities.quantity and _COUNT_OF.search(text):
            answer = _COUNT_OF.sub(" ", text).strip()
            meant = _answer_by_meaning(answer) if answer else None  # "go on then, 2 of them"
        return meant
    rest = (_NO_START if lead == "no" else _YES_START).sub("", text, count=1).split()
    rest = [w for w in rest if w not in FILLERS]
    if not rest or all(w in _CLOSERS for w in rest) or " ".join(rest) in _IDIOMS:
        return lead
    meant = _answer_by_meaning(text)
    if meant is not None:
        return meant  # "yeah go on then", "yeah, not today thanks"
    if lead == "yes" and re.search(r"\b(not|dont|no)\b", " ".join(rest)):
        return None
    reading = (
        ctx.nlu if len(rest) == len(text.split()) else nlu_for(ctx.knowledge).parse(" ".join(rest))
    )
    named = any(score >= 0.6 for _, score in reading.entities.products)
    if lead == "yes" and reading.intent in _ABOUT_THE_OFFER and not named:
        return "yes"  # "yes, add two", "yeah I'll take a couple"
    if lead == "yes" and reading.intent == Intent.OUT_OF_SCOPE and reading.entities.quantity:
        return "yes"
    if is_garbled(" ".join(rest)) and not named and not reading.entities.order_id:
        return "unclear"
    return "declined" if lead == "no" else None


def _bare_number(ctx: TurnContext) -> str | None:
    tokens = [
        t
        for t in ctx.nlu.text.split()
        if t not in ("its", "it", "is", "the", "number", "order", "um")
    ]
    if tokens and len(tokens) > 1 and re.fullmatch(r"[a-z]{1,2}", tokens[0]) and tokens[0] != "a":
        tokens = tokens[1:]  # "b 4 0 1" for B-401: handled with its letters below
    digits = "".join(t for t in tokens if t.isdigit())
    if digits and len(digits) >= 3 and all(t.isdigit() for t in tokens):
        return digits
    letters = re.fullmatch(r"([a-z]{1,2}) ?(?:dash )?(\d{3,})", " ".join(ctx.nlu.text.split()[-3:]))
    if letters and len(ctx.nlu.text.split()) <= 4:
        return letters.group(1) + letters.group(2)  # "a 2031" for order A-2031
    return None


def _on_yes(ctx: TurnContext, pending: Pending) -> SkillReply:
    kind, data = pending.kind, pending.data
    if kind == "checkout":
        return cart.confirm_checkout(ctx)
    if kind == "checkout_offer":
        return cart.checkout(ctx)
    if kind == "return":
        return support.confirm_return(ctx, data.get("order_id", ""))
    if kind == "handoff":
        return handoff.handoff(ctx, "offered")
    if kind in ("cross_sell", "add_item", "replenish"):
        product = ctx.knowledge.product(data.get("sku"))
        if product is None:
            return SkillReply.of(
                Intent.ADD_TO_CART, "Sorry, that product isn't available any more."
            )
        if kind != "add_item":
            ctx.state.cross_sell_declined = True  # one cross-sell per add, never a chain
        asked = data.get("quantity")
        quantity = ctx.nlu.entities.quantity or (asked if isinstance(asked, int) else 1)
        reply = cart.add_to_cart(ctx, product, quantity)
        if kind == "replenish" and reply.pending is None:
            reply.pending = Pending("checkout_offer")
        return reply
    return SkillReply.of(Intent.AFFIRM, "Okay. What can I help you with?", handled=False)


def _on_no(ctx: TurnContext, pending: Pending) -> SkillReply:
    kind = pending.kind
    if kind == "cross_sell":
        ctx.state.cross_sell_declined = True
        return SkillReply.of(Intent.DENY, "No problem. Anything else, or shall we check out?")
    if kind == "checkout":
        return SkillReply.of(
            Intent.DENY,
            "Okay, I won't place the order. Your cart is saved.",
            "Is there anything else I can help with?",
        )
    if kind == "return":
        return SkillReply.of(
            Intent.DENY, "Okay, I won't start a return. Anything else I can help with?"
        )
    return SkillReply.of(Intent.DENY, "Okay. Is there anything else I can help with?")
