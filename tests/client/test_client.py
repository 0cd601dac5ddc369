"""``hark.client`` against a real server on loopback (uvicorn, SQLite, the real brain).

Conversations and turns, tickets and the voice socket (typed text turns, a
short PCM stream of silence that must bring no transcript), the operator API
with an admin key, and every refusal mapped to its exception, with the sync
and the async client. The voice socket's speech engines are test doubles at
their interfaces (a scripted transcriber, a tone synthesizer); the socket,
its VAD and protocol are real.

Each typed answer is also checked for fields the client's models do not
declare (``model_extra``): a field the server adds must be added to the
client too, so a generated client and this one stay complete.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx
import pytest
from admin_data import ORDER_TOTAL, build_conversations
from doubles import ScriptedTranscriber, ToneSynthesizer
from pydantic import BaseModel, SecretStr

from hark.client import (
    AsyncHarkClient,
    AudioFrame,
    AudioStart,
    Card,
    Conflict,
    HarkClient,
    HarkError,
    Health,
    NotFound,
    RateLimited,
    Ready,
    Reply,
    SpeechStarted,
    TranscriptEvent,
    TurnMetrics,
    Unauthorized,
    ValidationFailed,
    VoiceError,
)
from hark.client.calls import Call
from hark.server.app import create_app
from hark.server.services import build_services
from hark.store.models import Conversation
from hark.voice.turn.session import VoiceOptions

KEY = "shop-backend-key-0123456789abcdef"
ADMIN = "operator-key-0123456789abcdefgh"
SILENCE_20MS = b"\x00\x00" * 320  # pcm_s16le at 16 kHz


@pytest.fixture
def hark_server(settings, db, dialogue, live_server):
    """``hark_server(**settings)``: a live server with an API key and an admin key, a voice
    pipeline on test doubles, and any other settings given."""

    def start(**overrides):
        used = settings.model_copy(
            update={"api_keys": SecretStr(KEY), "admin_keys": SecretStr(ADMIN), **overrides}
        )
        services = build_services(
            used,
            load_engines=False,
            db=db,
            dialogue=dialogue,
            transcriber=ScriptedTranscriber(["do you have wireless headphones"]),
            synthesizer=ToneSynthesizer(seconds_per_word=0.01),
        )
        app = create_app(used, services)
        app.state.voice_options = VoiceOptions(partial_interval_s=None)
        return live_server(app)

    return start


def complete(model: BaseModel) -> None:
    """No field the client's model does not declare, at any depth."""
    assert not model.model_extra, f"{type(model).__name__} lacks {sorted(model.model_extra)}"
    for value in model.__dict__.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, BaseModel):
                complete(item)


def test_conversations_turns_and_transcript(hark_server) -> None:
    server = hark_server()
    with HarkClient(server.url, api_key=KEY) as hark:
        assert hark.health().status == "ok"
        assert hark.readiness().status == "ready"
        started = hark.start_conversation(customer_id="C001")
        complete(started)
        assert started.identity == "verified" and "automated assistant" in started.greeting
        found = hark.turn(started.conversation_id, "do you have wireless headphones")
        complete(found)
        assert found.intent == "product_search" and found.cards
        assert all(isinstance(card, Card) and card.price > 0 for card in found.cards)
        added = hark.turn(started.conversation_id, "add the first one to my cart")
        complete(added)
        assert added.cart is not None and added.cart.lines[0].quantity == 1
        assert added.cart.currency == "USD" and added.cart.total == added.cart.lines[0].price
        transcript = hark.transcript(started.conversation_id)
        complete(transcript)
        assert transcript.customer_id == "C001"
        assert [t.role for t in transcript.turns] == ["assistant", "user", "assistant"] * 1 + [
            "user",
            "assistant",
        ]
        assert transcript.turns[1].text == "do you have wireless headphones"


