"""The brain's side of the handoff desk: the record of every handoff, and how it ends.

A turn that hands the caller to a person writes a ``handoffs`` row in the
turn's own transaction (:func:`record_handoff`), so a stored handoff turn
always has its record and a failed turn has neither. The row is also the
webhook outbox: with ``HARK_HANDOFF_WEBHOOK_URL`` set it is ``pending`` from
the start, and :mod:`hark.server.handoff_outbox` delivers it.

When it is delivered depends on the channel. The kiosk and other live
clients have staff come at once, so their handoffs go out at once. A phone
transfer, or a callback offer on Alexa or a text thread, is delivered when
the caller's side is settled (the agent answered, the caller accepted or
declined a callback, the call ended), so the one delivery says whom to call;
:data:`SETTLE_WITHIN` bounds the wait when nothing settles it.

:class:`HandoffDesk` is what channels use to report outcomes (a transfer's
dial status, a callback accepted on the keypad); they never touch the
database themselves.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from sqlalchemy.orm import Session

from hark.privacy.contact import normalize_phone, phone_numbers
from hark.runtime.settings import Settings
from hark.skills import handoff as handoff_skill
from hark.skills.context import SkillReply, TurnContext
from hark.skills.intent import Intent
from hark.skills.reply import Action
from hark.skills.state import Pending
from hark.store import handoffs as rows
from hark.store.db import Database
from hark.store.models import Handoff, utcnow

log = logging.getLogger("hark.dialogue")

#: Longest a handoff waits for its channel's outcome before it is delivered anyway.
SETTLE_WITHIN = dt.timedelta(minutes=3)
#: Dial outcomes after which the caller is with an agent: nothing more to wait for.
ANSWERED = frozenset({"answered", "completed"})
#: Dial outcomes after which the caller is offered a callback instead.
NOT_REACHED = frozenset({"no-answer", "busy", "failed", "canceled", "unavailable"})
MAX_CONTACT_CHARS = 80


def handoff_action(actions: list[Action]) -> Action | None:
    return next((a for a in actions if a.type == "handoff"), None)


def record_handoff(
    ctx: TurnContext, action: Action, user_turn_id: int | None, settings: Settings
) -> Handoff:
    """Write the handoff's record (in the turn's session) and tag the action with its id."""
    summary = dict(action.data.get("summary") or {})
    reason = str(action.data.get("reason") or "requested")[:40]
    channel = ctx.conversation.channel
    now = utcnow()
    held = handoff_skill.reach(channel) != "staff" or action.data.get("callback") == "offered"
    row = Handoff(
        id=uuid.uuid4().hex,
        conversation_id=ctx.conversation.id,
        turn_id=user_turn_id,
        channel=channel,
        customer_id=ctx.customer.customer_id if ctx.customer is not None else None,
        identity=ctx.identity.value,
        reason=reason,
        topic=str(summary.get("topic") or "")[:200],
        summary=summary,
        sentiment_trend=str((summary.get("sentiment") or {}).get("trend") or "steady")[:16],
        sentiment_last=_number((summary.get("sentiment") or {}).get("last")),
        status="open",
        created_at=now,
        callback=action.data.get("callback"),
        delivery_state="pending" if settings.handoff_webhook_url else "off",
        delivery_attempts=0,
        next_attempt_at=(now + SETTLE_WITHIN) if held else now,
        last_error="",
        payload="",
        resolution="",
    )
    ctx.session.add(row)
    action.data["handoff_id"] = row.id
    summary["handoff_id"] = row.id
    action.data["summary"] = summary
    return row


# --- the caller's answer to a callback offer ---------------------------------------------
def answer_callback(
    ctx: TurnContext, pending: Pending, raw_text: str, callback_to: str | None, yes_no: str | None
) -> SkillReply | None:
    """The turn after "someone can call you back": record the consent and whom to call.

    ``raw_text`` is the caller's own words, read here for a phone number and dropped
    (the stored turn keeps the redaction's placeholder); ``callback_to`` is the address
    the channel knows the caller by (a text message's sender). ``yes_no`` is how the turn
    answers a yes/no question (``hark.dialogue.pending_answers``). Returns None when the
    turn is about something else: the offer stays open on the record.
    """
    contact_kind = str(pending.data.get("contact") or "ask")
    region = ctx.settings.region
    given = phone_numbers(raw_text, region) if raw_text else []
    if given:
        return _accepted(ctx, given[0], "that number")
    if yes_no == "no":
        _set_callback(ctx.session, ctx.conversation.id, "declined", None)
        return SkillReply.of(
            Intent.DENY,
            "Alright, nobody will call. You can reach our team any time on our phone line.",
            "Is there anything else I can help with?",
        )
    if yes_no == "yes":
        if contact_kind == "account" and ctx.customer is not None and ctx.customer.phone:
            return _accepted(
                ctx, f"account:{ctx.customer.customer_id}", "the number on your account"
            )
        if contact_kind == "sender" and callback_to:
            return _accepted(ctx, _contact(callback_to, region), "this number")
        return SkillReply.of(
            Intent.AFFIRM,
            "Sure. What phone number should they call you on?",
            pending=Pending(handoff_skill.CALLBACK, {"contact": "ask"}),
            handled=False,
        )
    if contact_kind == "ask" and pending.data.get("asked", 0) < 1 and _sounds_like_digits(ctx):
        return SkillReply.of(
            Intent.REPEAT,
            "Sorry, I didn't get a full phone number. Could you say it again, with the area code?",
            pending=Pending(handoff_skill.CALLBACK, {"contact": "ask", "asked": 1}),
            handled=False,
        )
    return None


def _accepted(ctx: TurnContext, contact: str, spoken: str) -> SkillReply:
    _set_callback(ctx.session, ctx.conversation.id, "accepted", contact)
    return SkillReply.of(
        Intent.AFFIRM,
        f"Thank you. Someone from our team will call you on {spoken} as soon as they can.",
        "Is there anything else I can help with in the meantime?",
    )


def _set_callback(session: Session, conversation_id: str, state: str, contact: str | None) -> None:
    row = rows.latest_for(session, conversation_id)
    if row is None:
        return
    row.callback = state
    row.callback_contact = contact[:MAX_CONTACT_CHARS] if contact else None
    rows.settle(row)
    log.info("callback %s", state, extra={"conversation_id": conversation_id})


def _contact(address: str, region: str) -> str:
    """A sender address as a number to call: E.164 when it reads as one."""
    bare = address.split(":", 1)[1] if address.lower().startswith("whatsapp:") else address
    return normalize_phone(bare, region) or bare.strip()


def _sounds_like_digits(ctx: TurnContext) -> bool:
    return sum(ch.isdigit() for ch in ctx.nlu.text) >= 3


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- what channels report ----------------------------------------------------------------
def note_transfer(session: Session, conversation_id: str | None, status: str) -> None:
    """A phone transfer's state on the conversation's latest handoff: ``dialing``, then the
    dial's outcome (``completed``, ``no-answer``, ...); ``unavailable`` with no agent number."""
    row = rows.latest_for(session, conversation_id) if conversation_id else None
    if row is None:
        return
    row.transfer_status = status[:20]
    if status in ANSWERED:
        rows.settle(row)
    elif status in NOT_REACHED and row.callback is None:
        row.callback = "offered"  # the phone line offers a callback next


def note_callback(
    session: Session, conversation_id: str | None, accepted: bool, number: str | None
) -> None:
    """The caller's answer to a callback offer the channel made itself (the phone keypad)."""
    if conversation_id:
        contact = number if accepted and number else None
        _set_callback(session, conversation_id, "accepted" if accepted else "declined", contact)


def note_ended(session: Session, conversation_id: str | None) -> None:
    """The call is over: whatever the handoff knows now is delivered now."""
    row = rows.latest_for(session, conversation_id) if conversation_id else None
    if row is not None:
        rows.settle(row)


class HandoffDesk:
    """For channels without a call record: report a handoff's outcome by conversation."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def record_transfer(self, conversation_id: str | None, status: str) -> None:
        with self.db.session() as session:
            note_transfer(session, conversation_id, status)

    def record_callback(
        self, conversation_id: str | None, accepted: bool, number: str | None
    ) -> None:
        with self.db.session() as session:
            note_callback(session, conversation_id, accepted, number)

    def settle(self, conversation_id: str | None) -> None:
        with self.db.session() as session:
            note_ended(session, conversation_id)
