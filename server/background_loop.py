"""A periodic job of the server process: one asyncio task, its work in a worker thread.

The retention purge and the handoff webhook outbox both run database work
now and then for as long as the server runs. They share the hard parts:
the task starts with the app, the work runs in a thread (it blocks), a
failed round is logged and retried rather than ending the loop, and stopping
waits for a round in flight, so the database is never closed under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from typing import Any


class BackgroundLoop:
    """Subclasses say whether they run (``enabled``), do one round (``run_round``, in a
    thread, holding ``busy``) and how long to wait before the next (``pause_after``)."""

    task_name = "hark-background"
    failure = "background round failed; trying again later"

    def __init__(self, log: logging.Logger) -> None:
        self.log = log
        self._task: asyncio.Task[None] | None = None
        self.busy = threading.Lock()  # held by a round; stop() waits for it

    @property
    def enabled(self) -> bool:
        raise NotImplementedError

    def run_round(self) -> Any:
        raise NotImplementedError

    def pause_after(self, result: Any) -> float:
        raise NotImplementedError

    def opened(self) -> None:
        """Called just before the task starts (resources the rounds need)."""

    def closed(self) -> None:
        """Called once the task and any round in flight have finished."""

    def start(self) -> None:
        if self.enabled and self._task is None:
            self.opened()
            self._task = asyncio.create_task(self._loop(), name=self.task_name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await asyncio.to_thread(self._wait_idle)  # a round in flight finishes first
        self.closed()

    def _wait_idle(self) -> None:
        with self.busy:
            pass

    async def _loop(self) -> None:
        while True:
            result = None
            try:
                result = await asyncio.to_thread(self.run_round)
            except asyncio.CancelledError:
                raise
            except Exception:
                self.log.exception(self.failure)
            await asyncio.sleep(self.pause_after(result))