def test_refusals_become_typed_exceptions(hark_server) -> None:
    server = hark_server()
    with HarkClient(server.url, api_key="wrong-key-0123456789abcdef") as stranger:
        with pytest.raises(Unauthorized) as refused:
            stranger.start_conversation()
        assert refused.value.status == 401 and refused.value.code == "invalid_token"
    with HarkClient(server.url, api_key=KEY) as hark:
        with pytest.raises(NotFound) as missing:
            hark.turn("no-such-conversation", "hello")
        assert missing.value.status == 404 and "conversation not found" in missing.value.message
        with pytest.raises(NotFound):
            hark.create_ticket(customer_id="C999")
        chat = hark.start_conversation()
        with pytest.raises(ValidationFailed) as invalid:
            hark.turn(chat.conversation_id, "x" * 4001)
        assert invalid.value.status == 422 and invalid.value.code == "invalid_request"
        assert invalid.value.details[0]["loc"] == ["body", "text"]
        with pytest.raises(Unauthorized):  # an API key is not an admin key
            hark.admin.handoffs()

    limited = hark_server(rate_limit="3/minute")
    with HarkClient(limited.url, api_key=KEY) as hark:
        for _ in range(3):
            hark.start_conversation()
        with pytest.raises(RateLimited) as slow_down:
            hark.start_conversation()
        assert slow_down.value.status == 429 and slow_down.value.code == "rate_limited"
        assert slow_down.value.retry_after is not None and 0 < slow_down.value.retry_after <= 60


async def test_async_client_tickets_and_the_voice_socket(hark_server, db) -> None:
    server = hark_server()
    async with AsyncHarkClient(server.url, api_key=KEY) as hark:
        ticket = await hark.create_ticket(customer_id="C001")
        complete(ticket)
        assert ticket.expires_in == 60
        async with hark.voice(ticket=ticket.ticket) as call:
            ready = await call.start(sample_rate=16000)  # the ticket's customer, verified
            assert isinstance(ready, Ready) and ready.output_sample_rate == 16000
            greeting = await call.wait_for(Reply)
            assert "Maria" in greeting.text and greeting.cart is None
            start = await call.wait_for(AudioStart)
            assert start.sample_rate == 16000 and isinstance(
                await call.wait_for(AudioFrame), AudioFrame
            )

            reply = await call.say("do you have wireless headphones")
            assert reply.intent == "product_search" and reply.cards and not reply.end
            complete(reply)
            metrics = await call.wait_for(TurnMetrics)
            assert metrics.endpoint_ms is None and metrics.dialogue_ms is not None

            # A second of silence: no speech, so no transcript and no reply.
            mark = len(call.events)
            await call.stream([SILENCE_20MS] * 50, frame_ms=20, realtime=False)
            added = await call.say("add the first one to my cart")
            assert added.cart is not None and added.cart.lines[0].quantity == 1
            heard = call.events[mark:]
            assert not [e for e in heard if isinstance(e, TranscriptEvent | SpeechStarted)]
            assert [e for e in heard if isinstance(e, Reply)] == [added]
            await call.stop()
            assert await call.wait_closed() == 1000
            assert call.audio_bytes > 0

        with db.session() as session:
            conversation = session.get(Conversation, ready.session_id)
            assert (conversation.customer_id, conversation.identity) == ("C001", "verified")
        with pytest.raises(VoiceError) as used:
            async with hark.voice(ticket=ticket.ticket):
                pass
        assert used.value.status == 403  # single use

        async with hark.voice() as call:  # with the API key itself
            with pytest.raises(VoiceError) as unknown:
                await call.start(customer_id="C999")
            assert unknown.value.code == "unknown_customer"
            james = await call.start(customer_id="C002")
            assert "James" in (await call.wait_for(Reply)).text
            await call.say("do you have wireless headphones")
        transcript = await hark.transcript(james.session_id)  # the key's own conversation
        assert transcript.customer_id == "C002" and transcript.identity == "verified"
        assert transcript.channel == "voice" and transcript.turns[1].text.startswith("do you")
        with pytest.raises(NotFound):  # the ticket's conversation is not the key's to read
            await hark.transcript(ready.session_id)

    async with AsyncHarkClient(server.url, api_key="wrong-key-0123456789abcdef") as stranger:
        with pytest.raises(Unauthorized):
            await stranger.create_ticket()
        with pytest.raises(VoiceError) as refused:
            async with stranger.voice():
                pass
        assert refused.value.status == 403


