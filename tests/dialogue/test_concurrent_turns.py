"""Two turns of one conversation at the same moment in two server processes both count.

Each "process" here is its own ``Database`` engine (its own connections) and its
own ``DialogueManager`` (its own in-process locks), as two ``hark serve``
processes are; only the database can order their turns: a row lock on
PostgreSQL, the file's write lock on a SQLite file that several workers share.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from hark.dialogue.manager import DialogueManager
from hark.runtime.settings import SAMPLE_SHOP_DIR, Settings, load_settings
from hark.store.db import Database, open_database
from hark.store.models import Turn
from hark.store.shop_import import import_shop

TODAY = dt.date(2026, 11, 24)
ROUNDS = 3


def _two_processes(url: str, settings: Settings, *, shared_file: bool) -> list[DialogueManager]:
    return [DialogueManager(Database(url, shared_file=shared_file), settings) for _ in range(2)]


def _race(managers: list[DialogueManager], conversation_id: str, text: str) -> list[str]:
    """Both managers take a turn at once (released together); the replies' texts."""
    barrier = threading.Barrier(len(managers))
    replies: list[str] = []
    errors: list[BaseException] = []

    def take_turn(manager: DialogueManager) -> None:
        barrier.wait()
        try:
            replies.append(manager.turn(conversation_id, text).text)
        except BaseException as exc:  # reported below, with the test's failure
            errors.append(exc)

    threads = [threading.Thread(target=take_turn, args=(m,)) for m in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return replies


def _check_both_count(managers: list[DialogueManager], db: Database) -> None:
    first = managers[0]
    conversation_id, _ = first.start_conversation("web", owner="local")
    first.turn(conversation_id, "something to keep coffee hot")
    assert first.turn(conversation_id, "add it to my cart").cart.lines[0].quantity == 1
    for _ in range(ROUNDS):
        assert len(_race(managers, conversation_id, "add another one")) == 2
    cart = first.turn(conversation_id, "what's in my cart").cart
    assert [line.quantity for line in cart.lines] == [1 + 2 * ROUNDS]
    with db.session() as session:
        seqs = session.scalars(
            select(Turn.seq).where(Turn.conversation_id == conversation_id).order_by(Turn.seq)
        ).all()
    assert list(seqs) == list(range(len(seqs)))  # every turn stored, none overwritten
    assert len(seqs) == 1 + 2 * (3 + 2 * ROUNDS)


@pytest.fixture
def close_all() -> Iterator[Callable[[list[DialogueManager]], None]]:
    opened: list[DialogueManager] = []
    yield opened.extend
    for manager in opened:
        manager.db.dispose()


@pytest.mark.postgres
def test_simultaneous_turns_on_two_processes_both_count_on_postgres(
    postgres_url: str, tmp_path: Path, close_all
) -> None:
    db = open_database(postgres_url)
    import_shop(db, SAMPLE_SHOP_DIR)
    settings = load_settings(data_dir=tmp_path, today=TODAY, database_url=postgres_url)
    managers = _two_processes(postgres_url, settings, shared_file=False)
    close_all([*managers, DialogueManager(db, settings)])
    _check_both_count(managers, db)


def test_simultaneous_turns_on_two_workers_both_count_on_one_sqlite_file(
    tmp_path: Path, close_all
) -> None:
    settings = load_settings(data_dir=tmp_path, today=TODAY, workers=2)
    url = settings.effective_database_url
    db = open_database(url, shared_file=True)
    import_shop(db, SAMPLE_SHOP_DIR)
    managers = _two_processes(url, settings, shared_file=True)
    close_all([*managers, DialogueManager(db, settings)])
    _check_both_count(managers, db)
