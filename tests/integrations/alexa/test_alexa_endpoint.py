"""``POST /alexa`` on a real server: signed requests from a local CA, the real brain
and database, a real loopback server receiving progressive responses."""

from __future__ import annotations

import copy
import json
import logging
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from fixtures_alexa import link_alexa
from rapidfuzz import fuzz
from sqlalchemy import func, select

from hark.integrations.alexa.routes import announce_verification, configure_alexa
from hark.integrations.alexa.testing import (
    AlexaRequestSigner,
)
from hark.store.models import Conversation, Order, Turn

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "alexa"
SKILL_ID = "amzn1.ask.skill.test-skill"
USER_ID = "amzn1.ask.account.ENDPOINT-TEST"
BAD_REQUEST = {"error": "bad request"}


class DirectiveSink:
    """A real HTTP server on loopback standing in for the Alexa Directive Service."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                sink.received.append(
                    {
                        "path": self.path,
                        "authorization": self.headers.get("Authorization"),
                        "body": json.loads(self.rfile.read(length)),
                    }
                )
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def wait_for(self, count: int, timeout_s: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.received

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink() -> Iterator[DirectiveSink]:
    server = DirectiveSink()
    yield server
    server.close()


class Caller:
    """One Echo user: builds real Alexa envelopes, signs them, posts them, keeps the session."""

    opened: list[httpx.Client] = []  # closed after each test by ``_close_callers``

    def __init__(self, base_url: str, signer: AlexaRequestSigner) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=10)
        Caller.opened.append(self.http)
        self.signer = signer
        self.attributes: dict[str, Any] = {}
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"

    def post(self, request: dict[str, Any], *, new: bool = False) -> httpx.Response:
        envelope = self.signer.envelope(
            request, attributes=dict(self.attributes), new=new, session_id=self.session_id
        )
        body, headers = self.signer.signed(envelope)
        response = self.http.post("/alexa", content=body, headers=headers)
        if response.status_code == 200:
            self.attributes = response.json().get("sessionAttributes", self.attributes)
        return response

    def launch(self) -> dict[str, Any]:
        return self._ok(self.post({"type": "LaunchRequest"}, new=True))

    def say(self, utterance: str) -> dict[str, Any]:
        intent = {
            "name": "CatchAllIntent",
            "slots": {"utterance": {"name": "utterance", "value": utterance}},
        }
        return self._ok(self.post({"type": "IntentRequest", "intent": intent}))

    def intent(self, name: str, **slots: str) -> dict[str, Any]:
        intent = {"name": name, "slots": {k: {"name": k, "value": v} for k, v in slots.items()}}
        return self._ok(self.post({"type": "IntentRequest", "intent": intent}))

    def fixture(self, name: str) -> httpx.Response:
        raw = json.loads((FIXTURES / f"{name}.json").read_text())
        request = copy.deepcopy(raw["request"])
        for key in ("requestId", "timestamp"):
            request.pop(key, None)  # fresh ones, or the 150-second rule rejects it
        return self.post(request, new=raw["session"]["new"])

    @staticmethod
    def _ok(response: httpx.Response) -> dict[str, Any]:
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["version"] == "1.0"
        return body


def speech(body: dict[str, Any]) -> str:
    ssml = body["response"]["outputSpeech"]["ssml"]
    assert ssml.startswith("<speak>") and ssml.endswith("</speak>")
    return ssml


@pytest.fixture
def alexa_server(make_app, live_server, ca, leaf):
    """Start a verifying server; returns ``start(**configure_kwargs) -> (base_url, app)``."""

    def start(app=None, **kwargs):
        app = app or make_app()
        kwargs.setdefault("verify", True)
        kwargs.setdefault("skill_id", SKILL_ID)
        configure_alexa(app, fetcher=ca.fetcher, trust_roots=ca.trust_roots, **kwargs)
        return live_server(app).url, app

    return start


@pytest.fixture(autouse=True)
def _close_callers() -> Iterator[None]:
    yield
    while Caller.opened:
        Caller.opened.pop().close()


@pytest.fixture
def caller(alexa_server, leaf) -> Caller:
    base_url, _app = alexa_server()
    return Caller(base_url, AlexaRequestSigner(leaf, application_id=SKILL_ID, user_id=USER_ID))


# --- rejections -------------------------------------------------------------------------------
def test_an_unsigned_request_gets_a_bare_400(caller: Caller, caplog) -> None:
    body = json.dumps(caller.signer.envelope({"type": "LaunchRequest"})).encode()
    with caplog.at_level(logging.WARNING, logger="hark.alexa"):
        response = caller.http.post(
            "/alexa", content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert response.json() == BAD_REQUEST
    assert any("missing SignatureCertChainUrl" in r.getMessage() for r in caplog.records)


def test_a_tampered_request_gets_a_bare_400(caller: Caller) -> None:
    envelope = caller.signer.envelope({"type": "LaunchRequest"})
    body, headers = caller.signer.signed(envelope)
    response = caller.http.post("/alexa", content=body.replace(b"TEST", b"TEST2"), headers=headers)
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


def test_a_request_for_another_skill_gets_a_bare_400(caller: Caller) -> None:
    caller.signer.application_id = "amzn1.ask.skill.someone-else"
    response = caller.post({"type": "LaunchRequest"}, new=True)
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


@pytest.mark.parametrize(
    "body", [b"{not json", b"\xff\xfe\x00", b"[1, 2, 3]", b'{"request": {}}', b""]
)
def test_broken_json_signed_by_alexa_gets_a_clean_400(caller: Caller, body: bytes) -> None:
    response = caller.http.post("/alexa", content=body, headers=caller.signer.sign(body))
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)


def test_an_unknown_request_type_gets_an_empty_alexa_response(caller: Caller) -> None:
    response = caller.fixture("unknown_type")
    assert response.status_code == 200
    assert response.json() == {"version": "1.0", "response": {}}


def test_turning_verification_off_is_loud(make_app, caplog) -> None:
    app = make_app()
    with caplog.at_level(logging.WARNING, logger="hark.alexa.verify"):
        announce_verification(app)
        announce_verification(app)  # once per app
    warnings = [r for r in caplog.records if "VERIFICATION IS OFF" in r.getMessage()]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING


def test_verification_on_without_a_skill_id_warns(make_app, settings, caplog) -> None:
    app = make_app(settings.model_copy(update={"alexa_verify": True}))
    with caplog.at_level(logging.WARNING, logger="hark.alexa.verify"):
        announce_verification(app)
    assert any("HARK_ALEXA_SKILL_ID is not set" in r.getMessage() for r in caplog.records)


def test_with_verification_off_unsigned_requests_are_served(
    make_app, live_server, leaf, caplog
) -> None:
    with caplog.at_level(logging.WARNING, logger="hark.alexa.verify"):
        base_url = live_server(make_app()).url  # settings: HARK_ALEXA_VERIFY=false
    assert any("VERIFICATION IS OFF" in r.getMessage() for r in caplog.records)  # said at start
    signer = AlexaRequestSigner(leaf, application_id="anything")
    body = json.dumps(signer.envelope({"type": "LaunchRequest"}, new=True)).encode()
    response = httpx.post(
        f"{base_url}/alexa", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200
    assert response.json()["response"]["shouldEndSession"] is False


# --- conversations ------------------------------------------------------------------------------
def _orders(db, customer_id: str) -> list[Order]:
    with db.session() as session:
        orders = session.scalars(select(Order).where(Order.customer_id == customer_id)).all()
        for order in orders:
            _ = [(line.sku, line.quantity) for line in order.lines]
        return list(orders)


def heard(body: dict[str, Any]) -> str:
    """The words Alexa will speak, tags stripped, whitespace collapsed."""
    return " ".join("".join(ET.fromstring(speech(body)).itertext()).split())


def spoke(reply_text: str, body: dict[str, Any]) -> bool:
    """Whether the response speaks the brain's reply.

    The brain's SSML is not its text verbatim ("16 oz" is read "16 ounces",
    sentences sit in ``<s>`` elements), so compare without spaces, allowing
    small differences.
    """
    return fuzz.ratio("".join(reply_text.split()), "".join(heard(body).split())) >= 90


def last_exchange(db, conversation_id: str) -> tuple[str, str]:
    """The last stored (user text, assistant text) of a conversation."""
    with db.session() as session:
        turns = session.get(Conversation, conversation_id).turns
        user = [t.text for t in turns if t.role == "user"][-1]
        assistant = [t.text for t in turns if t.role == "assistant"][-1]
    return user, " ".join(assistant.split())


def test_a_whole_shopping_conversation_places_an_order(alexa_server, leaf, db) -> None:
    link_alexa(db, USER_ID, "C001")
    base_url, _app = alexa_server()
    caller = Caller(base_url, AlexaRequestSigner(leaf, application_id=SKILL_ID, user_id=USER_ID))
    before = {o.order_id for o in _orders(db, "C001")}

    greeting = caller.launch()
    assert "automated assistant" in speech(greeting)
    assert greeting["response"]["shouldEndSession"] is False
    conversation_id = caller.attributes["conversationId"]

    found = caller.say("do you have a travel mug")
    user, answer = last_exchange(db, conversation_id)
    assert user == "do you have a travel mug" and spoke(answer, found)
    assert found["response"]["card"]["title"] == "Vacuum-Insulated Travel Mug 16 oz"
    assert "$24.99" in found["response"]["card"]["text"]
    assert found["response"]["reprompt"]["outputSpeech"]["ssml"].endswith("?</speak>")

    for words in ("add it to my cart", "check out"):
        body = caller.say(words)
        user, answer = last_exchange(db, conversation_id)
        assert user == words and spoke(answer, body)
        assert body["response"]["shouldEndSession"] is False

    placed = caller.intent("AMAZON.YesIntent")
    user, answer = last_exchange(db, conversation_id)
    assert user == "yes" and spoke(answer, placed)
    assert caller.attributes == {"conversationId": conversation_id}  # one conversation throughout

    new_orders = [o for o in _orders(db, "C001") if o.order_id not in before]
    assert len(new_orders) == 1
    assert [(line.sku, line.quantity) for line in new_orders[0].lines] == [("KIT-1001", 1)]
    assert new_orders[0].order_id in heard(placed)  # the caller hears the order number

    goodbye = caller.intent("AMAZON.StopIntent")
    assert goodbye["response"]["shouldEndSession"] is True
    assert "reprompt" not in goodbye["response"]
    assert "sessionAttributes" not in goodbye
    with db.session() as session:
        conversation = session.get(Conversation, conversation_id)
        assert (conversation.channel, conversation.customer_id) == ("alexa", "C001")
        assert conversation.ended_at is not None
        said = [t.text for t in conversation.turns if t.role == "user"]
    assert said == ["do you have a travel mug", "add it to my cart", "check out", "yes", "stop"]


def test_a_one_shot_request_introduces_the_assistant_and_answers(caller: Caller, db) -> None:
    body = caller.say("what is your return policy")
    assert speech(body).startswith("<speak>I'm Hark, Hark Store's automated assistant. ")
    user, answer = last_exchange(db, caller.attributes["conversationId"])
    assert user == "what is your return policy"
    assert spoke(f"I'm Hark, Hark Store's automated assistant. {answer}", body)


@pytest.mark.parametrize(
    ("fixture", "words"),
    [
        ("intent_help", "help"),
        ("intent_yes", "yes"),
        ("intent_no", "no"),
        ("intent_fallback", ""),  # a not-understood turn
        ("intent_product", "do you have thermos flask"),
        ("intent_catch_all", "do you have a travel mug"),
    ],
)
def test_intent_fixtures_reach_the_brain(caller: Caller, db, fixture: str, words: str) -> None:
    caller.launch()
    response = caller.fixture(fixture)
    assert response.status_code == 200
    body = response.json()
    user, answer = last_exchange(db, caller.attributes["conversationId"])
    assert user == words and spoke(answer, body)
    assert body["response"]["shouldEndSession"] is False
    if fixture == "intent_product":
        assert body["response"]["card"]["title"].startswith("Stainless Steel Thermos Flask")


@pytest.mark.parametrize("fixture", ["intent_stop", "intent_cancel"])
def test_stop_and_cancel_end_the_session_politely(caller: Caller, db, fixture: str) -> None:
    caller.launch()
    conversation_id = caller.attributes["conversationId"]
    body = caller.fixture(fixture).json()
    assert body["response"]["shouldEndSession"] is True
    assert "Goodbye" in speech(body)
    with db.session() as session:
        assert session.get(Conversation, conversation_id).ended_at is not None


def test_stop_without_a_conversation_still_says_goodbye(caller: Caller, db) -> None:
    with db.session() as session:
        before = session.scalar(select(func.count()).select_from(Conversation))
    body = caller.fixture("intent_stop").json()
    assert body["response"]["shouldEndSession"] is True
    assert "Goodbye, and thank you for visiting Hark Store." in speech(body)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == before


@pytest.mark.parametrize("fixture", ["session_ended", "session_ended_error"])
def test_session_ended_closes_the_conversation(caller: Caller, db, fixture: str) -> None:
    caller.launch()
    conversation_id = caller.attributes["conversationId"]
    response = caller.fixture(fixture)
    assert response.json() == {"version": "1.0", "response": {}}
    with db.session() as session:
        assert session.get(Conversation, conversation_id).ended_at is not None


def test_can_fulfill_answers_without_side_effects(caller: Caller, db) -> None:
    def counts() -> tuple[int, int]:
        with db.session() as session:
            return (
                session.scalar(select(func.count()).select_from(Conversation)),
                session.scalar(select(func.count()).select_from(Turn)),
            )

    before = counts()
    yes = caller.fixture("can_fulfill").json()
    assert yes == {
        "version": "1.0",
        "response": {
            "canFulfillIntent": {
                "canFulfill": "YES",
                "slots": {"utterance": {"canUnderstand": "YES", "canFulfill": "YES"}},
            }
        },
    }
    no = caller.fixture("can_fulfill_unknown").json()
    assert no["response"]["canFulfillIntent"] == {"canFulfill": "NO", "slots": {}}
    maybe = caller.post(
        {
            "type": "CanFulfillIntentRequest",
            "intent": {
                "name": "CatchAllIntent",
                "slots": {"utterance": {"name": "utterance", "value": "quantum yodel"}},
            },
        }
    ).json()
    assert maybe["response"]["canFulfillIntent"]["canFulfill"] == "MAYBE"
    assert counts() == before
    assert caller.attributes == {}


def test_an_account_linking_token_identifies_the_customer(alexa_server, leaf, db) -> None:
    link_alexa(db, "token-from-the-shops-oauth-server", "C003", token=True)
    base_url, _ = alexa_server()
    signer = AlexaRequestSigner(
        leaf, application_id=SKILL_ID, access_token="token-from-the-shops-oauth-server"
    )
    caller = Caller(base_url, signer)
    caller.launch()
    with db.session() as session:
        conversation = session.get(Conversation, caller.attributes["conversationId"])
        assert conversation.customer_id == "C003"


def test_an_unknown_caller_is_an_anonymous_shopper(caller: Caller, db) -> None:
    caller.launch()
    with db.session() as session:
        assert session.get(Conversation, caller.attributes["conversationId"]).customer_id is None


def test_a_stale_conversation_id_starts_a_new_conversation(caller: Caller) -> None:
    caller.attributes = {"conversationId": "no-such-conversation"}
    body = caller.intent("AMAZON.HelpIntent")
    assert caller.attributes["conversationId"] != "no-such-conversation"
    assert "I can tell you where an order is" in speech(body)


# --- progressive responses and failures ------------------------------------------------------------
class SlowDialogue:
    """Test double at the DialogueManager interface: the real brain, with a slow ``turn``
    (as an LLM planner would be), to trigger the progressive response."""

    def __init__(self, real, delay_s: float) -> None:
        self.real, self.delay_s = real, delay_s

    def turn(self, conversation_id: str, text: str, metrics: dict | None = None):
        time.sleep(self.delay_s)
        return self.real.turn(conversation_id, text, metrics)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


class FailingDialogue(SlowDialogue):
    """Test double: a brain whose turn crashes (a database outage, say)."""

    def turn(self, conversation_id: str, text: str, metrics: dict | None = None):
        raise RuntimeError("database is on fire")


def test_a_slow_turn_sends_a_progressive_response_first(
    alexa_server,
    make_app,
    dialogue,
    leaf,
    sink: DirectiveSink,
) -> None:
    app = make_app(dialogue=SlowDialogue(dialogue, 0.5))
    base_url, _ = alexa_server(app, progressive_after_s=0.05)
    caller = Caller(
        base_url, AlexaRequestSigner(leaf, application_id=SKILL_ID, api_endpoint=sink.url)
    )
    caller.launch()
    request_id = "amzn1.echo-api.request.progressive-test"
    intent = {
        "name": "CatchAllIntent",
        "slots": {"utterance": {"name": "utterance", "value": "do you have a travel mug"}},
    }
    response = caller.post({"type": "IntentRequest", "requestId": request_id, "intent": intent})
    assert response.status_code == 200
    assert "Travel Mug" in speech(response.json())
    received = sink.wait_for(1)
    assert received == [
        {
            "path": "/v1/directives",
            "authorization": "Bearer test-api-access-token",
            "body": {
                "header": {"requestId": request_id},
                "directive": {"type": "VoicePlayer.Speak", "speech": "<speak>One moment…</speak>"},
            },
        }
    ]


def test_a_fast_turn_sends_no_progressive_response(caller: Caller, sink: DirectiveSink) -> None:
    caller.signer.api_endpoint = sink.url
    caller.launch()
    caller.say("do you have a travel mug")
    time.sleep(0.1)
    assert sink.received == []


def test_a_failing_progressive_response_does_not_hurt_the_answer(
    alexa_server,
    make_app,
    dialogue,
    leaf,
) -> None:
    app = make_app(dialogue=SlowDialogue(dialogue, 0.3))
    base_url, _ = alexa_server(app, progressive_after_s=0.05)
    closed = socket_port_nobody_listens_on()
    signer = AlexaRequestSigner(
        leaf, application_id=SKILL_ID, api_endpoint=f"http://127.0.0.1:{closed}"
    )
    caller = Caller(base_url, signer)
    caller.launch()
    assert "Travel Mug" in speech(caller.say("do you have a travel mug"))


def socket_port_nobody_listens_on() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_crashing_brain_gets_a_spoken_apology_not_a_500(
    alexa_server,
    make_app,
    dialogue,
    leaf,
) -> None:
    app = make_app(dialogue=FailingDialogue(dialogue, 0))
    base_url, _ = alexa_server(app)
    caller = Caller(base_url, AlexaRequestSigner(leaf, application_id=SKILL_ID))
    caller.launch()
    body = caller.say("do you have a travel mug")
    assert "Sorry, something went wrong" in speech(body)
    assert body["response"]["shouldEndSession"] is True


def test_an_oversized_body_is_refused_unread(caller: Caller) -> None:
    body = b'{"pad": "' + b"x" * (200 * 1024) + b'"}'
    response = caller.http.post("/alexa", content=body, headers=caller.signer.sign(body))
    assert (response.status_code, response.json()) == (400, BAD_REQUEST)
