"""Sending to one client, and running brain calls in order off the event loop.

``Outbox`` serialises every send on a connection (the receive loop, the turn
task and partial transcripts all send) and turns a vanished client into a
quiet no-op instead of an exception in whichever task noticed first.

``SerialCalls`` runs blocking calls (``DialogueManager.turn``,
``mark_interrupted``, ``end_conversation``) one at a time, in submission
order, each in a worker thread. A call keeps running when the task that
asked for it is cancelled by a barge-in: the brain's write must finish, and
the barge-in's ``mark_interrupted`` must land *after* it, on the turn it
truncates.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from hark.voice.protocol import ServerEvent
from hark.voice.transport import Transport

log = logging.getLogger("hark.voice")


class Outbox:
    """Ordered sends on one connection; after the first failure, sends are dropped."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self._lock = asyncio.Lock()
        self.closed = False
        self.audio_bytes = 0

    async def event(self, event: ServerEvent) -> None:
        await self._send(lambda: self._transport.send_event(event))

    async def audio(self, data: bytes) -> None:
        await self._send(lambda: self._transport.send_audio(data))
        self.audio_bytes += len(data)

    async def clear(self) -> None:
        """The caller barged in: the transport drops the reply audio queued at their end."""
        await self._send(self._transport.clear)

    async def _send(self, send: Callable[[], Awaitable[None]]) -> None:
        if self.closed:
            return
        async with self._lock:
            if self.closed:
                return
            try:
                await send()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("send failed, client gone: %s", exc)
                self.closed = True


class SerialCalls:
    """Blocking calls, one at a time, in order, in worker threads (see module docstring)."""

    def __init__(self) -> None:
        self._tail: asyncio.Future[Any] | None = None
        self._pending: set[asyncio.Future[Any]] = set()

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> asyncio.Future[Any]:
        """Queue ``fn(*args, **kwargs)``; await the result with ``asyncio.shield``."""
        previous = self._tail

        async def run() -> Any:
            if previous is not None and not previous.done():
                await asyncio.wait([previous])  # its outcome is its caller's business
            return await asyncio.to_thread(fn, *args, **kwargs)

        task = asyncio.ensure_future(run())
        self._tail = task
        self._pending.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Future[Any]) -> None:
        self._pending.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.debug("brain call failed: %r", task.exception())

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) for every queued call, so saved turns are saved before we go."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=timeout)