def test_the_blocking_voice_socket(hark_server, db) -> None:
    server = hark_server()
    with HarkClient(server.url, api_key=KEY) as hark:
        ticket = hark.create_ticket()  # an anonymous visitor
        with hark.voice(ticket=ticket.ticket) as call:
            ready = call.start(sample_rate=8000)
            assert ready.output_sample_rate == 8000
            assert "automated assistant" in call.wait_for(Reply).text
            call.stream([SILENCE_20MS[:320]] * 25, realtime=False)  # 0.5 s of 8 kHz silence
            reply = call.say("what is your return policy")
            assert reply.intent == "return_policy" and reply.cart is None
            assert not [e for e in call.events if isinstance(e, TranscriptEvent | SpeechStarted)]
            call.stop()
            assert call.wait_closed() == 1000
        with db.session() as session:
            conversation = session.get(Conversation, ready.session_id)
            assert (conversation.customer_id, conversation.identity) == (None, "anonymous")
        with pytest.raises(VoiceError) as used, hark.voice(ticket=ticket.ticket):
            pass
        assert used.value.status == 403


def test_the_operator_api(hark_server, dialogue, db) -> None:
    ids = build_conversations(dialogue, db)
    server = hark_server()
    with HarkClient(server.url, api_key=KEY, admin_key=ADMIN) as hark:
        figures = hark.admin.analytics()
        complete(figures)
        assert figures.conversations == 5 and figures.revenue == ORDER_TOTAL

        desk = hark.admin.handoffs(status="open")
        assert len(desk) == 3 and all(h.status == "open" for h in desk)
        phone = next(h for h in desk if h.conversation_id == ids["phone"])
        complete(phone)
        read = hark.admin.handoff(phone.id)
        assert read.transcript and read.transcript[0]["role"] == "assistant"
        assert hark.admin.claim_handoff(phone.id).status == "claimed"
        done = hark.admin.resolve_handoff(phone.id, "called back on 555-010-0199")
        assert done.status == "resolved" and "555-010-0199" not in (done.resolution or "")
        with pytest.raises(Conflict):
            hark.admin.resolve_handoff(phone.id)
        with pytest.raises(NotFound):
            hark.admin.handoff("nope")

        found = hark.admin.conversations(handoff=True)
        assert {c.conversation_id for c in found} == {ids["phone"], ids["alexa"]}
        for row in found:
            complete(row)
        (alexa,) = hark.admin.export_conversations(channel="alexa")
        assert alexa.transcript and alexa.transcript[1]["text"] == "blorp the flurb"
        rows = list(csv.DictReader(io.StringIO(hark.admin.export_conversations_csv(channel="web"))))
        assert {r["conversation_id"] for r in rows} == {ids["order"]}
        with pytest.raises(ValidationFailed):
            hark.admin.analytics(start="2026-12-01", end="2026-11-01")

        queue = hark.admin.review_queue()
        complete(queue)
        blorp = next(t for t in queue.turns if t.text == "blorp the flurb")
        assert "not_understood" in blorp.reasons and "order_status" in queue.intents
        labelled = hark.admin.label_turn(blorp.turn_id, "out_of_scope")
        complete(labelled)
        assert labelled.intent == "out_of_scope" and labelled.heldout_delta is not None

        exported = hark.admin.export_customer("C001")
        complete(exported)
        assert exported.customer["customer_id"] == "C001" and exported.orders
        erased = hark.admin.erase_customer("C001")
        complete(erased)
        assert erased.conversations >= 1 and not erased.already_erased
        assert hark.admin.erase_customer("C001").already_erased
        purged = hark.admin.purge(older_than_days=30)
        complete(purged)
        assert purged.conversations == 1  # the 40-day-old one
        with pytest.raises(NotFound):
            hark.admin.export_customer("C999")


