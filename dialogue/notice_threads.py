"""A notice's conversation: the notice is its opening turn, so a reply continues it.

When Hark texts or calls a customer first, the brain starts that customer's
conversation on the channel as for any inbound one (``claimed``: the phone
number is on file, nobody has proved anything yet), then replaces the
greeting with the notice's words and puts the order in focus, so "when will
it get here?" is about that order, answered once the identity policy allows.
A text notice is recorded as the thread's last message, so the customer's
reply continues the same conversation (``text_threads``).
"""

from __future__ import annotations

from sqlalchemy import select

from hark.dialogue.manager import DialogueManager
from hark.skills.intent import Intent
from hark.skills.state import ConversationState
from hark.store.models import Conversation, TextMessage, Turn, utcnow


def open_notice_conversation(
    dialogue: DialogueManager, channel: str, customer_id: str, opening: str, order_id: str | None
) -> str:
    """Start ``customer_id``'s conversation on ``channel`` with ``opening`` as the first turn."""
    conversation_id, _greeting = dialogue.start_conversation(channel, customer_id)
    with dialogue.db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None:
            return conversation_id
        state = ConversationState.from_json(conversation.state)
        state.focus_order_id = order_id
        state.last_reply, state.last_ssml = opening, ""
        state.recent = [{"role": "assistant", "text": opening}]
        conversation.state = state.to_json()
        first = session.scalars(
            select(Turn).where(Turn.conversation_id == conversation_id, Turn.seq == 0)
        ).first()
        if first is not None:
            first.text, first.intent = opening, Intent.NOTICE
    return conversation_id


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
