"""A whole phone call in ``stream`` mode, driven by the simulated Twilio (``twilio_sim``).

Real server, real Media Streams WebSocket, signed requests, the REST call
update received by a recording HTTP server. The caller's audio is real
speech (espeak-ng at 8 kHz, μ-law); what it *says* comes from a scripted
``Transcriber`` (TEST DOUBLE at the ASR interface) and Hark's voice is a
tone per sentence (``ToneSynthesizer``, TEST DOUBLE at the TTS interface),
so the test knows every transcript and every sentence's length. The
real-model call is in ``test_twilio_real_speech.py``.
"""

from __future__ import annotations

import asyncio
import base64
import re

import numpy as np
from doubles import ScriptedTranscriber, ToneSynthesizer, UtteranceScript
from fixtures_voice import espeak_speech
from sqlalchemy import select
from twilio_sim import ACCOUNT, AGENT, PUBLIC, TOKEN, sid

from hark.store.models import Conversation, PhoneCall, Turn

CALLER = "+15550100102"  # James Carter in the sample shop (order 7002, shipped)


def said(text: str) -> np.ndarray:
    """Real speech at the phone's 8 kHz, then the line's silence (Twilio streams it all the
    time) for longer than the longest end-of-turn wait (a number being read: 900 ms)."""
    return np.concatenate([espeak_speech(text, 8000), np.zeros(9600, np.int16)])


def turns(db, conversation_id: str) -> list[Turn]:
    with db.session() as session:
        return list(
            session.scalars(
                select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.seq)
            )
        )


def call_row(db, call_sid: str) -> PhoneCall:
    with db.session() as session:
        return session.get(PhoneCall, call_sid)