async def test_async_operator_calls_and_errors(hark_server, dialogue, db) -> None:
    build_conversations(dialogue, db)
    server = hark_server()
    async with AsyncHarkClient(server.url, admin_key=ADMIN) as hark:
        assert (await hark.health()).status == "ok"
        desk = await hark.admin.handoffs()
        claimed = await hark.admin.claim_handoff(desk[0].id)
        assert claimed.status == "claimed" and claimed.claimed_by
        assert (await hark.admin.analytics(channel="phone")).conversations == 1
        with pytest.raises(NotFound):
            await hark.admin.claim_handoff("nope")
        with pytest.raises(Unauthorized):  # no API key for the conversation API
            await hark.start_conversation()


def test_the_cart_of_a_conversation(hark_server) -> None:
    server = hark_server()
    with HarkClient(server.url, api_key=KEY) as hark:
        chat = hark.start_conversation(customer_id="C001").conversation_id
        empty = hark.cart(chat)
        complete(empty)
        assert empty.conversation_id == chat and empty.cart is None
        hark.turn(chat, "do you have wireless headphones")
        added = hark.turn(chat, "add the first one to my cart")
        read = hark.cart(chat)
        complete(read)
        assert read.cart is not None and read.cart == added.cart
        assert read.cart.lines[0].quantity == 1 and read.cart.total == read.cart.lines[0].price
        with pytest.raises(NotFound):
            hark.cart("no-such-conversation")
    with HarkClient(server.url) as stranger, pytest.raises(Unauthorized):
        stranger.cart(chat)


def lock_out(dialogue, customer_id: str) -> None:
    """Five failed identity checks (a wrong order number each), as in test_identity_attacks."""
    for number in ("1111", "2222", "3333", "4444", "5555"):
        conversation_id, _ = dialogue.start_conversation("phone", customer_id)
        dialogue.turn(conversation_id, f"where is order {number}")


def test_lockouts_orders_notices_consent_and_nodes(hark_server, dialogue) -> None:
    lock_out(dialogue, "C002")
    server = hark_server(notices="order_delayed,order_shipped")
    with HarkClient(server.url, admin_key=ADMIN) as hark:
        locked = hark.admin.lockouts()
        for lockout in locked:
            complete(lockout)
        assert [(x.subject, x.key, x.failures) for x in locked] == [("customer", "C002", 5)]
        with pytest.raises(ValidationFailed):
            hark.admin.clear_lockout("customer", "C002' OR 1=1")
        cleared = hark.admin.clear_lockout("customer", "C002")
        complete(cleared)
        assert cleared.cleared == 5 and cleared.by.startswith("admin:")
        assert hark.admin.lockouts() == []
        with pytest.raises(NotFound):
            hark.admin.clear_lockout("customer", "C002")

        order = {"customer_id": "C002", "status": "delayed", "placed_at": "2026-11-20"}
        first = hark.admin.put_order("7002", **order, eta=dt.date(2026, 12, 12))
        complete(first)
        assert first.order_id == "7002" and not first.created
        [notice] = first.notices
        assert notice.event == "order_delayed" and notice.state == "pending"
        assert notice.event_key == "order:7002:delayed:2026-12-12" and notice.outcome is None
        again = hark.admin.put_order("7002", **order, eta="2026-12-12")  # decided once
        assert again.notices == []
        new = hark.admin.put_order(
            "9999", **{**order, "status": "processing"}, lines=[("AUD-3006", 2)]
        )
        assert new.created and new.notices == []
        with pytest.raises(NotFound):
            hark.admin.put_order(
                "7003", **{**order, "customer_id": "C999"}, lines=[("AUD-3006", 1)]
            )
        ledger = hark.admin.notices(customer_id="C002")
        complete(ledger)
        assert [n.id for n in ledger.notices] == [notice.id]
        [day] = ledger.by_day
        assert day.waiting == 1 and day.delivered == 0
        assert hark.admin.notices(event="order_shipped").notices == []
        with pytest.raises(ValidationFailed):
            hark.admin.notices(event="birthday")

        empty = hark.admin.consent("C003")
        complete(empty)
        assert empty.channels == [] and not empty.opted_out and empty.ledger == []
        given = hark.admin.record_consent("C003", "sms", True, how="checkout box, 555-010-0103")
        complete(given)
        assert given.channels == ["sms"] and given.preference == ["sms"]
        [entry] = given.ledger
        assert entry.source == "api" and entry.granted and "555-010-0103" not in (entry.how or "")
        stopped = hark.admin.record_consent("C003", "all", False)
        assert stopped.opted_out and [e.channel for e in stopped.ledger] == ["sms", "all"]
        with pytest.raises(NotFound):
            hark.admin.consent("NOPE")
        with pytest.raises(ValidationFailed):
            hark.admin.record_consent(
                "C003", "sms", True, at=dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
            )

        nodes = hark.admin.nodes()
        complete(nodes)
        assert not nodes.shared and nodes.this_node is None
        [here] = nodes.nodes
        assert here.calls is None and here.load.voice_sessions == 0 and not here.load.draining
    wrong = "wrong-admin-key-0123456789"
    with HarkClient(server.url, admin_key=wrong) as stranger, pytest.raises(Unauthorized):
        stranger.admin.notices()


