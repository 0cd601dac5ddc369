"""Typed answers of the operator API's operational calls: the cart, lockouts, order
updates, the notice ledger, consent and the nodes.

Kept apart from :mod:`hark.client.models` (conversations, desk, insights, privacy)
only for size; the same rules hold: they mirror ``/openapi.json`` field for field
and keep fields a newer server adds.
"""

from __future__ import annotations

from typing import Literal

from hark.client.models import Cart, HarkModel, NodeLoad


class ConversationCart(HarkModel):
    """``GET /v1/conversations/{id}/cart``: the open cart, ``None`` when there is none."""

    conversation_id: str
    cart: Cart | None = None


# --- lockouts --------------------------------------------------------------------------------
class Lockout(HarkModel):
    """A customer or order number locked out of self-service until ``until`` (UTC)."""

    subject: Literal["customer", "order"]
    key: str
    failures: int
    until: str


class LockoutCleared(HarkModel):
    """How many failed checks were forgotten, and by which admin key (its owner name)."""

    cleared: int
    by: str


# --- orders and notices ----------------------------------------------------------------------
class NoticeSend(HarkModel):
    channel: str
    at: str | None = None
    outcome: str
    detail: str | None = None


class Notice(HarkModel):
    """A notice on the ledger; ``outcome`` is ``None`` while it waits."""

    id: int
    event: str
    event_key: str
    customer_id: str | None = None
    order_id: str | None = None
    created_at: str | None = None
    state: str
    outcome: str | None = None
    reason: str | None = None
    channel: str | None = None
    attempts: int
    next_attempt_at: str | None = None
    done_at: str | None = None
    conversation_id: str | None = None
    sends: list[NoticeSend] = []


class OrderUpserted(HarkModel):
    """``PUT /v1/admin/orders/{id}``: the order, and the notices its changes became."""

    order_id: str
    created: bool
    notices: list[Notice]


class NoticeDay(HarkModel):
    day: str
    delivered: int
    answered: int
    voicemail: int
    failed: int
    suppressed: int
    waiting: int


class NoticeLedger(HarkModel):
    """``GET /v1/admin/notices``: notices (newest first) and outcomes by day."""

    notices: list[Notice]
    by_day: list[NoticeDay]


# --- consent ---------------------------------------------------------------------------------
class ConsentEntry(HarkModel):
    channel: str
    granted: bool
    at: str
    source: str
    how: str | None = None


class Consent(HarkModel):
    """A customer's consent now (``channels``, ``opted_out``) and its ledger."""

    customer_id: str
    channels: list[str]
    preference: list[str]
    opted_out: bool
    timezone: str | None = None
    ledger: list[ConsentEntry]


# --- nodes -----------------------------------------------------------------------------------
class NodeEntry(HarkModel):
    """One node at its last heartbeat; ``calls`` only when nodes share Redis."""

    node: str | None = None
    load: NodeLoad
    seen_s_ago: float
    calls: int | None = None


class Nodes(HarkModel):
    """``GET /v1/admin/nodes``: ``shared`` is False without Redis (this process alone)."""

    shared: bool
    this_node: str | None = None
    nodes: list[NodeEntry]
