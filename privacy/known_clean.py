"""Strings already found to hold nothing to redact, so a log line that repeats is read once.

Why: every log line passes the redacting filter, and most lines repeat word
for word ("POST /v1/conversations/{conversation_id}/turns 200"), yet a line with
digits in it takes the whole redaction pipeline (about 0.1 ms), as does checking
a request id. Only strings the redactor left untouched are remembered, so no
personal data it can recognise is kept in memory; short ones only, a bounded
number (the set is emptied when full), and the set starts again when the day or
the phone region changes, since both take part in recognising dates and numbers.
"""

from __future__ import annotations

import datetime as dt
import threading

from hark.privacy.phones import current_region

LONGEST = 256
"""Longer strings are free text more than a repeated line: they are not remembered."""


class KnownClean:
    """A bounded set of strings redaction has nothing to say about (for one day and region)."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self._strings: set[str] = set()
        self._context: tuple[dt.date, str] | None = None
        self._lock = threading.Lock()

    def __contains__(self, text: str) -> bool:
        return text in self._strings and self._context == _context()

    def add(self, text: str) -> None:
        """Remember ``text``, which redaction has just left as it was."""
        if len(text) > LONGEST:
            return
        context = _context()
        with self._lock:
            if context != self._context or len(self._strings) >= self.limit:
                self._strings = set()
                self._context = context
            self._strings.add(text)


def _context() -> tuple[dt.date, str]:
    return dt.date.today(), current_region()
