"""The bookkeeping a channel keeps through the brain, as narrow protocols.

A phone provider's webhooks retry, text messages thread, a transfer or a
callback ends a handoff: a channel must record those, yet the import
contract keeps channels (``integrations``, ``voice``) away from the
database. So ``dialogue`` owns the shapes below, the store-backed classes
implement them (:class:`~hark.dialogue.phone_calls.PhoneCallLog`,
:class:`~hark.dialogue.text_threads.TextThreads`,
:class:`~hark.dialogue.handoffs.HandoffDesk`), and the server hands them to
the channels in their services (``calls``, ``texts``, ``handoffs``), beside
the brain rather than inside it. A test can hand in its own.

Every method blocks (a database round trip); channels call them in worker
threads.
"""

from __future__ import annotations

from typing import Protocol

from hark.dialogue.phone_calls import CallRecord, Claim


class PhoneCallBook(Protocol):
    """A phone call's record across its webhooks (``dialogue/phone_calls.py`` says why)."""

    def get(self, call_id: str) -> CallRecord | None: ...

    def open_call(
        self, call_id: str, mode: str, caller_key: str | None = None
    ) -> tuple[CallRecord, bool]: ...

    def claim_turn(self, call_id: str, turn: int) -> Claim: ...

    def answer_turn(self, call_id: str, turn: int, response: str, **changes: object) -> None: ...

    def wait_answer(self, call_id: str, turn: int, timeout_s: float) -> str | None: ...

    def change(self, call_id: str, **changes: object) -> None: ...

    def attach_stream(self, call_id: str, conversation_id: str) -> bool: ...

    def record_status(
        self, call_id: str, status: str, duration_s: int | None
    ) -> tuple[CallRecord | None, bool]: ...

    def record_callback(
        self, call_id: str, number: str | None, *, accepted: bool = True
    ) -> None: ...


class TextThreadBook(Protocol):
    """Which conversation a sender's text message continues; a retried message's reply."""

    def claim(self, message_id: str, channel: str, key: str) -> bool: ...

    def thread(self, key: str, quiet_s: float) -> tuple[str | None, str | None]: ...

    def store_reply(self, message_id: str, conversation_id: str | None, reply: str) -> None: ...

    def wait_reply(self, message_id: str, timeout_s: float) -> str | None: ...


class HandoffOutcomes(Protocol):
    """How a handoff ended, reported by conversation (for channels without a call record)."""

    def record_transfer(self, conversation_id: str | None, status: str) -> None: ...

    def record_callback(
        self, conversation_id: str | None, accepted: bool, number: str | None
    ) -> None: ...

    def settle(self, conversation_id: str | None) -> None: ...


class ChannelBooks(Protocol):
    """The bookkeeping a channel's services carry (the server's ``Services`` has them)."""

    @property
    def calls(self) -> PhoneCallBook: ...

    @property
    def texts(self) -> TextThreadBook: ...

    @property
    def handoffs(self) -> HandoffOutcomes: ...
