"""Text messages (SMS and WhatsApp through Twilio's webhook): one conversation per number
until 30 minutes of quiet, retries answered once, plain replies within 1,600 characters."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select
from twilio_sim import sid

from hark.integrations.twilio.sms import MAX_REPLY_CHARS, fit
from hark.store.models import Conversation, TextMessage, Turn

SENDER = "+15550100102"  # James Carter in the sample shop (order 7002, shipped)


def body_of(document: str) -> str:
    match = re.search(r"<Message>(.*)</Message>", document, re.S)
    assert match, document
    return match.group(1)


async def test_a_text_conversation(phone, db) -> None:
    sim = phone("stream").sim

    async def text(body: str, sender: str = SENDER, message_sid: str | None = None):
        params = {
            "MessageSid": message_sid or sid("SM"),
            "From": sender,
            "To": "+15550001234",
            "Body": body,
        }
        response = await sim.post("/twilio/sms", params)
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "application/xml"
        )
        return params["MessageSid"], body_of(response.text)

    first_sid, first = await text("Where is my order?")
    assert first.startswith("Hi, I'm Hark, Hark Store's automated assistant.")
    # the sender's number only claims who this is: its proof is the e-mail on file (an
    # order number of theirs is no longer offered as a way in with that same number)
    assert "email address" in first and "<speak" not in first and len(first) <= MAX_REPLY_CHARS
    assert "arrive" not in first  # caller ID only claims who this is: no dates or items yet
    _, second = await text("7002")
    assert "7002" in second and "arrive" not in second and "automated assistant" not in second
    _, third = await text("it's james.carter@example.com")
    assert "Order 7002 has shipped" in third and "arrive" in third  # verified: the facts
    with db.session() as session:
        conversations = list(session.scalars(select(Conversation)))
        assert len(conversations) == 1 and conversations[0].channel == "sms"
        turns = session.scalar(select(func.count()).select_from(Turn))
        stored = list(session.scalars(select(TextMessage)))
        assert all(SENDER not in m.sender_key for m in stored)  # only a keyed digest is kept

    # Twilio retries the first message: the stored reply, and no second turn.
    _, replayed = await text("Where is my order?", message_sid=first_sid)
    assert replayed == first
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Turn)) == turns

    # After 30 minutes of quiet, the next text starts a new conversation (the old one ends).
    with db.session() as session:
        for message in session.scalars(select(TextMessage)):
            message.received_at -= dt.timedelta(minutes=31)
    _, fresh = await text("Do you have headphones?")
    assert fresh.startswith("Hi, I'm Hark")
    with db.session() as session:
        old, new = sorted(session.scalars(select(Conversation)), key=lambda c: c.started_at)
        assert old.ended_at is not None and new.ended_at is None

    # WhatsApp comes through the same webhook; an empty body (a picture) gets a plain answer.
    _, whatsapp = await text("Hello", sender="whatsapp:+15550100104")
    assert whatsapp.startswith("Hi, I'm Hark")
    _, empty = await text("", sender="whatsapp:+15550100104")
    assert "only read text" in empty
    with db.session() as session:
        channels = {c.channel for c in session.scalars(select(Conversation))}
    assert channels == {"sms", "whatsapp"}


def test_long_replies_are_cut_at_a_sentence() -> None:
    sentence = "This sentence is exactly fifty characters long!!. "
    text = sentence * 40
    cut = fit(text)
    assert len(cut) <= MAX_REPLY_CHARS and cut.endswith("!!.") and text.startswith(cut)
    one_word_wall = "x" * 5000
    assert len(fit(one_word_wall)) <= MAX_REPLY_CHARS
