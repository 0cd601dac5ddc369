"""A known set of conversations for the operator tests, made through the real brain, and the
figures the dashboard must show for it (worked out by hand from what each conversation does).

Made in the period (today, UTC):
* web, Maria (verified): finds headphones, adds them, checks out: an order of 129.99;
* voice (the kiosk's socket): finds headphones, adds them, says goodbye: a cart, no order;
* phone: asks for an agent: a handoff, "requested";
* alexa: two turns nobody could understand: a handoff, "not_understood";
* sms: asks about the return policy: contained.
Outside the figures: a voice conversation where nobody spoke (a greeting only), and a web
conversation 40 days old.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from hark.skills.identity import Identity
from hark.store.models import Conversation, Turn

ORDER_TOTAL = "129.99"
#: total_ms stored on the voice conversation's three answers, as its pipeline would
VOICE_TOTALS = (100.0, 200.0, 300.0)


def build_conversations(dialogue, db) -> dict[str, str]:
    """Run the conversations; returns their ids by name."""
    ids: dict[str, str] = {}

    def run(name: str, channel: str, lines: list[str], **start) -> list:
        conversation_id, _ = dialogue.start_conversation(channel, **start)
        ids[name] = conversation_id
        return [dialogue.turn(conversation_id, line) for line in lines]

    run(
        "order",
        "web",
        [
            "do you have wireless headphones",
            "add the wireless bluetooth over-ear headphones to my cart",
            "check out",
            "yes",
        ],
        customer_id="C001",
        identity=Identity.VERIFIED,
    )
    replies = run(
        "voice", "voice", ["do you have wireless headphones", "add them to my cart", "thanks bye"]
    )
    for reply, total in zip(replies, VOICE_TOTALS, strict=True):  # the voice pipeline's timings
        dialogue.record_metrics(ids["voice"], reply.turn_id, {"total_ms": total, "asr_ms": 50.0})
    run("phone", "phone", ["I want to talk to an agent"])
    run("alexa", "alexa", ["blorp the flurb", "zzz qqq vvv"])
    run("sms", "sms", ["what is your return policy"])
    silent, _ = dialogue.start_conversation("voice")
    ids["silent"] = silent
    run("old", "web", ["agent please"])
    long_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=40)
    with db.session() as session:
        session.execute(
            update(Conversation).where(Conversation.id == ids["old"]).values(started_at=long_ago)
        )
        session.execute(
            update(Turn).where(Turn.conversation_id == ids["old"]).values(created_at=long_ago)
        )
    return ids
