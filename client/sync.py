"""``HarkClient``: the blocking client (a back end's view, a script, a test)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from types import TracebackType
from typing import Any, TypeVar

import httpx

from hark.client import calls
from hark.client import models as m
from hark.client import models_ops as ops
from hark.client.base import ClientBase
from hark.client.calls import Call, ConsentChannel, HandoffStatus, LockoutSubject
from hark.client.voice_sync import SyncVoiceConnection, connect_voice_sync

T = TypeVar("T")


class HarkClient(ClientBase[httpx.Client]):
    """Hark's HTTP API, blocking. Use as a context manager, or call :meth:`close`.

    >>> with HarkClient("https://hark.example.com", api_key=KEY) as hark:
    ...     chat = hark.start_conversation(customer_id="C001")
    ...     hark.turn(chat.conversation_id, "where is my order").reply

    Every method returns a typed model or raises a
    :class:`~hark.client.errors.HarkError` (``Unauthorized``, ``NotFound``,
    ``RateLimited``...). ``admin`` holds the operator calls (``/v1/admin/``).
    """

    _http_class = httpx.Client

    @cached_property
    def admin(self) -> SyncAdmin:
        """The operator calls (``/v1/admin/``), with the client's ``admin_key``."""
        return SyncAdmin(self)

    def __enter__(self) -> HarkClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def send(self, call: Call[T]) -> T:
        """Send one :class:`~hark.client.calls.Call` and read its answer."""
        return call.read(self._http.request(**self.config.request_args(call)))

    # --- health --------------------------------------------------------------------------
    def health(self) -> m.Health:
        """``GET /healthz``: the process answers (no key needed)."""
        return self.send(calls.health())

    def readiness(self) -> m.Readiness:
        """``GET /readyz``: the database and engines (``status`` ``ready`` or not)."""
        return self.send(calls.readiness())

    # --- conversations -------------------------------------------------------------------
    def start_conversation(
        self, *, channel: str | None = None, customer_id: str | None = None
    ) -> m.Started:
        """Start a conversation (its greeting is its first turn). A ``customer_id`` from a
        key holder starts it ``verified``."""
        return self.send(calls.start_conversation(channel, customer_id))

    def turn(self, conversation_id: str, text: str) -> m.Turn:
        """One caller turn; the reply, cards and cart."""
        return self.send(calls.turn(conversation_id, text))

    def transcript(self, conversation_id: str) -> m.Transcript:
        """The stored, redacted transcript."""
        return self.send(calls.transcript(conversation_id))

    def create_ticket(self, customer_id: str | None = None) -> m.Ticket:
        """A single-use ticket (60 s) a browser opens the voice socket with; pass the logged-in
        visitor's ``customer_id`` to have their conversation start verified."""
        return self.send(calls.ticket(customer_id))

    def cart(self, conversation_id: str) -> ops.ConversationCart:
        """The conversation's open cart (``cart`` is ``None`` when there is none), for the
        shop's checkout: a conversation this key started, or one its ticket opened."""
        return self.send(calls.cart(conversation_id))

    # --- voice -----------------------------------------------------------------------------
    @contextmanager
    def voice(
        self, *, ticket: str | None = None, origin: str | None = None
    ) -> Iterator[SyncVoiceConnection]:
        """Open the voice socket (blocking) with this client's API key, or with ``ticket``.

        >>> with hark.voice() as call:
        ...     call.start(sample_rate=16000)
        ...     reply = call.say("do you have chef's knives")
        """
        key = None if ticket else self.config.api_key
        with connect_voice_sync(
            self.config.ws_url, api_key=key, ticket=ticket, origin=origin
        ) as connection:
            yield connection


