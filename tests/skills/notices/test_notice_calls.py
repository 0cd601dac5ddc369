"""Notice calls through Twilio's Calls API (a recording double on loopback) and Twilio's
signed webhooks (``twilio_sim``): the call opens with who is calling, that it is automated,
and the opt-out; a person gets the conversation on the same brain; a machine gets a
voicemail without personal details and a text; nobody answering is retried, bounded."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from twilio_sim import PUBLIC, sid

from hark.dialogue.manager import DialogueManager
from hark.store import consent
from hark.store.models import Turn
from hark.store.shop_import import import_shop
from skills.notices.test_notices import LATE, NOON, notices, write_shop

CALL_FIRST = {
    "C002": ("call;sms", "America/New_York"),  # James: call, then text
    "C005": ("call;sms", "America/Chicago"),  # Aisha: the same
}


@pytest.fixture
def calling(db, tmp_path, notice_settings, phone, monkeypatch, sender_for):
    """Both late orders, for customers who prefer a call; the server's own loop off."""
    from skills.notices import test_notices

    monkeypatch.setattr(test_notices, "CONSENT", {**test_notices.CONSENT, **CALL_FIRST})
    import_shop(db, write_shop(tmp_path / "shop"))
    import_shop(db, write_shop(tmp_path / "shop", LATE), notice_rules=frozenset({"order_delayed"}))
    settings = notice_settings.model_copy(update={"call_retries": 1})
    sim = phone("gather", settings=settings.model_copy(update={"notices": "off"})).sim
    sender = sender_for(db, settings, DialogueManager(db, settings))
    return sim, sender


def said(document: str) -> str:
    return " ".join(re.findall(r"<Say[^>]*>(.*?)</Say>", document, re.S))


def call_of(api, customer_phone: str) -> tuple[dict, int]:
    [call] = [c for c in api.calls() if c["To"] == customer_phone]
    notice_id = int(parse_qs(urlsplit(call["Url"]).query)["notice"][0])
    return call, notice_id


async def test_a_person_answers_and_talks_to_the_brain(db, api, calling) -> None:
    sim, sender = calling
    outcomes = sender.run_once(now=NOON)
    assert {(o.customer_id, o.action, o.channel) for o in outcomes} == {
        ("C002", "calling", "call"),
        ("C005", "calling", "call"),
    }
    call, notice_id = call_of(api, "+15550100102")
    assert call["From"] == "+15550001234" and call["AsyncAmd"] == "true"
    assert call["MachineDetection"] == "DetectMessageEnd"
    assert call["Url"] == f"{PUBLIC}/twilio/notice-call?notice={notice_id}"
    assert call["AsyncAmdStatusCallback"].startswith(f"{PUBLIC}/twilio/notice-amd")
    assert api.messages() == []  # the call is the preferred channel: no text

    call_sid = call_sid_of(db, notice_id)
    form = {"CallSid": call_sid, "From": "+15550001234", "To": "+15550100102"}
    opening = await sim.post(f"/twilio/notice-call?notice={notice_id}", form)
    words = said(opening.text)
    assert "<Gather" in opening.text
    for part in ("Hark Store", "automated assistant", "order ending 02", "stop calling me"):
        assert part in words
    assert "James" not in words and "7002" not in words  # claimed: nothing a stranger can't hear

    amd = await sim.post(f"/twilio/notice-amd?notice={notice_id}", {**form, "AnsweredBy": "human"})
    assert amd.status_code == 200
    [james] = [n for n in notices(db) if n.id == notice_id]
    assert james.outcome == "answered" and james.conversation_id

    turn = await sim.post("/twilio/gather?turn=1", {**form, "SpeechResult": "when will it arrive?"})
    assert "make sure it's you" in said(turn.text)
    stop = await sim.post(
        "/twilio/gather?turn=2", {**form, "SpeechResult": "please stop calling me"}
    )
    assert "won't call, text or message you" in said(stop.text)
    with db.session() as session:
        assert consent.view(session, "C002").stopped
        turns = session.scalars(
            select(Turn.role).where(Turn.conversation_id == james.conversation_id)
        ).all()
        assert len(turns) == 5  # the notice, two questions, two answers: one conversation

    # a forged or foreign call for this notice is refused quietly
    other = await sim.post(
        f"/twilio/notice-call?notice={notice_id}", {**form, "CallSid": sid("CA")}
    )
    assert said(other.text) == ""
    forged = await sim.post(f"/twilio/notice-amd?notice={notice_id}", form, signature="bad")
    assert forged.status_code == 403


async def test_a_machine_gets_a_voicemail_without_details_and_a_text(db, api, calling) -> None:
    sim, sender = calling
    sender.run_once(now=NOON)
    _call, notice_id = call_of(api, "+15550100105")
    call_sid = call_sid_of(db, notice_id)
    form = {"CallSid": call_sid, "From": "+15550001234", "To": "+15550100105"}
    await sim.post(f"/twilio/notice-call?notice={notice_id}", form)
    await sim.post(
        f"/twilio/notice-amd?notice={notice_id}", {**form, "AnsweredBy": "machine_end_beep"}
    )
    [update] = api.updates()
    assert update["path"].endswith(f"/Calls/{call_sid}.json")
    voicemail = said(update["form"]["Twiml"])
    assert "automated assistant" in voicemail and "STOP" in voicemail
    for private in ("Aisha", "order", "31", "9031", "December"):
        assert private not in voicemail

    [followed] = sender.run_once(now=NOON + dt.timedelta(minutes=1))
    assert followed.channel == "sms" and followed.action == "sent"
    [text] = api.messages()
    assert text["To"] == "+15550100105" and "order ending 31" in text["Body"]
    [aisha] = [n for n in notices(db) if n.id == notice_id]
    assert aisha.outcome == "voicemail" and [s.channel for s in aisha.sends] == ["call", "sms"]
    # the call's status arriving afterwards changes nothing
    await sim.post(
        f"/twilio/notice-call-status?notice={notice_id}", {**form, "CallStatus": "completed"}
    )
    assert [n for n in notices(db) if n.id == notice_id][0].outcome == "voicemail"


async def test_nobody_answering_is_retried_and_bounded(db, api, calling, monkeypatch) -> None:
    sim, sender = calling
    # The status webhook schedules the retry from its own clock: make that clock the
    # test's NOON, or at night the retry lands in quiet hours and is (rightly) deferred.
    from hark.server import routes_notice_calls

    monkeypatch.setattr(routes_notice_calls, "utcnow", lambda: NOON)
    sender.run_once(now=NOON)
    _call, notice_id = call_of(api, "+15550100102")
    for attempt in (1, 2):
        call_sid = call_sid_of(db, notice_id)
        form = {"CallSid": call_sid, "CallStatus": "no-answer", "From": "+15550001234"}
        await sim.post(f"/twilio/notice-call-status?notice={notice_id}", form)
        [james] = [n for n in notices(db) if n.id == notice_id]
        if attempt == 1:
            assert james.state == "pending" and "calling again" in james.reason
            retry_at = james.next_attempt_at
            assert sender.run_once(now=retry_at - dt.timedelta(minutes=1)) == []
            [again] = sender.run_once(now=retry_at + dt.timedelta(minutes=1))
            assert again.action == "calling"
    assert james.outcome == "failed" and "no answer after 2 calls" in james.reason
    assert len([c for c in api.calls() if c["To"] == "+15550100102"]) == 2  # HARK_CALL_RETRIES=1


def call_sid_of(db, notice_id: int) -> str:
    [notice] = [n for n in notices(db) if n.id == notice_id]
    return [s for s in notice.sends if s.channel == "call"][-1].provider_id or ""
