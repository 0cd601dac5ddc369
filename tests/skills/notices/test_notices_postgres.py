"""The notice outbox on a real PostgreSQL server: events decided once and each notice sent
once by several concurrent senders (row leases by conditional UPDATE), as on SQLite."""

from __future__ import annotations

import threading

import pytest

from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.store.db import open_database
from hark.store.shop_import import import_shop
from skills.notices.test_notices import LATE, NOON, notices, write_shop

pytestmark = pytest.mark.postgres


def test_concurrent_senders_send_each_notice_once_on_postgres(
    postgres_url, tmp_path, notice_settings, api, sender_for
) -> None:
    db = open_database(postgres_url)
    try:
        import_shop(db, SAMPLE_SHOP_DIR)
        import_shop(db, write_shop(tmp_path / "shop"))
        rules = frozenset({"order_delayed"})
        import_shop(db, write_shop(tmp_path / "shop", LATE), notice_rules=rules)
        assert import_shop(db, tmp_path / "shop", notice_rules=rules).counts["notices"] == 0
        used = notice_settings.model_copy(update={"database_url": postgres_url})
        senders = [sender_for(db, used) for _ in range(3)]
        barrier = threading.Barrier(len(senders))

        def run(sender) -> None:
            barrier.wait()
            sender.run_once(now=NOON)

        threads = [threading.Thread(target=run, args=(s,)) for s in senders]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(m["To"] for m in api.messages()) == ["+15550100102", "whatsapp:+15550100105"]
        assert {n.outcome for n in notices(db)} == {"delivered"}
    finally:
        db.dispose()


def test_new_statuses_and_a_restock_on_postgres(
    postgres_url, tmp_path, notice_settings, api, sender_for
) -> None:
    from hark.dialogue.manager import DialogueManager
    from hark.runtime.notice_rules import parse_rules
    from skills.notices.test_notice_events import FROTHER, write_products

    db = open_database(postgres_url)
    try:
        import_shop(db, SAMPLE_SHOP_DIR)
        import_shop(db, write_shop(tmp_path / "shop"))
        used = notice_settings.model_copy(update={"database_url": postgres_url})
        dialogue = DialogueManager(db, used)
        james, _ = dialogue.start_conversation("sms", "C002")
        assert "out of stock" in dialogue.turn(james, "is the milk frother available?").text
        changed = {"7002": ("out for delivery", "2026-11-26")}
        shop = write_products(write_shop(tmp_path / "shop", changed), {FROTHER: 9})
        assert import_shop(db, shop, notice_rules=parse_rules("all")).counts["notices"] == 2
        assert import_shop(db, shop, notice_rules=parse_rules("all")).counts["notices"] == 0
        assert sorted(n.kind for n in notices(db)) == ["back_in_stock", "order_out_for_delivery"]
        sent = sender_for(db, used, dialogue).run_once(now=NOON)
        assert {(o.event, o.action) for o in sent} == {
            ("back_in_stock", "sent"),
            ("order_out_for_delivery", "sent"),
        }
    finally:
        db.dispose()
