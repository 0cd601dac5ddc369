"""One turn's story: redact → understand → decide → act → finish, one named step each.

``take_turn`` is the whole turn; ``DialogueManager.turn`` is it for a
channel, and a speculation (``dialogue/speculation.py``) runs it as a
*rehearsal* inside a unit of work that is rolled back: it needs only the
:class:`TurnParts` below, not the manager, so nothing goes round in a loop.
A rehearsal sends no text message (its commit runs the turn again and
does) and writes no ``turn`` log line (no turn happened).
"""

from __future__ import annotations

import time
from typing import Protocol

from sqlalchemy.orm import Session

from hark.dialogue.conversation_rows import ConversationRows
from hark.dialogue.decide import decide
from hark.dialogue.errors import InvalidUtterance
from hark.dialogue.finish import finish, log_turn
from hark.dialogue.llm import LlmPlanner, ReplySink
from hark.dialogue.redact_turn import folded, redact_turn
from hark.dialogue.sentiment import SentimentScorer
from hark.dialogue.store_turn import store_turn
from hark.dialogue.understand import understand, who_is_calling
from hark.runtime.settings import Settings
from hark.shop.knowledge import Knowledge
from hark.skills.context import CodeSender
from hark.skills.reply import Reply
from hark.skills.state import ConversationState


class TurnParts(Protocol):
    """What a turn needs from the brain that runs it (``DialogueManager`` has them)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def rows(self) -> ConversationRows: ...

    @property
    def sentiment(self) -> SentimentScorer: ...

    @property
    def planner(self) -> LlmPlanner | None: ...

    @property
    def code_sender(self) -> CodeSender | None: ...

    def fresh_knowledge(self, session: Session) -> Knowledge:
        """The shop snapshot, refreshed if the shop's rows changed."""
        ...


def take_turn(
    parts: TurnParts,
    conversation_id: str,
    text: str,
    metrics: dict | None = None,
    *,
    owner: str | None = None,
    sink: ReplySink | None = None,
    callback_to: str | None = None,
    rehearsal: bool = False,
) -> Reply:
    """One user turn, both turns stored redacted (see ``DialogueManager.turn``)."""
    if not isinstance(text, str):
        raise InvalidUtterance("text must be a string")
    started = time.perf_counter()
    text = folded(text)
    settings = parts.settings
    with parts.rows.open(conversation_id, lock=True, owner=owner) as (session, conversation):
        state = ConversationState.from_json(conversation.state)
        identity = who_is_calling(conversation, state, settings)
        heard = redact_turn(session, settings, state, text)  # redact
        understood = understand(  # understand
            session,
            conversation,
            state,
            identity,
            heard,
            knowledge=parts.fresh_knowledge(session),
            settings=settings,
            sentiment=parts.sentiment,
            codes=_HELD_TEXTS if rehearsal and parts.code_sender else parts.code_sender,
        )
        ctx, score = understood.ctx, understood.score
        decision = decide(ctx, heard, score, callback_to, parts.planner, sink)  # decide
        reply = store_turn(ctx, decision.reply, heard, score, metrics, started, settings)  # act
        finish(decision.llm, reply)  # finish
    if not rehearsal:
        log_turn(conversation_id, reply, ctx.nlu, started)
    return reply


class _HeldTexts:
    """The code sender of a rehearsed turn: nothing leaves while nothing is committed."""

    def send_text(self, to: str, body: str) -> None:
        return None


_HELD_TEXTS = _HeldTexts()
