"""A small ``/v1/voice`` client on the real ``websockets`` library, for tests and benchmarks.

It records every server event with its arrival time (``time.perf_counter``)
and every audio byte, and streams caller audio on an absolute schedule:
with ``speed=1.0`` chunk *k* leaves at ``start + k * chunk_duration``, as a
microphone would deliver it (no drift from sleeping per chunk); a higher
``speed`` streams faster than real time where timing is not under test.

Every event is also read by the typed client's parser
(:func:`hark.client.parse_event`, kept as ``Received.typed``), so each voice
test checks that ``hark.client`` understands what the server really sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import websockets

from hark.client import ServerEvent, UnknownEvent, parse_event
from hark.voice.audio.codecs import encode


@dataclass
class Received:
    """One server message: a JSON event (``event``) or an audio frame (``audio`` bytes)."""

    at: float
    event: dict[str, Any] | None = None
    audio: bytes | None = None
    typed: ServerEvent | None = None

    @property
    def type(self) -> str:
        return self.event["type"] if self.event is not None else "<audio>"


@dataclass
class StreamReport:
    """When each chunk of a stream was sent (``perf_counter``), by sample offset."""

    started_at: float
    sample_rate: int
    sent: list[tuple[int, float]] = field(default_factory=list)  # (first sample index, time)

    def sent_at(self, sample_index: int) -> float:
        """When the chunk holding ``sample_index`` left (ideal time if beyond the stream)."""
        for first, at in reversed(self.sent):
            if first <= sample_index:
                return at
        return self.started_at


class VoiceClient:
    """A connected client; use ``async with VoiceClient.connect(url) as client``."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.received: list[Received] = []
        self._changed = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())
        self.closed_code: int | None = None
        self.failure: Exception | None = None  # an event hark.client could not read

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(cls, url: str, **kwargs: Any):
        async with websockets.connect(url, max_size=None, **kwargs) as ws:
            client = cls(ws)
            try:
                yield client
            finally:
                client._reader.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await client._reader

    async def _read(self) -> None:
        try:
            async for message in self.ws:
                now = time.perf_counter()
                if isinstance(message, bytes):
                    item = Received(now, audio=message)
                else:
                    typed = parse_event(message)  # ValueError if hark.client can't read it
                    assert not isinstance(typed, UnknownEvent), f"hark.client lacks {message}"
                    item = Received(now, event=json.loads(message), typed=typed)
                async with self._changed:
                    self.received.append(item)
                    self._changed.notify_all()
        except websockets.ConnectionClosed:
            pass
        except Exception as exc:
            self.failure = exc
        finally:
            self.closed_code = self.ws.close_code
            async with self._changed:
                self._changed.notify_all()

    # ------------------------------------------------------------------ sending
    async def send_json(self, message: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(message))

    async def start(
        self, sample_rate: int = 16000, encoding: str = "pcm_s16le", **extra: Any
    ) -> dict:
        """Send ``start`` and return the ``ready`` event."""
        mark = len(self.received)
        await self.send_json(
            {"type": "start", "sample_rate": sample_rate, "encoding": encoding, **extra}
        )
        return (await self.wait_for("ready", since=mark)).event or {}

    async def stream(
        self,
        samples: np.ndarray,
        sample_rate: int,
        *,
        encoding: str = "pcm_s16le",
        chunk_ms: int = 20,
        speed: float | None = 1.0,
    ) -> StreamReport:
        """Send int16 ``samples`` in ``chunk_ms`` chunks; ``speed`` None sends as fast as possible."""
        chunk = sample_rate * chunk_ms // 1000
        report = StreamReport(time.perf_counter(), sample_rate)
        for k, offset in enumerate(range(0, len(samples), chunk)):
            if speed is not None:
                due = report.started_at + k * chunk_ms / 1000.0 / speed
                delay = due - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
            report.sent.append((offset, time.perf_counter()))
            await self.ws.send(encode(samples[offset : offset + chunk], encoding))
        return report

    # ------------------------------------------------------------------ waiting
    async def wait_for(self, kind: str, *, since: int = 0, timeout: float = 10.0) -> Received:
        """The first ``kind`` event at index >= ``since`` (``"<audio>"`` for an audio frame)."""

        def find() -> Received | None:
            for item in self.received[since:]:
                if item.type == kind:
                    return item
            return None

        async with asyncio.timeout(timeout), self._changed:
            while (found := find()) is None:
                if self.failure is not None:
                    raise self.failure
                if self.closed_code is not None:
                    raise ConnectionError(
                        f"closed ({self.closed_code}) before {kind!r}: {self.types()}"
                    )
                await self._changed.wait()
            return found

    async def wait_closed(self, timeout: float = 10.0) -> int | None:
        async with asyncio.timeout(timeout), self._changed:
            while self.closed_code is None:
                await self._changed.wait()
        return self.closed_code

    def mark(self) -> int:
        """An index for ``since=``: only what arrives after this call."""
        return len(self.received)

    def events(self, since: int = 0) -> list[dict[str, Any]]:
        return [item.event for item in self.received[since:] if item.event is not None]

    def types(self, since: int = 0, *, audio: bool = False) -> list[str]:
        """Event types in order (audio frames collapsed to one ``<audio>`` per run if ``audio``)."""
        out: list[str] = []
        for item in self.received[since:]:
            if item.event is None and (not audio or (out and out[-1] == "<audio>")):
                continue
            out.append(item.type)
        return out

    def audio_bytes(self, since: int = 0) -> int:
        return sum(len(item.audio) for item in self.received[since:] if item.audio is not None)

    def index_of(self, item: Received) -> int:
        return next(i for i, other in enumerate(self.received) if other is item)
