"""How a voice session answers a caller who takes turns faster than they may.

Each turn on an open socket (a typed ``text`` and each spoken utterance) asks the
gate the server gave the session (the key's and the address's rate limit, and a
per-session turn rate). Over the limit, the turn is dropped and the client gets an
``error`` (``rate_limited``); a client that goes on while still limited is closed
with 1008 (policy violation). A turn that is allowed again forgives the warning.
The gate lives in the server layer (it knows keys and addresses); this module only
keeps the session's side of the rule.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

TurnGate = Callable[[], "int | None"]
"""Counts one turn: None when it may run, else the whole seconds until one may."""

POLICY_VIOLATION = 1008


class TurnVerdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # dropped, with an error event
    CLOSE = "close"  # dropped, and the socket is closed (1008)


class TurnLimit:
    """One session's turn limit (no gate: every turn is allowed)."""

    def __init__(self, gate: TurnGate | None = None) -> None:
        self.gate = gate
        self._warned = False
        self.wait_s = 0

    def check(self) -> TurnVerdict:
        wait = self.gate() if self.gate is not None else None
        if wait is None:
            self._warned = False
            return TurnVerdict.ALLOW
        self.wait_s = wait
        if self._warned:
            return TurnVerdict.CLOSE
        self._warned = True
        return TurnVerdict.WARN
