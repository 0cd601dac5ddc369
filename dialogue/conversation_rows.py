"""A conversation's row, opened for one operation: in a transaction, serialised against
the conversation's other turns, and refused to anyone who doesn't own it.

Every operation on a conversation (a turn, a barge-in, a late customer, the
transcript) goes through :meth:`ConversationRows.open`, so the rule for who
may see a conversation and how concurrent turns queue is written once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from sqlalchemy.orm import Session

from hark.dialogue.errors import ConversationNotFound
from hark.dialogue.rows import locked, printable, valid_id
from hark.store.db import Database
from hark.store.models import Conversation

#: Locks kept for this many conversations at most (the table is cleared beyond it).
MAX_LOCKS = 10000


class ConversationRows:
    """The conversations of one database, with a lock per conversation for this process."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    def _lock_for(self, conversation_id: str) -> threading.Lock:
        with self._locks_lock:
            lock = self._locks.get(conversation_id)
            if lock is None:
                if len(self._locks) > MAX_LOCKS:
                    self._locks.clear()
                lock = self._locks[conversation_id] = threading.Lock()
            return lock

    @contextmanager
    def open(
        self, conversation_id: str, *, lock: bool, owner: str | None = None
    ) -> Iterator[tuple[Session, Conversation]]:
        """The conversation row in a transaction, or ConversationNotFound.

        With ``lock`` the row is serialised against other turns of the same
        conversation: this process's lock for its threads, a row lock for other
        server processes. With ``owner``, a conversation someone else created
        is not found either: to another client it does not exist.
        """
        require_valid(conversation_id)
        guard = self._lock_for(str(conversation_id)) if lock else nullcontext()
        with guard, self.db.session() as session:
            if lock:
                conversation = locked(self.db, session, conversation_id)
            else:
                conversation = session.get(Conversation, str(conversation_id))
            if conversation is None or (owner is not None and conversation.owner != owner):
                raise ConversationNotFound(str(conversation_id))
            yield session, conversation


def require_valid(conversation_id: object) -> None:
    """An id with NUL can't exist (and would make PostgreSQL fail the query): not found."""
    if not valid_id(conversation_id):
        raise ConversationNotFound(printable(conversation_id))
