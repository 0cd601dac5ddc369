"""Row-level helpers for the DialogueManager: ids PostgreSQL can query, row locks, JSON.

PostgreSQL rejects a NUL character in text and JSON (a 500 where a 404 or a
clean turn belongs), and several server processes need a real row lock on a
conversation so two turns never interleave; SQLite needs neither, so these
are easy to forget. Kept in one place so every method uses them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from hark.store.db import Database
from hark.store.models import Conversation, Turn


def valid_id(value: object) -> bool:
    """An id that can exist: ids with NUL would make PostgreSQL fail the query (a 500)."""
    return "\x00" not in str(value)


def printable(value: object) -> str:
    return str(value).replace("\x00", "")


def locked(db: Database, session, conversation_id: str) -> Conversation | None:
    """The conversation row, locked for this transaction (SELECT ... FOR UPDATE).

    The in-process lock only orders threads of one process; with several server
    processes on PostgreSQL this row lock keeps two turns of one conversation
    from interleaving, so both count (the second reads what the first wrote).
    SQLite ignores ``FOR UPDATE``: shared between processes, its file's write lock
    is taken first instead (``Database.lock_for_write``).
    """
    db.lock_for_write(session)
    return session.get(Conversation, str(conversation_id), with_for_update=True)


def jsonable(value: Any) -> Any:
    """Metrics from channels must not break the JSON column."""
    if isinstance(value, dict):
        return {printable(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, str):
        return printable(value)  # PostgreSQL JSON rejects \u0000
    if isinstance(value, int | float | bool) or value is None:
        return value
    return printable(value)


_LAST_SEQ = select(func.max(Turn.seq)).where(Turn.conversation_id == bindparam("conversation"))
"""Built once, as every turn asks it: building the expression cost more than running it."""


def next_turn_seq(session: Session, conversation_id: str) -> int:
    """The ``seq`` the conversation's next stored turn takes (one past its last)."""
    last = session.scalar(_LAST_SEQ, {"conversation": conversation_id})
    return (last or 0) + 1
