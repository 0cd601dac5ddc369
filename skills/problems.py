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
from hark.skills import support
from hark.skills.context import SkillReply, TurnContext, remember_fact
from hark.skills.state import Pending
from hark.store.models import Order

PROBLEM = re.compile(
    r"\b(damaged|broken|broke|cracked|wrong|missing|defective|faulty|leaking|stopped working|"
    r"doesnt work|dont work|not working|smashed|dented|torn|ripped|spoiled|expired)\b"
)
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


def report_problem(ctx: TurnContext) -> SkillReply:
    order = _target(ctx)
    reply = SkillReply(intent="start_return", resolved=False)
    reply.say.say("I'm sorry about that, that's not how it should have arrived.")
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
    mentioned = {sku for sku, score in ctx.entities.products if score >= 0.45}
    category = ctx.entities.category
    for order in orders:
        if mentioned & {line.sku for line in order.lines}:
            return order
    for order in orders:  # "the litter bag came ripped": the order with a litter product
        products = [ctx.knowledge.product(line.sku) for line in order.lines]
        if category and any(p is not None and p.category == category for p in products):
            return order
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
