"""A whole phone call in ``gather`` mode (Twilio listens, Hark answers with ``<Say>``),
driven by the simulated Twilio: every request signed, every URL followed from the TwiML."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from twilio_sim import AGENT, PUBLIC, sid

from hark.store.models import Conversation, PhoneCall, Turn

CALLER = "+15550100102"


def action_of(document: str) -> str:
    return re.search(r'<Gather action="([^"]+)"', document).group(1).replace("&amp;", "&")


def turn_count(db) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(Turn))


async def test_gather_call_keys_retries_menu_and_transfer(phone, db) -> None:
    line = phone("gather")
    sim, call_sid = line.sim, sid("CA")
    base = {"CallSid": call_sid, "From": CALLER, "To": "+15550001234"}

    answer = await sim.post("/twilio/voice", base)
    greeting = answer.text
    assert "automated assistant" in greeting
    assert 'input="speech dtmf"' in greeting and 'speechTimeout="auto"' in greeting
    assert "Wireless Bluetooth Over-Ear Headphones" in greeting  # speech hints: product names
    assert action_of(greeting) == f"{PUBLIC}/twilio/gather?turn=1"
    # Twilio retries the voice webhook: same answer, still one conversation.
    again = await sim.post("/twilio/voice", base)
    assert again.text == greeting
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 1

    first = await sim.follow(
        action_of(greeting), {**base, "SpeechResult": "Where is my order?", "Confidence": "0.9"}
    )
    assert "email address" in first.text and action_of(first.text).endswith("turn=2")
    before = turn_count(db)
    keyed = await sim.follow(action_of(first.text), {**base, "Digits": "7002"})
    # Caller ID only claims who is calling: the order's details wait for proof, and the
    # proof is the other detail on file (the caller ID's own number proves nothing).
    assert "7002" in keyed.text and "email address" in keyed.text
    assert turn_count(db) == before + 2
    # A retried gather webhook (same call, same turn): the same answer, no second turn.
    retried = await sim.follow(action_of(first.text), {**base, "Digits": "7002"})
    assert retried.text == keyed.text and turn_count(db) == before + 2
    own_number = await sim.follow(action_of(keyed.text), {**base, "Digits": "5550100102"})
    assert "doesn't match" in own_number.text and "shipped" not in own_number.text
    proved = await sim.follow(
        action_of(own_number.text),
        {**base, "SpeechResult": "james dot carter at example dot com", "Confidence": "0.9"},
    )
    assert "Order 7002 has shipped" in proved.text

    # Two turns with nothing understood: the keypad menu, one key long.
    silent = await sim.follow(action_of(proved.text), {**base})
    assert "didn't catch that" in silent.text and "keypad" not in silent.text
    menu = await sim.follow(action_of(silent.text), {**base, "SpeechResult": ""})
    assert "press 1 to check on an order" in menu.text and 'numDigits="1"' in menu.text
    chose = await sim.follow(action_of(menu.text), {**base, "Digits": "1"})
    assert "7002" in chose.text and "keypad" not in chose.text  # verified: their order at once

    # "0" always reaches a person: the hand-over sentence, then the dial with the whisper.
    transfer = await sim.follow(action_of(chose.text), {**base, "Digits": "0"})
    assert "connecting you" in transfer.text
    assert f'<Dial action="{PUBLIC}/twilio/dial-status?call={call_sid}"' in transfer.text
    assert f'url="{PUBLIC}/twilio/whisper?call={call_sid}">{AGENT}</Number>' in transfer.text
    whisper = await sim.post(
        f"/twilio/whisper?call={call_sid}", {"CallSid": sid("CA"), "ParentCallSid": call_sid}
    )
    assert "Call from Hark" in whisper.text and "the customer asked for a person" in whisper.text
    assert "order 7 0 0 2" in whisper.text
    answered = await sim.post(
        f"/twilio/dial-status?call={call_sid}", {**base, "DialCallStatus": "completed"}
    )
    assert answered.text.endswith("<Response><Hangup /></Response>")
    await sim.post("/twilio/status", {**base, "CallStatus": "completed", "CallDuration": "95"})
    with db.session() as session:
        record = session.get(PhoneCall, call_sid)
        assert record.mode == "gather" and record.transfer_status == "completed"
        assert record.status == "completed" and not record.callback_requested
        assert session.get(Conversation, record.conversation_id).ended_at is not None
    assert not line.rest.requests  # a gather call is transferred by TwiML, not by REST


async def test_saying_agent_reaches_a_person_and_no_agent_number_offers_a_callback(
    phone, twilio_settings, db
) -> None:
    line = phone("gather", settings=twilio_settings.model_copy(update={"agent_number": None}))
    sim, call_sid = line.sim, sid("CA")
    base = {"CallSid": call_sid, "From": CALLER}
    greeting = await sim.post("/twilio/voice", base)
    transfer = await sim.follow(action_of(greeting.text), {**base, "SpeechResult": "agent"})
    assert "connecting you" in transfer.text and "nobody from our team" in transfer.text
    assert "<Dial" not in transfer.text
    declined = await sim.follow(action_of(transfer.text), {**base, "SpeechResult": "no thanks"})
    assert "call again" in declined.text
    with db.session() as session:
        record = session.get(PhoneCall, call_sid)
        assert record.transfer_status == "unavailable" and not record.callback_requested
    accepted = await sim.follow(action_of(transfer.text), {**base, "SpeechResult": "yes please"})
    assert "call you back" in accepted.text
    with db.session() as session:
        assert session.get(PhoneCall, call_sid).callback_number == CALLER