class SyncAdmin:
    """The operator API (``/v1/admin/``), with the client's ``admin_key``."""

    def __init__(self, client: HarkClient) -> None:
        self._client = client

    def handoffs(self, status: HandoffStatus | None = None, limit: int = 200) -> list[m.Handoff]:
        """The desk: open (longest waiting first), then claimed, then resolved."""
        return self._client.send(calls.handoffs(status, limit))

    def handoff(self, handoff_id: str) -> m.Handoff:
        """One handoff, with its redacted transcript."""
        return self._client.send(calls.handoff(handoff_id))

    def claim_handoff(self, handoff_id: str) -> m.Handoff:
        """``open`` -> ``claimed`` by this admin key (``Conflict`` if someone has it)."""
        return self._client.send(calls.claim_handoff(handoff_id))

    def resolve_handoff(self, handoff_id: str, note: str = "") -> m.Handoff:
        """Close a handoff with a note (stored redacted)."""
        return self._client.send(calls.resolve_handoff(handoff_id, note))

    def analytics(
        self, start: str | None = None, end: str | None = None, channel: str | None = None
    ) -> m.Analytics:
        """Dashboard figures for a period (``YYYY-MM-DD``; the last 7 days by default)."""
        return self._client.send(calls.analytics(start, end, channel))

    def conversations(
        self, search: m.ConversationFilter | None = None, limit: int = 100, **fields: Any
    ) -> list[m.ConversationSummary]:
        """Search conversations (``fields`` are :class:`ConversationFilter` fields)."""
        return self._client.send(calls.conversations(calls.search_filter(search, fields), limit))

    def export_conversations(
        self, search: m.ConversationFilter | None = None, **fields: Any
    ) -> list[m.ConversationSummary]:
        """Matching conversations with their transcripts."""
        return self._client.send(calls.export_json(calls.search_filter(search, fields)))

    def export_conversations_csv(
        self, search: m.ConversationFilter | None = None, **fields: Any
    ) -> str:
        """The same export as CSV text, one row per turn."""
        return self._client.send(calls.export_csv(calls.search_filter(search, fields)))

    def review_queue(self, reviewed: bool = False, limit: int = 100) -> m.ReviewQueue:
        """Turns the NLU was unsure of, could not act on, or that led to a handoff."""
        return self._client.send(calls.review_queue(reviewed, limit))

    def label_turn(self, turn_id: int, intent: str, confirm: bool = False) -> m.LabelledExample:
        """Label a caller turn with its right intent (assessed against the held-out set)."""
        return self._client.send(calls.label_turn(turn_id, intent, confirm))

    def train(self) -> m.TrainingReport:
        """Retrain the classifier with the reviewed examples."""
        return self._client.send(calls.train())

    def export_customer(self, customer_id: str) -> m.CustomerExport:
        """Everything Hark holds about a customer (a data-access request)."""
        return self._client.send(calls.export_customer(customer_id))

    def erase_customer(self, customer_id: str) -> m.Erased:
        """Erase a customer's personal data (orders kept, tied to no one). Idempotent."""
        return self._client.send(calls.erase_customer(customer_id))

    def purge(self, older_than_days: int | None = None) -> m.Purged:
        """Delete conversations past retention (or idle for ``older_than_days``)."""
        return self._client.send(calls.purge(older_than_days))

    # --- lockouts, orders, notices, consent, nodes ----------------------------------------
    def lockouts(self) -> list[ops.Lockout]:
        """Customers and order numbers locked out of self-service now."""
        return self._client.send(calls.lockouts())

    def clear_lockout(self, subject: LockoutSubject, key: str) -> ops.LockoutCleared:
        """Forget the failed identity checks of a customer or order number (``NotFound`` if
        none are recorded): a person helped the caller."""
        return self._client.send(calls.clear_lockout(subject, key))

    def put_order(
        self,
        order_id: str,
        *,
        customer_id: str,
        status: str,
        placed_at: dt.date | str,
        eta: dt.date | str | None = None,
        lines: Sequence[tuple[str, int]] | None = None,
    ) -> ops.OrderUpserted:
        """Create or update an order as the shop's system has it now; ``lines`` are
        ``(sku, quantity)`` pairs (may be left out for a stored order). Its changes become
        notices, returned."""
        return self._client.send(
            calls.put_order(order_id, customer_id, status, placed_at, eta, lines)
        )

    def notices(
        self,
        customer_id: str | None = None,
        event: str | None = None,
        limit: int = 200,
        days: int = 30,
    ) -> ops.NoticeLedger:
        """The notice ledger (newest first, filtered) and outcomes by day for ``days``."""
        return self._client.send(calls.notices(customer_id, event, limit, days))

    def consent(self, customer_id: str) -> ops.Consent:
        """A customer's consent now, and its ledger."""
        return self._client.send(calls.consent(customer_id))

    def record_consent(
        self,
        customer_id: str,
        channel: ConsentChannel,
        granted: bool,
        how: str = "",
        at: dt.datetime | None = None,
    ) -> ops.Consent:
        """Record consent given or withdrawn (``all``: an opt-out, or START); ``how`` is
        stored redacted, ``at`` defaults to now."""
        return self._client.send(calls.record_consent(customer_id, channel, granted, how, at))

    def nodes(self) -> ops.Nodes:
        """The nodes sharing this deployment's Redis, their load and live calls."""
        return self._client.send(calls.nodes())
