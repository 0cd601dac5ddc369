"""One streamed chat-completions request, with deadlines a phone call can live with.

The ``openai`` client's iterator blocks on the socket, and a server can
answer its headers at once and then think for ten seconds. So the stream is
read in its own thread into a queue, and the planner's thread waits on that
queue with two clocks: the first token must come by ``first_token_at``
(after which the built-in skills answer instead), and the whole turn must
end by ``deadline``. A stream given up on is told to stop and closes itself
at its next chunk or its read timeout; nobody waits for it.

Text deltas are handed on as they come (so speech can start with the first
sentence); tool-call deltas are assembled by their ``index`` (the id and
name come once, the arguments in pieces) and handed on whole at the end.
Anything odd — an HTTP error, a broken or unparsable stream, a refusal, a
content filter — is an :class:`LlmFailure` with a short
``kind`` that can be logged without any of the text.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai import OpenAI

log = logging.getLogger("hark.dialogue.llm")

_POLL_S = 0.05  # how often a waiting planner looks at its cancel flag


class LlmFailure(Exception):
    """The LLM could not give a usable answer; ``kind`` says why (no caller text in it)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass
class ToolRequest:
    """One tool call as the model sent it, assembled from its deltas: a name and a JSON
    string, not yet validated (``llm_tools.execute`` turns it into a typed ``ToolCall``)."""

    id: str
    name: str
    arguments: str


@dataclass
class RoundResult:
    """What one request produced: its text (already handed on) and its tool calls."""

    text: str = ""
    tool_calls: list[ToolRequest] = field(default_factory=list)
    finish_reason: str | None = None


@dataclass
class _PartialCall:
    id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list)


class _Assembler:
    """Tool-call deltas by index: id and name once (some servers repeat them), arguments
    in pieces. A delta without an index (seen from some servers) continues the call
    with the same id, else the last one."""

    def __init__(self) -> None:
        self.calls: dict[int, _PartialCall] = {}
        self._last: int | None = None

    def add(self, delta: Any) -> None:
        index = getattr(delta, "index", None)
        call_id = getattr(delta, "id", None) or ""
        if index is None:
            index = next((i for i, c in self.calls.items() if call_id and c.id == call_id), None)
            if index is None:
                index = self._last if self._last is not None and not call_id else len(self.calls)
        call = self.calls.setdefault(index, _PartialCall())
        self._last = index
        if call_id and not call.id:
            call.id = call_id
        function = getattr(delta, "function", None)
        if function is None:
            return
        name = getattr(function, "name", None)
        if name and name != call.name:
            call.name = name if not call.name or name.startswith(call.name) else call.name + name
        arguments = getattr(function, "arguments", None)
        if arguments:
            call.arguments.append(arguments)

    def finish(self) -> list[ToolRequest]:
        out = []
        for number, (_, call) in enumerate(sorted(self.calls.items())):
            out.append(ToolRequest(call.id or f"call_{number}", call.name, "".join(call.arguments)))
        return out


class ChatStreamer:
    """Streamed chat completions through the ``openai`` client (any compatible server)."""

    def __init__(
        self, client: OpenAI, model: str, *, max_tokens: int = 300, temperature: float = 0.2
    ) -> None:
        self.client = client
        self.model = model
        self.max_tokens = max_tokens
        self.temperature = temperature

    def run(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        on_text: Callable[[str], bool],
        *,
        first_token_at: float,
        deadline: float,
        cancelled: Callable[[], bool] = lambda: False,
    ) -> RoundResult:
        """One request. ``on_text(delta)`` gets each text delta and returns False to stop
        reading (the reply is long enough). Raises :class:`LlmFailure`."""
        inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()
        reader = threading.Thread(
            target=self._read,
            args=(messages, tools, inbox, stop, max(0.05, deadline - time.monotonic())),
            name="hark-llm-stream",
            daemon=True,
        )
        reader.start()
        result = RoundResult()
        calls = _Assembler()
        texts: list[str] = []
        got_token = False
        try:
            reading = True
            while reading:
                waiting_for = "first_token_timeout" if not got_token else "timeout"
                until = first_token_at if not got_token else deadline
                kind, item = self._next(inbox, until, waiting_for, cancelled)
                if kind == "end":
                    break
                if kind == "error":
                    raise _as_failure(item)
                for choice in getattr(item, "choices", None) or []:
                    delta = choice.delta
                    if getattr(delta, "refusal", None):
                        raise LlmFailure("refusal")
                    if choice.finish_reason:
                        result.finish_reason = choice.finish_reason
                    content = getattr(delta, "content", None)
                    tool_deltas = getattr(delta, "tool_calls", None) or []
                    got_token = got_token or bool(content or tool_deltas)
                    for tool_delta in tool_deltas:
                        calls.add(tool_delta)
                    if content:
                        texts.append(content)
                        reading = on_text(content) and reading
        finally:
            stop.set()
        if result.finish_reason == "content_filter":
            raise LlmFailure("refusal", "content filter")
        result.text = "".join(texts)
        result.tool_calls = calls.finish()
        return result

    def _next(
        self,
        inbox: queue.Queue[tuple[str, Any]],
        until: float,
        timeout_kind: str,
        cancelled: Callable[[], bool],
    ) -> tuple[str, Any]:
        while True:
            if cancelled():
                raise LlmFailure("cancelled")
            left = until - time.monotonic()
            if left <= 0:
                raise LlmFailure(timeout_kind)
            try:
                return inbox.get(timeout=min(left, _POLL_S))
            except queue.Empty:
                continue

    def _read(
        self,
        messages: list[dict[str, Any]],
        tools: list[dict[str, Any]],
        inbox: queue.Queue[tuple[str, Any]],
        stop: threading.Event,
        timeout_s: float,
    ) -> None:
        """The reader thread: chunks into ``inbox`` until the end, an error or ``stop``."""
        try:
            create: Any = self.client.chat.completions.create
            stream = create(
                model=self.model,
                messages=messages,
                tools=tools,
                stream=True,
                temperature=self.temperature,
                max_tokens=self.max_tokens,
                timeout=timeout_s,
            )
            with stream:
                for chunk in stream:
                    if stop.is_set():
                        return
                    inbox.put(("chunk", chunk))
            inbox.put(("end", None))
        except Exception as exc:  # handed to the planner's thread, which decides
            inbox.put(("error", exc))


def _as_failure(exc: BaseException) -> LlmFailure:
    """An exception from the client as a failure kind (never its message: it may quote text)."""
    import openai

    if isinstance(exc, LlmFailure):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return LlmFailure("timeout")
    if isinstance(exc, openai.APIStatusError):
        return LlmFailure("http_error", str(exc.status_code))
    if isinstance(exc, openai.APIConnectionError):
        return LlmFailure("connection")
    return LlmFailure("bad_stream", type(exc).__name__)
