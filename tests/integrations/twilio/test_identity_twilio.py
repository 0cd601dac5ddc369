"""A spoofed caller ID over Twilio, by text and by call in both modes (issue 21).

The attacker sends from James Carter's number (+15550100102), so every
conversation starts ``claimed``. The number itself never proves it; the
e-mail on file does, or (``HARK_VERIFY_BY_CODE``) a code texted to the number
on file through Twilio's REST API, here the ``RestRecorder`` TEST DOUBLE: a
real HTTP server on loopback that records each request, so the test reads the
code the way the real customer's phone would receive it.
"""

from __future__ import annotations

import base64
import json
import re

import numpy as np
import pytest
from doubles import ScriptedTranscriber, ToneSynthesizer, UtteranceScript
from fixtures_voice import espeak_speech
from sqlalchemy import select
from twilio_sim import ACCOUNT, TOKEN, sid

from hark.dialogue.manager import DialogueManager
from hark.store.models import Conversation, ReturnRequest, Turn

JAMES = "+15550100102"
SHOP_NUMBER = "+15550009999"
MESSAGES_PATH = f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"


@pytest.fixture
def code_line(phone, twilio_settings, db):
    """A Twilio line whose brain can text codes (HARK_VERIFY_BY_CODE, HARK_TWILIO_FROM)."""

    def start(mode: str, **services):
        used = twilio_settings.model_copy(
            update={"verify_by_code": True, "twilio_from": SHOP_NUMBER, "twilio_mode": mode}
        )
        return phone(mode, settings=used, dialogue=DialogueManager(db, used), **services)

    return start


def body_of(document: str) -> str:
    match = re.search(r"<Message>(.*)</Message>", document, re.S)
    assert match, document
    return match.group(1)


def texted_codes(rest) -> list[str]:
    """The codes Twilio was asked to text, checked to go to the number on file."""
    codes = []
    for request in rest.requests:
        if request["path"] != MESSAGES_PATH:
            continue
        assert request["method"] == "POST"
        assert request["form"]["To"] == JAMES and request["form"]["From"] == SHOP_NUMBER
        expected = "Basic " + base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
        assert request["authorization"] == expected
        codes.append(re.search(r"\b(\d{6})\b", request["form"]["Body"]).group(1))
    return codes


def a_wrong_code(code: str) -> str:
    return "123456" if code != "123456" else "654321"


async def test_a_spoofed_text_is_proved_only_by_a_code_sent_to_the_number_on_file(
    code_line, db
) -> None:
    line = code_line("stream")

    async def text(body: str) -> str:
        params = {"MessageSid": sid("SM"), "From": JAMES, "To": SHOP_NUMBER, "Body": body}
        response = await line.sim.post("/twilio/sms", params)
        assert response.status_code == 200
        return body_of(response.text)

    first = await text("Where is order 7002?")
    assert "email address" in first and "send a code" in first and "arrive" not in first
    own = await text("It's +1 555 010 0102")  # the sender's own number: proves nothing
    assert "doesn't match" in own and "arrive" not in own
    sent = await text("Send me a code")
    assert "texted a code" in sent
    (code,) = texted_codes(line.rest)
    with db.session() as session:
        (conversation,) = session.scalars(select(Conversation))
        kept = json.dumps(conversation.state)
    assert code not in kept and "hash" in kept  # only a salted hash is at rest
    guess = await text(a_wrong_code(code))  # the spoofer never sees the code
    assert "doesn't match" in guess and "arrive" not in guess
    proved = await text(code)  # the real phone's code
    assert "matches" in proved and "Order 7002 has shipped" in proved and "arrive" in proved
    reused = await text("where is order 4410")  # verified now: served
    assert "delivered" in reused
    with db.session() as session:
        stored = [t.text for t in session.scalars(select(Turn).where(Turn.role == "user"))]
    assert "[code]" in stored and code not in " ".join(stored)

    # Someone else texting as the number a moment later: no action without a fresh proof.
    ask = await text("I want to return order 4410")
    assert "Shall I start" not in ask and ("email address" in ask or "code" in ask)
    await text("yes")
    with db.session() as session:
        assert session.scalars(select(ReturnRequest)).all() == []
    spent_code = await text(code)  # a used code proves nothing
    assert "Shall I start" not in spent_code


