"""Speculative turns: the brain answers before the caller has surely finished,
and only an answer that stands is kept.

A voice channel knows the caller's words a few hundred milliseconds before
it is sure they have stopped talking (recognition starts at the first
silent frame, the end-of-speech hangover confirms it later). Computing the
reply in that gap hides the brain and the first sentence's synthesis, but
the caller may go on talking, so the reply must not exist anywhere until
the end is confirmed. Two steps:

* ``speculate`` runs the real ``DialogueManager.turn`` (same code, same
  reads, same writes, same skills) inside ``rollback_only``: every unit of
  work it opens is rolled back, so no turn is stored, no cart or order
  changes, and the manager writes no ``turn`` log line. What comes back is
  the reply (without a stored turn id) plus the optional LLM planner's
  answers, recorded with the exact request each one answered. A speculation
  that is thrown away therefore needs no undo: there is nothing to undo.
* ``commit`` runs the turn again, for real, under the conversation's lock,
  with the planner's recorded answers replayed for identical requests (an
  LLM is neither asked twice nor allowed to answer differently the second
  time). The turn is deterministic in its inputs (the stored conversation,
  the shop's rows, the text, today's date, the planner's answers), so when
  nothing changed in between the committed reply *is* the speculative one,
  and ``Committed.matched`` says so after comparing them field by field.
  When something did change (a barge-in's ``mark_interrupted`` landed,
  another channel changed the cart, the catalogue was re-imported), the
  committed reply is the one computed on the new state, exactly what a
  non-speculative turn would have given, and ``matched`` is False: the
  caller then hears the committed reply, never the stale one.

Replaying costs one more brain turn (a few milliseconds without an LLM, see
``bench/turn_latency.py``) after the hangover, instead of holding a database
transaction and the conversation's lock open across it: an open write
transaction would block every other conversation's writes on SQLite, and
worker threads with them. A PostgreSQL sequence may skip the ids a
rolled-back speculation drew; no row refers to them.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from hark.dialogue.llm import Planner, PlannerRequest
from hark.skills.reply import Reply
from hark.store.db import rollback_only

if TYPE_CHECKING:
    from hark.dialogue.manager import DialogueManager


@dataclass(frozen=True)
class PlannerCall:
    """One planner answer and the exact request it answered (a deep copy)."""

    request: PlannerRequest
    answer: str | None


@dataclass(frozen=True)
class Speculation:
    """A reply computed without committing anything; ``reply.turn_id`` is ``None``."""

    conversation_id: str
    text: str
    reply: Reply
    planner_calls: tuple[PlannerCall, ...] = ()


@dataclass(frozen=True)
class Committed:
    """The stored turn's reply, and whether it is the speculation's reply."""

    reply: Reply
    matched: bool


@dataclass
class _Run:
    """What the turn running in this context records or replays."""

    speculative: bool
    replay: list[PlannerCall] = field(default_factory=list)
    calls: list[PlannerCall] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_RUN: ContextVar[_Run | None] = ContextVar("hark_speculative_run", default=None)


def speculating() -> bool:
    """True inside ``speculate``: the manager keeps quiet (no ``turn`` log line)."""
    run = _RUN.get()
    return run is not None and run.speculative


def planner_for_turn(planner: Planner | None) -> Planner | None:
    """The planner a turn should ask: the real one, or one that records (speculation)
    or replays recorded answers (commit). Outside either, ``planner`` itself."""
    run = _RUN.get()
    if planner is None or run is None:
        return planner
    return _RecordingPlanner(planner, run)


class _RecordingPlanner:
    """Answers from the replay list for an identical request, else asks ``planner``."""

    def __init__(self, planner: Planner, run: _Run) -> None:
        self._planner = planner
        self._run = run

    def answer(self, request: PlannerRequest) -> str | None:
        with self._run.lock:
            for index, call in enumerate(self._run.replay):
                if call.request == request:
                    del self._run.replay[index]
                    self._run.calls.append(call)
                    return call.answer
        answer = self._planner.answer(request)
        with self._run.lock:
            self._run.calls.append(PlannerCall(copy.deepcopy(request), answer))
        return answer


@contextmanager
def _running(run: _Run) -> Iterator[_Run]:
    token = _RUN.set(run)
    try:
        yield run
    finally:
        _RUN.reset(token)


def speculate(manager: DialogueManager, conversation_id: str, text: str) -> Speculation:
    """Compute the reply to ``text`` and commit nothing (see the module docstring).

    Raises what ``turn`` raises (``ConversationNotFound``, ``InvalidUtterance``).
    """
    with _running(_Run(speculative=True)) as run, rollback_only():
        reply = manager.turn(conversation_id, text)
    return Speculation(
        conversation_id=str(conversation_id),
        text=text,
        reply=replace(reply, turn_id=None),  # that row was rolled back
        planner_calls=tuple(run.calls),
    )


def commit(
    manager: DialogueManager, speculation: Speculation, metrics: dict | None = None
) -> Committed:
    """Run the speculated turn for real; ``matched`` when its reply is the speculation's."""
    run = _Run(speculative=False, replay=list(speculation.planner_calls))
    with _running(run):
        reply = manager.turn(speculation.conversation_id, speculation.text, metrics)
    return Committed(reply=reply, matched=same_reply(reply, speculation.reply))


def same_reply(a: Reply, b: Reply) -> bool:
    """Equal in everything a caller hears or a screen shows (the stored turn id aside)."""
    return replace(a, turn_id=None) == replace(b, turn_id=None)
