"""Named schemas (with examples) of the operator API's answers, for ``/openapi.json``.

The ``/v1/admin/`` handlers return the dicts the ``/admin`` pages also use
(:mod:`hark.server.routes_admin_insights`, :mod:`hark.server.routes_admin_handoffs`,
:mod:`hark.server.routes_privacy`); these models document those answers so
a generated client (Swift, Kotlin) gets real types. They are declared with
``responses={200: {"model": ...}}``, so the answers themselves are sent
exactly as before; ``tests/client/test_client.py`` checks the real answers against
the typed client, field for field.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hark.server.openapi_docs import example as _example

_CID = "3b568cab88934aa288588e6262a2b039"
_AT = "2026-11-24T14:03:11.402118"


# --- handoffs ---------------------------------------------------------------------------------
class HandoffDelivery(BaseModel):
    """The webhook delivery of the handoff (``off`` when no webhook is configured)."""

    state: str = Field(description="off, pending, delivered or failed.")
    attempts: int
    delivered_at: str | None = None
    last_error: str | None = None


class TranscriptLine(BaseModel):
    """One stored turn (redacted)."""

    seq: int
    role: Literal["assistant", "user"]
    text: str
    intent: str | None = None
    sentiment: float | None = None
    at: str | None = None


_HANDOFF = {
    "id": "5bbbddff4acf42469532a998cb342c53",
    "conversation_id": _CID,
    "channel": "phone",
    "customer_id": None,
    "identity": "anonymous",
    "reason": "requested",
    "topic": "your question",
    "summary": {"reason": "the customer asked for a person", "intent": "unknown"},
    "sentiment_trend": "steady",
    "sentiment_last": 0.077,
    "status": "open",
    "created_at": _AT,
    "claimed_at": None,
    "claimed_by": None,
    "resolved_at": None,
    "resolved_by": None,
    "resolution": "",
    "transfer_status": None,
    "callback": None,
    "callback_contact": None,
    "delivery": {"state": "off", "attempts": 0, "delivered_at": None, "last_error": None},
}


class Handoff(BaseModel):
    """A conversation handed to a person; ``transcript`` only when read one by one."""

    model_config = _example(
        **_HANDOFF,
        transcript=[
            {"seq": 1, "role": "user", "text": "I want to talk to an agent", "intent": "human_agent",
             "sentiment": 0.077, "at": _AT},
        ],
    )  # fmt: skip
    id: str
    conversation_id: str
    channel: str
    customer_id: str | None
    identity: str
    reason: str
    topic: str
    summary: dict[str, Any] = Field(description="What the agent is told (docs/admin.md).")
    sentiment_trend: str
    sentiment_last: float | None
    status: Literal["open", "claimed", "resolved"]
    created_at: str | None
    claimed_at: str | None
    claimed_by: str | None
    resolved_at: str | None
    resolved_by: str | None
    resolution: str | None = Field(description="The resolving note, redacted.")
    transfer_status: str | None
    callback: str | None = Field(description="offered, accepted or declined.")
    callback_contact: str | None
    delivery: HandoffDelivery
    transcript: list[TranscriptLine] | None = None


class HandoffList(BaseModel):
    model_config = _example(handoffs=[_HANDOFF])
    handoffs: list[Handoff]


# --- analytics ----------------------------------------------------------------------------------
class Period(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    start: str = Field(alias="from")
    end: str = Field(alias="to")
    channel: str | None


class SentimentPoint(BaseModel):
    day: str | None = None
    hour: str | None = None
    average: float | None
    turns: int


class Sentiment(BaseModel):
    average: float | None
    by_day: list[SentimentPoint]
    by_hour: list[SentimentPoint] | None = Field(description="Only for periods under a week.")


class DayCount(BaseModel):
    day: str
    conversations: int
    handoffs: int


class IntentCount(BaseModel):
    intent: str
    count: int


class TextCount(BaseModel):
    text: str
    count: int


class Analytics(BaseModel):
    """Dashboard figures for a period; ``latency_ms`` maps a stage to its percentiles."""

    model_config = _example(
        period={"from": "2026-11-24", "to": "2026-11-24", "channel": None},
        conversations=5, channels={"web": 2, "phone": 2, "alexa": 1}, contained=3,
        containment_rate=0.6, handoffs=2, handoff_rate=0.4,
        handoff_reasons={"requested": 1, "not_understood": 1}, orders=1, revenue="129.99",
        carts=2, cart_conversions=1, cart_conversion_rate=0.5,
        sentiment={"average": 0.057, "by_day": [{"day": "2026-11-24", "average": 0.057,
                   "turns": 11}], "by_hour": None},
        by_day=[{"day": "2026-11-24", "conversations": 5, "handoffs": 2}],
        top_intents=[{"intent": "product_search", "count": 2}],
        misunderstood=[{"text": "blorp the flurb", "count": 1}],
        latency_ms={"total_ms": {"count": 3, "p50": 200.0, "p90": 300.0, "p95": 300.0,
                    "p99": 300.0}},
        currency="USD",
    )  # fmt: skip
    period: Period
    conversations: int
    channels: dict[str, int]
    contained: int
    containment_rate: float | None
    handoffs: int
    handoff_rate: float | None
    handoff_reasons: dict[str, int]
    orders: int
    revenue: str = Field(description="A decimal amount in ``currency``, as a string.")
    carts: int
    cart_conversions: int
    cart_conversion_rate: float | None
    sentiment: Sentiment
    by_day: list[DayCount]
    top_intents: list[IntentCount]
    misunderstood: list[TextCount]
    latency_ms: dict[str, dict[str, float]]
    currency: str


# --- conversations --------------------------------------------------------------------------------
_ROW = {
    "conversation_id": _CID, "channel": "sms", "started_at": _AT, "ended_at": None,
    "identity": "anonymous", "customer_id": None, "turns": 1, "sentiment": 0.0,
    "mood": "neutral", "intents": ["return_policy"], "handoff": False, "summary": "",
}  # fmt: skip


class ConversationRow(BaseModel):
    """A conversation as the search lists it; ``transcript`` only in an export."""

    conversation_id: str
    channel: str
    started_at: str | None
    ended_at: str | None
    identity: str | None
    customer_id: str | None
    turns: int = Field(description="The caller's turns.")
    sentiment: float | None
    mood: Literal["negative", "neutral", "positive"] | None
    intents: list[str]
    handoff: bool
    summary: Any = None
    transcript: list[TranscriptLine] | None = None


class ConversationList(BaseModel):
    model_config = _example(conversations=[_ROW])
    conversations: list[ConversationRow]


class ConversationExport(BaseModel):
    """``format=json``: the conversations with their transcripts (``format=csv``: one row per
    turn)."""

    model_config = _example(
        conversations=[{**_ROW, "transcript": [
            {"seq": 1, "role": "user", "text": "what is your return policy",
             "intent": "return_policy", "sentiment": 0.0, "at": _AT}]}]
    )  # fmt: skip
    conversations: list[ConversationRow]


# --- review and training --------------------------------------------------------------------------
_LABEL = {
    "id": 7, "turn_id": 23, "text": "zzz qqq vvv", "chosen_intent": "out_of_scope",
    "intent": "out_of_scope", "reviewer": "admin:9f2c4e1a7b3d5e60", "created_at": _AT,
    "heldout_delta": 0.0, "flagged": False, "confirmed": False,
}  # fmt: skip


class LabelledExample(BaseModel):
    """A reviewer's label; ``flagged`` when it would lower held-out accuracy."""

    model_config = _example(**_LABEL)
    id: int
    turn_id: int | None
    text: str
    chosen_intent: str | None
    intent: str
    reviewer: str | None
    created_at: str | None
    heldout_delta: float | None
    flagged: bool
    confirmed: bool


