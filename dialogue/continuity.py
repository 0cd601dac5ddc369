"""A conversation that outlives its connection: resumed on a new page, its cart read back.

A website visitor reloads or moves to another page, and the widget opens a new
socket; the shop's own site wants the cart the visitor built with Hark at its
checkout. Both read the stored conversation, never anything the page says
about itself: the channel proves (with a signed token and a fresh ticket from
the same back end) which conversation it may continue, and this module checks
that the stored conversation agrees (same owner, same customer, ended only
recently) before it changes hands.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hark.dialogue.errors import ConversationNotFound
from hark.dialogue.rows import next_turn_seq
from hark.dialogue.understand import turn_context
from hark.language.speech import Utterance
from hark.runtime.settings import Settings
from hark.shop.knowledge import Knowledge
from hark.skills.cart_store import cart_view
from hark.skills.context import TurnContext
from hark.skills.identity import level
from hark.skills.intent import Intent
from hark.skills.reply import CartView, Reply
from hark.skills.state import ConversationState
from hark.skills.understanding import Entities, NluResult
from hark.store.models import Conversation, Turn, utcnow

RESUME_WINDOW = dt.timedelta(minutes=30)
"""How long after its connection closed a conversation may still be resumed."""

WELCOME_BACK = "Welcome back. What else can I do for you?"


def _read_context(
    session: Session, settings: Settings, knowledge: Knowledge, conversation: Conversation
) -> TurnContext:
    """A turn context for reading the conversation's cart (no caller words, no NLU)."""
    state = ConversationState.from_json(conversation.state)
    nothing = NluResult(text="", intent=Intent.OUT_OF_SCOPE, confidence=0.0, entities=Entities())
    return turn_context(
        session, settings, knowledge, conversation, state, level(conversation.identity), nothing
    )


def resume(
    session: Session,
    settings: Settings,
    knowledge: Knowledge,
    conversation: Conversation,
    *,
    previous_owner: str,
    owner: str,
    customer_id: str | None,
) -> Reply:
    """Hand the (locked) conversation to ``owner`` (the new connection) and say so briefly.

    ``ConversationNotFound`` when it does not exist, belongs to someone else, is
    for another customer, or ended longer ago than :data:`RESUME_WINDOW`: the
    channel then starts a new conversation instead.
    """
    if conversation.owner != previous_owner or conversation.customer_id != customer_id:
        raise ConversationNotFound(conversation.id)
    ended = conversation.ended_at  # naive UTC, as every stored time
    if ended is not None and utcnow() - ended > RESUME_WINDOW:
        raise ConversationNotFound(conversation.id)
    conversation.ended_at = None
    conversation.owner = owner
    ctx = _read_context(session, settings, knowledge, conversation)
    state = ctx.state
    say = Utterance().say(WELCOME_BACK)
    state.last_reply, state.last_ssml = say.text(), say.ssml()
    state.remember_turn("assistant", say.text())
    cart = cart_view(ctx)  # before the state is saved: it may note the cart id
    conversation.state = state.to_json()
    turn = Turn(
        conversation_id=conversation.id, seq=next_turn_seq(session, conversation.id),
        role="assistant", text=say.text(), intent=Intent.GREET, metrics={},
    )  # fmt: skip
    session.add(turn)
    session.flush()
    return Reply(text=say.text(), ssml=say.ssml(), intent=Intent.GREET, turn_id=turn.id, cart=cart)


def cart_of(
    session: Session, settings: Settings, knowledge: Knowledge, conversation: Conversation
) -> CartView | None:
    """The conversation's open cart as a reply would show it (``None``: no cart)."""
    return cart_view(_read_context(session, settings, knowledge, conversation))
