"""Text-message threads (``text_messages``): which conversation a sender's message continues.

Twilio retries a webhook it got no answer to with the same ``MessageSid``,
so each message is claimed first (its id is the key) and its reply stored
with it; a retry replays the reply and the brain sees the text once. A
sender's messages continue one conversation until it has been quiet for a
while. The sender is known only by a keyed digest, never the number.
"""

from __future__ import annotations

import datetime as dt
import time

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from hark.store.db import Database
from hark.store.models import Conversation, TextMessage, utcnow


class TextThreads:
    """The ``text_messages`` rows of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, message_id: str, channel: str, key: str) -> bool:
        try:
            with self.db.session() as session:
                session.add(TextMessage(message_id=message_id, channel=channel, sender_key=key))
            return True
        except IntegrityError:
            return False

    def thread(self, key: str, quiet_s: float) -> tuple[str | None, str | None]:
        """``(conversation to continue, stale conversation to close)`` for this sender."""
        with self.db.session() as session:
            last = session.execute(
                select(TextMessage.conversation_id, TextMessage.received_at)
                .where(
                    TextMessage.sender_key == key,
                    TextMessage.answered.is_(True),
                    TextMessage.conversation_id.is_not(None),
                )
                .order_by(TextMessage.received_at.desc())
                .limit(1)
            ).first()
            if last is None:
                return None, None
            conversation = session.get(Conversation, last.conversation_id)
            if conversation is None or conversation.ended_at is not None:
                return None, None
            if utcnow() - last.received_at > dt.timedelta(seconds=quiet_s):
                return None, conversation.id
            return conversation.id, None

    def store_reply(self, message_id: str, conversation_id: str | None, reply: str) -> None:
        with self.db.session() as session:
            session.execute(
                update(TextMessage)
                .where(TextMessage.message_id == message_id)
                .values(conversation_id=conversation_id, reply=reply, answered=True)
            )

    def wait_reply(self, message_id: str, timeout_s: float) -> str | None:
        deadline = time.monotonic() + timeout_s
        while True:
            with self.db.session() as session:
                row = session.get(TextMessage, message_id)
                if row is not None and row.answered:
                    return row.reply
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.1)
