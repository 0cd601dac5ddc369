"""The call record behind a phone call's webhooks (``phone_calls``), kept by the brain.

Twilio may send a call's requests to any server process and retries a
webhook it did not get an answer to, with the same ``CallSid``. Each turn
of a call is therefore *claimed* in the database before it runs (an update
that only one request can win), and its answer is stored with it: a retry
finds the turn taken and replays the stored answer, so the brain never
sees the same turn twice. Everything here is blocking; callers run it in
worker threads.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from hark.dialogue.handoffs import note_callback, note_ended, note_transfer
from hark.store.db import Database
from hark.store.models import PhoneCall, utcnow

FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})
CALL_STATUSES = FINAL_STATUSES | {"queued", "initiated", "ringing", "in-progress"}
MAX_NUMBER_CHARS = 40


class Claim(StrEnum):
    MINE = "mine"  # this request runs the turn
    RETRY = "retry"  # the same turn is (being) answered by an earlier request
    STALE = "stale"  # an older turn, or a call this process never opened


@dataclass(frozen=True)
class CallRecord:
    """A plain copy of the row (safe to use outside the session)."""

    call_id: str
    mode: str
    conversation_id: str | None
    status: str
    turn: int
    last_response: str
    misses: int
    menu: bool
    transfer_status: str | None
    handoff_note: str
    callback_requested: bool
    ended: bool

    @classmethod
    def of(cls, row: PhoneCall) -> CallRecord:
        return cls(
            call_id=row.call_id,
            mode=row.mode,
            conversation_id=row.conversation_id,
            status=row.status,
            turn=row.turn,
            last_response=row.last_response,
            misses=row.misses,
            menu=row.menu,
            transfer_status=row.transfer_status,
            handoff_note=row.handoff_note,
            callback_requested=row.callback_requested,
            ended=row.ended_at is not None,
        )


class PhoneCallLog:
    """The ``phone_calls`` rows of one database (see the module docstring)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, call_id: str) -> CallRecord | None:
        with self.db.session() as session:
            row = session.get(PhoneCall, call_id)
            return CallRecord.of(row) if row is not None else None

    def open_call(
        self, call_id: str, mode: str, caller_key: str | None = None
    ) -> tuple[CallRecord, bool]:
        """The call's record, created (turn 0 claimed) if new; ``True`` when this request made it.

        ``caller_key`` is the keyed digest of the caller's number (never the number), so
        erasure finds the call by its caller."""
        try:
            with self.db.session() as session:
                row = PhoneCall(
                    call_id=call_id, mode=mode, turn=0, last_response="", caller_key=caller_key
                )
                session.add(row)
                session.flush()
                return CallRecord.of(row), True
        except IntegrityError:
            record = self.get(call_id)
            if record is None:  # deleted in between: extremely unlikely, try once more
                return self.open_call(call_id, mode, caller_key)
            return record, False

    def claim_turn(self, call_id: str, turn: int) -> Claim:
        """Take turn ``turn`` (the one after the last answered) for this request, atomically."""
        with self.db.session() as session:
            result = session.execute(
                update(PhoneCall)
                .where(PhoneCall.call_id == call_id, PhoneCall.turn == turn - 1)
                .values(turn=turn, last_response="", updated_at=utcnow())
            )
            if _changed(result) == 1:
                return Claim.MINE
            row = session.get(PhoneCall, call_id)
            if row is not None and row.turn == turn:
                return Claim.RETRY
            return Claim.STALE

    def answer_turn(self, call_id: str, turn: int, response: str, **changes: object) -> None:
        """Store the answer to ``turn`` (and any other column ``changes``) for retries to replay."""
        with self.db.session() as session:
            session.execute(
                update(PhoneCall)
                .where(PhoneCall.call_id == call_id, PhoneCall.turn == turn)
                .values(last_response=response, updated_at=utcnow(), **changes)
            )
            self._mirror(session, call_id, changes)

    def wait_answer(self, call_id: str, turn: int, timeout_s: float) -> str | None:
        """A retry's answer: the stored response to ``turn`` once the first request stored it."""
        deadline = time.monotonic() + timeout_s
        while True:
            record = self.get(call_id)
            if record is None or record.turn != turn:
                return None
            if record.last_response:
                return record.last_response
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)

    def change(self, call_id: str, **changes: object) -> None:
        with self.db.session() as session:
            session.execute(
                update(PhoneCall)
                .where(PhoneCall.call_id == call_id)
                .values(updated_at=utcnow(), **changes)
            )
            self._mirror(session, call_id, changes)

    @staticmethod
    def _mirror(session, call_id: str, changes: dict[str, object]) -> None:
        """A transfer's state goes on the handoff's record too, in the same transaction."""
        status = changes.get("transfer_status")
        if isinstance(status, str) and status != "pending":
            row = session.get(PhoneCall, call_id)
            if row is not None:
                note_transfer(session, row.conversation_id, status)

    def attach_stream(self, call_id: str, conversation_id: str) -> bool:
        """Bind a media stream's conversation to its call: only once, only for a stream call."""
        with self.db.session() as session:
            result = session.execute(
                update(PhoneCall)
                .where(
                    PhoneCall.call_id == call_id,
                    PhoneCall.mode == "stream",
                    PhoneCall.conversation_id.is_(None),
                    PhoneCall.ended_at.is_(None),
                )
                .values(conversation_id=conversation_id, updated_at=utcnow())
            )
            return _changed(result) == 1

    def record_status(
        self, call_id: str, status: str, duration_s: int | None
    ) -> tuple[CallRecord | None, bool]:
        """Note how the call stands; returns the record and whether it has just ended.

        A final status is never replaced by an earlier one arriving late.
        """
        with self.db.session() as session:
            row = session.get(PhoneCall, call_id)
            if row is None:
                return None, False
            if row.ended_at is not None:
                return CallRecord.of(row), False
            row.status = status
            just_ended = status in FINAL_STATUSES
            if just_ended:
                row.ended_at = utcnow()
                row.duration_s = duration_s
                note_ended(session, row.conversation_id)
            return CallRecord.of(row), just_ended

    def record_callback(self, call_id: str, number: str | None, *, accepted: bool = True) -> None:
        """The caller's answer to the callback offer; the number to call is kept only when
        they accepted (on the call and on the handoff's record)."""
        number = ((number or "")[:MAX_NUMBER_CHARS] or None) if accepted else None
        with self.db.session() as session:
            row = session.get(PhoneCall, call_id)
            if row is None:
                return
            if accepted:
                row.callback_requested, row.callback_number = True, number
            row.updated_at = utcnow()
            note_callback(session, row.conversation_id, accepted, number)


def _changed(result: object) -> int:
    """Rows an UPDATE matched (``CursorResult.rowcount``; ``Result`` does not declare it)."""
    return int(getattr(result, "rowcount", 0))
