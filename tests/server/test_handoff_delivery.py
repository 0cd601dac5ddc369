"""Every handoff reaches the shop's webhook once, signed: on each channel, and across a
server restart while the receiver is down.

Real parts throughout: the app under uvicorn on loopback, a SQLite file, Twilio's
webhooks from the simulated Twilio (signed), Alexa envelopes, the ``/v1/voice``
socket (as the kiosk page uses it), the HTTP API, and a real HTTP receiver on
loopback (``webhook_receiver.py``) standing in for a help desk's intake.
"""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from support.ports import free_port
from twilio_sim import sid
from voice_client import VoiceClient
from webhook_receiver import WebhookReceiver

from hark.client import AsyncHarkClient, HarkClient
from hark.dialogue.manager import DialogueManager
from hark.integrations.alexa.testing import AlexaRequestSigner
from hark.server import handoff_outbox
from hark.store.models import Handoff, Turn
from hark.voice.turn.session import VoiceOptions

SECRET = "whsec-test-0123456789"
CALLER = "+15550100102"  # James Carter's phone in the sample shop
TEXTER = "+15550100777"  # nobody's number


def webhook_settings(base, url: str):
    return base.model_copy(
        update={"handoff_webhook_url": url, "handoff_webhook_secret": SecretStr(SECRET)}
    )


class AlexaCaller:
    """Unsigned Alexa envelopes (the test settings turn verification off), one session."""

    def __init__(self, base_url: str, signer: AlexaRequestSigner) -> None:
        self.base_url, self.signer = base_url, signer
        self.attributes: dict = {}
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"

    def post(self, request: dict, *, new: bool = False) -> str:
        envelope = self.signer.envelope(
            request, attributes=dict(self.attributes), new=new, session_id=self.session_id
        )
        response = httpx.post(f"{self.base_url}/alexa", json=envelope, timeout=30)
        assert response.status_code == 200, response.text
        body = response.json()
        self.attributes = body.get("sessionAttributes", self.attributes)
        return body["response"]["outputSpeech"]["ssml"]

    def say(self, utterance: str) -> str:
        slots = {"utterance": {"name": "utterance", "value": utterance}}
        return self.post(
            {"type": "IntentRequest", "intent": {"name": "CatchAllIntent", "slots": slots}}
        )


def _handoffs(db) -> dict[str, Handoff]:
    with db.session() as session:
        return {h.channel: h for h in session.scalars(select(Handoff))}


async def test_a_handoff_on_each_channel_is_delivered_once_signed(
    phone, twilio_settings, db, leaf
) -> None:
    receiver = WebhookReceiver().start()
    try:
        used = webhook_settings(twilio_settings, receiver.url).model_copy(
            update={"twilio_mode": "gather"}
        )
        line = phone("gather", settings=used, dialogue=DialogueManager(db, used))
        line.app.state.voice_options = VoiceOptions(partial_interval_s=None)
        sim, base_url = line.sim, line.sim.local_url

        # Phone: "agent", the transfer rings out unanswered, the caller takes a callback.
        call = {"CallSid": sid("CA"), "From": CALLER, "To": "+15550001234"}
        await sim.post("/twilio/voice", call)
        transfer = await sim.post("/twilio/gather?turn=1", {**call, "SpeechResult": "agent"})
        assert "connecting you" in transfer.text and "<Dial" in transfer.text
        offer = await sim.post(
            f"/twilio/dial-status?call={call['CallSid']}",
            {**call, "DialCallStatus": "no-answer"},
        )
        assert "call you back" in offer.text
        await sim.post(f"/twilio/callback?call={call['CallSid']}", {**call, "Digits": "1"})

        # Text message: a callback is offered on the sender's number; "yes" accepts it.
        async def text(body: str) -> str:
            params = {"MessageSid": sid("SM"), "From": TEXTER, "To": "+1555000", "Body": body}
            return (await sim.post("/twilio/sms", params)).text

        offered = await text("can I talk to a real person please")
        assert "call you back" in offered and "connecting you" not in offered
        assert "number you're texting from" in offered
        assert "call you on this number" in await text("yes please")

        # Alexa: nobody can join the session, so a callback, on a number the caller gives.
        alexa = AlexaCaller(base_url, AlexaRequestSigner(leaf, application_id="any"))
        alexa.post({"type": "LaunchRequest"}, new=True)
        asked = alexa.say("I want to speak to a human")
        assert "call you back" in asked and "What phone number" in asked
        booked = alexa.say("call me on four one five five five five zero one three four")
        assert "call you on that number" in booked

        # The kiosk page's socket: staff come to the kiosk, the desk hears at once.
        async with VoiceClient.connect(f"{base_url.replace('http', 'ws')}/v1/voice") as client:
            await client.start(16000)
            await client.wait_for("reply")
            await client.send_json({"type": "text", "text": "get me a real person"})
            event = (await client.wait_for("handoff")).event
            assert event["summary"]["handoff_id"]

        # The HTTP API (a shop's own chat widget), through the typed client.
        async with AsyncHarkClient(base_url) as hark:
            started = await hark.start_conversation(channel="web")
            turn = await hark.turn(started.conversation_id, "operator please")
            assert turn.handoff is True

        deliveries = receiver.wait_for(5, timeout_s=30)
        time.sleep(2.5)  # more polling rounds: nothing is sent twice
        line.app.state.handoff_outbox.deliver_due()
        assert len(receiver.deliveries) == 5
        records = _handoffs(db)
        assert set(records) == {"phone", "sms", "alexa", "voice", "web"}
        by_id = {d.json["id"]: d for d in deliveries}
        assert set(by_id) == {h.id for h in records.values()}  # one delivery per handoff
        for record in records.values():
            delivery = by_id[record.id]
            assert delivery.signed_with(SECRET)
            assert not delivery.signed_with("another secret")
            assert delivery.headers["idempotency-key"] == record.id
            assert delivery.headers["x-hark-event"] == "handoff.created"
            payload = delivery.json
            assert payload["channel"] == record.channel
            assert record.delivery_state == "delivered" and record.delivery_attempts == 1
            assert payload["summary"]["last_turns"]  # what was said, redacted

        phone_payload = by_id[records["phone"].id].json
        assert phone_payload["transfer_status"] == "no-answer"
        assert phone_payload["callback"] == {"state": "accepted", "contact": CALLER}
        sms_payload = by_id[records["sms"].id].json
        assert sms_payload["callback"] == {"state": "accepted", "contact": TEXTER}
        alexa_payload = by_id[records["alexa"].id].json
        assert alexa_payload["callback"] == {"state": "accepted", "contact": "+14155550134"}
        assert by_id[records["voice"].id].json["callback"] is None
        # The number the Alexa caller said is on the handoff only: the stored turn is redacted.
        with db.session() as session:
            said = session.scalars(
                select(Turn.text).where(
                    Turn.conversation_id == records["alexa"].conversation_id, Turn.role == "user"
                )
            ).all()
        assert not any("415" in text or "four one five" in text for text in said)
        assert any("[phone]" in text for text in said)
    finally:
        receiver.stop()


