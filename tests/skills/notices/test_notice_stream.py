"""Notice calls over the media stream: with ``HARK_TWILIO_MODE=stream`` (the phone line's
own mode), a notice call's TwiML connects the same Media Stream as an inbound call, the
notice is the conversation's opening turn (spoken by Hark's own voice, the customer
``claimed``), and the follow-up question is answered in that conversation; an answering
machine still gets a voicemail without personal details and a text.

Real server, signed webhooks and a real Media Streams WebSocket (``twilio_sim``); Twilio's
Calls and Messages APIs are the recording double on loopback; what the callee *says* comes
from a scripted ``Transcriber`` (TEST DOUBLE at the ASR interface) and Hark's voice is a
tone per sentence (``ToneSynthesizer``, TEST DOUBLE at the TTS interface). The same call
with the real models is in ``test_twilio_real_speech.py``.
"""

from __future__ import annotations

import asyncio

import pytest
from doubles import ScriptedTranscriber, ToneSynthesizer
from integrations.twilio.test_twilio_stream import call_row, said, turns
from sqlalchemy import select
from twilio_sim import PUBLIC

from hark.dialogue.manager import DialogueManager
from hark.store import consent
from hark.store.models import Conversation
from hark.store.shop_import import import_shop
from skills.notices.test_notice_calls import CALL_FIRST, call_of, call_sid_of
from skills.notices.test_notices import LATE, NOON, notices, write_shop

SHOP = "+15550001234"


@pytest.fixture
def streaming(db, tmp_path, notice_settings, phone, monkeypatch, sender_for):
    """``start(saying)``: both late orders for customers who prefer a call, a phone line in
    stream mode whose callee's words are ``saying["text"]`` (the test sets it before each
    utterance: one utterance may reach the recogniser twice, early and final), and a
    notice sender (the server's own loop off)."""
    from skills.notices import test_notices

    monkeypatch.setattr(test_notices, "CONSENT", {**test_notices.CONSENT, **CALL_FIRST})
    import_shop(db, write_shop(tmp_path / "shop"))
    import_shop(db, write_shop(tmp_path / "shop", LATE), notice_rules=frozenset({"order_delayed"}))

    def start(saying: dict[str, str]):
        line = phone(
            "stream",
            settings=notice_settings.model_copy(update={"notices": "off"}),
            transcriber=ScriptedTranscriber(lambda _audio: saying["text"]),
            synthesizer=ToneSynthesizer(sample_rate=16000, seconds_per_word=0.02),
        )
        return line, sender_for(db, notice_settings, DialogueManager(db, notice_settings))

    return start


