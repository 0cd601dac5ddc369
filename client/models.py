"""Typed bodies of Hark's HTTP API, as the client sends and receives them.

They mirror the server's OpenAPI document (``GET /openapi.json``) but are the
client's own: this package imports nothing of the server, so a shop's back end
can install it alone. Fields a newer server adds are kept (``extra="allow"``)
rather than refused, so an older client keeps working.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class HarkModel(BaseModel):
    """Base of every response model: unknown fields are kept, not an error."""

    model_config = ConfigDict(extra="allow")


# --- conversations -------------------------------------------------------------------------
class Card(HarkModel):
    """A product to show with a reply."""

    sku: str
    name: str
    price: float
    stock: int
    description: str = ""
    image_url: str | None = None
    model_url: str | None = None


class CartLine(HarkModel):
    sku: str
    name: str
    price: float
    quantity: int
    image_url: str | None = None


class Cart(HarkModel):
    """The caller's open cart after a turn."""

    lines: list[CartLine]
    total: float
    currency: str


class Started(HarkModel):
    """``POST /v1/conversations``: the new conversation and its greeting."""

    conversation_id: str
    identity: str
    greeting: str
    ssml: str
    intent: str
    cards: list[Card] = []
    actions: list[dict[str, Any]] = []
    turn_id: int | None = None


class Turn(HarkModel):
    """``POST /v1/conversations/{id}/turns``: Hark's answer to one caller turn."""

    event: str = "turn"
    conversation_id: str
    user: str
    reply: str
    ssml: str
    intent: str
    sentiment: float
    handoff: bool
    cards: list[Card] = []
    actions: list[dict[str, Any]] = []
    cart: Cart | None = None
    end: bool
    turn_id: int | None = None


class TranscriptTurn(HarkModel):
    seq: int
    role: str
    text: str
    intent: str | None = None
    sentiment: float | None = None
    interrupted: bool = False
    at: str | None = None


class Transcript(HarkModel):
    """``GET /v1/conversations/{id}``: the stored (redacted) transcript."""

    conversation_id: str
    channel: str
    customer_id: str | None = None
    identity: str
    started_at: str | None = None
    ended_at: str | None = None
    resolved: bool
    summary: str = ""
    sentiment_trend: str = "steady"
    turns: list[TranscriptTurn]


class Ticket(HarkModel):
    """``POST /v1/voice/tickets``: a single-use ticket for ``/v1/voice?ticket=``."""

    ticket: str
    expires_in: int


# --- health --------------------------------------------------------------------------------
class Health(HarkModel):
    status: str
    version: str


class DatabaseState(HarkModel):
    ok: bool
    detail: str


class EngineState(HarkModel):
    """An engine (asr, tts, llm): loaded, or the command that fetches its model."""

    loaded: bool
    detail: str
    download: dict[str, Any] | None = None


class NodeLoad(HarkModel):
    """What the answering process carries now (admission and drain)."""

    voice_sessions: int
    media_streams: int
    max_voice_sessions: int
    draining: bool


class Readiness(HarkModel):
    """``GET /readyz``: ``status`` is ``ready``, ``unavailable``, ``starting``, ``busy`` or
    ``draining`` (the last two: send new sessions to another node)."""

    status: str
    database: DatabaseState | None = None
    engines: dict[str, EngineState] = {}
    load: NodeLoad | None = None


# --- admin: handoffs -------------------------------------------------------------------------
class HandoffDelivery(HarkModel):
    state: str | None = None
    attempts: int | None = None
    delivered_at: str | None = None
    last_error: str | None = None


class Handoff(HarkModel):
    """A handoff on the desk; ``transcript`` only when read one by one."""

    id: str
    conversation_id: str
    channel: str
    customer_id: str | None = None
    identity: str | None = None
    reason: str | None = None
    topic: str | None = None
    summary: dict[str, Any] = {}
    sentiment_trend: str | None = None
    sentiment_last: float | None = None
    status: Literal["open", "claimed", "resolved"]
    created_at: str | None = None
    claimed_at: str | None = None
    claimed_by: str | None = None
    resolved_at: str | None = None
    resolved_by: str | None = None
    resolution: str | None = None
    transfer_status: str | None = None
    callback: str | None = None  # offered | accepted | declined
    callback_contact: str | None = None
    delivery: HandoffDelivery | None = None
    transcript: list[dict[str, Any]] | None = None