async def test_a_handoff_survives_a_restart_while_the_receiver_is_down(
    make_app, live_server, settings, db, monkeypatch
) -> None:
    monkeypatch.setattr(handoff_outbox, "BACKOFF_BASE_S", 0.3)
    port = free_port()  # nothing listens here yet: the receiver is down
    receiver = WebhookReceiver(port)
    used = webhook_settings(settings, receiver.url)

    first_app = make_app(used, dialogue=DialogueManager(db, used))
    first = live_server(first_app)
    with HarkClient(first.url) as hark:
        started = hark.start_conversation(channel="web")
        hark.turn(started.conversation_id, "I need to talk to a person")
    deadline = time.monotonic() + 20
    while True:  # the first attempts fail: connection refused
        (record,) = _handoffs(db).values()
        if record.delivery_attempts >= 2:
            break
        assert time.monotonic() < deadline, "no delivery attempt was made"
        time.sleep(0.1)
    assert record.delivery_state == "pending" and "could not reach" in record.last_error
    first.stop()  # the server goes down with the handoff undelivered

    receiver.start()
    try:
        second_app = make_app(used, dialogue=DialogueManager(db, used))
        live_server(second_app)  # a new process's worth of app on the same database
        (delivery,) = receiver.wait_for(1, timeout_s=30)
        time.sleep(2.0)
        second_app.state.handoff_outbox.deliver_due()
        assert len(receiver.deliveries) == 1
        (record,) = _handoffs(db).values()
        assert delivery.json["id"] == record.id and delivery.signed_with(SECRET)
        assert record.delivery_state == "delivered" and record.delivery_attempts >= 3
        assert json.loads(record.payload) == delivery.json  # every attempt sent these bytes
    finally:
        receiver.stop()


def test_a_webhook_url_without_a_secret_is_refused(settings) -> None:
    with pytest.raises(ValueError, match="HARK_HANDOFF_WEBHOOK_SECRET is required"):
        settings.model_validate(
            {**settings.model_dump(), "handoff_webhook_url": "https://desk.example/hook"}
        )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_several_processes_deliver_each_handoff_once(backend, request, settings, db) -> None:
    """Four outbox workers (as four server processes would run) race for the same due
    handoffs on one database: the lease lets exactly one send each."""
    import threading

    from hark.runtime.settings import SAMPLE_SHOP_DIR
    from hark.store.db import open_database
    from hark.store.shop_import import import_shop

    if backend == "postgres":
        shared = open_database(request.getfixturevalue("postgres_url"))
        import_shop(shared, SAMPLE_SHOP_DIR)
    else:
        shared = db
    receiver = WebhookReceiver().start()
    try:
        used = webhook_settings(settings, receiver.url)
        dialogue = DialogueManager(shared, used)
        for _ in range(6):
            conversation_id, _greeting = dialogue.start_conversation("voice")
            assert dialogue.turn(conversation_id, "let me talk to a person").handoff
        workers = [handoff_outbox.HandoffOutbox(shared, used) for _ in range(4)]
        for worker in workers:
            worker._client = httpx.Client(timeout=10)
        start = threading.Barrier(len(workers))

        def run(worker) -> None:
            start.wait()
            worker.deliver_due()

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        for worker in workers:
            worker.deliver_due()  # nothing is left for anyone
            worker._client.close()
        ids = [d.headers["idempotency-key"] for d in receiver.deliveries]
        assert len(ids) == 6 and len(set(ids)) == 6
        assert sum(w.delivered for w in workers) == 6
    finally:
        receiver.stop()
        if shared is not db:
            shared.dispose()
