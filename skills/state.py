"""Everything a conversation remembers between turns, as plain JSON.

The state lives in ``Conversation.state`` and is rewritten on every turn, so
another request, another server process, or an Alexa session that comes back
minutes later continues exactly where the last turn stopped. Only redacted
text and ids are kept here: no card numbers, no raw utterances.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from hark.runtime.plain import asdict

STATE_VERSION = 1
MAX_SENTIMENT_HISTORY = 20
MAX_RECENT_TURNS = 6


@dataclass
class Pending:
    """A question Hark asked that a bare "yes"/"no" (or a number) answers.

    ``kind`` is one of ``checkout``, ``return``, ``cross_sell``, ``add_item``,
    ``replenish``, ``resume_cart``, ``handoff``, ``order_number``, ``verify``.
    """

    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "data": dict(self.data)}

    @classmethod
    def from_dict(cls, raw: Any) -> Pending | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("kind"), str):
            return None
        data = raw.get("data")
        return cls(raw["kind"], dict(data) if isinstance(data, dict) else {})


@dataclass
class SearchMemory:
    """The last product search, so "the cheaper one" or "something smaller" can refine it."""

    query: str = ""
    keywords: list[str] = field(default_factory=list)
    category: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    in_stock_only: bool = False
    results: list[str] = field(default_factory=list)  # skus, in the order they were offered

    @classmethod
    def from_dict(cls, raw: Any) -> SearchMemory:
        if not isinstance(raw, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


@dataclass
class ConversationState:
    """The conversation's memory. Unknown keys from newer versions are ignored."""

    version: int = STATE_VERSION
    customer_id: str | None = None
    search: SearchMemory = field(default_factory=SearchMemory)
    focus_sku: str | None = None
    focus_order_id: str | None = None
    cart_id: int | None = None
    pending: Pending | None = None
    proactive_queue: list[dict[str, Any]] = field(default_factory=list)
    proactive_offered: bool = False
    cross_sell_declined: bool = False
    cross_sell_offered: list[str] = field(default_factory=list)
    not_understood: int = 0
    sentiment_history: list[float] = field(default_factory=list)
    strong_negative_turns: int = 0
    last_intent: str | None = None
    intents: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)  # key facts for a handoff summary
    last_reply: str = ""
    last_ssml: str = ""
    recent: list[dict[str, str]] = field(default_factory=list)  # redacted last turns
    # hark.privacy.memory.RedactionMemory: digit counts for a card read out over several
    # turns, never the digits themselves
    privacy: dict[str, int] = field(default_factory=dict)
    handed_off: bool = False
    acknowledged_upset: int = 0
    turn_count: int = 0
    verify_failures: int = 0  # wrong answers to "the phone or e-mail on the account?"
    # the customer the channel asserted (caller ID, a text's sender, an unvouched id): a
    # detail the channel itself gives (that phone number) never proves this customer
    asserted: str | None = None
    verified_at: float = 0.0  # when the caller last proved who they are (epoch seconds)
    proof_for: str | None = None  # the action ("return", "checkout") that proof was given for
    verify_code: dict[str, Any] = field(default_factory=dict)  # salted hash, expiry, tries

    # --- sentiment -----------------------------------------------------------
    def add_sentiment(self, score: float) -> None:
        self.sentiment_history.append(round(float(score), 3))
        del self.sentiment_history[:-MAX_SENTIMENT_HISTORY]

    def sentiment_trend(self) -> str:
        """A word an agent can read at a glance: improving, worsening, steady."""
        history = self.sentiment_history
        if len(history) < 2:
            return "steady"
        half = max(1, len(history) // 2)
        earlier = sum(history[:half]) / half
        later = sum(history[half:]) / (len(history) - half)
        if later - earlier > 0.15:
            return "improving"
        if earlier - later > 0.15:
            return "worsening"
        return "steady"

    def remember_turn(self, role: str, text: str) -> None:
        self.recent.append({"role": role, "text": text})
        del self.recent[:-MAX_RECENT_TURNS]

    def note_intent(self, intent: str) -> None:
        self.last_intent = intent
        self.intents.append(intent)
        del self.intents[:-12]

    # --- JSON ------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pending"] = self.pending.to_dict() if self.pending else None
        return data

    @classmethod
    def from_json(cls, raw: Any) -> ConversationState:
        """Rebuild from stored JSON; anything malformed falls back to a default."""
        if not isinstance(raw, dict):
            return cls()
        state = cls()
        for f in fields(cls):
            if f.name not in raw:
                continue
            value = raw[f.name]
            if f.name == "search":
                state.search = SearchMemory.from_dict(value)
            elif f.name == "pending":
                state.pending = Pending.from_dict(value)
            else:
                default = getattr(state, f.name)
                expected = _NULLABLE.get(f.name, type(default))
                if value is None or isinstance(value, expected):
                    setattr(state, f.name, value)
        return state


_NULLABLE: dict[str, type] = {
    "customer_id": str,
    "focus_sku": str,
    "focus_order_id": str,
    "cart_id": int,
    "last_intent": str,
    "asserted": str,
    "proof_for": str,
}