class ReviewItem(BaseModel):
    turn_id: int
    conversation_id: str
    channel: str
    text: str
    chosen_intent: str | None
    confidence: float | None
    reasons: list[Literal["unsure", "not_understood", "handoff"]]
    at: str | None
    review: LabelledExample | None


class NluModelInfo(BaseModel):
    id: int
    created_at: str
    examples: int
    heldout_before: float | None
    heldout_after: float | None
    reviewed_before: float | None
    reviewed_after: float | None
    trained_by: str | None


class ReviewQueue(BaseModel):
    model_config = _example(
        turns=[{"turn_id": 23, "conversation_id": _CID, "channel": "alexa", "text": "zzz qqq vvv",
                "chosen_intent": "out_of_scope", "confidence": 0.204,
                "reasons": ["unsure", "not_understood"], "at": _AT, "review": None}],
        intents=["product_search", "order_status", "out_of_scope"],
        model=None,
    )  # fmt: skip
    turns: list[ReviewItem]
    intents: list[str]
    model: NluModelInfo | None = Field(description="The newest retraining, if any.")


class Assessment(BaseModel):
    example_id: int
    text: str
    intent: str
    heldout_delta: float
    flagged: bool


class TrainingReport(BaseModel):
    """Held-out and reviewed accuracy before (the model in use) and after retraining."""

    model_config = _example(
        heldout_items=240, reviewed_items=1, heldout_before=0.912, heldout_after=0.912,
        reviewed_before=0.0, reviewed_after=1.0, examples_used=1, model_id=1, flagged=[],
        assessed=[],
    )  # fmt: skip
    heldout_items: int
    reviewed_items: int
    heldout_before: float | None
    heldout_after: float | None
    reviewed_before: float | None
    reviewed_after: float | None
    examples_used: int
    model_id: int | None
    flagged: list[dict[str, Any]]
    assessed: list[Assessment]


