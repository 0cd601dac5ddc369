"""A simulated Twilio for tests: TEST DOUBLE of Twilio's side of the wire.

It does what Twilio does to a Hark server, over real HTTP and WebSocket on
loopback, and signs every request with the Auth Token the way Twilio does
(the helper library's ``RequestValidator.compute_signature``) over the
*public* URL (``PUBLIC``, as if behind a tunnel) while connecting to the
local server:

* ``SimTwilio.post(path, params)``: a webhook (form POST); ``.follow(url)``
  turns an absolute TwiML URL back into a request to the local server.
* ``SimTwilio.stream(...)``: a Media Streams connection (``SimStream``) that
  sends ``connected``/``start``/``media``/``dtmf``/``stop`` and plays Hark's
  audio like a phone: frames play at real time in arrival order, a ``mark``
  is echoed when the audio before it has played, ``clear`` drops what has
  not played yet and echoes pending marks at once (as Twilio documents).
* ``RestRecorder``: Twilio's REST API for the call update, recording each
  request (a real HTTP server on loopback; ``HARK_TWILIO_API_BASE_URL``
  points at it).
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import numpy as np
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from twilio.request_validator import RequestValidator

from hark.voice.audio.codecs import mulaw_decode, mulaw_encode

PUBLIC = "https://hark.example.test"
TOKEN = "test-auth-token-0123456789abcdef"
ACCOUNT = "AC" + "1" * 32
AGENT = "+15550009999"


def sid(prefix: str) -> str:
    return prefix + uuid.uuid4().hex


def sign(url: str, params: dict[str, str] | None, token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params or {})


class SimTwilio:
    """Twilio's webhooks and media streams against one local server."""

    def __init__(self, local_url: str, *, token: str = TOKEN, public: str = PUBLIC) -> None:
        self.local_url = local_url.rstrip("/")
        self.token = token
        self.public = public

    async def post(
        self, path: str, params: dict[str, str], *, signature: str | None = "auto"
    ) -> httpx.Response:
        """POST ``path`` (with its query) as Twilio would, signed over the public URL."""
        headers = {}
        if signature == "auto":
            signature = sign(self.public + path, params, self.token)
        if signature is not None:
            headers["X-Twilio-Signature"] = signature
        async with httpx.AsyncClient(timeout=60) as client:
            return await client.post(self.local_url + path, data=params, headers=headers)

    async def follow(self, url: str, params: dict[str, str]) -> httpx.Response:
        """Request an absolute URL from TwiML (it must be on the public base)."""
        assert url.startswith(self.public), url
        return await self.post(url[len(self.public) :], params)

    def stream(self, **kwargs: Any) -> SimStream:
        return SimStream(self, **kwargs)


@dataclass
class Played:
    frames: list[bytes] = field(default_factory=list)  # μ-law frames actually played
    marks_echoed: list[str] = field(default_factory=list)
    clears: int = 0


