"""Data rights on SQLite and a real PostgreSQL: export, erase, purge; CLI; admin API; retention.

Each store test runs twice: on a SQLite file and on the PostgreSQL server of
tests/fixtures_pg.py. A second customer's data is always there to prove it is
left alone.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import inspect, select

from hark.cli.main import main
from hark.dialogue.errors import CustomerNotFound
from hark.dialogue.manager import DialogueManager
from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.server.retention import RetentionWorker
from hark.store.data_rights import (
    HANDLED_TABLES,
    UnknownCustomer,
    erase_customer,
    export_customer,
    linked_tables,
    purge_conversations,
)
from hark.store.db import Database, open_database
from hark.store.models import (
    Base,
    Cart,
    CartItem,
    ChannelLink,
    Conversation,
    Customer,
    Order,
    ReturnRequest,
    Turn,
    utcnow,
)
from hark.store.shop_import import import_shop

ADMIN_KEY = "test-admin-key-0123456789"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def rights_db(request, settings) -> Iterator[Database]:
    if request.param == "postgres":
        url = request.getfixturevalue("postgres_url")
    else:
        url = settings.effective_database_url
    database = open_database(url)
    import_shop(database, SAMPLE_SHOP_DIR)
    yield database
    database.dispose()


def _populate(db: Database, settings) -> dict[str, str]:
    """Two customers with conversations, a cart, a channel link and a return each."""
    manager = DialogueManager(db, settings)
    ids: dict[str, str] = {}
    for customer in ("C001", "C002"):
        conversation_id, _ = manager.start_conversation("api", customer)
        manager.turn(conversation_id, "my card is 4111 1111 1111 1111")
        manager.turn(conversation_id, "where is my order")
        ids[customer] = conversation_id
    with db.session() as session:
        for customer in ("C001", "C002"):
            order = session.scalars(select(Order).where(Order.customer_id == customer)).first()
            session.add(ReturnRequest(order_id=order.order_id, reason=f"{customer} broke it"))
            session.add(
                ChannelLink(channel="alexa", external_id=f"amzn1.{customer}", customer_id=customer)
            )
            cart = Cart(customer_id=customer)
            cart.items.append(CartItem(sku="KIT-1001", quantity=2))
            session.add(cart)
    return ids


def test_export_holds_everything_about_the_customer(rights_db, settings) -> None:
    ids = _populate(rights_db, settings)
    data = export_customer(rights_db, "C001")
    assert data["customer"]["name"] == "Maria Lopez" and data["customer"]["erased_at"] is None
    assert {o["order_id"] for o in data["orders"]} == {"5274", "2915"}
    assert all(o["lines"] for o in data["orders"])
    assert data["returns"][0]["reason"] == "C001 broke it"
    assert data["carts"][0]["items"] == [{"sku": "KIT-1001", "quantity": 2}]
    assert data["channel_links"] == [{"channel": "alexa", "external_id": "amzn1.C001"}]
    (conversation,) = data["conversations"]
    assert conversation["conversation_id"] == ids["C001"]
    texts = [t["text"] for t in conversation["turns"]]
    assert "my card is [card number]" in texts and not any("4111" in t for t in texts)
    assert "C002" not in json.dumps(data) and "James" not in json.dumps(data)
    with pytest.raises(UnknownCustomer):
        export_customer(rights_db, "NOBODY")


def test_erase_removes_personal_data_keeps_orders_and_is_idempotent(rights_db, settings) -> None:
    ids = _populate(rights_db, settings)
    report = erase_customer(rights_db, "C001")
    assert (report.conversations, report.turns, report.channel_links, report.carts) == (1, 5, 1, 1)
    assert report.orders_kept == 2 and report.returns_cleared == 1
    assert report.summary().startswith("erased customer C001: 1 conversation(s) (5 turns)")
    with rights_db.session() as session:
        customer = session.get(Customer, "C001")
        assert (customer.name, customer.phone, customer.email) == ("", None, None)
        assert customer.erased_at is not None
        assert session.get(Conversation, ids["C001"]) is None
        assert not session.scalars(select(Turn).where(Turn.conversation_id == ids["C001"])).all()
        assert session.get(Order, "5274").customer_id is None  # kept, tied to no one
        assert session.get(Order, "2915").customer_id is None
        assert not session.scalars(
            select(ChannelLink).where(ChannelLink.customer_id == "C001")
        ).all()
        assert not session.scalars(select(Cart).where(Cart.customer_id == "C001")).all()
        reasons = [r.reason for r in session.scalars(select(ReturnRequest))]
        assert "" in reasons and "C002 broke it" in reasons
        # the other customer is untouched
        assert session.get(Customer, "C002").name == "James Carter"
        assert session.get(Conversation, ids["C002"]) is not None
    again = erase_customer(rights_db, "C001")
    assert again.already_erased and again.summary() == (
        "customer C001 was already erased: nothing left to remove"
    )
    exported = export_customer(rights_db, "C001")
    assert exported["customer"]["name"] == "" and exported["conversations"] == []
    # the erased customer can't be greeted by name or tied to a new conversation ...
    with pytest.raises(CustomerNotFound):
        DialogueManager(rights_db, settings).start_conversation("api", "C001")
    # ... and the shop's own files don't bring the profile back
    import_shop(rights_db, SAMPLE_SHOP_DIR)
    with rights_db.session() as session:
        assert session.get(Customer, "C001").name == ""
        assert session.get(Order, "5274").customer_id is None
    with pytest.raises(UnknownCustomer):
        erase_customer(rights_db, "NOBODY")


def test_purge_deletes_only_conversations_past_retention(rights_db, settings) -> None:
    manager = DialogueManager(rights_db, settings)
    old, _ = manager.start_conversation("api")
    manager.turn(old, "add the pour-over kettle to my cart")
    revived, _ = manager.start_conversation("api")
    fresh, _ = manager.start_conversation("api", "C002")
    long_ago = utcnow() - dt.timedelta(days=120)
    with rights_db.session() as session:
        for conversation_id in (old, revived):
            session.get(Conversation, conversation_id).started_at = long_ago
            for turn in session.scalars(
                select(Turn).where(Turn.conversation_id == conversation_id)
            ):
                turn.created_at = long_ago
        session.add(Cart(conversation_id=old))  # a guest cart goes with its conversation
    manager.turn(revived, "hello again")  # a recent turn keeps an old conversation
    assert purge_conversations(rights_db, 0).summary().startswith("retention is off")
    report = purge_conversations(rights_db, 90)
    assert report.conversations == 1 and report.turns >= 2
    assert report.carts == 2  # the kettle's guest cart and the one added here
    with rights_db.session() as session:
        assert session.get(Conversation, old) is None
        assert session.get(Conversation, revived) is not None
        assert session.get(Conversation, fresh) is not None
        assert not session.scalars(select(Cart).where(Cart.conversation_id == old)).all()
    assert purge_conversations(rights_db, 90).conversations == 0


def test_every_table_with_personal_links_is_handled(db) -> None:
    """A new table with a customer_id column must be added to data_rights; one with a
    conversation_id column is exported and deleted with its conversation."""
    linked = {t.name for t in linked_tables()}
    with db.engine.connect() as connection:
        inspector = inspect(connection)
        for table in inspector.get_table_names():
            columns = {c["name"] for c in inspector.get_columns(table)}
            if "customer_id" in columns:
                assert table in HANDLED_TABLES, f"{table}: add it to hark.store.data_rights"
            if "conversation_id" in columns:
                assert table in HANDLED_TABLES or table in linked, table
    assert set(HANDLED_TABLES) <= set(Base.metadata.tables)


def test_records_linked_to_a_conversation_go_with_it(settings, db, monkeypatch) -> None:
    """A channel's own table keyed by conversation (as a phone-call log would be)."""
    from sqlalchemy import Column, MetaData, String, Table

    notes = Table(
        "call_notes",
        MetaData(),
        Column("conversation_id", String(64)),
        Column("callback_number", String(40)),
    )
    notes.create(db.engine)
    monkeypatch.setattr("hark.store.data_rights.linked_tables", lambda: [notes])
    manager = DialogueManager(db, settings)
    mine, _ = manager.start_conversation("api", "C001")
    other, _ = manager.start_conversation("api", "C002")
    with db.engine.begin() as connection:
        connection.execute(notes.insert(), [
            {"conversation_id": mine, "callback_number": "+15550100199"},
            {"conversation_id": other, "callback_number": "+15550100198"},
        ])  # fmt: skip
    exported = export_customer(db, "C001")
    assert exported["conversation_records"] == {
        "call_notes": [{"conversation_id": mine, "callback_number": "+15550100199"}]
    }
    erase_customer(db, "C001")
    with db.engine.connect() as connection:
        left = connection.execute(select(notes.c.conversation_id)).scalars().all()
    assert left == [other]


