"""The running server's daily purge of conversations past ``HARK_RETENTION_DAYS``.

One asyncio task per process, started with the app and cancelled on shutdown:
it purges at start, then every ``interval_s`` (a day). The purge itself runs in
a worker thread (it is database work); stopping waits for a purge in flight to
finish, so the database is never closed under it.
"""

from __future__ import annotations

import logging

from hark.server.background_loop import BackgroundLoop
from hark.store.data_rights import purge_conversations
from hark.store.db import Database

log = logging.getLogger("hark.privacy")

DAY_S = 24 * 60 * 60.0


class RetentionWorker(BackgroundLoop):
    task_name = "hark-retention"
    failure = "retention purge failed; trying again at the next interval"

    def __init__(self, db: Database, retention_days: int, interval_s: float = DAY_S) -> None:
        super().__init__(log)
        self.db = db
        self.retention_days = retention_days
        self.interval_s = interval_s
        self.runs = 0

    @property
    def enabled(self) -> bool:
        return self.retention_days > 0

    def purge_once(self) -> None:
        with self.busy:
            report = purge_conversations(self.db, self.retention_days)
        self.runs += 1
        log.info(
            "retention purge",
            extra={"purged": report.to_dict(), "retention_days": self.retention_days},
        )

    def run_round(self) -> None:
        self.purge_once()

    def pause_after(self, result: object) -> float:
        return self.interval_s
