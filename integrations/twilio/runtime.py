"""The Twilio endpoints' moving parts for one app: what tests swap and what must be cleaned up."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from hark.integrations.twilio import twiml
from hark.integrations.twilio.transfer import CallMover, RestCallMover


@dataclass
class TwilioRuntime:
    """Per-app state: the REST mover, timeouts, and the live media streams (for cleanup checks)."""

    mover: CallMover
    retry_wait_s: float = 10.0  # a retried webhook waits this long for the first one's answer
    start_timeout_s: float = 10.0  # a media stream that sends no ``start`` is closed after this
    keypad_pause_s: float = 2.5  # keys on a stream end an entry after this pause (or with #)
    text_thread_s: float = 30 * 60  # a text after this much quiet starts a new conversation
    streams: set[Any] = field(default_factory=set)  # open MediaStream objects
    _background: set[asyncio.Task[Any]] = field(default_factory=set, repr=False)
    _hints: tuple[int, str] | None = field(default=None, repr=False)

    def keep(self, task: asyncio.Task[Any]) -> None:
        """Hold a fire-and-forget task until it ends (asyncio keeps only weak references)."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    @property
    def background(self) -> set[asyncio.Task[Any]]:
        return self._background

    def hints(self, dialogue: Any) -> str:
        """Speech hints from the shop's product names, rebuilt when the catalog changes."""
        knowledge = dialogue.knowledge()
        if self._hints is None or self._hints[0] != id(knowledge):
            names = sorted(p.name for p in knowledge.products.values())
            self._hints = (id(knowledge), twiml.speech_hints(names))
        return self._hints[1]


def configure_twilio(app: FastAPI, **options: Any) -> TwilioRuntime:
    """Build (or rebuild) the runtime; production uses the defaults, tests pass their own."""
    options.setdefault("mover", RestCallMover(app.state.settings))
    runtime = TwilioRuntime(**options)
    app.state.twilio = runtime
    return runtime


def runtime_for(app: FastAPI) -> TwilioRuntime:
    runtime = getattr(app.state, "twilio", None)
    return runtime if runtime is not None else configure_twilio(app)