# --- privacy --------------------------------------------------------------------------------------
class CustomerExport(BaseModel):
    """Everything Hark holds about a customer (turns are stored redacted)."""

    model_config = _example(
        customer={"customer_id": "C001", "name": "Maria Lopez", "phone": "+15550100101",
                  "email": "maria.lopez@example.com", "erased_at": None},
        orders=[{"order_id": "5274", "status": "delayed", "placed_at": "2026-11-08",
                 "eta": "2026-12-02", "lines": [{"sku": "OUT-4001", "quantity": 1}]}],
        returns=[], carts=[], channel_links=[],
        conversations=[{"conversation_id": _CID, "channel": "web", "started_at": _AT,
                        "ended_at": None, "resolved": True, "summary": "",
                        "turns": [{"seq": 1, "role": "user", "text": "where is my order",
                                   "intent": "order_status", "at": _AT}]}],
        conversation_records={}, reviewed_examples=[], exported_at=_AT,
        contact_consents=[{"channel": "sms", "granted": True, "at": _AT, "source": "shop_import",
                           "how": ""}],
        notices=[], stock_watches=[],
    )  # fmt: skip
    customer: dict[str, Any]
    orders: list[dict[str, Any]]
    returns: list[dict[str, Any]]
    carts: list[dict[str, Any]]
    channel_links: list[dict[str, Any]]
    conversations: list[dict[str, Any]]
    conversation_records: dict[str, list[dict[str, Any]]] = Field(
        description="Rows of other tables tied to the conversations, by table."
    )
    reviewed_examples: list[dict[str, Any]]
    exported_at: str | None
    contact_consents: list[dict[str, Any]] = Field(description="The consent ledger.")
    notices: list[dict[str, Any]] = Field(description="Notices Hark decided for the customer.")
    stock_watches: list[dict[str, Any]] = Field(
        description="Sold-out products the customer asked about (a back-in-stock notice waits)."
    )
