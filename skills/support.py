"""Support: where is my order, returns, and the shop's FAQ.

Order facts come straight from the database on every turn (a status can
change between two calls); dates and items are said the way a person would
("It should arrive on Thursday, December 3rd"). Only a caller verified as the
order's customer hears its facts or can start a return (the policy table in
``hark.skills.identity``); a ``claimed`` caller hears that an order of theirs
exists and its status word; anyone else is asked to verify first.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from hark.language.normalize import normalize_spoken
from hark.language.speech import (
    Utterance,
    counted,
    digits,
    join_words,
    money_in_text,
    number_words,
    short_text,
    spoken_date,
    spoken_when,
)
from hark.skills.context import SkillReply, TurnContext, remember_fact
from hark.skills.identity import Permission
from hark.skills.intent import Intent
from hark.skills.order_state import (
    late_sentence,
    late_words,
    record_remedy,
    remedy_sentence,
    state_of,
)
from hark.skills.state import Pending
from hark.skills.verification import (
    ask_to_verify,
    claim_question,
    find_order_in,
    no_other_detail,
    offer_person,
    own_order,
    shut,
    verify_pending,
)
from hark.store.models import Customer, Order, ReturnRequest

ACTIVE_STATUSES = ("processing", "shipped", "out_for_delivery", "delayed")
_LAST_WORDS = re.compile(r"\b(last|latest|most recent|recent|newest|previous)\b")


# --- finding the order --------------------------------------------------------
def find_order(ctx: TurnContext, raw_id: str) -> Order | None:
    """The order by id as said: exact, case-insensitive, or by its digits ("A-1001" ~ "1001")."""
    return find_order_in(ctx.session, raw_id)


def customer_orders(ctx: TurnContext, customer: Customer | None = None) -> list[Order]:
    """The orders of ``customer`` (default: the verified caller), newest first."""
    customer = customer if customer is not None else ctx.customer
    if customer is None:
        return []
    return list(
        ctx.session.scalars(
            select(Order)
            .where(Order.customer_id == customer.customer_id)
            .order_by(Order.placed_at.desc(), Order.order_id.desc())
        )
    )


def owned(ctx: TurnContext, order: Order) -> bool:
    """Is this the verified caller's own order? Nobody else's order is ever described."""
    return ctx.customer is not None and order.customer_id == ctx.customer.customer_id


def items_phrase(order: Order) -> str:
    """ "the Travel Mug and the French Press", "two House Blend Coffee bags"-ish, or "3 items"."""
    parts = []
    for line in order.lines:
        name = line.product.name if line.product else line.sku
        parts.append(counted(line.quantity, name))
    if not parts:
        return "no items on record"
    if len(parts) <= 2:
        return join_words(parts)
    return f"{parts[0]} and {number_words(len(parts) - 1)} other items"


def describe_order(ctx: TurnContext, order: Order) -> Utterance:
    """Status, items and the date, in short sentences."""
    today = ctx.today
    u = Utterance()
    number = digits(order.order_id)
    items = items_phrase(order)
    eta = order.eta
    status = order.status
    state = state_of(order, today)
    if state.late:
        u.say("I'm sorry, order ", number, f" with {items} {late_words(state)}.")
        u.say(late_sentence(state, today))
        remedy = ctx.settings.delay_remedy.strip()
        if remedy:
            record_remedy(ctx.session, order.order_id, remedy, ctx.conversation.id)
            u.say(remedy_sentence(remedy))
    elif status in ("processing", "shipped", "out_for_delivery"):
        verb = {"processing": "is being prepared", "shipped": "has shipped"}.get(
            status, "is out for delivery"
        )
        u.say("Order ", number, f" {verb}.")
        u.say(f"It has {items}.")
        if eta and eta >= today:
            u.say(f"It should arrive {_on(eta, today)}.")
    elif status == "delivered":
        when = f" {_on(eta, today)}" if eta and eta <= today else ""
        u.say("Order ", number, f" was delivered{when}.")
        u.say(f"It had {items}.")
    elif status == "cancelled":
        u.say("Order ", number, f" was cancelled. It had {items}.")
    elif status in ("returned", "refunded"):
        done = "was returned" + (" and refunded" if status == "refunded" else "")
        u.say("Order ", number, f" {done}. It had {items}.")
    else:
        u.say("Order ", number, f" has the status {status}. It has {items}.")
    return u


def _on(day, today) -> str:
    when = spoken_when(day, today)
    return when if when.startswith(("today", "tomorrow", "yesterday")) else f"on {when}"


# --- order status ---------------------------------------------------------------
_ARRIVAL = re.compile(
    r"\b(when|whens|where|wheres|arrive|arriving|arrived|come|coming|came|show|showing|turn up|get here|"
    r"gets here|getting here|deliver|delivered|delivery|shipped|ship|late|waiting|wait|still|"
    r"status|update|news|track|happening|due|supposed to|should have|here|by now|yet|expected|"
    r"expecting)\b"
)


def order_in_question(ctx: TurnContext) -> Order | None:
    """The caller's active order they are asking about by what is in it ("when's my blender
    showing up", "I'm fed up waiting for this ladder"): a product or category they name is in
    one of their orders still on its way, and they ask about its arrival."""
    if ctx.customer is None or not _ARRIVAL.search(ctx.words):
        return None
    named = {sku for sku, score in ctx.entities.products if score >= 0.45}
    category = ctx.entities.category
    if not named and not category:
        return None
    for order in customer_orders(ctx):
        if order.status not in ACTIVE_STATUSES:
            continue
        for line in order.lines:
            product = ctx.knowledge.product(line.sku)
            if line.sku in named or (product is not None and product.category == category):
                return order
    return None


def order_status(ctx: TurnContext, order_id: str | None = None) -> SkillReply:
    order_id = order_id or ctx.entities.order_id
    if not ctx.may(Permission.ORDER_DETAILS):
        return _status_unverified(ctx, order_id)
    if order_id:
        return _status_for(ctx, order_id)
    orders = customer_orders(ctx)
    if not orders:
        return SkillReply.of(Intent.ORDER_STATUS, "I don't see any orders on your account yet.")
    if _LAST_WORDS.search(ctx.words):
        chosen = [orders[0]]
    else:
        active = [o for o in orders if o.status in ACTIVE_STATUSES]
        chosen = active[:2] or [orders[0]]
    reply = SkillReply(intent=Intent.ORDER_STATUS)
    reply.say.extend(describe_order(ctx, chosen[0]))
    if len(chosen) > 1:
        other = chosen[1]
        reply.say.say(
            "You also have order ", digits(other.order_id), f", which is {_status_word(other)}."
        )
    for order in chosen:
        remember_fact(ctx.state, "orders", order.order_id)
    ctx.state.focus_order_id = chosen[0].order_id
    return reply


def _status_unverified(ctx: TurnContext, order_id: str | None) -> SkillReply:
    """Not verified: at most the claimed customer's status word, then the way to verify.

    A claimed caller's order number that isn't theirs (or doesn't exist) is a
    failed check, counted; once the budget is spent there is no status word either."""
    claimed = ctx.claimed if ctx.may(Permission.ORDER_EXISTS) else None
    if claimed is None:
        if not order_id:
            return SkillReply.of(
                Intent.ORDER_STATUS,
                "Sure. What's your order number?",
                pending=Pending("order_number", {"purpose": "status"}),
                handled=False,
            )
        return ask_to_verify(ctx, "status", order_id, intent=Intent.ORDER_STATUS)
    if shut(ctx, claimed.customer_id):
        return offer_person(Intent.ORDER_STATUS)
    if order_id:
        order = own_order(ctx, claimed, order_id)
        if order is None:
            if shut(ctx, claimed.customer_id):
                return offer_person(Intent.ORDER_STATUS)
            return _not_on_account(order_id)
        lead = SkillReply(intent=Intent.ORDER_STATUS)
        lead.say.say("Order ", digits(order_id), f" is {_status_word(order)}.")
    else:
        orders = customer_orders(ctx, claimed)
        if not orders:
            return SkillReply.of(Intent.ORDER_STATUS, "I don't see any orders on your account yet.")
        order = next((o for o in orders if o.status in ACTIVE_STATUSES), orders[0])
        lead = SkillReply.of(
            Intent.ORDER_STATUS, f"There's an order on your account that is {_status_word(order)}."
        )
    lead.handled = False
    question = claim_question(ctx, claimed)
    if question is None:
        lead.say.extend(no_other_detail(Intent.ORDER_STATUS).say)
        lead.pending = Pending("handoff", {"reason": "identity not verified"})
        return lead
    lead.say.say("To tell you more, like dates and items, I need to make sure it's you.")
    lead.say.say(question)
    lead.pending = verify_pending(
        "status", order.order_id if order_id else None, claim=claimed.customer_id
    )
    return lead


def _status_word(order: Order) -> str:
    words = {
        "processing": "being prepared",
        "shipped": "on its way",
        "out_for_delivery": "out for delivery",
    }
    return words.get(order.status, order.status)


def _not_on_account(order_id: str) -> SkillReply:
    """The same answer whether the order does not exist or is someone else's."""
    reply = SkillReply(
        intent=Intent.ORDER_STATUS,
        handled=False,
        pending=Pending("order_number", {"purpose": "status"}),
    )
    reply.say.say("I couldn't find order ", digits(order_id), " on your account.")
    reply.say.say("Could you say the order number again?")
    return reply


def _status_for(ctx: TurnContext, order_id: str) -> SkillReply:
    order = find_order(ctx, order_id)
    if order is None or not owned(ctx, order):
        return _not_on_account(order_id)
    ctx.state.focus_order_id = order.order_id
    remember_fact(ctx.state, "orders", order.order_id)
    return SkillReply(intent=Intent.ORDER_STATUS, say=describe_order(ctx, order))


# --- returns ----------------------------------------------------------------------
def return_policy_entry(ctx: TurnContext):
    faq = ctx.knowledge.faq
    entry = faq.find("return", "policy") or faq.find("return")
    if entry is None:
        match = faq.answer("what is your return policy")
        entry = match.entry if match else None
    return entry


_WITHIN_DAYS = re.compile(r"\b(?:within|in|up to)\s+(\d+)\s+(?:calendar\s+)?days\b")


def return_window_days(ctx: TurnContext) -> int | None:
    """The longest "within N days" the shop's own policy states (None: it states none)."""
    entry = return_policy_entry(ctx)
    if entry is None:
        return None
    days = [int(d) for d in _WITHIN_DAYS.findall(normalize_spoken(entry.answer.lower()))]
    return max(days) if days else None


def return_policy(ctx: TurnContext) -> SkillReply:
    entry = return_policy_entry(ctx)
    if entry is None:
        return SkillReply.of(
            Intent.RETURN_POLICY,
            "I don't have the details of our return policy.",
            "Would you like me to connect you with a person who does?",
            pending=Pending("handoff", {"reason": "return policy unknown"}),
        )
    text = short_text(money_in_text(entry.answer, ctx.currency), max_sentences=3, max_words=60)
    return SkillReply.of(Intent.RETURN_POLICY, text)


def start_return(ctx: TurnContext, order_id: str | None = None) -> SkillReply:
    said = order_id or ctx.entities.order_id
    if not ctx.may(Permission.START_RETURN):
        if said or ctx.claimed is not None or ctx.customer is not None:
            return ask_to_verify(ctx, "return", said, intent=Intent.START_RETURN)
        return SkillReply.of(
            Intent.START_RETURN,
            "I can help with that. What's the order number?",
            pending=Pending("order_number", {"purpose": "return"}),
            handled=False,
        )
    order = _return_target(ctx, said)
    if order is None:
        if said:
            return _status_for(ctx, said)
        delivered = [o for o in customer_orders(ctx) if o.status == "delivered"]
        if not delivered:
            return SkillReply.of(
                Intent.START_RETURN,
                "I don't see a delivered order on your account, so there's nothing to return yet.",
            )
        return SkillReply.of(
            Intent.START_RETURN,
            "I can help with that. What's the order number?",
            pending=Pending("order_number", {"purpose": "return"}),
            handled=False,
        )
    ctx.state.focus_order_id = order.order_id
    remember_fact(ctx.state, "orders", order.order_id)
    reply = SkillReply(intent=Intent.START_RETURN)
    number = digits(order.order_id)
    if order.status != "delivered":
        reply.say.say("I can't start a return for order ", number, " yet.")
        reply.say.extend(_why_not_returnable(ctx, order))
        return reply
    existing = ctx.session.scalars(
        select(ReturnRequest).where(
            ReturnRequest.order_id == order.order_id, ReturnRequest.status == "open"
        )
    ).first()
    if existing is not None:
        reply.say.say(
            "There's already an open return for order ",
            number,
            f". Its return number is {existing.id}.",
        )
        return reply
    when = f" on {spoken_date(order.eta, ctx.today)}" if order.eta else ""
    reply.say.say("Order ", number, f", with {items_phrase(order)}, was delivered{when}.")
    window = return_window_days(ctx)
    if window and order.eta and (ctx.today - order.eta).days > window:
        reply.say.say(
            f"That's more than {number_words(window)} days ago, outside our usual return window, "
            "so our team will review the request before it's approved."
        )
    reply.say.say("Shall I start a return for it?")
    reply.pending = Pending("return", {"order_id": order.order_id})
    return reply


def _why_not_returnable(ctx: TurnContext, order: Order) -> Utterance:
    u = Utterance()
    if order.status in ACTIVE_STATUSES:
        u.say("It hasn't been delivered yet.")
        if order.eta and order.eta >= ctx.today:
            u.say(f"It should arrive {_on(order.eta, ctx.today)}.")
        u.say("Once it arrives, you can return it.")
    elif order.status == "cancelled":
        u.say("It was cancelled, so there's nothing to return.")
    elif order.status in ("returned", "refunded"):
        u.say("It has already been returned.")
    else:
        u.say(f"Its status is {order.status}.")
    return u


#: A product mention this sure picks, among the caller's own orders, the one holding it:
#: only their orders compete, so a half-heard name ("the phone mount") is enough.
OWN_ORDER_MENTION = 0.45


def order_with_named_product(ctx: TurnContext, orders: list[Order]) -> Order | None:
    """The caller's order holding a product the turn names (newest first), else one holding a
    product of the category it names ("the litter bag came ripped": the litter order)."""
    mentioned = {sku for sku, score in ctx.entities.products if score >= OWN_ORDER_MENTION}
    for order in orders:
        if mentioned & {line.sku for line in order.lines}:
            return order
    category = ctx.entities.category
    if not category:
        return None
    for order in orders:
        products = [ctx.knowledge.product(line.sku) for line in order.lines]
        if any(p is not None and p.category == category for p in products):
            return order
    return None


def _return_target(ctx: TurnContext, order_id: str | None) -> Order | None:
    if order_id:
        order = find_order(ctx, order_id)
        return order if order is not None and owned(ctx, order) else None
    orders = customer_orders(ctx)
    if not orders:
        return None
    named = order_with_named_product(ctx, orders)
    if named is not None:
        return named  # "send back the phone mount": not the late order the greeting was about
    if ctx.state.focus_order_id:
        focus = find_order(ctx, ctx.state.focus_order_id)
        if focus is not None and owned(ctx, focus):
            return focus
    delivered = [o for o in orders if o.status == "delivered"]
    if _LAST_WORDS.search(ctx.words) or len(delivered) == 1:
        return delivered[0] if delivered else orders[0]
    return delivered[0] if delivered and delivered[0] == orders[0] else None


def confirm_return(ctx: TurnContext, order_id: str) -> SkillReply:
    if not ctx.may(Permission.START_RETURN):
        return start_return(ctx, order_id)
    order = find_order(ctx, order_id)
    if order is None or order.status != "delivered" or not owned(ctx, order):
        return SkillReply.of(Intent.START_RETURN, "Sorry, I can't start that return any more.")
    request = ReturnRequest(
        order_id=order.order_id, reason="requested in conversation", status="open"
    )
    ctx.session.add(request)
    ctx.session.flush()
    remember_fact(ctx.state, "returns", request.id)
    ctx.state.proof_for = None  # a proof given for an action is used up by it
    reply = SkillReply(intent=Intent.START_RETURN)
    reply.say.say("Done. I've started a return for order ", digits(order.order_id), ".")
    reply.say.say(f"Your return number is {request.id}.")
    entry = return_policy_entry(ctx)
    if entry is not None:
        reply.say.say(short_text(money_in_text(entry.answer, ctx.currency), 2, 40))
    from hark.skills.reply import Action

    reply.actions.append(
        Action("return_started", {"order_id": order.order_id, "return_id": request.id})
    )
    return reply


# --- FAQ ------------------------------------------------------------------------
_AM_I_TALKING_TO_A_BOT = re.compile(
    r"\b(are you|is this|am i (talking|speaking) (to|with))( a| an)? (real )?"
    r"(robot|bot|machine|computer|human|person|ai|automated|recording|real person)\b"
)


def faq(ctx: TurnContext) -> SkillReply:
    if _AM_I_TALKING_TO_A_BOT.search(ctx.words):
        # Honesty about being an AI never depends on the shop having written an FAQ for it.
        return SkillReply.of(
            Intent.FAQ,
            f"I'm {ctx.settings.assistant_name}, an automated assistant.",
            "If you'd like a person, just say agent.",
        )
    match = ctx.knowledge.faq.answer(ctx.text)
    if match is None:
        # An honest "not sure" leaves the caller's question open: follow it up next time.
        ctx.conversation.resolved = False
        ctx.conversation.summary = "a question I couldn't answer"
        return SkillReply.of(
            Intent.FAQ,
            "I'm not sure about that one.",
            "I can check an order, help with a return, or find a product. "
            "Or I can connect you with a person.",
            understood=False,
            handled=False,
        )
    remember_fact(ctx.state, "questions", match.entry.question)
    text = short_text(
        money_in_text(match.entry.answer, ctx.currency), max_sentences=3, max_words=60
    )
    return SkillReply.of(Intent.FAQ, text)
