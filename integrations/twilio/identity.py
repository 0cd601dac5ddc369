"""Who is calling or texting: the ONE place this channel asks the brain to start a conversation.

The identity policy (issue 10) is the brain's: a phone number on file makes
the conversation ``claimed`` (caller ID and a text's sender can be spoofed),
and the brain's own verification step upgrades it to ``verified``. This
channel never looks a customer up itself and never vouches for anyone.

TODO(issue 10, at merge): the contract this codes against is
``DialogueManager.customer_for_phone(number) -> str | None`` and
``DialogueManager.start_conversation(channel, customer_id=None, *, identity=None,
owner=None)``, where a customer given without ``identity`` is ``claimed``.
Until that lands, ``customer_for_phone`` does not exist and every call and
text starts anonymous. Once merged, replace the ``getattr`` below with a
plain ``dialogue.customer_for_phone(address)``; nothing else in this package
changes.
"""

from __future__ import annotations

import logging
from typing import Any

from hark.skills.reply import Reply

log = logging.getLogger("hark.twilio")


def start_conversation_for(dialogue: Any, channel: str, address: str | None) -> tuple[str, Reply]:
    """Start ``channel``'s conversation for the phone number ``address`` (blocking: run in a
    thread). Returns the brain's ``(conversation_id, greeting)``."""
    from hark.dialogue.errors import CustomerNotFound

    customer_for_phone = getattr(dialogue, "customer_for_phone", None)  # TODO(issue 10): direct
    customer_id = customer_for_phone(address) if customer_for_phone and address else None
    if customer_id is None:
        return dialogue.start_conversation(channel)
    try:
        return dialogue.start_conversation(channel, customer_id)  # no identity given: claimed
    except CustomerNotFound:  # removed between the lookup and the start
        log.warning("customer for this number disappeared; starting anonymously")
        return dialogue.start_conversation(channel)
