"""Speaking a reply while the brain is still writing it (an LLM reply, streamed).

``DialogueManager.turn`` runs in a worker thread; with a sink it hands over
each finished sentence of an LLM-written reply as soon as it exists. This
module is the voice side of that hand-over:

* :class:`StreamedReply` is the sink: sentences cross from the worker thread
  into the session's event loop; a barge-in sets its cancel flag, which
  tells the brain to stop asking the model for more.
* It is an async iterator of the reply's text pieces, the one input of the
  speak path (``hark.voice.speak.speaker.Speaker.speak``): each sentence is
  synthesised as it arrives, with the same chunking, pacing and playout
  clock as a reply that came whole.

A reply the built-in skills give is never streamed: the sink hears nothing,
:meth:`StreamedReply.first_sentence` says so when the turn ends, and the
session speaks the reply as it always does.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator


class StreamedReply:
    """The brain's ``ReplySink`` for one voice turn (thread-safe hand-over)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._ready = asyncio.Event()  # a sentence came, or the turn ended
        self._cancel = threading.Event()
        self.sentences = 0

    # --- called by the brain, in its worker thread --------------------------------
    def sentence(self, text: str) -> None:
        self._loop.call_soon_threadsafe(self._put, text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # --- called in the event loop ----------------------------------------------------
    def cancel(self) -> None:
        """The caller interrupted: the brain should stop writing."""
        self._cancel.set()

    def close(self) -> None:
        """The brain's turn is over: no more sentences."""
        self._queue.put_nowait(None)
        self._ready.set()

    async def first_sentence(self) -> bool:
        """Wait for the first sentence or the end of the turn; True if a sentence came."""
        await self._ready.wait()
        return self.sentences > 0

    async def next(self) -> str | None:
        """The next sentence, or None when the reply is complete."""
        return await self._queue.get()

    def __aiter__(self) -> AsyncIterator[str]:
        """The sentences as they are written, until the brain's turn is over."""
        return self._sentences()

    async def _sentences(self) -> AsyncIterator[str]:
        while (text := await self.next()) is not None:
            yield text

    def _put(self, text: str) -> None:
        self.sentences += 1
        self._queue.put_nowait(text)
        self._ready.set()