async def test_async_operations_calls(hark_server, dialogue) -> None:
    lock_out(dialogue, "C002")
    server = hark_server()
    async with AsyncHarkClient(server.url, api_key=KEY, admin_key=ADMIN) as hark:
        chat = (await hark.start_conversation()).conversation_id
        assert (await hark.cart(chat)).cart is None
        [lockout] = await hark.admin.lockouts()
        assert (await hark.admin.clear_lockout(lockout.subject, lockout.key)).cleared == 5
        updated = await hark.admin.put_order(
            "7002", customer_id="C002", status="shipped", placed_at="2026-11-20"
        )
        assert not updated.created
        assert (await hark.admin.notices()).by_day is not None
        consent = await hark.admin.record_consent("C001", "email", True, how="newsletter form")
        assert "email" in consent.channels
        assert (await hark.admin.consent("C001")).ledger[-1].channel == "email"
        assert len((await hark.admin.nodes()).nodes) == 1


def test_a_caller_supplied_http_client_and_bad_addresses(hark_server) -> None:
    server = hark_server()
    with pytest.raises(ValueError):
        HarkClient("hark.example.com")
    http = httpx.Client(base_url=server.url, timeout=10, headers={"x-request-id": "req-client-1"})
    with HarkClient(server.url, api_key=KEY, http=http) as hark:
        started = hark.start_conversation(channel="web")
        assert hark.transcript(started.conversation_id).channel == "web"
        # A 200 that is not the promised JSON (here an HTML page) is a HarkError too.
        page = Call("GET", "/kiosk", lambda response: Health.model_validate(response.json()))
        with pytest.raises(HarkError) as odd:
            hark.send(page)
        assert odd.value.status == 200 and odd.value.code == "unexpected_response"
    assert http.is_closed


def test_the_sync_and_async_clients_offer_the_same_calls() -> None:
    """One list of calls (``hark.client.calls``), two ways to send them: neither lags."""
    from hark.client import AsyncAdmin, AsyncHarkClient, SyncAdmin
    from hark.client.voice import VoiceConnection
    from hark.client.voice_sync import SyncVoiceConnection

    def public(cls: type) -> set[str]:
        return {name for name in vars(cls) if not name.startswith("_")}

    assert public(HarkClient) - {"close"} == public(AsyncHarkClient) - {"aclose"}
    assert public(SyncAdmin) == public(AsyncAdmin)
    assert public(SyncVoiceConnection) == public(VoiceConnection)
