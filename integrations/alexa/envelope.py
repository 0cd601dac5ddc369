"""The Alexa request envelope as typed data, and what each intent means as a turn.

Only the fields Hark reads are modelled; everything else Alexa sends is
ignored, so new fields from Amazon never break the endpoint. The brain
speaks plain text, so each Alexa intent becomes the words a caller would
have said ("help", "yes", ...), and free speech comes through
``CatchAllIntent`` verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

CATCH_ALL_INTENT = "CatchAllIntent"
UTTERANCE_SLOT = "utterance"
PRODUCT_INTENT = "ProductSearchIntent"
PRODUCT_SLOT = "product"
CONVERSATION_KEY = "conversationId"

# Built-in intents and the words they stand for in a conversation.
BUILTIN_UTTERANCES: dict[str, str] = {
    "AMAZON.HelpIntent": "help",
    "AMAZON.YesIntent": "yes",
    "AMAZON.NoIntent": "no",
    "AMAZON.NavigateHomeIntent": "help",
}
STOP_INTENTS = frozenset({"AMAZON.StopIntent", "AMAZON.CancelIntent"})
FALLBACK_INTENT = "AMAZON.FallbackIntent"
# What a product-slot request means: Alexa keeps only the slot value, not the carrier words.
PRODUCT_TEMPLATE = "do you have {product}"


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


class Slot(_Model):
    name: str = ""
    value: str | None = None


class Intent(_Model):
    name: str
    slots: dict[str, Slot] = Field(default_factory=dict)

    def slot_value(self, name: str) -> str:
        slot = self.slots.get(name)
        return (slot.value or "").strip() if slot else ""


class Application(_Model):
    application_id: str | None = None


class User(_Model):
    user_id: str | None = None
    access_token: str | None = None


class Session(_Model):
    new: bool = False
    session_id: str | None = None
    application: Application | None = None
    attributes: dict[str, Any] | None = None
    user: User | None = None


class System(_Model):
    application: Application | None = None
    user: User | None = None
    api_endpoint: str | None = None
    api_access_token: str | None = None


class Context(_Model):
    system: System | None = Field(default=None, alias="System")


class AlexaRequest(_Model):
    type: str
    request_id: str = ""
    timestamp: Any = None
    locale: str | None = None
    intent: Intent | None = None
    reason: str | None = None
    error: dict[str, Any] | None = None


class Envelope(_Model):
    """One request from Alexa. ``request.type`` is the only field always required."""

    version: str = "1.0"
    session: Session | None = None
    context: Context | None = None
    request: AlexaRequest

    @property
    def conversation_id(self) -> str | None:
        attributes = (self.session.attributes if self.session else None) or {}
        value = attributes.get(CONVERSATION_KEY)
        return value if isinstance(value, str) and value else None

    def _user(self) -> User | None:
        system = self.context.system if self.context else None
        if system and system.user:
            return system.user
        return self.session.user if self.session else None

    @property
    def user_id(self) -> str | None:
        user = self._user()
        return user.user_id if user else None

    @property
    def access_token(self) -> str | None:
        """The account-linking token (context first, then the legacy session copy)."""
        for user in (
            self.context.system.user if self.context and self.context.system else None,
            self.session.user if self.session else None,
        ):
            if user and user.access_token:
                return user.access_token
        return None

    @property
    def api_endpoint(self) -> str | None:
        return self.context.system.api_endpoint if self.context and self.context.system else None

    @property
    def api_access_token(self) -> str | None:
        system = self.context.system if self.context else None
        return system.api_access_token if system else None


@dataclass(frozen=True)
class TurnPlan:
    """What an intent asks of the conversation.

    ``kind`` ``say``: send ``text`` as the caller's words; ``stop``: end the
    session politely; ``fallback``: Alexa heard speech it could not place.
    """

    kind: Literal["say", "stop", "fallback"]
    text: str = ""


def plan_for_intent(intent: Intent | None) -> TurnPlan:
    """Map an Alexa intent to the words the brain should hear."""
    if intent is None:
        return TurnPlan("fallback")
    name = intent.name
    if name == CATCH_ALL_INTENT:
        utterance = intent.slot_value(UTTERANCE_SLOT)
        return TurnPlan("say", utterance) if utterance else TurnPlan("fallback")
    if name == PRODUCT_INTENT:
        product = intent.slot_value(PRODUCT_SLOT)
        if not product:
            return TurnPlan("fallback")
        return TurnPlan("say", PRODUCT_TEMPLATE.format(product=product))
    if name in STOP_INTENTS:
        return TurnPlan("stop", "stop")
    if name in BUILTIN_UTTERANCES:
        return TurnPlan("say", BUILTIN_UTTERANCES[name])
    return TurnPlan("fallback")


def session_attributes(conversation_id: str | None) -> dict[str, Any]:
    return {CONVERSATION_KEY: conversation_id} if conversation_id else {}
