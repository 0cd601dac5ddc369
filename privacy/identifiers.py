"""Identifiers from outside: kept exactly as they are when valid, never logged when not.

Redacting an id would damage it (a hex conversation id with ten digits in a
row once came out as ``81e2485e9c6c4b[phone]afd147e3``, so its log lines
could no longer be matched to the conversation). Ids are validated instead:
a valid one is used verbatim, an invalid one is not used or logged at all.
An id is valid when it has the shape of an id (letters, digits and ``._:-``,
at most 64 characters) and holds no personal data (a card number is not an
id, whatever shape it has).
"""

from __future__ import annotations

import re

from hark.privacy.known_clean import KnownClean

CONVERSATION_ID_RE = re.compile(r"[0-9a-f]{32}")
SAFE_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
CHANNEL_RE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
INVALID = "[invalid id]"
_SAFE = KnownClean()


def is_conversation_id(value: object) -> bool:
    """The shape Hark gives conversation ids (``uuid4().hex``)."""
    return isinstance(value, str) and CONVERSATION_ID_RE.fullmatch(value) is not None


def is_safe_id(value: object) -> bool:
    """An id-shaped string with no personal data in it (request ids, session ids, ...).

    A request's id is checked for every line it logs: one found safe is remembered
    (:mod:`hark.privacy.known_clean`), so the redactor reads it once."""
    if not isinstance(value, str) or SAFE_ID_RE.fullmatch(value) is None:
        return False
    if is_conversation_id(value) or value in _SAFE:
        return True
    from hark.privacy.redact import redact

    if redact(value).found or redact(value.replace("-", " ").replace(".", " ")).found:
        return False
    _SAFE.add(value)
    return True


def is_channel(value: object) -> bool:
    """A channel name: lower-case letters, digits, ``_`` and ``-``; no personal data."""
    return isinstance(value, str) and CHANNEL_RE.fullmatch(value) is not None and is_safe_id(value)


def loggable_id(key: str, value: object) -> object:
    """``value`` as it may appear in a log field named ``key``: itself, or ``[invalid id]``."""
    if not isinstance(value, str):
        return value
    if key == "conversation_id":
        return value if is_conversation_id(value) else INVALID
    return value if is_safe_id(value) else INVALID
