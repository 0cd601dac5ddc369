"""Every log record passes here before it is written: personal data out, ids intact.

Install it on handlers (not loggers) so records from every library pass
through it: ``handler.addFilter(RedactingFilter())``. The message, string
extras (nested ones too) and exception text are redacted; fields that hold
identifiers (``request_id``, ``conversation_id``, anything ending in ``_id``)
are validated instead (:mod:`hark.privacy.identifiers`), so they are logged
exactly as they are, or as ``[invalid id]``, never half-rewritten.
"""

from __future__ import annotations

import logging
import traceback

from hark.privacy.identifiers import loggable_id
from hark.privacy.known_clean import KnownClean
from hark.privacy.redact import redact

_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("x", 0, "x", 0, "x", None, None))) | {
    "message",
    "asctime",
}
_MAX_DEPTH = 4
_CLEAN = KnownClean()


def _redacted(text: str) -> str:
    """``redact(text).text``, without redacting again a line already found clean."""
    if text in _CLEAN:
        return text
    redacted = redact(text).text
    if redacted == text:
        _CLEAN.add(text)
    return redacted


def is_id_field(key: str) -> bool:
    return key == "id" or key.endswith("_id")


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the message, its arguments, extras and tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the log line
            message = str(record.msg)
        redacted = _redacted(message)
        if redacted != message or record.args:
            record.msg = redacted
            record.args = None
        for key, value in list(vars(record).items()):
            if key in _STANDARD_ATTRS or key.startswith("_"):
                continue
            if is_id_field(key):
                setattr(record, key, loggable_id(key, value))
            elif isinstance(value, str):
                setattr(record, key, _redacted(value))
            elif isinstance(value, dict | list | tuple):
                setattr(record, key, _redact_obj(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        if record.exc_text:
            record.exc_text = redact(record.exc_text).text
        if record.stack_info:
            record.stack_info = redact(record.stack_info).text
        return True


def _redact_obj(value: object, depth: int = 0) -> object:
    if depth > _MAX_DEPTH:
        return "[nested too deep]"
    if isinstance(value, str):
        return _redacted(value)
    if isinstance(value, dict):
        return {
            k: loggable_id(k, v)
            if isinstance(k, str) and is_id_field(k)
            else _redact_obj(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_obj(v, depth + 1) for v in value]
    if isinstance(value, tuple):
        return tuple(_redact_obj(v, depth + 1) for v in value)
    return value
