"""What the caller said, as understood: the NLU's verdict that skills act on.

The NLU itself lives in :mod:`hark.dialogue`; skills only read its result,
so the result's shape is defined here, below both.
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
