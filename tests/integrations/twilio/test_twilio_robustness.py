"""What a real phone network does to a media stream, and what a caller keys: each handled
with no crash, no leaked task or memory, and nothing private kept.

Scripted ``Transcriber`` and tone ``Synthesizer``: TEST DOUBLES at the engine interfaces.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import json
import logging
import tracemalloc

import numpy as np
from doubles import ScriptedTranscriber, ToneSynthesizer, UtteranceScript
from fixtures_voice import espeak_speech
from sqlalchemy import select
from twilio_sim import sid

from hark.store.models import Conversation, PhoneCall, TextMessage, Turn

CALLER = "+15550100102"
CARD = "4111111111111111"


def engines(*texts: str, seconds_per_word: float = 0.09) -> dict:
    return {
        "transcriber": ScriptedTranscriber(UtteranceScript(list(texts) or ["hello"])),
        "synthesizer": ToneSynthesizer(sample_rate=16000, seconds_per_word=seconds_per_word),
    }


async def greeted(stream) -> None:
    """Until the greeting has been sent, played and its marks echoed."""
    await stream.wait_for(lambda: stream.events("mark"))
    await stream.wait_quiet()


async def open_call(line, **params):
    call_sid = sid("CA")
    response = await line.sim.post("/twilio/voice", {"CallSid": call_sid, "From": CALLER})
    assert response.status_code == 200
    return call_sid, line.sim.stream(call_sid=call_sid, params=params or {"caller": CALLER})


def user_turns(db) -> list[str]:
    with db.session() as session:
        return [t.text for t in session.scalars(select(Turn).where(Turn.role == "user"))]


def assert_cleaned_up(line, streams) -> None:
    assert not line.runtime.streams
    for stream in streams:
        assert stream.done.is_set() and not stream._tasks
        session = stream.session
        assert session.closed and not session._helpers and not session.brain._pending
        assert session.listener is None or session.listener.closed


async def test_hang_up_mid_reply_keeps_only_what_was_heard(phone, db) -> None:
    line = phone("stream", **engines(seconds_per_word=0.15))
    call_sid, stream = await open_call(line)
    async with stream:
        await stream.start()
        await stream.wait_for(lambda: line.runtime.streams)
        streams = set(line.runtime.streams)
        await stream.wait_for(lambda: len(stream.played.frames) > 60)  # 1.2 s of the greeting
        await stream.stop()
        await stream.closed.wait()
    await asyncio.sleep(0.2)
    with db.session() as session:
        record = session.get(PhoneCall, call_sid)
        greeting = session.scalars(
            select(Turn).where(Turn.conversation_id == record.conversation_id)
        ).one()
        assert session.get(Conversation, record.conversation_id).ended_at is not None
    assert greeting.interrupted
    assert "Hi, thanks for calling Hark Store.".startswith(
        greeting.text
    ) or greeting.text.startswith("Hi, thanks for calling Hark Store.")
    assert "How can I help you today?" not in greeting.text
    assert_cleaned_up(line, streams)


async def test_malformed_duplicated_and_out_of_order_frames_are_dropped(phone, db, caplog) -> None:
    line = phone("stream", **engines("do you have headphones"))
    _, stream = await open_call(line)
    async with stream:
        await stream.start()
        await greeted(stream)
        streams = set(line.runtime.streams)
        junk = [
            "not json", "[1, 2]", json.dumps({"no": "event"}), json.dumps({"event": 7}),
            json.dumps({"event": "media", "sequenceNumber": "x"}),
            json.dumps({"event": "dance", "sequenceNumber": "900"}),
            json.dumps({"event": "media", "sequenceNumber": "901", "media": {"payload": "%%%"}}),
            json.dumps({"event": "media", "sequenceNumber": "902", "media": {"payload": "A" * 200_000}}),
            json.dumps({"event": "media", "sequenceNumber": "903", "streamSid": "MZ" + "f" * 32,
                        "media": {"payload": base64.b64encode(b"\x00" * 160).decode()}}),
            json.dumps({"event": "dtmf", "sequenceNumber": "904", "dtmf": {"digit": "Z"}}),
            json.dumps({"event": "mark", "sequenceNumber": "905", "mark": {"name": "nobody's"}}),
            json.dumps({"event": "start", "sequenceNumber": "906", "start": {}}),
        ]  # fmt: skip
        for message in junk:
            await stream.raw(message)
        await stream.raw(b"\x00\x01\x02")
        stream.seq = 1000
        loud = base64.b64encode(b"\x00" * 160).decode()  # full-scale μ-law
        late = {"event": "media", "streamSid": stream.stream_sid, "media": {"payload": loud}}
        await stream.raw(json.dumps({**late, "sequenceNumber": "1000"}))
        await stream.raw(json.dumps({**late, "sequenceNumber": "999"}))  # out of order: dropped
        await stream.raw(json.dumps({**late, "sequenceNumber": "998"}))
        speech = np.concatenate(
            [espeak_speech("Do you have headphones?", 8000), np.zeros(4800, np.int16)]
        )
        await stream.speak(speech)
        await stream.raw(json.dumps({**late, "sequenceNumber": str(stream.seq)}))  # duplicate
        await stream.wait_for(lambda: "do you have headphones" in user_turns(db))
        (media,) = streams
        await stream.wait_for(lambda: media.counts["duplicate"] == 4)  # start, 999, 998, the repeat
        assert media.counts["malformed"] == 11, media.counts
        await stream.stop()
        await stream.closed.wait()
    assert user_turns(db) == ["do you have headphones"]
    assert_cleaned_up(line, streams)


async def test_minutes_of_silence_cost_no_memory_and_the_line_still_works(phone, db) -> None:
    line = phone("stream", **engines())
    _, stream = await open_call(line)
    async with stream:
        await stream.start()
        await greeted(stream)
        streams = set(line.runtime.streams)
        await stream.silence(10, realtime=False)  # warm-up: buffers reach their steady size
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        await stream.silence(180, realtime=False)  # three minutes of a quiet line
        await stream.dtmf("#")  # a round trip: every frame before it has been handled
        await asyncio.sleep(0.5)
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
        tracemalloc.stop()
        assert grown < 1_000_000, f"{grown} bytes kept for 3 minutes of silence"  # audio: 2.9 MB
        assert user_turns(db) == []
        await stream.dtmf("7002#")
        await stream.wait_for(lambda: user_turns(db) == ["7002"])
        await stream.stop()
        await stream.closed.wait()
    assert_cleaned_up(line, streams)


async def test_a_stream_without_start_is_closed_and_stop_without_start_is_fine(phone, db) -> None:
    line = phone("stream", runtime={"start_timeout_s": 0.5}, **engines())
    _, stream = await open_call(line)
    async with stream:
        await stream.send(
            {"event": "connected", "protocol": "Call", "version": "1.0.0"}, numbered=False
        )
        await stream.media(b"\xff" * 160)
        await stream.dtmf("5")
        await asyncio.wait_for(stream.closed.wait(), 5)
    _, stream = await open_call(line)
    async with stream:
        await stream.stop()
        await asyncio.wait_for(stream.closed.wait(), 5)
    # A start for a call Hark never answered is refused.
    async with line.sim.stream(call_sid=sid("CA"), params={"caller": CALLER}) as stranger:
        await stranger.start()
        await asyncio.wait_for(stranger.closed.wait(), 5)
    with db.session() as session:
        assert session.scalars(select(Conversation)).first() is None
    await asyncio.sleep(0.1)
    assert not line.runtime.streams


async def test_a_failed_rest_update_still_transfers_through_connect_action(phone, db) -> None:
    line = phone("stream", **engines())
    line.rest.fail = True
    call_sid, stream = await open_call(line)
    async with stream:
        await stream.start()
        await greeted(stream)
        await stream.dtmf("0#")
        await asyncio.wait_for(stream.closed.wait(), 30)  # Hark ends the stream itself
    assert len(line.rest.requests) >= 1
    ended = await line.sim.post("/twilio/stream-ended", {"CallSid": call_sid, "From": CALLER})
    assert f'/twilio/dial-status?call={call_sid}"' in ended.text and "<Number" in ended.text
    with db.session() as session:
        assert session.get(PhoneCall, call_sid).transfer_status == "dialing"
    normal = await line.sim.post("/twilio/stream-ended", {"CallSid": sid("CA")})
    assert normal.text.endswith("<Response><Hangup /></Response>")


async def test_a_keyed_card_number_is_never_stored_logged_or_sent(phone, db, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    line = phone("stream", **engines())
    call_sid, stream = await open_call(line)
    async with stream:
        await stream.start()
        await greeted(stream)
        await stream.dtmf(CARD + "#")
        await stream.wait_for(lambda: len(user_turns(db)) == 1)
        await stream.stop()
        await stream.closed.wait()
    gather = phone("gather", **engines())
    gather_sid = sid("CA")
    greeting = await gather.sim.post("/twilio/voice", {"CallSid": gather_sid, "From": CALLER})
    answer = await gather.sim.post("/twilio/gather?turn=1", {"CallSid": gather_sid, "Digits": CARD})
    assert "don't need to give me card details" in answer.text
    texted = await gather.sim.post(
        "/twilio/sms", {"MessageSid": sid("SM"), "From": CALLER, "Body": f"my card is {CARD}"}
    )
    assert "don't need to give me card details" in texted.text
    with db.session() as session:
        stored = [t.text for t in session.scalars(select(Turn))]
        stored += [c.last_response for c in session.scalars(select(PhoneCall))]
        stored += [m.reply for m in session.scalars(select(TextMessage))]
        stored += [json.dumps(c.state) for c in session.scalars(select(Conversation))]
    assert user_turns(db)[0] == "[card number]"
    everything = "\n".join(stored) + caplog.text + greeting.text + answer.text + texted.text
    everything += json.dumps(line.rest.requests + gather.rest.requests)
    assert CARD not in everything and "4111 1111" not in everything