# --- admin: insights -------------------------------------------------------------------------
class ConversationSummary(HarkModel):
    """One row of the conversation search; ``transcript`` only in an export."""

    conversation_id: str
    channel: str
    started_at: str | None = None
    ended_at: str | None = None
    identity: str | None = None
    customer_id: str | None = None
    turns: int
    sentiment: float | None = None
    mood: str | None = None
    intents: list[str] = []
    handoff: bool
    summary: Any = None
    transcript: list[dict[str, Any]] | None = None


class Analytics(HarkModel):
    """Dashboard figures for a period (the nested tables are kept as the server sends them)."""

    period: dict[str, Any]
    conversations: int
    channels: dict[str, int]
    contained: int
    containment_rate: float | None = None
    handoffs: int
    handoff_rate: float | None = None
    handoff_reasons: dict[str, int]
    orders: int
    revenue: str
    carts: int
    cart_conversions: int
    cart_conversion_rate: float | None = None
    sentiment: dict[str, Any]
    by_day: list[dict[str, Any]]
    top_intents: list[dict[str, Any]]
    misunderstood: list[dict[str, Any]]
    latency_ms: dict[str, dict[str, float]]
    currency: str


class LabelledExample(HarkModel):
    """A reviewer's label for a caller turn, with its held-out assessment."""

    id: int
    turn_id: int | None = None
    text: str
    chosen_intent: str | None = None
    intent: str
    reviewer: str | None = None
    created_at: str | None = None
    heldout_delta: float | None = None
    flagged: bool
    confirmed: bool


class ReviewItem(HarkModel):
    turn_id: int
    conversation_id: str
    channel: str
    text: str
    chosen_intent: str | None = None
    confidence: float | None = None
    reasons: list[str]
    at: str | None = None
    review: LabelledExample | None = None


class NluModelInfo(HarkModel):
    id: int
    created_at: str
    examples: int
    heldout_before: float | None = None
    heldout_after: float | None = None
    reviewed_before: float | None = None
    reviewed_after: float | None = None
    trained_by: str | None = None


class ReviewQueue(HarkModel):
    turns: list[ReviewItem]
    intents: list[str]
    model: NluModelInfo | None = None


class TrainingReport(HarkModel):
    heldout_items: int
    reviewed_items: int
    heldout_before: float | None = None
    heldout_after: float | None = None
    reviewed_before: float | None = None
    reviewed_after: float | None = None
    examples_used: int
    model_id: int | None = None
    flagged: list[dict[str, Any]] = []
    assessed: list[dict[str, Any]] = []


# --- admin: privacy --------------------------------------------------------------------------
class CustomerExport(HarkModel):
    """Everything Hark holds about one customer (turns are stored redacted)."""

    customer: dict[str, Any]
    orders: list[dict[str, Any]]
    returns: list[dict[str, Any]]
    carts: list[dict[str, Any]]
    channel_links: list[dict[str, Any]]
    conversations: list[dict[str, Any]]
    conversation_records: dict[str, list[dict[str, Any]]] = {}
    reviewed_examples: list[dict[str, Any]] = []
    exported_at: str | None = None
    contact_consents: list[dict[str, Any]] = []
    notices: list[dict[str, Any]] = []
    stock_watches: list[dict[str, Any]] = []


class Erased(HarkModel):
    customer_id: str
    already_erased: bool
    conversations: int
    turns: int
    channel_links: int
    carts: int
    orders_kept: int
    returns_cleared: int
    call_records: int = 0
    summary: str


class Purged(HarkModel):
    cutoff: str | None = None
    conversations: int
    turns: int
    carts: int
    call_records: int = 0
    summary: str


# --- requests ---------------------------------------------------------------------------------
class ConversationFilter(BaseModel):
    """The admin conversation search (every field optional; dates are ``YYYY-MM-DD``)."""

    model_config = ConfigDict(populate_by_name=True)
    start: str | None = Field(None, alias="from")
    end: str | None = Field(None, alias="to")
    channel: str | None = None
    intent: str | None = None
    sentiment: Literal["negative", "neutral", "positive"] | None = None
    handoff: bool | None = None
    q: str | None = None

    def params(self) -> dict[str, str]:
        """As query parameters (``from``/``to``, booleans as ``true``/``false``)."""
        out: dict[str, str] = {}
        for key, value in self.model_dump(by_alias=True, exclude_none=True).items():
            out[key] = str(value).lower() if isinstance(value, bool) else str(value)
        return out
