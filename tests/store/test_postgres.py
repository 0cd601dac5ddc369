"""The PostgreSQL path, against a real server (started by tests/fixtures_pg.py).

Production shops point ``HARK_DATABASE_URL`` at PostgreSQL, so the schema,
the all-or-nothing shop import, the brain's persisted state and the HTTP
server are exercised there too, not only on SQLite.
"""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

from hark.runtime.settings import SAMPLE_SHOP_DIR, Settings, load_settings
from hark.store.db import Database, open_database
from hark.store.models import (
    Base,
    Cart,
    Conversation,
    Customer,
    Faq,
    Order,
    OrderLine,
    Product,
    Turn,
)
from hark.store.shop_import import ShopImportError, import_shop

pytestmark = pytest.mark.postgres

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def pg_db(postgres_url: str) -> Iterator[Database]:
    """A migrated, empty Hark database on PostgreSQL."""
    database = open_database(postgres_url)
    yield database
    database.dispose()


@pytest.fixture
def pg_shop_db(pg_db: Database) -> Database:
    import_shop(pg_db, SAMPLE_SHOP_DIR)
    return pg_db


@pytest.fixture
def pg_settings(tmp_path: Path, postgres_url: str) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data",
        today=TODAY,
        log_format="json",
        alexa_verify=False,
        database_url=postgres_url,
    )


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Customer, Product, Order, OrderLine, Faq)
        }


def _head_revision() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from hark.store.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def test_migrations_apply_on_empty_postgres_and_again(postgres_url: str) -> None:
    first = open_database(postgres_url)
    second = open_database(postgres_url)  # a second start: nothing to do, no error
    try:
        with second.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
                (_head_revision(),)
            ]
            tables = set(inspect(connection).get_table_names())
            assert set(Base.metadata.tables) <= tables
            # The migrated schema is exactly what the models declare, on this dialect.
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
            assert diff == []
            types = {
                (row.table_name, row.column_name): row.data_type
                for row in connection.execute(
                    text(
                        "SELECT table_name, column_name, data_type FROM information_schema.columns"
                        " WHERE table_schema = 'public'"
                    )
                )
            }
        assert types[("products", "price")] == "numeric"
        assert types[("conversations", "state")] == "json"
        assert types[("turns", "interrupted")] == "boolean"
        second.ping()
    finally:
        first.dispose()
        second.dispose()


def test_sample_shop_import_is_idempotent_on_postgres(pg_db: Database) -> None:
    report = import_shop(pg_db, SAMPLE_SHOP_DIR)
    loaded = counts(pg_db)
    assert loaded["customers"] == report.counts["customers"] >= 8
    assert loaded["products"] == report.counts["products"] >= 30
    assert loaded["orders"] == report.counts["orders"] >= 20
    assert loaded["faqs"] == report.counts["faqs"] >= 12
    with pg_db.session() as s:
        mug = s.get(Product, "KIT-1001")
        assert mug.price == Decimal("24.99") and isinstance(mug.price, Decimal)
        order = s.get(Order, "5274")
        assert order.eta == dt.date(2026, 12, 2) and len(order.lines) == 2
    import_shop(pg_db, SAMPLE_SHOP_DIR)
    assert counts(pg_db) == loaded


