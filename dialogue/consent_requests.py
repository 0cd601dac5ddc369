"""Opt-out and re-subscription asked for by a channel on a number's behalf (a text's
STOP or START keyword), recorded in the consent ledger for the customer on file."""

from __future__ import annotations

from hark.dialogue.manager import DialogueManager
from hark.store import consent

#: The carriers' opt-out and opt-in keywords (a message that is only the word).
STOP_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
START_WORDS = frozenset({"start", "unstop", "subscribe", "yes"})


def keyword(body: str) -> str | None:
    """``stop`` / ``start`` when the whole message is such a keyword, else None."""
    word = "".join(ch for ch in body.strip().lower() if ch.isalnum())
    if word in STOP_WORDS or body.strip().lower() in ("opt out", "opt-out", "stop all"):
        return "stop"
    if word in START_WORDS - {"yes"} or body.strip().lower() in ("opt in", "opt-in"):
        return "start"
    return None


def by_number(dialogue: DialogueManager, number: str, wanted: str, channel: str) -> bool:
    """Record ``stop`` or ``start`` for the customer whose phone is ``number``; False when
    no single customer has that number (there is then nobody Hark would contact on it)."""
    customer_id = dialogue.customer_for_phone(number)
    if customer_id is None:
        return False
    with dialogue.db.session() as session:
        if wanted == "stop":
            consent.opt_out(session, customer_id, source=f"{channel}: STOP", note="keyword")
        else:
            consent.opt_in(session, customer_id, source=f"{channel}: START", note="keyword")
    return True
