"""The voice socket (``/v1/voice``, protocol v1) as a typed async connection.

Open it with :meth:`AsyncHarkClient.voice <hark.client.aio.AsyncHarkClient.voice>`
(an API key in the ``Authorization`` header) or :func:`connect_voice` with a
ticket (what a browser or app gets from the shop's back end). Then
:meth:`VoiceConnection.start`, send microphone audio (:meth:`send_audio`,
:meth:`stream`) or typed text (:meth:`send_text`), and read the server's
events, typed, with ``async for event in connection`` (reply audio arrives as
:class:`~hark.client.events.AudioFrame`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any, Literal, TypeVar
from urllib.parse import urlencode

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from hark.client.errors import VoiceError
from hark.client.events import (
    AudioFrame,
    ErrorEvent,
    Ready,
    Reply,
    ServerEvent,
    parse_event,
)

E = TypeVar("E")
Encoding = Literal["pcm_s16le", "mulaw"]
Received = ServerEvent | AudioFrame


class VoiceBook:
    """What both voice connections (async here, blocking in :mod:`hark.client.voice_sync`)
    share: the client messages, and the reading of what arrives.

    Events are read in order, once: iterating and the ``wait_for`` helpers
    consume the same stream. ``events`` keeps every JSON event read so far
    (audio is counted in ``audio_bytes``, not kept), for a test or a log.
    """

    STOP = json.dumps({"type": "stop"})

    def __init__(self, ws: Any) -> None:
        self._ws = ws
        self.events: list[ServerEvent] = []
        self.audio_bytes = 0
        self.ready: Ready | None = None

    @property
    def close_code(self) -> int | None:
        """The close code once the socket is closed (1000 after ``stop`` or a goodbye,
        1013 when the server is busy)."""
        code: int | None = self._ws.close_code
        return code

    @staticmethod
    def start_message(
        sample_rate: int, encoding: str, customer_id: str | None, resume: str | None = None
    ) -> str:
        message: dict[str, Any] = {"type": "start", "sample_rate": sample_rate}
        message["encoding"] = encoding
        if customer_id is not None:
            message["customer_id"] = customer_id
        if resume is not None:
            message["resume"] = resume
        return json.dumps(message)

    @staticmethod
    def text_message(text: str) -> str:
        return json.dumps({"type": "text", "text": text})

    def record(self, message: str | bytes) -> Received:
        """One frame as what it is: an audio frame, or a typed event (kept in ``events``)."""
        if isinstance(message, bytes):
            self.audio_bytes += len(message)
            return AudioFrame(message)
        event = parse_event(message)
        self.events.append(event)
        return event

    def ready_from(self, item: Received) -> Ready | None:
        """``item`` if it is ``ready``; :class:`VoiceError` if it is an ``error``."""
        if isinstance(item, ErrorEvent):
            raise VoiceError(0, item.code, item.message, item.model_dump())
        if isinstance(item, Ready):
            self.ready = item
            return item
        return None

    @staticmethod
    def paced(
        frames: Iterable[bytes], frame_ms: float, realtime: bool
    ) -> Iterator[tuple[float, bytes]]:
        """Each frame with the wait before it on a microphone's schedule: frame *k* leaves
        at ``start + k * frame_ms`` (no drift from sleeping per frame); 0 if not
        ``realtime``. Lazy: each wait is computed when the previous frame has left."""
        started = time.perf_counter()
        for k, frame in enumerate(frames):
            due = started + k * frame_ms / 1000 - time.perf_counter()
            yield (max(0.0, due) if realtime else 0.0), frame

    def closed_before(self, what: str) -> VoiceError:
        return VoiceError(0, "closed", f"the socket closed ({self.close_code}) before {what}")


def voice_target(
    ws_url: str, api_key: str | None, ticket: str | None
) -> tuple[str, dict[str, str]]:
    """The socket's URL and headers: a key in ``Authorization`` or a ticket in the URL."""
    if api_key and ticket:
        raise ValueError("give an API key or a ticket, not both")
    url = f"{ws_url}?{urlencode({'ticket': ticket})}" if ticket else ws_url
    return url, ({"Authorization": f"Bearer {api_key}"} if api_key else {})


def refused(exc: InvalidStatus) -> VoiceError:
    status = exc.response.status_code
    return VoiceError(status, "refused", f"the voice socket was refused ({status})")