def test_cli_export_erase_purge(settings, db, capsys) -> None:
    ids = _populate(db, settings)
    url = settings.effective_database_url
    assert main(["privacy", "export", "C001", "--db", url]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["conversations"][0]["conversation_id"] == ids["C001"]
    assert main(["privacy", "erase", "C001", "--db", url]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("erased customer C001:")
    assert main(["privacy", "erase", "C001", "--db", url]) == 0
    assert "already erased" in capsys.readouterr().out
    assert main(["privacy", "purge", "--db", url]) == 0
    assert capsys.readouterr().out.startswith("purged 0 conversation(s)")
    with pytest.raises(SystemExit) as exit_info:
        main(["privacy", "erase", "NOBODY", "--db", url])
    assert exit_info.value.code == 2
    assert "customer not found: NOBODY" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["privacy", "purge", "--older-than-days", "0", "--db", url])


@pytest.fixture
def admin_client(settings, db, make_app, live_server):
    admin_settings = settings.model_copy(
        update={"admin_keys": SecretStr(ADMIN_KEY + ", second-admin-key-0123456789")}
    )
    server = live_server(make_app(admin_settings))
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def test_admin_endpoints_need_an_admin_key(admin_client) -> None:
    for method, path in (
        ("GET", "/v1/admin/privacy/customers/C001"),
        ("POST", "/v1/admin/privacy/customers/C001/erase"),
        ("POST", "/v1/admin/privacy/purge"),
    ):
        for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": ADMIN_KEY}):
            response = admin_client.request(method, path, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.headers["www-authenticate"].startswith("Bearer")


def test_admin_endpoints_export_erase_purge(admin_client, settings, db) -> None:
    _populate(db, settings)
    auth = {"authorization": f"Bearer {ADMIN_KEY}"}
    exported = admin_client.get("/v1/admin/privacy/customers/C001", headers=auth)
    assert exported.status_code == 200 and exported.json()["customer"]["name"] == "Maria Lopez"
    other_key = {"authorization": "Bearer second-admin-key-0123456789"}
    erased = admin_client.post("/v1/admin/privacy/customers/C001/erase", headers=other_key)
    assert erased.status_code == 200
    assert erased.json()["conversations"] == 1 and erased.json()["summary"].startswith("erased")
    again = admin_client.post("/v1/admin/privacy/customers/C001/erase", headers=auth)
    assert again.json()["already_erased"] is True
    missing = admin_client.get("/v1/admin/privacy/customers/NOBODY", headers=auth)
    assert missing.status_code == 404
    purged = admin_client.post("/v1/admin/privacy/purge", headers=auth, json={"older_than_days": 1})
    assert purged.status_code == 200 and purged.json()["conversations"] == 0
    assert (
        admin_client.post(
            "/v1/admin/privacy/purge", headers=auth, json={"older_than_days": 0}
        ).status_code
        == 422
    )


def test_no_admin_keys_configured_answers_only_this_machine(make_app, live_server) -> None:
    """Without HARK_ADMIN_KEYS the operator endpoints answer loopback clients only (as the
    rest of the API does, docs/security.md); a request relayed by a proxy is not local."""
    server = live_server(make_app())
    url = f"{server.url}/v1/admin/privacy/customers/C001"
    assert httpx.get(url).status_code == 200
    relayed = httpx.get(url, headers={"x-forwarded-for": "203.0.113.9"})
    assert relayed.status_code in (401, 403)


def test_the_running_server_purges_at_start_and_stops_cleanly(
    settings, db, make_app, live_server
) -> None:
    manager = DialogueManager(db, settings)
    old, _ = manager.start_conversation("api")
    with db.session() as session:
        session.get(Conversation, old).started_at = utcnow() - dt.timedelta(days=400)
        for turn in session.scalars(select(Turn).where(Turn.conversation_id == old)):
            turn.created_at = utcnow() - dt.timedelta(days=400)
    app = make_app()
    server = live_server(app)
    worker = app.state.retention
    for _ in range(200):
        if worker.runs:
            break
        asyncio.run(asyncio.sleep(0.02))
    assert worker.runs == 1
    with db.session() as session:
        assert session.get(Conversation, old) is None
    server.stop()
    assert app.state.retention._task is None  # cancelled and awaited on shutdown


async def test_retention_worker_repeats_and_cancels(db) -> None:
    worker = RetentionWorker(db, retention_days=30, interval_s=0.01)
    worker.start()
    for _ in range(200):
        if worker.runs >= 3:
            break
        await asyncio.sleep(0.01)
    assert worker.runs >= 3
    await worker.stop()
    runs = worker.runs
    await asyncio.sleep(0.05)
    assert worker.runs == runs  # nothing runs after stop
    off = RetentionWorker(db, retention_days=0)
    off.start()
    assert not off.enabled and off._task is None
    await off.stop()
