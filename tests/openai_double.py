"""TEST DOUBLE: a scripted OpenAI-compatible chat-completions server on loopback.

Real HTTP and real server-sent events, so the real ``openai`` client and
Hark's real stream handling are exercised; only the model is scripted. Each
request takes the next entry of the script (the last one repeats) and every
request body is recorded, so tests can check what was sent (no personal
data) and what the planner did with the answers.

Script entries (or a function of the request body that returns one):

* :class:`Say`: stream a text answer in pieces.
* :class:`Call`: stream tool calls, their arguments split across deltas.
* :class:`QuoteTool`: stream an answer that repeats the last tool result
  (a model that reports what its tool found).
* :class:`Refuse`: a refusal delta.
* :class:`Status`: an HTTP error status.
* :class:`Garbage`: a 200 stream of bytes that are not server-sent JSON.
* :class:`Stall`: headers at once, then nothing for a while.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Say:
    text: str
    pieces: int | list[str] = 4  # how many deltas, or the deltas themselves
    first_delay_s: float = 0.0
    gap_s: float = 0.0


@dataclass
class Call:
    calls: list[tuple[str, Any]]  # (tool name, arguments as a dict or a raw string)
    pieces: int = 3
    text_before: str = ""
    first_delay_s: float = 0.0


@dataclass
class QuoteTool:
    prefix: str = "Here is what I found. "
    first_delay_s: float = 0.0
    gap_s: float = 0.0


@dataclass
class Refuse:
    """A refusal delta, as OpenAI's models send when they decline."""

    refusal: str = "I can't help with that."


@dataclass
class Status:
    code: int = 500


@dataclass
class Garbage:
    body: bytes = b"data: {not json at all\n\ndata: ]]]\n\n"


@dataclass
class Stall:
    seconds: float = 5.0


Entry = Say | Call | QuoteTool | Refuse | Status | Garbage | Stall
Responder = Callable[[dict[str, Any]], Entry]  # picks the entry from the request body


@dataclass
class ScriptedLLM:
    """The server. ``url`` is the base URL for ``HARK_LLM_BASE_URL``."""

    script: list[Entry | Responder]
    requests: list[dict[str, Any]] = field(default_factory=list)
    request_times: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                with outer._lock:
                    outer.requests.append(body)
                    outer.request_times.append(time.perf_counter())
                    index = min(len(outer.requests) - 1, len(outer.script) - 1)
                    entry = outer.script[index]
                if callable(entry):
                    entry = entry(body)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    outer._answer(self, entry, body)

            def log_message(self, *args: Any) -> None:
                pass

        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> ScriptedLLM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sent_text(self) -> str:
        """Everything every request carried, as one string (for "was X ever sent?")."""
        return json.dumps(self.requests)

    # --- answers ---------------------------------------------------------------
    def _answer(self, handler: BaseHTTPRequestHandler, entry: Entry, body: dict[str, Any]) -> None:
        if isinstance(entry, Status):
            payload = json.dumps({"error": {"message": "scripted failure"}}).encode()
            handler.send_response(entry.code)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            handler.wfile.write(payload)
            return
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Cache-Control", "no-cache")
        handler.send_header("Connection", "close")
        handler.end_headers()
        if isinstance(entry, Garbage):
            handler.wfile.write(entry.body)
            handler.wfile.flush()
            return
        if isinstance(entry, Stall):
            handler.wfile.write(_event(_chunk(body, {"role": "assistant"})))
            handler.wfile.flush()
            time.sleep(entry.seconds)
            return
        for delay, chunk in self._chunks(entry, body):
            if delay:
                time.sleep(delay)
            handler.wfile.write(_event(chunk))
            handler.wfile.flush()
        handler.wfile.write(b"data: [DONE]\n\n")
        handler.wfile.flush()

    def _chunks(self, entry: Entry, body: dict[str, Any]) -> Iterator[tuple[float, dict]]:
        yield 0.0, _chunk(body, {"role": "assistant", "content": ""})
        if isinstance(entry, QuoteTool):
            entry = Say(
                entry.prefix + _last_tool_result(body),
                first_delay_s=entry.first_delay_s,
                gap_s=entry.gap_s,
            )
        if isinstance(entry, Refuse):
            yield 0.0, _chunk(body, {"refusal": entry.refusal})
            yield 0.0, _chunk(body, {}, finish="stop")
            return
        if isinstance(entry, Say):
            parts = entry.pieces if isinstance(entry.pieces, list) else None
            for i, piece in enumerate(parts or _split(entry.text, int(entry.pieces))):
                yield (
                    (entry.first_delay_s if i == 0 else entry.gap_s),
                    _chunk(body, {"content": piece}),
                )
            yield 0.0, _chunk(body, {}, finish="stop")
            return
        assert isinstance(entry, Call)
        delay = entry.first_delay_s
        if entry.text_before:
            yield delay, _chunk(body, {"content": entry.text_before})
            delay = 0.0
        for index, (name, arguments) in enumerate(entry.calls):
            raw = arguments if isinstance(arguments, str) else json.dumps(arguments)
            parts = _split(raw, entry.pieces) or [""]
            first = {
                "index": index,
                "id": f"call_{len(self.requests)}_{index}",
                "type": "function",
                "function": {"name": name, "arguments": parts[0]},
            }
            yield delay, _chunk(body, {"tool_calls": [first]})
            delay = 0.0
            for part in parts[1:]:
                yield (
                    0.0,
                    _chunk(
                        body, {"tool_calls": [{"index": index, "function": {"arguments": part}}]}
                    ),
                )
        yield 0.0, _chunk(body, {}, finish="tool_calls")


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-scripted",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": body.get("model", "scripted"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _event(chunk: dict) -> bytes:
    return f"data: {json.dumps(chunk)}\n\n".encode()


def _split(text: str, pieces: int) -> list[str]:
    if not text:
        return []
    size = max(1, -(-len(text) // max(1, pieces)))
    return [text[i : i + size] for i in range(0, len(text), size)]


def _last_tool_result(body: dict[str, Any]) -> str:
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "tool":
            try:
                return str(json.loads(message["content"]).get("result", ""))
            except (ValueError, AttributeError):
                return str(message.get("content", ""))
    return ""