class VoiceConnection(VoiceBook):
    """One open voice socket (asyncio): one conversation."""

    _ws: ClientConnection

    # --- sending ----------------------------------------------------------------------------
    async def start(
        self,
        sample_rate: int = 16000,
        encoding: Encoding = "pcm_s16le",
        customer_id: str | None = None,
        resume: str | None = None,
    ) -> Ready:
        """Send ``start`` and wait for ``ready``; an ``error`` answer (``unknown_customer``,
        ``unsupported_sample_rate``, ``server_busy``...) raises :class:`VoiceError`.
        ``resume``: a ticket socket's earlier ``ready.resume_token``, to go on with that
        conversation (a page that reloaded)."""
        await self._ws.send(self.start_message(sample_rate, encoding, customer_id, resume))
        while (item := await self._next()) is not None:
            if (ready := self.ready_from(item)) is not None:
                return ready
        raise self.closed_before("ready")

    async def send_text(self, text: str) -> None:
        """Typed input, handled like a final transcript (interrupts Hark if it speaks)."""
        await self._ws.send(self.text_message(text))

    async def send_audio(self, frame: bytes) -> None:
        """One frame of microphone audio in the encoding and rate given to :meth:`start`."""
        await self._ws.send(frame)

    async def stream(
        self, frames: Iterable[bytes], frame_ms: float = 20.0, realtime: bool = True
    ) -> None:
        """Send ``frames`` (each ``frame_ms`` of audio) on a microphone's schedule: frame
        *k* leaves at ``start + k * frame_ms``; ``realtime=False`` sends them at once."""
        for delay, frame in self.paced(frames, frame_ms, realtime):
            if delay:
                await asyncio.sleep(delay)
            await self._ws.send(frame)

    async def stop(self) -> None:
        """End the conversation; the server closes the socket (1000)."""
        with contextlib.suppress(ConnectionClosed):
            await self._ws.send(self.STOP)

    async def close(self) -> None:
        await self._ws.close()

    # --- receiving --------------------------------------------------------------------------
    async def receive(self, timeout: float | None = None) -> Received:
        """The next event or audio frame; ``ConnectionClosed`` when the socket is closed."""
        async with asyncio.timeout(timeout):
            return self.record(await self._ws.recv())

    def __aiter__(self) -> AsyncIterator[Received]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Received]:
        while (item := await self._next()) is not None:
            yield item

    async def _next(self) -> Received | None:
        """The next item, or None once the socket is closed."""
        try:
            return await self.receive()
        except ConnectionClosed:
            return None

    async def wait_for(self, kind: type[E], timeout: float = 30.0) -> E:
        """Read until an event of class ``kind`` (or ``AudioFrame``) arrives and return it;
        what comes before it is read and dropped (it stays in ``events``)."""
        async with asyncio.timeout(timeout):
            while (item := await self._next()) is not None:
                if isinstance(item, kind):
                    return item
        raise self.closed_before(kind.__name__)

    async def wait_closed(self, timeout: float = 30.0) -> int | None:
        """Read (and drop) what is left until the server closes; the close code."""
        async with asyncio.timeout(timeout):
            while await self._next() is not None:
                pass
        return self.close_code

    async def say(self, text: str, timeout: float = 30.0) -> Reply:
        """Send typed ``text`` and return Hark's ``reply`` to it."""
        await self.send_text(text)
        return await self.wait_for(Reply, timeout)


@contextlib.asynccontextmanager
async def connect_voice(
    ws_url: str,
    *,
    api_key: str | None = None,
    ticket: str | None = None,
    origin: str | None = None,
    open_timeout: float = 10.0,
) -> AsyncIterator[VoiceConnection]:
    """Open ``ws_url`` (``ws[s]://host/v1/voice``) with an API key or a single-use ticket.

    A refused upgrade (a wrong key, a used or expired ticket, an origin not
    allowed, the rate limit) raises :class:`VoiceError` with its HTTP status.
    """
    url, headers = voice_target(ws_url, api_key, ticket)
    try:
        ws = await connect(
            url,
            additional_headers=headers,
            origin=origin,  # type: ignore[arg-type]
            max_size=None,
            open_timeout=open_timeout,
        )
    except InvalidStatus as exc:
        raise refused(exc) from None
    try:
        yield VoiceConnection(ws)
    finally:
        await ws.close()
