"""What every skill receives and returns.

A skill is a plain function ``(TurnContext) -> SkillReply``: it reads the
shop through the open session, updates the conversation state in place,
and says what to answer. The manager owns everything around it (NLU,
redaction, sentiment, storing turns), so skills stay small and testable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.orm import Session

from hark.language.speech import Utterance, spoken_price
from hark.runtime.settings import Settings
from hark.shop.knowledge import Knowledge
from hark.shop.product_words import ProductDoc
from hark.skills.identity import (
    ACTION_PURPOSES,
    SENDER_KEYED_CHANNELS,
    Identity,
    Permission,
    allowed,
)
from hark.skills.intent import Intent
from hark.skills.reply import Action, Card
from hark.skills.state import ConversationState, Pending
from hark.skills.understanding import Entities, NluResult, ToolCall
from hark.store.models import Conversation, Customer


class CodeSender(Protocol):
    """Sends a text message to a phone number (a verification code); raises if it could not.
    The server injects one (Twilio's REST API); skills never reach a provider themselves."""

    def send_text(self, to: str, body: str) -> None: ...


@dataclass
class TurnContext:
    """One turn's world: the shop, the conversation, and what the caller said.

    ``customer`` is set only when the caller is ``verified`` as that customer,
    so a skill that reads a customer's data through it can't leak it to anyone
    else. A customer the channel asserts but can't prove is ``claimed``.
    """

    session: Session
    settings: Settings
    knowledge: Knowledge
    state: ConversationState
    conversation: Conversation
    customer: Customer | None
    today: dt.date
    text: str  # the request in the redacted user text (what search and the FAQ read)
    nlu: NluResult
    identity: Identity = Identity.ANONYMOUS
    claimed: Customer | None = None  # the asserted customer of a ``claimed`` conversation

    def may(self, permission: Permission) -> bool:
        """The policy table's answer for this caller (``hark.skills.identity.POLICY``); in a
        text thread an action also needs a proof given for it (anyone can text as a number)."""
        if not allowed(self.identity, permission):
            return False
        purpose = ACTION_PURPOSES.get(permission)
        if purpose is not None and self.conversation.channel in SENDER_KEYED_CHANNELS:
            return self.state.proof_for == purpose
        return True

    said: str = ""  # the redacted user text as said, punctuation and all
    codes: CodeSender | None = None  # texts verification codes (HARK_VERIFY_BY_CODE)
    #: set when an LLM's tool call runs the skill: then its arguments are what was asked
    tool: ToolCall | None = None

    @property
    def intent(self) -> Intent:
        """What is asked: the tool call's action, else the NLU's reading of the caller."""
        return self.tool.intent if self.tool is not None else self.nlu.intent

    @property
    def words(self) -> str:
        """The normalised words a skill reads: the tool call's, else the caller's."""
        return self.tool.words.lower() if self.tool is not None else self.nlu.text

    @property
    def entities(self) -> Entities:
        return self.tool.entities if self.tool is not None else self.nlu.entities

    @property
    def currency(self) -> str:
        return self.settings.currency

    def price(self, amount: float) -> str:
        return spoken_price(amount, self.settings.currency)

    def first_name(self) -> str:
        if self.customer is None or not self.customer.name:
            return ""
        return self.customer.name.split()[0]


@dataclass
class SkillReply:
    """What a skill wants said and done."""

    say: Utterance = field(default_factory=Utterance)
    intent: Intent | None = None  # None: the NLU's reading of the turn
    cards: list[Card] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    end: bool = False
    understood: bool = True  # False counts towards the "two turns not understood" handoff
    pending: Pending | None = None  # the question this reply asks, answered by yes/no next turn
    handled: bool = True  # a request was served (a good moment for a proactive "by the way")
    resolved: bool | None = None  # set Conversation.resolved (None: leave as is)

    @classmethod
    def of(cls, intent: Intent, *sentences: str, **kwargs: Any) -> SkillReply:
        reply = cls(intent=intent, **kwargs)
        for sentence in sentences:
            reply.say.say(sentence)
        return reply

    def ask_to_add(self, product: ProductDoc, quantity: int | None = None) -> None:
        """End on "add it to your cart?": a yes next turn adds this product (as many as the
        caller asked for: "three sets of wiper blades" ... "yes add them")."""
        self.say.say("Would you like me to add it to your cart?")
        data: dict[str, Any] = {"sku": product.sku}
        if quantity:
            data["quantity"] = quantity
        self.pending = Pending("add_item", data)


def card(product: ProductDoc) -> Card:
    return Card(
        sku=product.sku,
        name=product.name,
        price=round(product.price, 2),
        stock=product.stock,
        description=product.description,
        image_url=product.image_url,
        model_url=product.model_url,
    )


def remember_fact(state: ConversationState, key: str, value: Any) -> None:
    """Key facts an agent would want in a handoff summary (order ids, products, returns)."""
    values = state.facts.setdefault(key, [])
    if value not in values:
        values.append(value)
        del values[:-5]
