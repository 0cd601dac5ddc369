"""``AsyncAsyncHarkClient``: the asyncio client, and the door to the voice socket."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from functools import cached_property
from types import TracebackType
from typing import Any, TypeVar

import httpx

from hark.client import calls
from hark.client import models as m
from hark.client import models_ops as ops
from hark.client.base import ClientBase
from hark.client.calls import Call, ConsentChannel, HandoffStatus, LockoutSubject
from hark.client.voice import VoiceConnection, connect_voice

T = TypeVar("T")


class AsyncHarkClient(ClientBase[httpx.AsyncClient]):
    """Hark's HTTP API for asyncio, plus :meth:`voice`. Use ``async with``, or call :meth:`aclose`.

    >>> async with AsyncHarkClient("https://hark.example.com", api_key=KEY) as hark:
    ...     chat = await hark.start_conversation(customer_id="C001")
    ...     (await hark.turn(chat.conversation_id, "where is my order")).reply

    Every method returns a typed model or raises a
    :class:`~hark.client.errors.HarkError` (``Unauthorized``, ``NotFound``,
    ``RateLimited``...). ``admin`` holds the operator calls (``/v1/admin/``).
    """

    _http_class = httpx.AsyncClient

    @cached_property
    def admin(self) -> AsyncAdmin:
        """The operator calls (``/v1/admin/``), with the client's ``admin_key``."""
        return AsyncAdmin(self)

    async def __aenter__(self) -> AsyncHarkClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def send(self, call: Call[T]) -> T:
        """Send one :class:`~hark.client.calls.Call` and read its answer."""
        return call.read(await self._http.request(**self.config.request_args(call)))

    # --- health --------------------------------------------------------------------------
    async def health(self) -> m.Health:
        """``GET /healthz``: the process answers (no key needed)."""
        return await self.send(calls.health())

    async def readiness(self) -> m.Readiness:
        """``GET /readyz``: the database and engines (``status`` ``ready`` or not)."""
        return await self.send(calls.readiness())

    # --- conversations -------------------------------------------------------------------
    async def start_conversation(
        self, *, channel: str | None = None, customer_id: str | None = None
    ) -> m.Started:
        """Start a conversation (its greeting is its first turn). A ``customer_id`` from a
        key holder starts it ``verified``."""
        return await self.send(calls.start_conversation(channel, customer_id))

    async def turn(self, conversation_id: str, text: str) -> m.Turn:
        """One caller turn; the reply, cards and cart."""
        return await self.send(calls.turn(conversation_id, text))

    async def transcript(self, conversation_id: str) -> m.Transcript:
        """The stored, redacted transcript."""
        return await self.send(calls.transcript(conversation_id))

    async def create_ticket(self, customer_id: str | None = None) -> m.Ticket:
        """A single-use ticket (60 s) a browser opens the voice socket with; pass the logged-in
        visitor's ``customer_id`` to have their conversation start verified."""
        return await self.send(calls.ticket(customer_id))

    async def cart(self, conversation_id: str) -> ops.ConversationCart:
        """The conversation's open cart (``cart`` is ``None`` when there is none), for the
        shop's checkout: a conversation this key started, or one its ticket opened."""
        return await self.send(calls.cart(conversation_id))

    # --- voice -----------------------------------------------------------------------------
    @asynccontextmanager
    async def voice(
        self, *, ticket: str | None = None, origin: str | None = None
    ) -> AsyncIterator[VoiceConnection]:
        """Open the voice socket with this client's API key, or with ``ticket`` instead
        (then no key is sent: the way a browser or an app connects).

        >>> async with hark.voice() as call:
        ...     await call.start(sample_rate=16000)
        ...     reply = await call.say("do you have chef's knives")
        """
        key = None if ticket else self.config.api_key
        async with connect_voice(
            self.config.ws_url, api_key=key, ticket=ticket, origin=origin
        ) as connection:
            yield connection


