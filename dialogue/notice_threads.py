"""A notice's conversation: the notice is its opening turn, so a reply continues it.

When Hark texts or calls a customer first, the brain starts that customer's
conversation on the channel as for any inbound one (``claimed``: the phone
number is on file, nobody has proved anything yet), then replaces the
greeting with the notice's words and puts the order in focus, so "when will
it get here?" is about that order, answered once the identity policy allows.
A text notice is recorded as the thread's last message, so the customer's
reply continues the same conversation (``text_threads``). A notice call opens
its conversation when it is answered, in gather mode from the call's TwiML
webhook and in stream mode when the media stream starts (``open_notice_call``).
"""

from __future__ import annotations

from sqlalchemy import select

from hark.dialogue.manager import DialogueManager
from hark.skills.intent import Intent
from hark.skills.notices import wording
from hark.skills.reply import Reply
from hark.skills.state import ConversationState
from hark.store.models import Conversation, Notice, TextMessage, Turn, utcnow
from hark.store.notice_outbox import send_by_provider


def open_notice_conversation(
    dialogue: DialogueManager, channel: str, customer_id: str, opening: str, order_id: str | None
) -> str:
    """Start ``customer_id``'s conversation on ``channel`` with ``opening`` as the first turn."""
    return _open(dialogue, channel, customer_id, opening, order_id)[0]


def _open(
    dialogue: DialogueManager, channel: str, customer_id: str, opening: str, order_id: str | None
) -> tuple[str, int | None]:
    """``open_notice_conversation``, also returning the id of the opening turn (a voice
    session cuts it where a barge-in stopped it)."""
    conversation_id, _greeting = dialogue.start_conversation(channel, customer_id)
    with dialogue.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return conversation_id, None
        state = ConversationState.from_json(conversation.state)
        state.focus_order_id = order_id
        state.last_reply, state.last_ssml = opening, ""
        state.recent = [{"role": "assistant", "text": opening}]
        conversation.state = state.to_json()
        first = session.scalars(
            select(Turn).where(Turn.conversation_id == conversation_id, Turn.seq == 0)
        ).first()
        if first is None:
            return conversation_id, None
        first.text, first.intent = opening, Intent.NOTICE
        return conversation_id, first.id


def open_notice_call(
    dialogue: DialogueManager, channel: str, call_sid: str
) -> tuple[str, Reply] | None:
    """The answered notice call ``call_sid``'s conversation, opened with the notice (who is
    calling, that it is automated, the opt-out) and recorded on the notice; None when Hark
    placed no notice call of that id (an inbound call)."""
    with dialogue.db.session() as session:
        send = send_by_provider(session, call_sid[:64])
        notice = session.get(Notice, send.notice_id) if send and send.channel == "call" else None
        if notice is None or notice.customer_id is None:
            return None
        notice_id, customer_id, order_id = notice.id, notice.customer_id, notice.order_id
        opening = wording.call_opening(dialogue.settings, notice.kind, dict(notice.facts))
    conversation_id, turn_id = _open(dialogue, channel, customer_id, opening, order_id)
    with dialogue.db.session() as session:
        row = session.get(Notice, notice_id)
        if row is not None:
            row.conversation_id = conversation_id
    return conversation_id, Reply(text=opening, intent=Intent.NOTICE, turn_id=turn_id)


def note_outbound_text(
    dialogue: DialogueManager, message_id: str, channel: str, key: str, conversation_id: str
) -> None:
    """Record a sent notice as the sender's latest thread message (``key``: the keyed
    digest the inbound webhook computes for the customer's number)."""
    with dialogue.db.session() as session:
        session.add(
            TextMessage(
                message_id=message_id[:64],
                channel=channel,
                sender_key=key,
                conversation_id=conversation_id,
                received_at=utcnow(),
                reply="",
                answered=True,
            )
        )
