"""Speculative turns: a discarded speculation leaves nothing behind, and a committed
one is exactly the turn a non-speculative call makes on the same state.

The real ``DialogueManager`` on a real SQLite file with the sample shop;
"nothing behind" is checked on every row of every table, "exactly" by
running the same conversation twice on two copies of one database (one
speculative, one not) and comparing replies and all rows.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import DateTime, select

from hark.dialogue.errors import ConversationNotFound
from hark.dialogue.manager import DialogueManager
from hark.dialogue.speculation import NotSpeculable, same_reply
from hark.skills.identity import Identity
from hark.store.db import Database, open_database
from hark.store.models import Base, Order

# Turns that change things: a cart line, a cross-sell refusal, a checkout, an order.
CHECKOUT = ["add the wireless over-ear headphones to my cart", "no", "checkout", "yes"]
VOLATILE = {("turns", "metrics")}  # dialogue_ms: a wall-clock time


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, minus wall-clock columns (timestamps, timings)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if not isinstance(c.type, DateTime) and (table.name, c.name) not in VOLATILE
            ]
            rows = connection.execute(select(*columns)).all()
            tables[table.name] = sorted((tuple(map(repr, row)) for row in rows), key=repr)
    return tables


def copy_database(db: Database, path: Path) -> Database:
    """A byte-for-byte copy of the SQLite file (its WAL included), as another database."""
    source = sqlite3.connect(db.engine.url.database)
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return open_database(f"sqlite:///{path}", migrate=False)


def test_a_discarded_speculation_leaves_nothing_behind(db, settings, caplog) -> None:
    manager = DialogueManager(db, settings)
    conversation_id, _ = manager.start_conversation("voice", "C004", identity=Identity.VERIFIED)
    before = dump(db)
    for text in CHECKOUT:
        with caplog.at_level(logging.INFO, logger="hark.dialogue"):
            caplog.clear()
            speculation = manager.speculate(conversation_id, text)
        assert speculation.reply.text and speculation.reply.turn_id is None
        assert not [r for r in caplog.records if r.name == "hark.dialogue" and r.msg == "turn"]
        assert dump(db) == before  # no turn, no cart line, no order, same conversation state
        manager.turn(conversation_id, text)  # the conversation goes on for real
        before = dump(db)
    with db.session() as session:  # the real turns did place the order
        assert session.scalars(select(Order).where(Order.status == "processing")).all()


def test_a_committed_speculation_is_the_non_speculative_turn(db, settings, tmp_path) -> None:
    plain = DialogueManager(db, settings)
    conversation_id, _ = plain.start_conversation("voice", "C004", identity=Identity.VERIFIED)
    twin_db = copy_database(db, tmp_path / "twin.db")
    try:
        speculative = DialogueManager(twin_db, settings)
        assert dump(twin_db) == dump(db)
        placed = []
        for text in [*CHECKOUT, "what's in my cart", "where is my order"]:
            expected = plain.turn(conversation_id, text, {"asr_ms": 10.0})
            speculation = speculative.speculate(conversation_id, text)
            committed = speculative.commit(speculation, {"asr_ms": 10.0})
            assert committed.matched
            assert same_reply(committed.reply, expected) and same_reply(speculation.reply, expected)
            assert committed.reply.turn_id == expected.turn_id  # the same rows, the same ids
            assert dump(twin_db) == dump(db)
            placed += [a for a in committed.reply.actions if a.type == "order_placed"]
        assert len(placed) == 1  # the checkout's "yes" placed one order, speculated first
    finally:
        twin_db.dispose()


def test_a_change_in_between_commits_the_turn_on_the_new_state(db, settings, tmp_path) -> None:
    manager = DialogueManager(db, settings)
    conversation_id, _ = manager.start_conversation("voice", "C004", identity=Identity.VERIFIED)
    manager.turn(conversation_id, "add the wireless over-ear headphones to my cart")
    speculation = manager.speculate(conversation_id, "what's in my cart")
    twin_db = copy_database(db, tmp_path / "twin.db")  # the state the speculation saw
    try:
        manager.turn(conversation_id, "add the travel mug to my cart")  # lands in between
        expected_twin = DialogueManager(twin_db, settings)
        expected_twin.turn(conversation_id, "add the travel mug to my cart")
        expected = expected_twin.turn(conversation_id, "what's in my cart")
        committed = manager.commit(speculation)
        assert not committed.matched  # the stale reply did not mention the mug
        assert "mug" in committed.reply.text.lower() and "mug" not in speculation.reply.text.lower()
        assert same_reply(committed.reply, expected)
        assert dump(db) == dump(twin_db)
    finally:
        twin_db.dispose()


def test_turns_that_may_ask_an_llm_are_not_speculated_on(db, settings) -> None:
    """A model's answer is neither free to compute twice nor sure to repeat itself: with an
    LLM configured the turn runs once, at the end of speech, and streams into speech."""
    llm_settings = settings.model_copy(
        update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "unused"}
    )
    manager = DialogueManager(db, llm_settings)
    conversation_id, _ = manager.start_conversation("voice")
    before = dump(db)
    with pytest.raises(NotSpeculable):
        manager.speculate(conversation_id, "do you like jazz music")
    assert dump(db) == before


def test_speculating_on_a_missing_conversation_raises_like_a_turn(dialogue) -> None:
    with pytest.raises(ConversationNotFound):
        dialogue.speculate("no-such-conversation", "hello")
    with pytest.raises(ConversationNotFound):
        dialogue.speculate("bad\x00id", "hello")
