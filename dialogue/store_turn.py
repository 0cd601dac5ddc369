"""A turn's fourth step: the decided reply acted on, in the turn's own transaction.

The conversation's state and flags are saved, both turns stored (the user's
redacted words with the NLU's reading, the reply with its timing), and what
the reply does beyond words is recorded with them: a handoff's record for
the desk (so a stored handoff turn always has one and a failed turn has
neither), an order placed on the caller's behalf. Then the ``Reply`` the
channel speaks or shows.
"""

from __future__ import annotations

import time
from decimal import Decimal

from hark.dialogue.handoffs import handoff_action, record_handoff
from hark.dialogue.redact_turn import Heard
from hark.dialogue.rows import jsonable, next_turn_seq
from hark.privacy.contact import phone_lengths
from hark.runtime.settings import Settings
from hark.skills import verification, verify_code
from hark.skills.cart_store import cart_view
from hark.skills.context import SkillReply, TurnContext
from hark.skills.reply import Expects, Reply
from hark.skills.state import Pending
from hark.store.models import AssistedOrder, Turn, utcnow

NOT_HEARD = "Sorry, could you say that again?"


def store_turn(
    ctx: TurnContext,
    result: SkillReply,
    heard: Heard,
    score: float,
    metrics: dict | None,
    started: float,
    settings: Settings,
) -> Reply:
    """Save the state, store both turns and the reply's records; the reply to send."""
    state, conversation, session = ctx.state, ctx.conversation, ctx.session
    intent = result.intent or ctx.nlu.intent
    text, ssml = result.say.text(), result.say.ssml()
    if not text:
        text, ssml = NOT_HEARD, f"<speak><s>{NOT_HEARD}</s></speak>"
    cart = cart_view(ctx)  # before the state is saved: it may note the cart id
    state.pending = result.pending
    state.note_intent(intent)
    state.last_reply, state.last_ssml = text, ssml
    state.remember_turn("assistant", text)
    if result.resolved is not None:
        conversation.resolved = result.resolved
    if result.end and conversation.ended_at is None:
        conversation.ended_at = utcnow()
    conversation.state = state.to_json()
    seq = next_turn_seq(session, conversation.id)
    user_turn = Turn(
        conversation_id=conversation.id,
        seq=seq,
        role="user",
        text=heard.clean,
        intent=ctx.nlu.intent,
        sentiment=score,
        metrics=jsonable(dict(metrics or {})),
    )
    session.add(user_turn)
    dialogue_ms = round((time.perf_counter() - started) * 1000, 3)
    handoff = handoff_action(result.actions)
    user_turn.confidence = round(float(ctx.nlu.confidence), 4)
    user_turn.understood = result.understood and not (
        handoff is not None and handoff.data.get("reason") == "not_understood"
    )
    assistant = Turn(
        conversation_id=conversation.id,
        seq=seq + 1,
        role="assistant",
        text=text,
        intent=intent,
        metrics={"dialogue_ms": dialogue_ms},
    )
    session.add(assistant)
    session.flush()
    if handoff is not None:  # the desk's record, in this turn's transaction
        record_handoff(ctx, handoff, user_turn.id, settings)
    for action in result.actions:
        if action.type == "order_placed":
            session.add(
                AssistedOrder(
                    order_id=str(action.data["order_id"]),
                    conversation_id=conversation.id,
                    channel=conversation.channel,
                    total=Decimal(str(action.data["total"])),
                )
            )
    session.flush()
    return Reply(
        text=text,
        ssml=ssml,
        intent=intent,
        sentiment=score,
        cards=result.cards,
        actions=result.actions,
        end=result.end,
        turn_id=assistant.id,
        user_text=heard.clean,
        cart=cart,
        expects=_expects(result.pending),
        expects_digits=_expects_digits(ctx, result.pending),
    )


NUMBER_ANSWERS = frozenset({"order_number", verification.VERIFY})
"""Pending questions answered with a number (an order id; a phone number on file)."""


def _expects(pending: Pending | None) -> Expects | None:
    """What the reply's question waits for (the voice endpointer waits longer for digits)."""
    return Expects.NUMBER if pending is not None and pending.kind in NUMBER_ANSWERS else None


def _expects_digits(ctx: TurnContext, pending: Pending | None) -> frozenset[int]:
    """How many digits a complete answer has (so a number read out slowly is not cut): a
    phone number of the shop's region or a texted code for "the phone or e-mail on the
    account?", else the shop's order ids (asked for, or read out unasked)."""
    if pending is not None and pending.kind == verification.VERIFY:
        return phone_lengths(ctx.settings.region) | {verify_code.CODE_DIGITS}
    return ctx.knowledge.order_id_lengths