async def test_a_notice_call_opens_the_media_stream_with_the_notice(db, api, streaming) -> None:
    saying = {"text": ""}
    line, sender = streaming(saying)
    sim = line.sim
    sender.run_once(now=NOON)
    _call, notice_id = call_of(api, "+15550100102")
    call_sid = call_sid_of(db, notice_id)
    form = {"CallSid": call_sid, "From": SHOP, "To": "+15550100102"}

    answer = await sim.post(f"/twilio/notice-call?notice={notice_id}", form)
    assert '<Stream url="wss://hark.example.test/twilio/media"' in answer.text
    assert f'action="{PUBLIC}/twilio/stream-ended"' in answer.text
    assert "<Gather" not in answer.text and "<Say" not in answer.text  # Hark's own voice
    retried = await sim.post(f"/twilio/notice-call?notice={notice_id}", form)
    assert retried.text == answer.text  # Twilio's retry: the same document

    async with sim.stream(call_sid=call_sid, params={}) as stream:
        await stream.start()
        await stream.wait_for(lambda: stream.events("mark"))
        await stream.wait_quiet()
        conversation_id = call_row(db, call_sid).conversation_id
        [james] = [n for n in notices(db) if n.id == notice_id]
        assert conversation_id and james.conversation_id == conversation_id
        [opening] = turns(db, conversation_id)
        for part in ("Hark Store", "automated assistant", "order ending 02", "stop calling me"):
            assert part in opening.text
        assert "James" not in opening.text and "7002" not in opening.text
        assert len(stream.played.frames) > 20  # the notice was spoken on the line
        with db.session() as session:
            conversation = session.get(Conversation, conversation_id)
            assert (conversation.customer_id, conversation.identity) == ("C002", "claimed")

        amd = {**form, "AnsweredBy": "human"}
        assert (await sim.post(f"/twilio/notice-amd?notice={notice_id}", amd)).status_code == 200
        assert [n for n in notices(db) if n.id == notice_id][0].outcome == "answered"

        saying["text"] = "when will it get here?"
        await stream.speak(said("When will it get here?"))
        await stream.wait_for(lambda: len(turns(db, conversation_id)) >= 3)
        question, answer_turn = turns(db, conversation_id)[1:3]
        assert question.text == "when will it get here?"
        assert "make sure it's you" in answer_turn.text  # claimed: proof before dates
        assert "December" not in answer_turn.text and "12" not in answer_turn.text
        await stream.wait_quiet()

        saying["text"] = "please stop calling me"
        await stream.speak(said("Please stop calling me."))
        await stream.wait_for(lambda: len(turns(db, conversation_id)) >= 5)
        assert "won't call, text or message you" in turns(db, conversation_id)[4].text
        await stream.wait_quiet()
        await stream.stop()
        await stream.closed.wait()

    with db.session() as session:
        assert consent.view(session, "C002").stopped
        assert session.get(Conversation, conversation_id).ended_at is not None
        later = session.scalars(select(Conversation.id).where(Conversation.customer_id == "C002"))
        assert list(later) == [conversation_id]  # one conversation for the whole call
    await asyncio.sleep(0.1)
    assert not line.runtime.streams


async def test_a_machine_on_a_streamed_notice_call_gets_a_voicemail(db, api, streaming) -> None:
    line, sender = streaming({"text": "hi this is aisha, leave a message"})
    sim = line.sim
    sender.run_once(now=NOON)
    _call, notice_id = call_of(api, "+15550100105")
    call_sid = call_sid_of(db, notice_id)
    form = {"CallSid": call_sid, "From": SHOP, "To": "+15550100105"}
    await sim.post(f"/twilio/notice-call?notice={notice_id}", form)
    async with sim.stream(call_sid=call_sid, params={}) as stream:
        await stream.start()
        await stream.wait_for(lambda: stream.events("mark"))
        machine = {**form, "AnsweredBy": "machine_end_beep"}
        await sim.post(f"/twilio/notice-amd?notice={notice_id}", machine)
        [update] = api.updates()
        assert update["path"].endswith(f"/Calls/{call_sid}.json")
        voicemail = update["form"]["Twiml"]
        assert "automated assistant" in voicemail and "STOP" in voicemail
        for private in ("Aisha", "order", "31", "9031", "December"):
            assert private not in voicemail
        await stream.stop()  # the call moved onto the voicemail: Twilio ends the stream
        await stream.closed.wait()

    [followed] = sender.run_once(now=NOON)
    assert (followed.channel, followed.action) == ("sms", "sent")
    [text] = api.messages()
    assert text["To"] == "+15550100105" and "order ending 31" in text["Body"]
    [aisha] = [n for n in notices(db) if n.id == notice_id]
    assert aisha.outcome == "voicemail" and [s.channel for s in aisha.sends] == ["call", "sms"]


async def test_an_inbound_stream_is_not_taken_for_a_notice(db, api, streaming) -> None:
    """A stream for a call Hark did not place starts for the caller's number as before."""
    from twilio_sim import sid

    line, _sender = streaming({"text": "hello"})
    call_sid = sid("CA")
    await line.sim.post("/twilio/voice", {"CallSid": call_sid, "From": "+15550100102"})
    async with line.sim.stream(call_sid=call_sid, params={"caller": "+15550100102"}) as stream:
        await stream.start()
        await stream.wait_for(lambda: stream.events("mark"))
        conversation_id = call_row(db, call_sid).conversation_id
        assert turns(db, conversation_id)[0].intent == "greet"
        await stream.stop()
        await stream.closed.wait()
    assert all(n.conversation_id != conversation_id for n in notices(db))
