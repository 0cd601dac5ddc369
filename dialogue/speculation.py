"""Speculative turns: the brain answers before the caller has surely finished,
and only an answer that stands is kept.

A voice channel knows the caller's words a few hundred milliseconds before
it is sure they have stopped talking (recognition starts at the first
silent frame, the end-of-speech hangover confirms it later). Computing the
reply in that gap hides the brain and the first sentence's synthesis, but
the caller may go on talking, so the reply must not exist anywhere until
the end is confirmed. Two steps:

* ``speculate`` runs the real turn (``dialogue/turn.py``'s ``take_turn``:
  same code, same reads, same writes, same skills) as a *rehearsal* inside
  ``rollback_only``: every unit of work it opens is rolled back, so no turn
  is stored, no cart or order changes, no text message is sent and no
  ``turn`` log line is written. What comes back is
  the reply (without a stored turn id). A speculation that is thrown away
  therefore needs no undo: there is nothing to undo.
* ``commit`` runs the turn again, for real, under the conversation's lock.
  The turn is deterministic in its inputs (the stored conversation, the
  shop's rows, the text, today's date), so when nothing changed in between
  the committed reply *is* the speculative one, and ``Committed.matched``
  says so after comparing them field by field.
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

A manager with an LLM planner is not speculated on (``NotSpeculable``): a
model's answer is neither free to compute twice nor sure to repeat itself,
and such a reply is streamed into speech from its first sentence instead
(``DialogueManager.turn(sink=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from hark.dialogue.turn import TurnParts, take_turn
from hark.skills.reply import Reply
from hark.store.db import rollback_only


@dataclass(frozen=True)
class Speculation:
    """A reply computed without committing anything; ``reply.turn_id`` is ``None``."""

    conversation_id: str
    text: str
    reply: Reply


@dataclass(frozen=True)
class Committed:
    """The stored turn's reply, and whether it is the speculation's reply."""

    reply: Reply
    matched: bool


class NotSpeculable(RuntimeError):
    """This manager's turns may ask an LLM: compute them once, at the end of speech."""


def speculate(parts: TurnParts, conversation_id: str, text: str) -> Speculation:
    """Compute the reply to ``text`` and commit nothing (see the module docstring).

    Raises what a turn raises (``ConversationNotFound``, ``InvalidUtterance``), and
    ``NotSpeculable`` for a brain with an LLM planner.
    """
    if parts.planner is not None:
        raise NotSpeculable("turns that may ask an LLM are not speculated on")
    with rollback_only():
        reply = take_turn(parts, conversation_id, text, rehearsal=True)
    return Speculation(
        conversation_id=str(conversation_id),
        text=text,
        reply=replace(reply, turn_id=None),  # that row was rolled back
    )


def commit(parts: TurnParts, speculation: Speculation, metrics: dict | None = None) -> Committed:
    """Run the speculated turn for real; ``matched`` when its reply is the speculation's."""
    reply = take_turn(parts, speculation.conversation_id, speculation.text, metrics)
    return Committed(reply=reply, matched=same_reply(reply, speculation.reply))


def same_reply(a: Reply, b: Reply) -> bool:
    """Equal in everything a caller hears or a screen shows (the stored turn id aside)."""
    return replace(a, turn_id=None) == replace(b, turn_id=None)
