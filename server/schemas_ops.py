"""Named schemas (with examples) of the operator API's operational answers, for ``/openapi.json``.

Identity lockouts (:mod:`hark.server.routes_admin_lockouts`), order updates,
the notice ledger and consent (:mod:`hark.server.routes_admin_notices`) and
the nodes (:mod:`hark.server.routes_nodes`). Those handlers return dicts (the
``/admin`` pages share them); these models only document the answers, declared
with ``responses={200: {"model": ...}}``, so what is sent stays byte for byte
the same. ``tests/client/test_client.py`` reads the real answers with the typed client.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from hark.server.openapi_docs import example
from hark.server.routes_health import NodeLoad

_AT = "2026-11-24T14:03:11.402118"
_NOTICE = {
    "id": 12,
    "event": "order_delayed",
    "event_key": "order:7002:delayed:2026-12-12",
    "customer_id": "C002",
    "order_id": "7002",
    "created_at": _AT,
    "state": "pending",
    "outcome": None,
    "reason": None,
    "channel": None,
    "attempts": 0,
    "next_attempt_at": _AT,
    "done_at": None,
    "conversation_id": None,
    "sends": [],
}


# --- lockouts --------------------------------------------------------------------------------
class Lockout(BaseModel):
    """A customer or order number past ``HARK_VERIFY_LOCKOUT``: no self-service until ``until``."""

    subject: Literal["customer", "order"]
    key: str = Field(description="The customer id or the order number.")
    failures: int = Field(description="Failed identity checks in the window.")
    until: str = Field(description="When self-service opens again (UTC, ISO 8601, `Z`).")


class LockoutList(BaseModel):
    model_config = example(
        lockouts=[{"subject": "customer", "key": "C002", "failures": 5,
                   "until": "2026-11-24T14:18:11Z"}]
    )  # fmt: skip
    lockouts: list[Lockout]


class LockoutCleared(BaseModel):
    model_config = example(cleared=5, by="admin:eaed6e5b99909c45")
    cleared: int = Field(description="How many recorded failures were forgotten.")
    by: str = Field(description="The owner name of the admin key that cleared it.")


# --- orders and notices ----------------------------------------------------------------------
class NoticeSend(BaseModel):
    """One attempt on one channel (a text, a call, an e-mail)."""

    channel: str
    at: str | None
    outcome: str
    detail: str | None


class Notice(BaseModel):
    """A notice on the ledger: the event it tells, its state and how it ended."""

    id: int
    event: str = Field(description="The event kind (HARK_NOTICES), e.g. order_delayed.")
    event_key: str = Field(description="Unique per event: the same update is decided once.")
    customer_id: str | None
    order_id: str | None
    created_at: str | None
    state: str = Field(description="pending, calling or done.")
    outcome: str | None = Field(
        description="delivered, answered, voicemail, failed or suppressed; null while waiting."
    )
    reason: str | None
    channel: str | None
    attempts: int
    next_attempt_at: str | None
    done_at: str | None
    conversation_id: str | None = Field(description="The conversation a notice call opened.")
    sends: list[NoticeSend]


class OrderUpserted(BaseModel):
    """The order stored, and the notices its changes became (suppressed ones with a reason)."""

    model_config = example(order_id="7002", created=False, notices=[_NOTICE])
    order_id: str
    created: bool = Field(description="True when the order was new (a new order is not news).")
    notices: list[Notice]


class NoticeDay(BaseModel):
    """Notices created on one day (UTC), by outcome; ``waiting`` have none yet."""

    day: str
    delivered: int
    answered: int
    voicemail: int
    failed: int
    suppressed: int
    waiting: int


class NoticeLedger(BaseModel):
    model_config = example(
        notices=[_NOTICE],
        by_day=[{"day": "2026-11-24", "delivered": 0, "answered": 0, "voicemail": 0, "failed": 0,
                 "suppressed": 0, "waiting": 1}],
    )  # fmt: skip
    notices: list[Notice] = Field(description="Newest first.")
    by_day: list[NoticeDay]


# --- consent ---------------------------------------------------------------------------------
class ConsentEntry(BaseModel):
    """One line of the consent ledger: when and how a channel was granted or withdrawn."""

    channel: str = Field(description="A channel, or `all` (an opt-out, or START).")
    granted: bool
    at: str
    source: str = Field(description="shop_import, api, sms, voice...")
    how: str | None = Field(description="How it was given (redacted).")


class Consent(BaseModel):
    """A customer's consent now, and the ledger it comes from (oldest first)."""

    model_config = example(
        customer_id="C003", channels=["sms"], preference=["sms"], opted_out=False,
        timezone="America/New_York",
        ledger=[{"channel": "sms", "granted": True, "at": _AT, "source": "api",
                 "how": "checkout box, call [PHONE]"}],
    )  # fmt: skip
    customer_id: str
    channels: list[str] = Field(description="Channels with consent now.")
    preference: list[str] = Field(description="The customer's preferred channels, in order.")
    opted_out: bool = Field(description="Opted out of all notices (STOP, or `all` withdrawn).")
    timezone: str | None = Field(description="IANA time zone, for quiet hours.")
    ledger: list[ConsentEntry]


# --- nodes -----------------------------------------------------------------------------------
class NodeEntry(BaseModel):
    """One node at its last heartbeat (``node`` is null for a server without Redis)."""

    node: str | None
    load: NodeLoad
    seen_s_ago: float
    calls: int | None = Field(
        None, description="Live calls it holds (only with HARK_REDIS_URL; absent otherwise)."
    )


class NodeList(BaseModel):
    model_config = example(
        shared=True, this_node="hark-a1b2c3",
        nodes=[{"node": "hark-a1b2c3", "seen_s_ago": 1.2, "calls": 1,
                "load": {"voice_sessions": 1, "media_streams": 0, "max_voice_sessions": 50,
                         "draining": False}}],
    )  # fmt: skip
    shared: bool = Field(description="False without HARK_REDIS_URL: this process alone.")
    this_node: str | None
    nodes: list[NodeEntry]