class SimStream:
    """One bidirectional Media Stream, played like a phone (see the module docstring)."""

    def __init__(
        self,
        sim: SimTwilio,
        *,
        call_sid: str,
        params: dict[str, str],
        signature: str | None = "auto",
    ) -> None:
        self.sim = sim
        self.call_sid = call_sid
        self.stream_sid = sid("MZ")
        self.params = params
        self.signature = signature
        self.seq = 0
        self.chunk = 0
        self.ws: Any = None
        self.received: list[dict[str, Any]] = []
        self.played = Played()
        self._queue: list[tuple[float, bytes]] = []  # (start time, frame) not yet played
        self._pending_marks: list[tuple[float, str]] = []
        self._play_end = 0.0
        self._reader: asyncio.Task[None] | None = None
        self._player: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()
        self.closed = asyncio.Event()
        self.close_code: int | None = None

    async def __aenter__(self) -> SimStream:
        url = self.sim.local_url.replace("http://", "ws://") + "/twilio/media"
        public = self.sim.public.replace("https://", "wss://") + "/twilio/media"
        headers = {}
        if self.signature == "auto":
            headers["X-Twilio-Signature"] = sign(public, None, self.sim.token)
        elif self.signature is not None:
            headers["X-Twilio-Signature"] = self.signature
        self.ws = await websockets.connect(url, additional_headers=headers, max_size=None)
        self._reader = asyncio.create_task(self._read())
        self._player = asyncio.create_task(self._play())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        for task in (self._reader, self._player):
            if task is not None:
                task.cancel()
        await self.ws.close()

    # --- Twilio -> Hark ----------------------------------------------------------------
    async def send(self, message: dict[str, Any], *, numbered: bool = True) -> None:
        if numbered:
            self.seq += 1
            message = {"sequenceNumber": str(self.seq), **message}
        async with self._lock:
            await self.ws.send(json.dumps(message))

    async def raw(self, data: str | bytes) -> None:
        async with self._lock:
            await self.ws.send(data)

    async def start(self) -> None:
        await self.send(
            {"event": "connected", "protocol": "Call", "version": "1.0.0"}, numbered=False
        )
        await self.send(
            {
                "event": "start",
                "start": {
                    "accountSid": ACCOUNT,
                    "streamSid": self.stream_sid,
                    "callSid": self.call_sid,
                    "tracks": ["inbound"],
                    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1},
                    "customParameters": self.params,
                },
                "streamSid": self.stream_sid,
            }
        )

    async def media(self, mulaw: bytes) -> None:
        self.chunk += 1
        await self.send(
            {
                "event": "media",
                "media": {
                    "track": "inbound",
                    "chunk": str(self.chunk),
                    "timestamp": str(self.chunk * 20),
                    "payload": base64.b64encode(mulaw).decode(),
                },
                "streamSid": self.stream_sid,
            }
        )

    async def speak(self, samples_8k: np.ndarray, *, realtime: bool = True) -> None:
        """Caller audio (int16 at 8 kHz) as 20 ms frames, paced like a phone when ``realtime``."""
        data = mulaw_encode(samples_8k.astype(np.int16))
        started = time.perf_counter()
        for index, offset in enumerate(range(0, len(data), 160)):
            await self.media(data[offset : offset + 160].ljust(160, b"\xff"))
            if realtime:
                delay = started + (index + 1) * 0.02 - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)

    async def silence(self, seconds: float, *, realtime: bool = True) -> None:
        await self.speak(np.zeros(int(seconds * 8000), np.int16), realtime=realtime)

    async def dtmf(self, keys: str) -> None:
        for key in keys:
            await self.send(
                {
                    "event": "dtmf",
                    "streamSid": self.stream_sid,
                    "dtmf": {"track": "inbound_track", "digit": key},
                }
            )

    async def stop(self) -> None:
        await self.send(
            {
                "event": "stop",
                "stop": {"accountSid": ACCOUNT, "callSid": self.call_sid},
                "streamSid": self.stream_sid,
            }
        )

    # --- Hark -> Twilio, played like a phone ------------------------------------------
    async def _read(self) -> None:
        try:
            async for raw in self.ws:
                message = json.loads(raw)
                self.received.append(message)
                assert message.get("streamSid") == self.stream_sid, message
                event = message["event"]
                now = time.perf_counter()
                if event == "media":
                    frame = base64.b64decode(message["media"]["payload"])
                    start = max(now, self._play_end)
                    self._play_end = start + len(frame) / 8000
                    self._queue.append((start, frame))
                elif event == "mark":
                    self._pending_marks.append((max(now, self._play_end), message["mark"]["name"]))
                elif event == "clear":
                    self.played.clears += 1
                    self._settle(now)
                    self._queue.clear()
                    self._play_end = now
                    marks, self._pending_marks = self._pending_marks, []
                    for _, name in marks:  # Twilio echoes pending marks on a clear
                        await self.send(
                            {"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}}
                        )
        except websockets.ConnectionClosed as exc:
            self.close_code = exc.rcvd.code if exc.rcvd else None
        finally:
            self.close_code = self.close_code or (self.ws.close_code if self.ws else None)
            self.closed.set()

    def _settle(self, now: float) -> None:
        while self._queue and self._queue[0][0] <= now:
            self.played.frames.append(self._queue.pop(0)[1])

    async def _play(self) -> None:
        while True:
            await asyncio.sleep(0.01)
            now = time.perf_counter()
            self._settle(now)
            while self._pending_marks and self._pending_marks[0][0] <= now:
                _, name = self._pending_marks.pop(0)
                self.played.marks_echoed.append(name)
                await self.send(
                    {"event": "mark", "streamSid": self.stream_sid, "mark": {"name": name}}
                )

    # --- what the test looks at --------------------------------------------------------
    def events(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.received if m["event"] == kind]

    async def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:
        deadline = time.perf_counter() + timeout
        while not predicate():
            if time.perf_counter() > deadline:
                raise AssertionError(
                    f"timed out; received: {[m['event'] for m in self.received][-20:]}"
                )
            await asyncio.sleep(0.02)

    async def wait_quiet(self, timeout: float = 30.0) -> None:
        """Until everything Hark sent has played and every mark has come back."""
        await self.wait_for(
            lambda: (
                not self._queue
                and not self._pending_marks
                and self._play_end <= time.perf_counter()
            ),
            timeout,
        )

    def heard_pcm(self) -> np.ndarray:
        return mulaw_decode(b"".join(self.played.frames))


class RestRecorder:
    """Twilio's REST API as far as a call update goes: records requests, answers like Twilio."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = False
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["GET", "POST"])])

    async def _handle(self, request: Request) -> JSONResponse:
        body = (await request.body()).decode()
        self.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "form": dict(parse_qsl(body, keep_blank_values=True)),
                "authorization": request.headers.get("authorization", ""),
            }
        )
        if self.fail:
            return JSONResponse(
                {"code": 20500, "message": "simulated outage", "status": 500}, status_code=500
            )
        call_sid = urlsplit(str(request.url)).path.rsplit("/", 1)[-1].removesuffix(".json")
        return JSONResponse({"sid": call_sid, "account_sid": ACCOUNT, "status": "in-progress"})
