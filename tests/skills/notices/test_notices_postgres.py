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
