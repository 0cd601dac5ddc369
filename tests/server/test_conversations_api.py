"""The conversations HTTP API on a real uvicorn server on loopback.

Every scenario of test_dialogue_scenarios.py runs over HTTP, plus the API's
own contract: status codes for unknown ids and bad bodies, the redacted
transcript, and the models showing up in the OpenAPI schema (/docs).
"""

from __future__ import annotations

import logging
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from dialogue.test_dialogue_scenarios import SCENARIOS, Scenario, Talk

from hark.client import HarkClient
from hark.privacy.redact import redact


def talk_over_http(hark: HarkClient, customer: str | None, utterances: list[str]) -> Talk:
    """The scenario through the typed client (``hark.client``), as a shop's back end would."""
    started = hark.start_conversation(channel="test", customer_id=customer)
    talk = Talk(
        {
            "text": started.greeting,
            "ssml": started.ssml,
            "actions": started.actions,
            "conversation_id": started.conversation_id,
        },
        [],
    )
    for text in utterances:
        event = hark.turn(started.conversation_id, text).model_dump()
        assert event["event"] == "turn"
        # the turn as stored: redacted, and an answer to "the phone or e-mail on file?"
        # is only its placeholders
        assert event["user"] == redact(text).text or _placeholders_only(event["user"])
        talk.turns.append(event)
    transcript = hark.transcript(started.conversation_id)
    stored = [t.text for t in transcript.turns if t.role == "user"]
    assert stored == [e["user"] for e in talk.turns]
    return talk


def _placeholders_only(text: str) -> bool:
    return bool(text) and set(text.split()) <= {"[phone]", "[email]"}


@pytest.fixture
def client(make_app, live_server):
    server = live_server(make_app())
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


@pytest.fixture
def hark(client: httpx.Client) -> HarkClient:
    """The typed client on the same connection pool (closed with ``client``)."""
    return HarkClient(str(client.base_url), http=client)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_over_http(
    scenario: Scenario,
    hark: HarkClient,
    db,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    before = [talk_over_http(hark, c, u) for c, u in scenario.before]
    talk = talk_over_http(hark, scenario.customer, scenario.utterances)
    scenario.check(talk, db, before)
    # the spoken card number, in any spacing (a random request id may contain "4111")
    assert not re.search(r"4111[ -]?1111[ -]?1111", caplog.text)


def test_transcript_is_redacted(client: httpx.Client, hark: HarkClient) -> None:
    talk = talk_over_http(
        hark, None, ["my card is 4111 1111 1111 1111, email me at a.b@example.com"]
    )
    conversation_id = talk.greeting["conversation_id"]
    transcript = client.get(f"/v1/conversations/{conversation_id}")
    assert transcript.status_code == 200
    data = transcript.json()
    assert [t["role"] for t in data["turns"]] == ["assistant", "user", "assistant"]
    assert data["turns"][0]["text"] == talk.greeting["text"]
    user = data["turns"][1]["text"]
    assert "4111" not in transcript.text and "example.com" not in transcript.text
    assert "[card number]" in user and "[email]" in user
    assert isinstance(data["turns"][1]["sentiment"], float)


def test_unknown_ids_and_bad_bodies(client: httpx.Client) -> None:
    unknown_customer = client.post(
        "/v1/conversations", json={"channel": "kiosk", "customer_id": "C999"}
    )
    assert unknown_customer.status_code == 404
    assert "customer not found: C999" in unknown_customer.text
    assert client.post("/v1/conversations/nope/turns", json={"text": "hi"}).status_code == 404
    assert client.get("/v1/conversations/nope").status_code == 404
    started = client.post("/v1/conversations", json={"channel": "kiosk"}).json()
    turns = f"/v1/conversations/{started['conversation_id']}/turns"
    assert client.post(turns, json={}).status_code == 422
    assert client.post(turns, json={"text": 42}).status_code == 422
    assert (
        client.post(
            turns, content=b"not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    assert client.post(turns, json={"text": "x" * 5000}).status_code == 422
    assert client.post("/v1/conversations", json={"channel": ""}).status_code == 422
    # the conversation still works after the bad requests
    ok = client.post(turns, json={"text": "where is order 3186"})
    assert ok.status_code == 200 and "3186" in ok.json()["reply"]


def test_default_channel_and_empty_text(client: httpx.Client) -> None:
    assert client.post("/v1/conversations").status_code == 201  # no body at all is fine too
    started = client.post("/v1/conversations", json={})
    assert started.status_code == 201
    conversation_id = started.json()["conversation_id"]
    empty = client.post(f"/v1/conversations/{conversation_id}/turns", json={"text": "   "})
    assert empty.status_code == 200 and empty.json()["reply"]


def test_parallel_conversations(hark: HarkClient) -> None:
    ids = [hark.start_conversation(channel="kiosk").conversation_id for _ in range(4)]

    def chat(conversation_id: str) -> str:
        for text in ("a speaker for the shower", "the first one", "how much is it"):
            reply = hark.turn(conversation_id, text).reply
        return reply

    with ThreadPoolExecutor(4) as pool:
        replies = list(pool.map(chat, ids))
    assert all("29 dollars and 99 cents" in r for r in replies)


def test_models_are_in_the_openapi_schema(client: httpx.Client) -> None:
    schema = client.get("/openapi.json").json()
    assert "/v1/conversations" in schema["paths"]
    assert "/v1/conversations/{conversation_id}/turns" in schema["paths"]
    for model in ("StartRequest", "Started", "TurnRequest", "TurnOut", "Transcript"):
        assert model in schema["components"]["schemas"]
