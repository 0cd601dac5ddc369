"""Who is calling or texting: the ONE place this channel asks the brain to start a conversation.

The identity policy is the brain's: a phone number on file makes the
conversation ``claimed`` (caller ID and a text's sender can be spoofed), and
the brain's own verification step upgrades it to ``verified``. This channel
never looks a customer up itself and never vouches for anyone.
"""

from __future__ import annotations

import logging

from hark.dialogue.manager import DialogueManager
from hark.dialogue.notice_threads import open_notice_call
from hark.skills.reply import Reply

log = logging.getLogger("hark.twilio")


def start_conversation_for(
    dialogue: DialogueManager, channel: str, address: str | None
) -> tuple[str, Reply]:
    """Start ``channel``'s conversation for the phone number ``address`` (blocking: run in a
    thread). Returns the brain's ``(conversation_id, greeting)``."""
    from hark.dialogue.errors import CustomerNotFound

    customer_id = dialogue.customer_for_phone(address) if address else None
    if customer_id is None:
        return dialogue.start_conversation(channel)
    try:
        return dialogue.start_conversation(channel, customer_id)  # no identity given: claimed
    except CustomerNotFound:  # removed between the lookup and the start
        log.warning("customer for this number disappeared; starting anonymously")
        return dialogue.start_conversation(channel)


def start_call_conversation(
    dialogue: DialogueManager, channel: str, call_sid: str, caller: str | None
) -> tuple[str, Reply]:
    """A media stream's conversation (blocking): a notice call Hark placed opens with its
    notice, for the customer it called (``claimed``: their number was dialled, nobody has
    proved who answered); any other call starts for the caller's number."""
    opened = open_notice_call(dialogue, channel, call_sid)
    if opened is not None:
        return opened
    return start_conversation_for(dialogue, channel, caller)
