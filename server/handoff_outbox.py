"""Delivers each handoff to ``HARK_HANDOFF_WEBHOOK_URL`` once: the outbox worker.

The brain writes a ``pending`` handoff row in the turn's own transaction; this
worker, one asyncio task per server process started with the app (like the
retention worker), finds due rows, *leases* one with a conditional UPDATE (so
of several processes exactly one sends it), POSTs it, and records the outcome.
A failed attempt is retried with exponential backoff; a crash or restart mid-
attempt leaves a lease that expires and the row is tried again, so nothing is
lost (a receiver may then see the same handoff twice, which the idempotency key
lets it drop; in normal operation, restarts included, it sees it once).

Each request is signed: ``X-Hark-Signature: t=<unix time>,v1=<hex>`` where
``<hex>`` is HMAC-SHA256 over ``"<t>." + body`` with
``HARK_HANDOFF_WEBHOOK_SECRET`` (the timestamp lets a receiver refuse replays).
``Idempotency-Key`` is the handoff's id. The body of the first attempt is
stored and every retry sends exactly those bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
import random
import time
import uuid
from typing import Any

import httpx

from hark import __version__
from hark.runtime.settings import Settings
from hark.server.background_loop import BackgroundLoop
from hark.skills.handoff import REASONS
from hark.store import handoffs as rows
from hark.store.db import Database
from hark.store.models import Customer, Handoff, utcnow

log = logging.getLogger("hark.handoffs")

EVENT = "handoff.created"
SIGNATURE_HEADER = "X-Hark-Signature"
POLL_S = 1.0
LEASE_S = 60.0  # longer than one attempt can take (TIMEOUT_S)
TIMEOUT_S = 10.0
BACKOFF_BASE_S = 5.0
BACKOFF_CAP_S = 3600.0
MAX_ATTEMPTS = 20  # about 13 hours of retrying, then the row is marked failed


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def backoff_s(attempts: int) -> float:
    """Wait after the ``attempts``-th failure: base * 2^(n-1), capped, with ±20% jitter."""
    delay = min(BACKOFF_BASE_S * (2 ** max(0, attempts - 1)), BACKOFF_CAP_S)
    return delay * random.uniform(0.8, 1.2)


def payload_for(row: Handoff, customer: Customer | None, settings: Settings) -> dict[str, Any]:
    """The webhook body: the desk's record, redacted summary included, no outbox internals."""
    summary = dict(row.summary or {})
    desk = f"{settings.public_url}/admin/handoffs/{row.id}" if settings.public_url else None
    return {
        "event": EVENT,
        "id": row.id,
        "created_at": row.created_at.isoformat() + "Z",
        "conversation_id": row.conversation_id,
        "channel": row.channel,
        "customer": (
            {"customer_id": row.customer_id, "name": customer.name if customer else None}
            if row.customer_id
            else None
        ),
        "identity": row.identity,
        "reason": row.reason,
        "reason_text": REASONS.get(row.reason, row.reason),
        "topic": row.topic,
        "sentiment": {"trend": row.sentiment_trend, "last": row.sentiment_last},
        "transfer_status": row.transfer_status,
        "callback": (
            {"state": row.callback, "contact": row.callback_contact} if row.callback else None
        ),
        "summary": summary,
        "desk_url": desk,
    }


class HandoffOutbox(BackgroundLoop):
    """The delivery worker of one server process (see the module docstring)."""

    task_name = "hark-handoff-outbox"
    failure = "handoff delivery round failed; trying again shortly"

    def __init__(self, db: Database, settings: Settings, *, poll_s: float = POLL_S) -> None:
        super().__init__(log)
        self.db = db
        self.settings = settings
        self.poll_s = poll_s
        self.owner = f"{os.getpid()}:{uuid.uuid4().hex[:16]}"
        self.delivered = 0
        self._client: httpx.Client | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.settings.handoff_webhook_url and self.settings.handoff_webhook_secret)

    def opened(self) -> None:
        self._client = httpx.Client(timeout=TIMEOUT_S, follow_redirects=False)

    def closed(self) -> None:
        if self._client is not None:
            self._client.close()

    def run_round(self) -> int:
        return self.deliver_due()

    def pause_after(self, result: int | None) -> float:
        return 0.0 if result else self.poll_s  # more may be due at once after a busy round

    # --- one round, in a worker thread -----------------------------------------------------
    def deliver_due(self) -> int:
        """Attempt every due handoff this process can lease; how many attempts were made."""
        with self.busy:
            with self.db.session() as session:
                ids = rows.due(session, utcnow())
            attempts = 0
            for handoff_id in ids:
                if self._attempt(handoff_id):
                    attempts += 1
            return attempts

    def _attempt(self, handoff_id: str) -> bool:
        with self.db.session() as session:
            lease = rows.take_lease(session, handoff_id, self.owner, utcnow(), LEASE_S)
            if lease is None:
                return False  # another process has it, or it is no longer due
            body = lease.payload
            if not body:
                row = session.get(Handoff, handoff_id)
                if row is None:
                    return False
                customer = session.get(Customer, row.customer_id) if row.customer_id else None
                body = json.dumps(payload_for(row, customer, self.settings), separators=(",", ":"))
                rows.store_payload(session, lease, self.owner, body)
        delivered, error = self._post(handoff_id, body.encode())
        attempts = lease.attempts + 1
        give_up = not delivered and attempts >= MAX_ATTEMPTS
        retry_at = None
        if not delivered and not give_up:
            retry_at = utcnow() + dt.timedelta(seconds=backoff_s(attempts))
        with self.db.session() as session:
            kept = rows.record_attempt(
                session,
                lease,
                self.owner,
                delivered=delivered,
                error=error,
                retry_at=retry_at,
                give_up=give_up,
            )
        extra = {"handoff_id": handoff_id, "attempt": attempts}
        if delivered:
            self.delivered += 1
            log.info("handoff delivered", extra=extra)
        elif give_up:
            log.error("handoff delivery failed for good: %s", error, extra=extra)
        else:
            log.warning("handoff delivery failed, will retry: %s", error, extra=extra)
        if not kept:
            log.warning("handoff lease expired during delivery", extra=extra)
        return True

    def _post(self, handoff_id: str, body: bytes) -> tuple[bool, str]:
        settings = self.settings
        secret = settings.handoff_webhook_secret
        url = settings.handoff_webhook_url
        if self._client is None or secret is None or not url:
            return False, "webhook not configured"
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"hark/{__version__}",
            "X-Hark-Event": EVENT,
            "Idempotency-Key": handoff_id,
            SIGNATURE_HEADER: sign(secret.get_secret_value(), int(time.time()), body),
        }
        try:
            response = self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return False, f"{type(exc).__name__}: could not reach the webhook"
        if 200 <= response.status_code < 300:
            return True, ""
        return False, f"HTTP {response.status_code}"
