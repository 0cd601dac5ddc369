"""Keep credentials out of log lines, whoever writes them.

Hark never logs a key, but libraries under it may: at DEBUG level the
WebSocket server prints request headers (``authorization: Bearer ...``) and
the server logs a socket's path with its query (``/v1/voice?ticket=...``),
and a kiosk's browser sends its enrolment cookie (``hark-kiosk=...``) with its
requests. This filter sits on Hark's log handler next to the PII redaction and
masks all three, so raising the log level never leaks a credential.
"""

from __future__ import annotations

import logging
import re

_SECRETS = re.compile(
    r"(?P<keep>\b(?:bearer|basic)\s+|[?&]ticket=|\bx-api-key:\s*|\bhark-kiosk=)"
    r"(?P<secret>[^\s&\"',;]+)",
    re.IGNORECASE,
)


def mask_credentials(text: str) -> str:
    """``Authorization: Bearer abc`` -> ``Authorization: Bearer ***``; ``?ticket=x`` ->
    ``?ticket=***``; ``Cookie: __Host-hark-kiosk=x`` -> ``Cookie: __Host-hark-kiosk=***``."""
    return _SECRETS.sub(lambda m: f"{m.group('keep')}***", text)


class CredentialFilter(logging.Filter):
    """A logging filter (install on handlers) that masks bearer tokens and tickets."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the line
            message = str(record.msg)
        masked = mask_credentials(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
