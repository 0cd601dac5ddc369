"""Engine and sessions, and bringing the schema up to date on start."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

STARTUP_LOCK_KEY = 0x4841524B  # "HARK": the advisory lock nodes take while they prepare
_ROLLBACK_ONLY: ContextVar[bool] = ContextVar("hark_rollback_only", default=False)


@contextmanager
def rollback_only() -> Iterator[None]:
    """Every unit of work opened inside (``Database.session``) is rolled back at its end.

    Why: a speculative dialogue turn (``hark.dialogue.speculation``) must run
    the real code, writes and reads included, yet leave nothing behind. Doing
    it here, where every unit of work ends, covers whatever a skill writes
    without the skill knowing. The flag is a context variable, so it holds in
    the thread (or task) that set it and in nothing else.
    """
    token = _ROLLBACK_ONLY.set(True)
    try:
        yield
    finally:
        _ROLLBACK_ONLY.reset(token)


class Database:
    """One engine and its session factory; the only way code reaches the DB.

    ``shared_file``: other processes write the same SQLite file (``HARK_WORKERS`` > 1),
    so a unit of work that reads before it writes must take SQLite's write lock first
    (:meth:`lock_for_write`); one process needs no such lock (its own threads are
    ordered by the dialogue's locks) and keeps SQLite's readers and writers apart.
    """

    def __init__(self, url: str, *, shared_file: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.backend = parsed.get_backend_name()
        self.shared_file = shared_file and self.backend == "sqlite"
        kwargs: dict = {"future": True, "json_serializer": portable_json}
        if parsed.get_backend_name() == "sqlite":
            database = parsed.database
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any error (or always,
        inside ``rollback_only``)."""
        session = self._sessions()
        try:
            yield session
            if _ROLLBACK_ONLY.get():
                session.rollback()
            else:
                session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def lock_for_write(self, session: Session) -> None:
        """Make ``session``'s transaction its database's only writer from now on, before it
        reads what it will change: PostgreSQL does this per row (``FOR UPDATE``, by the
        caller); SQLite, shared between processes, only per file (``BEGIN IMMEDIATE``,
        waiting up to the connection's 30 s busy timeout for the lock)."""
        if not self.shared_file:
            return
        raw = session.connection().connection.driver_connection
        if raw is not None and not raw.in_transaction:
            session.execute(text("BEGIN IMMEDIATE"))

    @contextmanager
    def one_starter(self) -> Iterator[None]:
        """Nodes starting together on one PostgreSQL database migrate and import one at a
        time (a session advisory lock): two would race to create the same tables or load the
        sample shop twice. SQLite needs nothing: its workers' parent prepares it alone."""
        if self.backend != "postgresql":
            yield
            return
        with self.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY}
                )
                connection.commit()

    def migrate(self) -> None:
        """Apply Alembic migrations up to head (idempotent)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, "head")

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def portable_json(value: Any) -> str:
    """JSON every database accepts: NaN/Infinity become null.

    Python's json writes bare ``NaN``, which SQLite stores but PostgreSQL's json
    type rejects, so one odd metric would fail a whole turn on PostgreSQL only.
    """
    try:
        return json.dumps(value, allow_nan=False)
    except ValueError:
        return json.dumps(_finite(value), allow_nan=False)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def open_database(url: str, migrate: bool = True, *, shared_file: bool = False) -> Database:
    db = Database(url, shared_file=shared_file)
    if migrate:
        db.migrate()
    return db
