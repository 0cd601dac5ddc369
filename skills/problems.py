"""A complaint about something that arrived ("my package arrived damaged", "wrong size").

Such a turn looks like "where is my order" to a classifier (it names an order
and a delivery), but the caller is not asking where it is: they want it put
right. Hark says sorry, finds the order (by number, product named, the order
in focus or the latest delivered one), offers a return when the order is
delivered, otherwise offers a person; the conversation stays unresolved until
something is done, so the next greeting can follow up.
"""

from __future__ import annotations

import datetime as dt
import re

from hark.language.speech import digits
from hark.shop.semantic import CARRIED_MIN
from hark.skills import support
from hark.skills.context import SkillReply, TurnContext, remember_fact
from hark.skills.intent import Intent
from hark.skills.state import Pending
from hark.store.models import Order

PROBLEM = re.compile(
    r"\b(damaged|broken|broke|cracked|wrong|missing|defective|faulty|leaking|stopped working|"
    r"doesnt work|dont work|not working|smashed|dented|torn|ripped|spoiled|expired)\b"
)
ORDER_LEAD = 0.05
"""The complaint must be this much nearer one order's product than any other order's."""
_DELIVERY = re.compile(
    r"\b(arrived|arrive|came|come|got|received|receive|package|parcel|box|order|delivery|"
    r"delivered|item|sent|shipped|it|they|one)\b"
)


def is_problem_report(text: str) -> bool:
    """Does the caller report something wrong with what they got?"""
    return bool(PROBLEM.search(text) and _DELIVERY.search(text))


def mark_unresolved(ctx: TurnContext, topic: str) -> None:
    """Flag the conversation for follow-up (the next greeting offers a person)."""
    ctx.conversation.resolved = False
    ctx.conversation.summary = topic


#: What Hark says first, by the kind of complaint (hark.dialogue.meaning.PROBLEM_KINDS).
_APOLOGY = {
    "damaged": "I'm sorry it arrived damaged, that's not how it should have come.",
    "defective": "I'm sorry it isn't working as it should.",
    "wrong_item": "I'm sorry we sent you the wrong item.",
    "missing_item": "I'm sorry something was missing from your order.",
}
_DEFAULT_APOLOGY = "I'm sorry about that, that's not how it should have arrived."


def report_problem(ctx: TurnContext, kind: str | None = None) -> SkillReply:
    """Sorry, the order holding what they named (or the latest that arrived), and the remedy:
    a return (refund or replacement, as the shop's policy says) for a delivered order, else
    a person."""
    order = _target(ctx)
    reply = SkillReply(intent=Intent.START_RETURN, resolved=False)
    reply.say.say(_APOLOGY.get(kind or "", _DEFAULT_APOLOGY))
    if order is None:
        reply.say.say("What's the order number, so I can start a return for it?")
        reply.pending = Pending("order_number", {"purpose": "return"})
        mark_unresolved(ctx, "a problem with a delivery")
        reply.handled = False
        return reply
    remember_fact(ctx.state, "orders", order.order_id)
    ctx.state.focus_order_id = order.order_id
    mark_unresolved(ctx, f"a problem with order {order.order_id}")
    if order.status == "delivered":
        offer = support.start_return(ctx, order.order_id)
        reply.say.extend(offer.say)
        reply.pending = offer.pending
        if offer.pending is None:  # a return is already open: a person takes it from here
            reply.say.say("Would you like me to connect you with a person about it?")
            reply.pending = Pending("handoff", {"reason": "problem with a delivered order"})
        return reply
    reply.say.say("Our records show order ", digits(order.order_id), f" as {order.status}.")
    reply.say.say("A member of our team can sort out a replacement or a refund.")
    reply.say.say("Would you like me to connect you with a person now?")
    reply.pending = Pending("handoff", {"reason": "problem with an order"})
    return reply


def _target(ctx: TurnContext) -> Order | None:
    """The order the complaint is about: named, in focus, or the latest that arrived."""
    order_id = ctx.entities.order_id
    if order_id:
        order = support.find_order(ctx, order_id)
        return order if order is not None and support.owned(ctx, order) else None
    orders = support.customer_orders(ctx)
    named = support.order_with_named_product(ctx, orders)
    if named is not None:
        return named
    by_meaning = _order_by_meaning(ctx, orders)  # "the handle came off the pot": the skillet
    if by_meaning is not None:
        return by_meaning
    if ctx.state.focus_order_id:
        focus = support.find_order(ctx, ctx.state.focus_order_id)
        if focus is not None and support.owned(ctx, focus):
            return focus
    arrived = [o for o in orders if o.status in ("delivered", "shipped")]
    arrived.sort(key=lambda o: (o.eta or o.placed_at, o.placed_at), reverse=True)
    soon = ctx.today + dt.timedelta(days=1)  # a parcel due tomorrow may well have come early
    past = [o for o in arrived if (o.eta or o.placed_at) <= soon]
    candidates = past or arrived or orders
    return candidates[0] if candidates else None


def _order_by_meaning(ctx: TurnContext, orders: list[Order]) -> Order | None:
    """The order whose product the complaint is nearest in meaning to, when one clearly is."""
    semantic = ctx.knowledge.search.semantic
    if semantic is None or not orders:
        return None
    sims = semantic.similarity(ctx.text)
    scored = sorted(
        (
            (max((sims.get(line.sku, 0.0) for line in o.lines), default=0.0), n)
            for n, o in enumerate(orders)
        ),
        reverse=True,
    )
    best, n = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best < CARRIED_MIN or best - runner_up < ORDER_LEAD:
        return None
    return orders[n]


def late_complaint(ctx: TurnContext) -> SkillReply:
    """ "I've been waiting forever and it still isn't here": the order on file, and a person.

    The caller need not name the order: the one still on its way (or the latest) is the one.
    """
    mark_unresolved(ctx, "a late delivery")
    status = support.order_status(ctx)
    reply = SkillReply(intent=Intent.ORDER_STATUS, resolved=False)
    if not status.say.text().startswith("I'm sorry"):
        reply.say.say("I'm sorry for the wait.")
    reply.say.extend(status.say)
    reply.cards = status.cards
    if status.pending is not None:  # a question of its own (which order, who you are) goes first
        reply.pending = status.pending
        reply.handled = status.handled
        return reply
    reply.say.say("Would you like me to connect you with a person about it?")
    reply.pending = Pending("handoff", {"reason": "late delivery"})
    return reply


def service_complaint(ctx: TurnContext) -> SkillReply:
    """A complaint about how they were treated: an apology, and a person who can act on it."""
    mark_unresolved(ctx, "a complaint about our service")
    reply = SkillReply(intent=Intent.HUMAN_AGENT, resolved=False)
    reply.say.say(
        "I'm really sorry you were treated that way. That isn't the service we want to give."
    )
    reply.say.say("Would you like me to connect you with a person so they can put it right?")
    reply.pending = Pending("handoff", {"reason": "complaint about service"})
    return reply
