"""``HarkClient``: the blocking client (a back end's view, a script, a test)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from types import TracebackType
from typing import Any, TypeVar

import httpx

from hark.client import calls
from hark.client import models as m
from hark.client.base import ClientBase
from hark.client.calls import Call, HandoffStatus
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