def test_bad_row_rolls_back_the_whole_import_on_postgres(pg_db: Database, tmp_path: Path) -> None:
    import_shop(pg_db, SAMPLE_SHOP_DIR)
    before = counts(pg_db)
    shop = tmp_path / "shop"
    shutil.copytree(SAMPLE_SHOP_DIR, shop)
    # Good changes early in the import (a new customer, a new price) ...
    with (shop / "customers.csv").open("a", newline="") as handle:
        csv.writer(handle).writerow(["C999", "Late Comer", "", "late@example.com"])
    products = list(csv.reader((shop / "products.csv").read_text().splitlines()))
    products[1][3] = "1.00"
    with (shop / "products.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(products)
    # ... and a bad date on the last orders line, after those rows were flushed.
    orders = list(csv.reader((shop / "orders.csv").read_text().splitlines()))
    orders[-1][5] = "2026-13-45"
    with (shop / "orders.csv").open("w", newline="") as handle:
        csv.writer(handle).writerows(orders)
    with pytest.raises(ShopImportError) as caught:
        import_shop(pg_db, shop)
    assert caught.value.file == "orders.csv" and caught.value.column == "placed_at"
    assert caught.value.line == len(orders)
    assert counts(pg_db) == before
    with pg_db.session() as s:
        assert s.get(Customer, "C999") is None
        assert s.get(Product, products[1][0]).price != Decimal("1.00")


# Values SQLite stores silently but PostgreSQL rejects: the import must name them.
LIMIT_CASES = [
    ("products.csv", 3, "price", "99999999999.00", "too large"),
    ("products.csv", 3, "price", "1e30", "too large"),
    ("products.csv", 6, "stock", "3000000000", "at most"),
    ("orders.csv", 3, "quantity", "3000000000", "at most"),
    ("products.csv", 1, "name", "N" * 201, "longer than 200"),
    ("customers.csv", 2, "phone", "1" * 41, "longer than 40"),
    ("products.csv", 0, "sku", "S" * 65, "longer than 64"),
    ("products.csv", 4, "description", "a\x00b", "NUL"),
    ("faq.csv", 0, "question", "why " * 200, "longer than 500"),
]


@pytest.mark.parametrize(
    ("file", "index", "column", "value", "problem"),
    LIMIT_CASES,
    ids=[f"{c[2]}-{c[3][:12]}" for c in LIMIT_CASES],
)
def test_values_postgres_cannot_store_are_clear_import_errors(
    pg_db: Database, tmp_path: Path, file: str, index: int, column: str, value: str, problem: str
) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(SAMPLE_SHOP_DIR, shop)
    rows = list(csv.reader((shop / file).read_text(encoding="utf-8").splitlines()))
    rows[2][index] = value
    with (shop / file).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(ShopImportError) as caught:
        import_shop(pg_db, shop)
    assert (caught.value.file, caught.value.line, caught.value.column) == (file, 3, column)
    assert problem in caught.value.problem
    assert set(counts(pg_db).values()) == {0}


def test_dialogue_conversation_persists_on_postgres(pg_shop_db: Database, pg_settings) -> None:
    from hark.dialogue.manager import DialogueManager
    from hark.skills.identity import Identity

    manager = DialogueManager(pg_shop_db, pg_settings)
    conversation_id, greeting = manager.start_conversation(
        "kiosk", "C001", identity=Identity.VERIFIED
    )
    assert "automated assistant" in greeting.text
    # A non-finite metric (PostgreSQL's json type has no NaN) is stored as null.
    metrics = {"asr_ms": 90, "rtf": float("nan")}
    order = manager.turn(conversation_id, "where is my order 5274", metrics)
    assert order.intent == "order_status" and "delayed" in order.text
    found = manager.turn(conversation_id, "something to keep coffee hot")
    assert found.intent == "product_search" and found.cards
    # A new manager on a new engine: only PostgreSQL carries the conversation over.
    other_db = Database(pg_settings.effective_database_url)
    try:
        added = DialogueManager(other_db, pg_settings).turn(conversation_id, "add it to my cart")
        assert added.intent == "add_to_cart" and added.cards[0].sku == found.cards[0].sku
        with other_db.session() as s:
            conversation = s.get(Conversation, conversation_id)
            assert conversation.customer_id == "C001" and conversation.channel == "kiosk"
            assert isinstance(conversation.state, dict) and conversation.state
            turns = s.scalars(
                select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.seq)
            ).all()
            assert [(t.seq, t.role) for t in turns] == [
                (0, "assistant"),
                (1, "user"),
                (2, "assistant"),
                (3, "user"),
                (4, "assistant"),
                (5, "user"),
                (6, "assistant"),
            ]
            assert turns[1].text == "where is my order 5274" and turns[1].metrics == {
                "asr_ms": 90,
                "rtf": None,
            }
            assert turns[2].intent == "order_status" and turns[6].id == added.turn_id
            cart = s.scalars(select(Cart).where(Cart.customer_id == "C001")).one()
            assert [(i.sku, i.quantity) for i in cart.items] == [(found.cards[0].sku, 1)]
        transcript = manager.transcript(conversation_id)
        assert "coffee" in str(transcript)
    finally:
        other_db.dispose()


def test_http_server_on_postgres_is_ready(pg_shop_db: Database, pg_settings, live_server) -> None:
    from hark.dialogue.manager import DialogueManager
    from hark.server.app import create_app
    from hark.server.services import build_services

    services = build_services(
        pg_settings,
        load_engines=False,
        db=pg_shop_db,
        dialogue=DialogueManager(pg_shop_db, pg_settings),
    )
    server = live_server(create_app(pg_settings, services))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        body = ready.json()
        assert body["status"] == "ready"
        assert body["database"] == {"ok": True, "detail": "postgresql"}
        started = client.post("/v1/conversations", json={"channel": "test", "customer_id": "C002"})
        assert started.status_code == 201, started.text
        conversation_id = started.json()["conversation_id"]
        turn = client.post(
            f"/v1/conversations/{conversation_id}/turns", json={"text": "do you ship abroad"}
        )
        assert turn.status_code == 200, turn.text
    with pg_shop_db.session() as s:
        stored = s.scalar(select(func.count()).where(Turn.conversation_id == conversation_id))
        assert stored == 3


def test_a_speculation_leaves_nothing_behind_on_postgres(pg_shop_db: Database, pg_settings) -> None:
    """``speculate`` rolls its transaction back on PostgreSQL too; ``commit`` stores the turn."""
    from dialogue.test_dialogue_speculation import CHECKOUT, dump

    from hark.dialogue.manager import DialogueManager
    from hark.skills.identity import Identity

    manager = DialogueManager(pg_shop_db, pg_settings)
    conversation_id, _ = manager.start_conversation("voice", "C004", identity=Identity.VERIFIED)
    for words in CHECKOUT:
        before = dump(pg_shop_db)
        speculation = manager.speculate(conversation_id, words)
        assert dump(pg_shop_db) == before
        committed = manager.commit(speculation)
        assert committed.matched and committed.reply.turn_id is not None
    with pg_shop_db.session() as s:
        placed = s.scalars(select(Order).where(Order.customer_id == "C004")).all()
        assert [o for o in placed if o.status == "processing"]
