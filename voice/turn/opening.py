"""Opening the conversation a ``start`` message asks for: a new one, or the one a reloaded
page continues.

What a connection may open is decided by who opened it (``hark.voice.access``)
and by the brain (start, or resume with a signed token); the session only
turns the outcome into ``VoiceSession.begin`` or an ``error`` event, so the
decision lives here, apart from the connection's handling.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import TYPE_CHECKING

from hark.skills.reply import Reply
from hark.voice.access import CallerAccess
from hark.voice.protocol import StartMessage

if TYPE_CHECKING:
    from hark.dialogue.manager import DialogueManager

log = logging.getLogger("hark.voice")


async def open_conversation(
    dialogue: DialogueManager, access: CallerAccess, channel: str, message: StartMessage
) -> tuple[str, Reply]:
    """The conversation ``message`` opens on ``channel``, and its greeting.

    Raises ``CustomerNotAllowed`` (``access`` may not start for that customer)
    or ``CustomerNotFound`` (the brain knows no such customer), and whatever
    else the brain raises.
    """
    customer_id, identity = access.start_as(message.customer_id)
    resumed = await _resume(dialogue, access, message.resume, customer_id)
    if resumed is not None:
        return resumed
    return await asyncio.to_thread(
        functools.partial(
            dialogue.start_conversation,
            channel,
            customer_id,
            identity=identity,
            owner=access.owner,
        )
    )


async def _resume(
    dialogue: DialogueManager, access: CallerAccess, token: str | None, customer_id: str | None
) -> tuple[str, Reply] | None:
    """The conversation a reloaded page continues, with its short greeting; ``None``
    when there is no token, or it may not be continued (then a new one starts)."""
    continuity = access.continuity
    if token is None or continuity is None or access.owner is None:
        return None
    grant = continuity.redeem(token)
    if grant is None:
        log.info("resume token refused: a new conversation starts")
        return None
    from hark.dialogue.errors import ConversationNotFound

    try:
        reply = await asyncio.to_thread(
            functools.partial(
                dialogue.resume_conversation,
                grant.conversation_id,
                previous_owner=grant.previous_owner,
                owner=access.owner,
                customer_id=customer_id,
            )
        )
    except ConversationNotFound:
        log.info("conversation can't be resumed: a new one starts")
        return None
    return grant.conversation_id, reply
