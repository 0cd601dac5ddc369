"""The voice socket, blocking: :meth:`HarkClient.voice <hark.client.sync.HarkClient.voice>`.

The same connection as :class:`hark.client.voice.VoiceConnection` for code
without asyncio (a script, a worker thread, a test): each call blocks until
the socket has sent or read what it asked for. Messages and event parsing
are shared with the async one (:class:`~hark.client.voice.VoiceBook`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from hark.client.events import Ready, Reply
from hark.client.voice import Encoding, Received, VoiceBook, refused, voice_target

E = TypeVar("E")


class SyncVoiceConnection(VoiceBook):
    """One open voice socket (blocking): one conversation."""

    _ws: ClientConnection

    def start(
        self,
        sample_rate: int = 16000,
        encoding: Encoding = "pcm_s16le",
        customer_id: str | None = None,
        resume: str | None = None,
    ) -> Ready:
        """Send ``start`` and wait for ``ready`` (:class:`VoiceError` for an ``error``);
        ``resume`` as in :meth:`VoiceConnection.start`."""
        self._ws.send(self.start_message(sample_rate, encoding, customer_id, resume))
        while (item := self._next()) is not None:
            if (ready := self.ready_from(item)) is not None:
                return ready
        raise self.closed_before("ready")

    def send_text(self, text: str) -> None:
        """Typed input, handled like a final transcript."""
        self._ws.send(self.text_message(text))

    def send_audio(self, frame: bytes) -> None:
        """One frame of microphone audio in the encoding and rate given to :meth:`start`."""
        self._ws.send(frame)

    def stream(
        self, frames: Iterable[bytes], frame_ms: float = 20.0, realtime: bool = True
    ) -> None:
        """Send ``frames`` on a microphone's schedule (or at once, ``realtime=False``)."""
        for delay, frame in self.paced(frames, frame_ms, realtime):
            if delay:
                time.sleep(delay)
            self._ws.send(frame)

    def stop(self) -> None:
        """End the conversation; the server closes the socket (1000)."""
        with contextlib.suppress(ConnectionClosed):
            self._ws.send(self.STOP)

    def close(self) -> None:
        self._ws.close()

    def receive(self, timeout: float | None = None) -> Received:
        """The next event or audio frame (``TimeoutError``; ``ConnectionClosed`` at the end)."""
        return self.record(self._ws.recv(timeout=timeout))

    def __iter__(self) -> Iterator[Received]:
        while (item := self._next()) is not None:
            yield item

    def _next(self, timeout: float | None = None) -> Received | None:
        try:
            return self.receive(timeout)
        except ConnectionClosed:
            return None

    def wait_for(self, kind: type[E], timeout: float = 30.0) -> E:
        """Read until an event of class ``kind`` arrives (``TimeoutError`` after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while (item := self._next(_left(deadline))) is not None:
            if isinstance(item, kind):
                return item
        raise self.closed_before(kind.__name__)

    def wait_closed(self, timeout: float = 30.0) -> int | None:
        """Read (and drop) what is left until the server closes; the close code."""
        deadline = time.monotonic() + timeout
        while self._next(_left(deadline)) is not None:
            pass
        return self.close_code

    def say(self, text: str, timeout: float = 30.0) -> Reply:
        """Send typed ``text`` and return Hark's ``reply`` to it."""
        self.send_text(text)
        return self.wait_for(Reply, timeout)


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("no answer in time")
    return left


@contextlib.contextmanager
def connect_voice_sync(
    ws_url: str,
    *,
    api_key: str | None = None,
    ticket: str | None = None,
    origin: str | None = None,
    open_timeout: float = 10.0,
) -> Iterator[SyncVoiceConnection]:
    """Open ``ws_url`` with an API key or a single-use ticket (:class:`VoiceError` if refused)."""
    url, headers = voice_target(ws_url, api_key, ticket)
    with contextlib.ExitStack() as opened:
        try:
            ws = opened.enter_context(
                connect(
                    url,
                    additional_headers=headers,
                    origin=origin,  # type: ignore[arg-type]
                    max_size=None,
                    open_timeout=open_timeout,
                )
            )
        except InvalidStatus as exc:
            raise refused(exc) from None
        yield SyncVoiceConnection(ws)
