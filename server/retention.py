"""The running server's daily purge of conversations past ``HARK_RETENTION_DAYS``.

One asyncio task per process, started with the app and cancelled on shutdown:
it purges at start, then every ``interval_s`` (a day). The purge itself runs in
a worker thread (it is database work); stopping waits for a purge in flight to
finish, so the database is never closed under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading

from hark.store.data_rights import purge_conversations
from hark.store.db import Database

log = logging.getLogger("hark.privacy")

DAY_S = 24 * 60 * 60.0


class RetentionWorker:
    def __init__(self, db: Database, retention_days: int, interval_s: float = DAY_S) -> None:
        self.db = db
        self.retention_days = retention_days
        self.interval_s = interval_s
        self.runs = 0
        self._task: asyncio.Task[None] | None = None
        self._busy = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.retention_days > 0

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="hark-retention")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        # a purge already running in its thread finishes before the database closes
        await asyncio.to_thread(self._wait_idle)

    def _wait_idle(self) -> None:
        with self._busy:
            pass

    def purge_once(self) -> None:
        with self._busy:
            report = purge_conversations(self.db, self.retention_days)
        self.runs += 1
        log.info(
            "retention purge",
            extra={"purged": report.to_dict(), "retention_days": self.retention_days},
        )

    async def _loop(self) -> None:
        while True:
            try:
                await asyncio.to_thread(self.purge_once)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("retention purge failed; trying again at the next interval")
            await asyncio.sleep(self.interval_s)
