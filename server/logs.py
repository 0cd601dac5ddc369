"""Structured logs that carry the request and conversation ids.

Every line is one JSON object (or plain text for humans) with ``request_id``
and ``conversation_id`` taken from context variables, so a single turn can be
followed across the HTTP layer, the brain and the voice pipeline. A redacting
filter sits on the handler so PII never reaches a log line, whoever logs it.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any

from hark.privacy.redact import RedactingFilter
from hark.runtime.log_context import ContextFilter
from hark.server.log_secrets import CredentialFilter

_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}
#: Loggers of libraries that write raw wire data (WebSocket frames, HTTP bodies) at DEBUG.
WIRE_LOGGERS = (
    "uvicorn.error",
    "uvicorn.protocols",
    "websockets",
    "httpcore",
    "httpcore2",
    "httpx",
    "httpx2",
    "openai",
    "hpack",
    "multipart",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and value is not None and not key.startswith("_"):
                payload[key] = value
        if record.exc_text:  # already formatted and redacted by the RedactingFilter
            payload["exc"] = record.exc_text
        elif record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        base = super().format(record)
        ids = [
            f"{k}={getattr(record, k)}"
            for k in ("request_id", "conversation_id")
            if getattr(record, k, None)
        ]
        return f"{base} [{' '.join(ids)}]" if ids else base


def resolve_format(fmt: str, stream: Any) -> str:
    """``auto`` means readable lines for a person at a terminal, JSON for a collector."""
    if fmt != "auto":
        return fmt
    isatty = getattr(stream, "isatty", None)
    return "text" if callable(isatty) and isatty() else "json"


def configure_logging(level: str = "INFO", fmt: str = "auto", stream: Any = None) -> None:
    """Install Hark's handler on the root logger (idempotent)."""
    root = logging.getLogger()
    stream = stream or sys.stderr
    fmt = resolve_format(fmt, stream)
    for handler in list(root.handlers):
        if getattr(handler, "_hark", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream)
    handler._hark = True  # type: ignore[attr-defined]
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter())
    handler.addFilter(CredentialFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Protocol libraries dump raw frames and bodies at DEBUG, cut to a few dozen characters:
    # a card number cut in half can't be recognised, so they never log below INFO.
    floor = max(logging.getLevelName(level.upper()), logging.INFO)
    for name in WIRE_LOGGERS:
        logging.getLogger(name).setLevel(floor)
    for name in ("uvicorn.access",):
        logging.getLogger(name).propagate = True
