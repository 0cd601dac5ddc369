"""A turn's second step: who is speaking and what they want, as the turn's context.

Who: the conversation's identity level (a text thread's proof expires, since
anyone can text as a number) and, only for a verified caller, the customer
row skills may read. What: the sentiment of the redacted words and the NLU's
reading of them; the placeholders redaction left are not words, so the NLU
never sees them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from hark.dialogue.etiquette import without_placeholders
from hark.dialogue.nlu import nlu_for
from hark.dialogue.redact_turn import Heard
from hark.dialogue.sentiment import SentimentScorer
from hark.runtime.settings import Settings
from hark.shop.knowledge import Knowledge
from hark.skills.context import CodeSender, TurnContext
from hark.skills.identity import SENDER_KEYED_CHANNELS, Identity, level
from hark.skills.state import ConversationState
from hark.skills.understanding import NluResult
from hark.store.models import Conversation, Customer


@dataclass(frozen=True)
class Understood:
    """The turn's world for the skills, and how the caller sounded (-1 upset .. 1 pleased)."""

    ctx: TurnContext
    score: float


def who_is_calling(
    conversation: Conversation, state: ConversationState, settings: Settings
) -> Identity:
    """The conversation's identity level now. A text thread's proof holds
    ``HARK_TEXT_VERIFIED_S``: anyone can text as that number, so after that the thread
    is only claimed again (and needs a new proof)."""
    identity = level(conversation.identity)
    if (
        identity is Identity.VERIFIED
        and conversation.channel in SENDER_KEYED_CHANNELS
        and time.time() - state.verified_at > settings.text_verified_s
    ):
        conversation.identity = Identity.CLAIMED.value
        state.proof_for = None
        state.asserted = state.asserted or conversation.customer_id
        return Identity.CLAIMED
    return identity


def understand(
    session: Session,
    conversation: Conversation,
    state: ConversationState,
    identity: Identity,
    heard: Heard,
    *,
    knowledge: Knowledge,
    settings: Settings,
    sentiment: SentimentScorer,
    codes: CodeSender | None,
) -> Understood:
    """Score and parse the redacted words, note them in the state, and build the context."""
    words = without_placeholders(heard.clean)  # placeholders aren't words
    score = sentiment.score(heard.clean)
    nlu = nlu_for(knowledge).parse(words)
    state.add_sentiment(score)
    state.remember_turn("user", heard.clean)
    state.turn_count += 1
    ctx = turn_context(
        session,
        settings,
        knowledge,
        conversation,
        state,
        identity,
        nlu,
        text=nlu.request or words,  # the request, not the talk
        said=words,
        codes=codes,
    )
    return Understood(ctx, score)


def turn_context(
    session: Session,
    settings: Settings,
    knowledge: Knowledge,
    conversation: Conversation,
    state: ConversationState,
    identity: Identity,
    nlu: NluResult,
    *,
    text: str = "",
    said: str = "",
    codes: CodeSender | None = None,
) -> TurnContext:
    """The context skills run in. The customer row is there only for a verified caller,
    so a skill that reads a customer's data through it can't leak it to anyone else; a
    claimed caller's row is ``claimed``."""
    row = session.get(Customer, conversation.customer_id) if conversation.customer_id else None
    return TurnContext(
        session=session,
        settings=settings,
        knowledge=knowledge,
        state=state,
        conversation=conversation,
        customer=row if identity is Identity.VERIFIED else None,
        today=settings.current_date(),
        text=text,
        nlu=nlu,
        identity=identity,
        claimed=row if identity is Identity.CLAIMED else None,
        said=said,
        codes=codes,
    )
