"""Handing the caller to a person, with everything the person needs to know.

Triggered by a request ("agent", "a real person", "zero"), by two turns in a
row Hark didn't understand, or by strongly negative sentiment twice. The
reply says what happens next; the ``handoff`` action carries a summary for
the agent built only from redacted text, and the conversation is marked
unresolved so the next greeting can follow up.
"""

from __future__ import annotations

from typing import Any

from hark.skills.context import SkillReply, TurnContext
from hark.skills.intent import Intent
from hark.skills.reply import Action
from hark.skills.state import ConversationState, Pending

REASONS = {
    "requested": "the customer asked for a person",
    "not_understood": "the assistant did not understand twice in a row",
    "negative_sentiment": "the customer was very upset twice",
    "offered": "the customer accepted an offer to talk to a person",
}
_INTENT_TOPICS: dict[str, str] = {
    Intent.ORDER_STATUS: "an order",
    Intent.START_RETURN: "a return",
    Intent.RETURN_POLICY: "returns",
    Intent.CHECKOUT: "placing an order",
    Intent.ADD_TO_CART: "the cart",
    Intent.VIEW_CART: "the cart",
    Intent.PRODUCT_SEARCH: "finding a product",
    Intent.PRODUCT_INFO: "a product",
    Intent.FAQ: "a question",
}
_SKIP = {
    Intent.GREET,
    Intent.AFFIRM,
    Intent.DENY,
    Intent.THANKS,
    Intent.HUMAN_AGENT,
    Intent.OUT_OF_SCOPE,
    Intent.REPEAT,
    Intent.HELP,
    Intent.CANCEL,
}


def main_intent(state: ConversationState) -> str:
    """What the caller was mainly trying to do (not "yes", "agent" or "hello")."""
    for intent in reversed(state.intents):
        if intent not in _SKIP:
            return intent
    return "unknown"


def topic_phrase(state: ConversationState) -> str:
    """A few words for "When we spoke recently about ...": "your order 5274", "a return"."""
    intent = main_intent(state)
    orders = state.facts.get("orders") or []
    if intent in (Intent.ORDER_STATUS, Intent.START_RETURN) and orders:
        base = "your order" if intent == Intent.ORDER_STATUS else "a return for order"
        return f"{base} {orders[-1]}"
    return _INTENT_TOPICS.get(intent, "your question")


def build_summary(ctx: TurnContext, reason: str) -> dict[str, Any]:
    state = ctx.state
    customer = None
    if ctx.customer is not None:  # verified: the agent may greet them by name
        customer = {
            "customer_id": ctx.customer.customer_id,
            "name": ctx.customer.name,
            "identity": ctx.identity.value,
        }
    elif ctx.claimed is not None:  # the agent must still check who this is
        customer = {"customer_id": ctx.claimed.customer_id, "identity": ctx.identity.value}
    products = [
        {"sku": sku, "name": p.name}
        for sku in state.facts.get("products", [])
        if (p := ctx.knowledge.product(sku)) is not None
    ]
    history = state.sentiment_history
    return {
        "conversation_id": ctx.conversation.id,
        "channel": ctx.conversation.channel,
        "customer": customer,
        "reason": REASONS.get(reason, reason),
        "intent": main_intent(state),
        "topic": topic_phrase(state),
        "key_facts": {
            "orders": list(state.facts.get("orders", [])),
            "products": products,
            "cart": list(state.facts.get("cart", [])),
            "returns": list(state.facts.get("returns", [])),
            "questions": list(state.facts.get("questions", [])),
            "previous_conversations": list(state.facts.get("previous_conversations", [])),
            "card_number_offered": bool(state.facts.get("card_number_offered")),
        },
        "sentiment": {
            "trend": state.sentiment_trend(),
            "last": history[-1] if history else 0.0,
            "history": list(history[-6:]),
        },
        "last_turns": list(state.recent[-6:]),
    }


#: How each channel reaches a person. ``transfer``: the phone line puts the caller through
#: (the Twilio adapter dials, or offers a callback when nobody answers); ``callback``: a
#: person can't join this channel (Alexa, text messages), so a callback is offered; any
#: other channel (the kiosk, voice and HTTP clients) has staff come or take over.
REACH: dict[str, str] = {
    "phone": "transfer",
    "alexa": "callback",
    "sms": "callback",
    "whatsapp": "callback",
}
#: ``Pending`` kind of a callback offer; ``data["contact"]`` says whom to call:
#: ``account`` (the phone on the verified customer's account), ``sender`` (the number the
#: messages come from) or ``ask`` (the caller is asked for a number).
CALLBACK = "callback"


def reach(channel: str) -> str:
    return REACH.get(channel, "staff")


def handoff(ctx: TurnContext, reason: str) -> SkillReply:
    """Hand over to a person: say truthfully what happens next, hand over the summary."""
    state = ctx.state
    state.handed_off = True
    state.pending = None
    reply = SkillReply(intent=Intent.HUMAN_AGENT, resolved=False)
    data: dict[str, Any] = {"summary": build_summary(ctx, reason), "reason": reason}
    if reach(ctx.conversation.channel) == "callback":
        _offer_callback(ctx, reply)
        data["callback"] = "offered"
    else:
        reply.say.say("I'm connecting you with a member of our team now.")
        reply.say.say(
            "I've passed on a summary of our conversation, so you won't have to repeat yourself."
        )
        reply.say.say("Please hold for a moment.")
    reply.actions.append(Action("handoff", data))
    ctx.conversation.summary = topic_phrase(state)
    state.not_understood = 0
    return reply


def _offer_callback(ctx: TurnContext, reply: SkillReply) -> None:
    """Nobody can join an Alexa session or a text thread: offer a call back, and ask whom
    to call. The answer is the next turn (``Pending("callback")``)."""
    reply.say.say(
        "I can't put you through to a person here, but someone from our team can call you back, "
        "and they'll have a summary of our conversation."
    )
    if ctx.customer is not None and ctx.customer.phone:
        reply.say.say("Shall they call you on the phone number on your account?")
        contact = "account"
    elif ctx.conversation.channel in ("sms", "whatsapp"):
        reply.say.say("Shall they call you back on the number you're texting from?")
        contact = "sender"
    else:
        reply.say.say("What phone number should they call you on? Or say no thanks.")
        contact = "ask"
    reply.pending = Pending(CALLBACK, {"contact": contact})
