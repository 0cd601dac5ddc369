"""A lean closed-loop load of typed conversations: raw HTTP/1.1 keep-alive sockets.

Why not httpx: on a 2-core node the load generator shares the cores with the
server it measures, and an httpx request costs about as much client CPU as a
Hark turn costs the server, so the measurement measured itself. Here each
conversation owns one keep-alive connection; its requests are byte strings
built once per conversation, and a reply is read by its ``Content-Length``
and judged by its status line alone (only the start of a conversation is
parsed, for its id). The client's own CPU per turn is measured and printed
beside the server's, so a reader can see it stays small.

Imported by ``typed_capacity.py`` (``make bench`` runs it as a script: nothing happens).
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass, field

LINES = (
    "do you have a travel mug",
    "how much is it",
    "add one to my cart",
    "what's in my cart",
    "what is your return policy",
    "do you ship internationally",
    "remove it from my cart",
    "what coffee grinders do you have",
)


class Dropped(Exception):
    """The server closed the connection (or sent something that is not HTTP)."""


@dataclass
class Window:
    """What happened between ``start`` and ``end`` (``time.perf_counter`` seconds)."""

    start: float
    end: float
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def _request(method: str, path: str, host: str, key: str, body: bytes) -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {key}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes, bool]:
    """Send one request, read its reply: ``(status, body, server keeps the connection)``."""
    writer.write(request)
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        raise Dropped(type(exc).__name__) from None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise Dropped("not HTTP")
    length, keep = 0, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
    try:
        body = await reader.readexactly(length) if length else b""
    except asyncio.IncompleteReadError:
        raise Dropped("IncompleteReadError") from None
    return int(parts[1]), body, keep


async def conversation(host: str, port: int, key: str, window: Window, gap: float = 0.0) -> None:
    """One caller: start a conversation, then each next line as soon as the reply came, or
    with ``gap``, ``gap`` seconds after the previous line was sent (at once if its reply
    came later than that): a caller who reads the reply and types."""
    hostport = f"{host}:{port}"
    reader, writer = await asyncio.open_connection(host, port)
    try:
        status, body, keep = await _exchange(
            reader, writer, _request("POST", "/v1/conversations", hostport, key, b"{}")
        )
        if status != 201:
            window.error(f"start {status}")
            return
        path = f"/v1/conversations/{json.loads(body)['conversation_id']}/turns"
        turns = [
            _request("POST", path, hostport, key, json.dumps({"text": line}).encode())
            for line in LINES
        ]
        n = 0
        due = time.perf_counter() + random.uniform(0, gap)  # callers do not type in step
        while True:
            if not keep:
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
            if gap:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                due = max(due + gap, time.perf_counter())
            sent = time.perf_counter()
            if sent >= window.end:
                return
            try:
                status, _body, keep = await _exchange(reader, writer, turns[n % len(turns)])
            except (Dropped, ConnectionError) as exc:
                window.error(f"{type(exc).__name__}: {exc}")
                keep = False
                continue
            done = time.perf_counter()
            n += 1
            if window.start <= done <= window.end:
                if status == 200:
                    window.latencies.append(done - sent)
                else:
                    window.error(str(status))
    finally:
        writer.close()


async def closed_loop(
    host: str,
    port: int,
    key: str,
    conversations: int,
    warm_s: float,
    seconds: float,
    rate: float | None = None,
) -> Window:
    """``conversations`` callers for ``warm_s`` + ``seconds``; the window is the last part.

    ``rate``: the turns per second all of them together send at most (each caller one
    every ``conversations / rate`` seconds); None: each sends as soon as it is answered."""
    start = time.perf_counter() + warm_s
    window = Window(start=start, end=start + seconds)
    gap = conversations / rate if rate else 0.0
    await asyncio.gather(
        *(conversation(host, port, key, window, gap) for _ in range(conversations))
    )
    return window