async def test_a_code_that_cannot_be_sent_leaves_a_person(code_line) -> None:
    line = code_line("stream")
    line.rest.fail = True  # Twilio's REST API answers 500
    params = {"From": JAMES, "To": SHOP_NUMBER}
    await line.sim.post("/twilio/sms", {**params, "MessageSid": sid("SM"), "Body": "my order?"})
    reply = await line.sim.post(
        "/twilio/sms", {**params, "MessageSid": sid("SM"), "Body": "text me a code"}
    )
    assert "couldn't send a code" in body_of(reply.text)
    assert "connect you with a person" in body_of(reply.text)


def action_of(document: str) -> str:
    return re.search(r'<Gather action="([^"]+)"', document).group(1).replace("&amp;", "&")


async def test_a_spoofed_gather_call_keys_the_texted_code(code_line) -> None:
    line = code_line("gather")
    base = {"CallSid": sid("CA"), "From": JAMES, "To": SHOP_NUMBER}
    greeting = await line.sim.post("/twilio/voice", base)
    asked = await line.sim.follow(
        action_of(greeting.text), {**base, "SpeechResult": "where is order 7002"}
    )
    assert "on its way" in asked.text and "send a code" in asked.text
    own = await line.sim.follow(action_of(asked.text), {**base, "Digits": "5550100102"})
    assert "doesn't match" in own.text and "shipped" not in own.text
    sent = await line.sim.follow(action_of(own.text), {**base, "SpeechResult": "send me a code"})
    assert "texted a code" in sent.text
    (code,) = texted_codes(line.rest)
    proved = await line.sim.follow(action_of(sent.text), {**base, "Digits": code})
    assert "Order 7002 has shipped" in proved.text


async def test_a_spoofed_stream_call_keys_the_texted_code(code_line, db) -> None:
    # (words that don't end on a digit: the endpointer waits longer after a number, and the
    # scripted transcriber would take that longer audio for a new utterance)
    script = UtteranceScript(["where is order 7002 please", "send me a code"])
    line = code_line(
        "stream",
        transcriber=ScriptedTranscriber(script),
        synthesizer=ToneSynthesizer(sample_rate=16000, seconds_per_word=0.01),
    )
    call_sid = sid("CA")
    await line.sim.post("/twilio/voice", {"CallSid": call_sid, "From": JAMES, "To": SHOP_NUMBER})

    def said(text: str) -> np.ndarray:  # real speech at 8 kHz, then a pause
        # the line's silence after it outlasts the end-of-turn wait for a number (900 ms)
        return np.concatenate([espeak_speech(text, 8000), np.zeros(9600, np.int16)])

    def assistant(count: int) -> list[str]:
        with db.session() as session:
            rows = session.scalars(select(Turn).where(Turn.role == "assistant").order_by(Turn.id))
            texts = [t.text for t in rows]
        return texts if len(texts) >= count else []

    async with line.sim.stream(call_sid=call_sid, params={"caller": JAMES}) as stream:
        await stream.start()

        async def heard() -> None:
            # A reply's turn is stored before its audio goes out: wait for its mark (audio
            # sent), then for the line to be quiet, or the caller talks over the reply.
            await stream.wait_for(lambda: len(stream.events("mark")) > marks[0])
            await stream.wait_quiet()
            marks[0] = len(stream.events("mark"))

        marks = [0]
        await stream.wait_for(lambda: assistant(1))
        await heard()
        await stream.speak(said("where is order 7002 please"))
        await stream.wait_for(lambda: assistant(2))
        assert "send a code" in assistant(2)[-1]
        await heard()
        await stream.dtmf("5550100102#")  # the number the call comes from
        await stream.wait_for(lambda: assistant(3))
        assert "doesn't match" in assistant(3)[-1]
        await heard()
        await stream.speak(said("send me a code"))
        await stream.wait_for(lambda: assistant(4))
        assert "texted a code" in assistant(4)[-1]
        (code,) = texted_codes(line.rest)
        await heard()
        await stream.dtmf(f"{code}#")
        await stream.wait_for(lambda: assistant(5))
        assert "Order 7002 has shipped" in assistant(5)[-1]
        await stream.stop()
        await stream.closed.wait()
