"""The ids every log line carries: which request, which conversation.

Context variables, so an id bound once at the edge (an HTTP request, a
voice session, an Alexa turn) reaches every line logged below it, in any
layer, without being passed around. The formatting and the redacting
filter are assembled by the server (:mod:`hark.server.logs`).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "request_id", default=None
)
conversation_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "conversation_id", default=None
)


class ContextFilter(logging.Filter):
    """Stamps the bound ids on each record (an explicit ``extra`` id wins)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "conversation_id", None) is None:
            record.conversation_id = conversation_id_var.get()
        return True


@contextmanager
def log_context(**values: str | None) -> Iterator[None]:
    """Bind ids (``conversation_id=...``) for everything logged inside the block."""
    tokens: list[tuple[contextvars.ContextVar[str | None], contextvars.Token[str | None]]] = []
    if "request_id" in values:
        tokens.append((request_id_var, request_id_var.set(values["request_id"])))
    if "conversation_id" in values:
        tokens.append((conversation_id_var, conversation_id_var.set(values["conversation_id"])))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
