"""What the LLM is told: a system prompt made from settings and the shop's own data,
and the last few turns of the conversation, redacted.

The prompt carries the persona (the shop's and the assistant's names, that
it is an automated assistant and says so), the shop's policies in its own
words (returns and shipping from its FAQ, payment on file), what it sells,
and the rules that keep facts honest: prices, stock, orders and policies
come from tools, never from memory. It carries nothing personal: the
caller's state is "signed in" or not, never a name; every turn sent is
redacted, and the current customer's own name, phone and e-mail are blanked
wherever they appear (a greeting says the first name, for one).
"""

from __future__ import annotations

import re
from typing import Any

from hark.language.speech import join_words, money_in_text, short_text
from hark.privacy.redact import redact
from hark.skills.context import TurnContext
from hark.skills.support import return_policy_entry

MAX_HISTORY_TURNS = 6

_RULES = (
    "You are {assistant}, the automated voice assistant of {shop}. You are an AI, not a "
    "person: if anyone asks, say so plainly.",
    "You speak on the phone: answer in at most three short sentences of plain spoken "
    "English. No markdown, no lists, no emoji, no links.",
    "Every fact about products, prices, stock, orders, carts, returns and the shop's "
    "policies must come from a tool result in this conversation. Never guess or invent "
    "one; if no tool gives it, say you are not sure and offer a person.",
    "Prices are in {currency}.",
    "Call tools for the caller's request; you may call several. If a tool says the caller "
    "must verify or sign in first, tell them that, and do not reveal anything else.",
    "Checkout and returns: call the tool; it reads the details back and asks the caller to "
    "confirm. Nothing is ordered or returned until the caller says yes in their next turn.",
    "Never ask for card numbers, passwords or other personal details: payment is on file "
    "and Hark checks identity itself.",
    "If the caller wants a person, call handoff_to_human.",
)


def system_prompt(ctx: TurnContext) -> str:
    """The persona and policies for this shop and this caller (no personal data)."""
    settings = ctx.settings
    lines = [
        rule.format(
            assistant=settings.assistant_name, shop=settings.shop_name, currency=settings.currency
        )
        for rule in _RULES
    ]
    if ctx.knowledge.categories:
        lines.append(f"The shop sells {join_words(ctx.knowledge.categories[:12])}.")
    policies = []
    returns = return_policy_entry(ctx)
    if returns is not None:
        policies.append(f"Returns: {_policy_text(ctx, returns.answer)}")
    shipping = ctx.knowledge.faq.find("ship", "long")
    if shipping is not None:
        policies.append(f"Shipping: {_policy_text(ctx, shipping.answer)}")
    if policies:
        lines.append("The shop's own policies: " + " ".join(policies))
    lines.append(f"Today is {ctx.today.strftime('%A, %B %d, %Y')}.")
    lines.append(
        "The caller is signed in to their customer account."
        if ctx.customer is not None
        else "The caller is not signed in (anonymous)."
    )
    return "\n".join(lines)


def _policy_text(ctx: TurnContext, answer: str) -> str:
    return short_text(money_in_text(answer, ctx.currency), max_sentences=3, max_words=60)


def build_messages(ctx: TurnContext) -> list[dict[str, Any]]:
    """System prompt, then the recent turns (the caller's current one last), all redacted."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": system_prompt(ctx)}]
    recent = list(ctx.state.recent[-MAX_HISTORY_TURNS:])
    if not recent or recent[-1].get("role") != "user":
        recent.append({"role": "user", "text": ctx.text})
    for turn in recent:
        role = "assistant" if turn.get("role") == "assistant" else "user"
        text = private_free(ctx, str(turn.get("text", "")))
        if text:
            messages.append({"role": role, "content": text})
    return messages


def private_free(ctx: TurnContext, text: str) -> str:
    """``text`` redacted, with the current customer's name, phone and e-mail blanked."""
    text = redact(text).text
    customer = ctx.customer
    if customer is None:
        return text
    for value, placeholder in (
        (customer.email, "[email]"),
        (customer.phone, "[phone]"),
    ):
        if value:
            text = text.replace(value, placeholder)
    for part in (customer.name or "").split():
        if len(part) >= 2:
            text = re.sub(rf"\b{re.escape(part)}\b", "[name]", text, flags=re.IGNORECASE)
    return text
