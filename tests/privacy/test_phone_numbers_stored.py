"""Nothing stores a raw phone number, and erase/purge reach every call and text row of a
caller: tried with the simulated Twilio (``twilio_sim``) against the real server.

After each call, EVERY column of EVERY table is read back and searched for the caller's
number (its digits, however they are punctuated). The media stream's audio side uses the
usual doubles (``ScriptedTranscriber`` at the ASR interface, ``ToneSynthesizer`` at TTS).
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from doubles import ScriptedTranscriber, ToneSynthesizer, UtteranceScript
from sqlalchemy import func, select
from twilio_sim import TOKEN, sid

from hark.cli.main import main
from hark.dialogue.caller_id import customer_for_phone
from hark.privacy.caller_keys import CallerKeys
from hark.store.data_rights import purge_conversations
from hark.store.models import Base, PhoneCall, TextMessage, utcnow

STRANGER = "+15550197331"  # on file for no one
CUSTOMER = "+15550100102"  # James Carter in the sample shop
_NON_DIGIT = re.compile(r"\D")


def cells_holding(db, number: str) -> list[str]:
    """``table.column`` of every stored value holding ``number``'s national digits."""
    wanted = number[-10:]
    found = []
    with db.session() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                for column, value in row._mapping.items():
                    if value is None:
                        continue
                    text = value if isinstance(value, str) else json.dumps(value, default=str)
                    if wanted in _NON_DIGIT.sub("", text):
                        found.append(f"{table.name}.{column}")
    return found


def call_rows(db, keys: list[str]) -> int:
    with db.session() as session:
        return session.scalar(
            select(func.count()).select_from(PhoneCall).where(PhoneCall.caller_key.in_(keys))
        ) + session.scalar(
            select(func.count()).select_from(TextMessage).where(TextMessage.sender_key.in_(keys))
        )


@pytest.fixture
def line(phone):
    return phone(
        "stream",
        transcriber=ScriptedTranscriber(UtteranceScript(["hello"])),
        synthesizer=ToneSynthesizer(sample_rate=16000, seconds_per_word=0.01),
    )


async def _stream_call(line, number: str, *, connect: bool = True) -> str:
    call_sid = sid("CA")
    answer = await line.sim.post("/twilio/voice", {"CallSid": call_sid, "From": number})
    assert answer.status_code == 200 and number in answer.text  # Twilio needs it, once
    retried = await line.sim.post("/twilio/voice", {"CallSid": call_sid, "From": number})
    assert retried.text == answer.text  # a retry still gets the same document
    if connect:
        async with line.sim.stream(call_sid=call_sid, params={"caller": number}) as stream:
            await stream.start()
            await stream.wait_for(lambda: stream.events("mark"))
            await stream.stop()
    status = {"CallSid": call_sid, "CallStatus": "completed", "CallDuration": "3"}
    await line.sim.post("/twilio/status", {**status, "From": number})
    return call_sid


async def test_a_stream_call_from_a_number_not_on_file_leaves_it_in_no_table(line, db):
    await _stream_call(line, STRANGER)
    await _stream_call(line, STRANGER, connect=False)  # hung up before the stream
    assert cells_holding(db, STRANGER) == []
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(PhoneCall)) == 2


async def test_erase_and_purge_reach_every_call_row_of_the_caller(line, db, settings, monkeypatch):
    keys = CallerKeys(TOKEN, settings.region)
    customer_id = customer_for_phone(db, CUSTOMER, settings.region)
    assert customer_id is not None
    await _stream_call(line, CUSTOMER)
    await _stream_call(line, CUSTOMER, connect=False)  # a row no conversation points to
    texted = await line.sim.post(
        "/twilio/sms", {"MessageSid": sid("SM"), "From": CUSTOMER, "Body": "hello"}
    )
    assert texted.status_code == 200
    await _stream_call(line, STRANGER, connect=False)
    assert call_rows(db, keys.of_phone(CUSTOMER)) == 3
    assert cells_holding(db, CUSTOMER) == ["customers.phone"]

    monkeypatch.setenv("HARK_TWILIO_AUTH_TOKEN", TOKEN)
    url = settings.effective_database_url
    assert main(["privacy", "erase", customer_id, "--db", url]) == 0
    assert call_rows(db, keys.of_phone(CUSTOMER)) == 0
    assert cells_holding(db, CUSTOMER) == []
    assert call_rows(db, keys.of_phone(STRANGER)) == 1  # someone else's call stays

    # The stranger's call never joined a conversation; retention still removes it.
    later = utcnow() + dt.timedelta(days=31)
    assert purge_conversations(db, 30, now=later).call_records == 1
    assert call_rows(db, keys.of_phone(STRANGER)) == 0
