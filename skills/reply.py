"""What the brain hands back to a channel: text to speak, and data for screens.

A channel adapter never has to parse the text: SSML, product cards, actions
(handoff, order placed) and the end-of-conversation flag are all explicit.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from hark.runtime.plain import asdict


@dataclass(frozen=True)
class Card:
    """A product as a screen shows it."""

    sku: str
    name: str
    price: float
    stock: int
    description: str = ""
    image_url: str | None = None  # picture for the card (absolute, or a path on this server)
    model_url: str | None = None  # glTF/GLB 3D model for the detail view, where there is one

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CartLine:
    """One line of the caller's cart as a screen lists it."""

    sku: str
    name: str
    price: float
    quantity: int
    image_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CartView:
    """The caller's open cart after a turn, so a screen can show it without asking.

    Sent with every reply because spoken cart changes ("remove the mug",
    "make it two") are as common as taps, and the screen must never show a
    cart the brain no longer has.
    """

    lines: tuple[CartLine, ...]
    total: float
    currency: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": [line.to_dict() for line in self.lines],
            "total": self.total,
            "currency": self.currency,
        }


@dataclass(frozen=True)
class Action:
    """Something the channel must do beyond speaking, e.g. ``handoff`` to a human."""

    type: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **self.data}


class Expects(enum.StrEnum):
    """What the brain waits for next, so the voice channel's endpointer can wait for it."""

    NUMBER = "number"  # an order id, a phone number, a code: often read out digit by digit


@dataclass
class Reply:
    text: str
    ssml: str = ""
    intent: str = ""
    sentiment: float = 0.0
    cards: list[Card] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    end: bool = False
    turn_id: int | None = None  # id of the stored assistant turn (for barge-in truncation)
    user_text: str | None = None  # the caller's turn as stored (redacted): what to echo back
    cart: CartView | None = None  # the open cart after this turn; None: the caller has none
    expects: Expects | None = None  # the answer the reply asks for (a number: a longer pause)
    # How many digits a complete number has: the answer ``expects`` asks for (an order id,
    # a phone number), else the shop's order ids (a number read out unasked). Empty: unknown.
    expects_digits: frozenset[int] = frozenset()

    @property
    def handoff(self) -> bool:
        return any(a.type == "handoff" for a in self.actions)

    @property
    def handoff_summary(self) -> dict[str, Any] | None:
        for action in self.actions:
            if action.type == "handoff":
                return action.data.get("summary")
        return None

    def user_echo(self, raw: str) -> str:
        """The caller's words to echo back: as stored (redacted with the conversation's
        memory), or redacted here when the reply did not come from a stored turn."""
        if self.user_text is not None:
            return self.user_text
        from hark.privacy.redact import redact

        return redact(raw).text

    def to_turn_event(self, user: str) -> dict[str, Any]:
        """The public per-turn JSON shape shared by ``hark chat --json`` and the HTTP API."""
        return {
            "event": "turn",
            "user": user,
            "reply": self.text,
            "ssml": self.ssml,
            "intent": self.intent,
            "sentiment": self.sentiment,
            "handoff": self.handoff,
            "cards": [c.to_dict() for c in self.cards],
            "actions": [a.to_dict() for a in self.actions],
            "cart": self.cart.to_dict() if self.cart is not None else None,
            "end": self.end,
        }