async def test_stream_call_greeting_order_barge_in_keys_and_transfer(phone, db) -> None:
    script = UtteranceScript(["where is my order", "what is your return policy", "agent"])
    line = phone(
        "stream",
        transcriber=ScriptedTranscriber(script),
        # Words long enough that the return-policy answer (~15 words) is still playing when
        # the caller cuts in, however loaded the machine is.
        synthesizer=ToneSynthesizer(sample_rate=16000, seconds_per_word=0.2),
    )
    sim, call_sid = line.sim, sid("CA")

    # Twilio asks what to do with the call: connect a media stream.
    answer = await sim.post(
        "/twilio/voice", {"CallSid": call_sid, "From": CALLER, "To": "+15550001234"}
    )
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/xml"
    )
    assert '<Stream url="wss://hark.example.test/twilio/media">' in answer.text
    assert f'<Parameter name="caller" value="{CALLER}" />' in answer.text
    assert f'action="{PUBLIC}/twilio/stream-ended"' in answer.text

    async with sim.stream(call_sid=call_sid, params={"caller": CALLER}) as stream:
        await stream.start()
        await stream.wait_for(lambda: stream.events("mark"))
        await stream.wait_quiet()
        conversation_id = call_row(db, call_sid).conversation_id
        assert conversation_id
        greeting = turns(db, conversation_id)[0]
        assert "automated assistant" in greeting.text and not greeting.interrupted
        media = stream.events("media")
        assert all(len(base64.b64decode(m["media"]["payload"])) == 160 for m in media)
        assert all(m["streamSid"] == stream.stream_sid for m in stream.received)

        # A question about an order: Hark asks for the number, the caller keys it.
        await stream.speak(said("Where is my order?"))
        await stream.wait_for(lambda: len(turns(db, conversation_id)) >= 3)
        assert "email address" in turns(db, conversation_id)[-1].text
        await stream.wait_quiet()
        await stream.dtmf("7002#")
        await stream.wait_for(lambda: len(turns(db, conversation_id)) >= 5)
        keyed, asked = turns(db, conversation_id)[-2:]
        assert keyed.role == "user" and keyed.text == "7002"
        # Caller ID only claims who is calling: the order's details wait for proof, and
        # the proof is the other detail on file (the caller ID's own number proves nothing).
        assert "7002" in asked.text and "email address" in asked.text
        await stream.wait_quiet()
        await stream.dtmf("5550100102#")  # the number the call comes from, keyed
        await stream.wait_for(lambda: len(turns(db, conversation_id)) >= 7)
        proof, refused = turns(db, conversation_id)[-2:]
        assert "5550100102" not in proof.text  # the answer is compared, never stored
        assert "doesn't match" in refused.text and "shipped" not in refused.text
        await stream.wait_quiet()
        assert stream.played.clears == 0

        # A barge-in: the caller talks over the return-policy answer.
        await stream.speak(said("What is your return policy?"))
        await stream.wait_for(lambda: len(turns(db, conversation_id)) >= 9)
        marks_before = len(stream.events("mark"))
        playing = len(stream.events("media"))
        await stream.wait_for(lambda: len(stream.events("media")) > playing + 20)  # it is talking
        await stream.speak(said("Agent."))
        await stream.wait_for(lambda: stream.played.clears == 1)
        policy = turns(db, conversation_id)[8]
        full = "You can return unused items in their original packaging within 30 days of delivery."
        assert policy.role == "assistant" and policy.interrupted
        assert policy.text and full.startswith(policy.text) and policy.text != full, policy.text
        assert len(stream.events("mark")) >= marks_before

        # "Agent": the handoff sentence is spoken, heard, and then the call is moved by REST.
        await stream.wait_for(lambda: line.rest.requests, timeout=30)
        await stream.stop()
        await stream.closed.wait()

    handoff = turns(db, conversation_id)[-1]
    assert "connecting you" in handoff.text and not handoff.interrupted
    (update,) = line.rest.requests
    assert update["method"] == "POST"
    assert update["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Calls/{call_sid}.json"
    expected_auth = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert update["authorization"] == expected_auth
    document = update["form"]["Twiml"]
    assert f'<Dial action="{PUBLIC}/twilio/dial-status?call={call_sid}"' in document
    assert (
        f'<Number method="POST" url="{PUBLIC}/twilio/whisper?call={call_sid}">{AGENT}</Number>'
        in document
    )
    record = call_row(db, call_sid)
    assert record.transfer_status == "dialing" and record.handoff_note.startswith("Call from Hark")

    # The agent's leg hears the summary first.
    whisper = await sim.post(
        f"/twilio/whisper?call={call_sid}", {"CallSid": sid("CA"), "ParentCallSid": call_sid}
    )
    assert "<Say" in whisper.text and "return" in whisper.text
    # Nobody answers: the caller is told and offered a callback, which they accept.
    offer = await sim.post(
        f"/twilio/dial-status?call={call_sid}",
        {"CallSid": call_sid, "DialCallStatus": "no-answer", "From": CALLER},
    )
    assert "nobody from our team" in offer.text and "call you back" in offer.text
    callback_url = re.search(r'<Gather action="([^"]+)"', offer.text).group(1).replace("&amp;", "&")
    booked = await sim.follow(callback_url, {"CallSid": call_sid, "Digits": "1", "From": CALLER})
    assert "call you back" in booked.text and "<Hangup />" in booked.text
    record = call_row(db, call_sid)
    assert record.transfer_status == "no-answer"
    assert record.callback_requested and record.callback_number == CALLER

    # Twilio reports how the call ended.
    done = await sim.post(
        "/twilio/status", {"CallSid": call_sid, "CallStatus": "completed", "CallDuration": "61"}
    )
    assert done.status_code == 200
    record = call_row(db, call_sid)
    assert record.status == "completed" and record.duration_s == 61 and record.ended_at
    with db.session() as session:
        assert session.get(Conversation, conversation_id).ended_at is not None
    await asyncio.sleep(0.1)
    assert not line.runtime.streams and not line.runtime.background