class AsyncAdmin:
    """The operator API (``/v1/admin/``), with the client's ``admin_key``."""

    def __init__(self, client: AsyncHarkClient) -> None:
        self._client = client

    async def handoffs(
        self, status: HandoffStatus | None = None, limit: int = 200
    ) -> list[m.Handoff]:
        """The desk: open (longest waiting first), then claimed, then resolved."""
        return await self._client.send(calls.handoffs(status, limit))

    async def handoff(self, handoff_id: str) -> m.Handoff:
        """One handoff, with its redacted transcript."""
        return await self._client.send(calls.handoff(handoff_id))

    async def claim_handoff(self, handoff_id: str) -> m.Handoff:
        """``open`` -> ``claimed`` by this admin key (``Conflict`` if someone has it)."""
        return await self._client.send(calls.claim_handoff(handoff_id))

    async def resolve_handoff(self, handoff_id: str, note: str = "") -> m.Handoff:
        """Close a handoff with a note (stored redacted)."""
        return await self._client.send(calls.resolve_handoff(handoff_id, note))

    async def analytics(
        self, start: str | None = None, end: str | None = None, channel: str | None = None
    ) -> m.Analytics:
        """Dashboard figures for a period (``YYYY-MM-DD``; the last 7 days by default)."""
        return await self._client.send(calls.analytics(start, end, channel))

    async def conversations(
        self, search: m.ConversationFilter | None = None, limit: int = 100, **fields: Any
    ) -> list[m.ConversationSummary]:
        """Search conversations (``fields`` are :class:`ConversationFilter` fields)."""
        return await self._client.send(
            calls.conversations(calls.search_filter(search, fields), limit)
        )

    async def export_conversations(
        self, search: m.ConversationFilter | None = None, **fields: Any
    ) -> list[m.ConversationSummary]:
        """Matching conversations with their transcripts."""
        return await self._client.send(calls.export_json(calls.search_filter(search, fields)))

    async def export_conversations_csv(
        self, search: m.ConversationFilter | None = None, **fields: Any
    ) -> str:
        """The same export as CSV text, one row per turn."""
        return await self._client.send(calls.export_csv(calls.search_filter(search, fields)))

    async def review_queue(self, reviewed: bool = False, limit: int = 100) -> m.ReviewQueue:
        """Turns the NLU was unsure of, could not act on, or that led to a handoff."""
        return await self._client.send(calls.review_queue(reviewed, limit))

    async def label_turn(
        self, turn_id: int, intent: str, confirm: bool = False
    ) -> m.LabelledExample:
        """Label a caller turn with its right intent (assessed against the held-out set)."""
        return await self._client.send(calls.label_turn(turn_id, intent, confirm))

    async def train(self) -> m.TrainingReport:
        """Retrain the classifier with the reviewed examples."""
        return await self._client.send(calls.train())

    async def export_customer(self, customer_id: str) -> m.CustomerExport:
        """Everything Hark holds about a customer (a data-access request)."""
        return await self._client.send(calls.export_customer(customer_id))

    async def erase_customer(self, customer_id: str) -> m.Erased:
        """Erase a customer's personal data (orders kept, tied to no one). Idempotent."""
        return await self._client.send(calls.erase_customer(customer_id))

    async def purge(self, older_than_days: int | None = None) -> m.Purged:
        """Delete conversations past retention (or idle for ``older_than_days``)."""
        return await self._client.send(calls.purge(older_than_days))

    # --- lockouts, orders, notices, consent, nodes ----------------------------------------
    async def lockouts(self) -> list[ops.Lockout]:
        """Customers and order numbers locked out of self-service now."""
        return await self._client.send(calls.lockouts())

    async def clear_lockout(self, subject: LockoutSubject, key: str) -> ops.LockoutCleared:
        """Forget the failed identity checks of a customer or order number (``NotFound`` if
        none are recorded): a person helped the caller."""
        return await self._client.send(calls.clear_lockout(subject, key))

    async def put_order(
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
        return await self._client.send(
            calls.put_order(order_id, customer_id, status, placed_at, eta, lines)
        )

    async def notices(
        self,
        customer_id: str | None = None,
        event: str | None = None,
        limit: int = 200,
        days: int = 30,
    ) -> ops.NoticeLedger:
        """The notice ledger (newest first, filtered) and outcomes by day for ``days``."""
        return await self._client.send(calls.notices(customer_id, event, limit, days))

    async def consent(self, customer_id: str) -> ops.Consent:
        """A customer's consent now, and its ledger."""
        return await self._client.send(calls.consent(customer_id))

    async def record_consent(
        self,
        customer_id: str,
        channel: ConsentChannel,
        granted: bool,
        how: str = "",
        at: dt.datetime | None = None,
    ) -> ops.Consent:
        """Record consent given or withdrawn (``all``: an opt-out, or START); ``how`` is
        stored redacted, ``at`` defaults to now."""
        return await self._client.send(calls.record_consent(customer_id, channel, granted, how, at))

    async def nodes(self) -> ops.Nodes:
        """The nodes sharing this deployment's Redis, their load and live calls."""
        return await self._client.send(calls.nodes())
