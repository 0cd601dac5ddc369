"""What a turn asks for, as understood: the NLU's reading of the caller's words, or an
LLM's call of one of the skills' actions. Skills act on either.

The NLU and the LLM planner live in :mod:`hark.dialogue`; skills only read
their results, so the results' shapes are defined here, below both. The two
are different things and typed so: an :class:`NluResult` is a guess with a
confidence; a :class:`ToolCall` is a request whose arguments were validated
against the action's parameter model, so it carries no confidence at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hark.skills.intent import Intent


@dataclass
class Entities:
    """Everything the NLU found in one utterance besides its intent."""

    order_id: str | None = None
    numbers: list[float] = field(default_factory=list)
    quantity: int | None = None
    price_min: float | None = None
    price_max: float | None = None
    products: list[tuple[str, float]] = field(default_factory=list)  # (sku, match score)
    category: str | None = None
    ordinal: int | None = None
    comparative: str | None = None
    in_stock_only: bool = False
    keywords: list[str] = field(default_factory=list)
    pronoun_ref: bool = False


@dataclass
class NluResult:
    """One parsed utterance."""

    text: str  # normalised text (fillers removed, numbers as digits)
    intent: Intent
    confidence: float  # 0..1
    entities: Entities
    scores: dict[str, float] = field(default_factory=dict)  # per-intent probabilities
    #: The request inside the talk: misheard catalog words repaired, conversational
    #: wrapping ("you guys", "or not") removed. What search and the FAQ should read.
    request: str = ""


@dataclass(frozen=True)
class ToolCall:
    """An LLM's call of one of the skills' actions, validated (``hark.skills.actions``).

    ``words`` are the call's arguments as the skill reads words ("my order", a product's
    name, the question asked); ``entities`` the facts its arguments give (a product by
    sku, a quantity, a price range). The turn's own NLU reading stays as it was.
    """

    intent: Intent
    tool: str  # the action's tool name, as the model called it
    words: str
    entities: Entities = field(default_factory=Entities)
