"""What a notice says, on each channel, before the customer has proved who they are.

Whoever answers a phone or reads a text may not be the customer, so a notice
is worded for a ``claimed`` listener: it names the shop, says that an
automated assistant is speaking, names the order only by its last two
characters, and offers the opt-out. The details are heard in the
conversation that follows, once the brain's identity policy allows.
A voicemail says even less: no order at all.
"""

from __future__ import annotations

from typing import Any

TOPICS = {
    "order_delayed": "an update about your order ending {ending}",
    "order_eta_moved": "an update about your order ending {ending}",
    "order_shipped": "an update about your order ending {ending}",
    "order_out_for_delivery": "an update about your order ending {ending}",
    "order_delivered": "an update about your order ending {ending}",
    "return_received": "an update about your return for the order ending {ending}",
    "return_refunded": "an update about your return for the order ending {ending}",
    # which item is not said: what a customer shops for is not for whoever reads the phone
    "back_in_stock": "news that an item you asked about is back in stock",
    "cart_reminder": "a reminder that the items in your cart are still saved",
}


def topic(kind: str, facts: dict[str, Any]) -> str:
    ending = str(facts.get("order_ending") or "").strip() or "on file"
    return TOPICS.get(kind, "an update").format(ending=ending)


def who(settings: Any) -> str:
    return f"{settings.assistant_name}, the automated assistant of {settings.shop_name}"


def text_message(settings: Any, kind: str, facts: dict[str, Any]) -> str:
    """The SMS / WhatsApp body: short, claimed-safe, with STOP."""
    return (
        f"{settings.shop_name}: this is {who(settings)}, with {topic(kind, facts)}. "
        "Reply here to ask about it. Reply STOP to opt out."
    )


def call_opening(settings: Any, kind: str, facts: dict[str, Any]) -> str:
    """The first turn of a notice call: who is calling, that it is automated, the opt-out."""
    return (
        f"Hello, this is {who(settings)}, calling with {topic(kind, facts)}. "
        "You can ask me about it now. If you'd rather not get these calls, "
        "just say stop calling me."
    )


def voicemail(settings: Any) -> str:
    """Left on an answering machine: nothing personal, a text follows."""
    return (
        f"Hello, this is {who(settings)}, with an update for you. "
        "We'll send you a text with how to reach us. "
        "To stop these calls, reply STOP to that text. Goodbye."
    )


def email(settings: Any, kind: str, facts: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of an e-mail notice."""
    subject = f"{settings.shop_name}: {topic(kind, facts)}"
    body = (
        f"Hello,\n\nthis is {who(settings)}, with {topic(kind, facts)}.\n"
        "Reply to this e-mail or call us to hear the details.\n\n"
        "If you'd rather not get these messages, reply STOP.\n"
    )
    return subject, body
