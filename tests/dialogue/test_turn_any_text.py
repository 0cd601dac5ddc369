"""Any text gets an answer: no input string can make a turn fail.

Hypothesis drives the turn entry point (``DialogueManager.turn``) with arbitrary
Unicode, including lone surrogates, control characters, other scripts and
Unicode digits ("➇", "⓿", "٣"), then the same odd texts go through the real HTTP
server. Every turn must give a spoken reply and a stored, redacted user turn; over
HTTP, a JSON string that is not Unicode text (a lone surrogate) is a clear 422.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hark.store.models import Conversation, Turn

ODD = [
    "➇",
    "⓿",
    "order ➇⓿①②",
    "٣١٨٦",
    "where is order ٣١٨٦",
    "４１１１ １１１１ １１１１ １１１１",
    "\x00\x07\x1b[31m red \u202e evil",
    "x\ud800y",
    "😀" * 1000,
    "👨\u200d👩\u200d👧 " * 50,
    "Ⅷ ⑩ ½ ² 四 五",
    "مرحبا، أين طلبي ٥٢٧٤",
    "где мой заказ 5274",
    "\n\t \r",
    "a" * 5000,
    "[card number] [email] ]]][[[",
    "9" * 4000,
]

unicode_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), min_size=0, max_size=400
)
digit_soup = st.text(alphabet=st.sampled_from("➇⓿①٣١٨٦４１𝟠²0123456789 -./"), max_size=60)


@pytest.fixture
def conversation(dialogue):
    conversation_id, _ = dialogue.start_conversation("kiosk")
    return conversation_id


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(text=st.one_of(unicode_text, digit_soup, st.sampled_from(ODD)))
def test_any_text_gets_an_answer(dialogue, db, conversation, text) -> None:
    with db.session() as session:
        before = session.query(Turn).filter(Turn.conversation_id == conversation).count()
    reply = dialogue.turn(conversation, text)
    assert reply.text.strip() and reply.ssml.startswith("<speak>")
    with db.session() as session:
        turns = (
            session.query(Turn)
            .filter(Turn.conversation_id == conversation)
            .order_by(Turn.seq)
            .all()
        )
        assert len(turns) == before + 2  # the caller's turn and the answer, both saved
        assert "\x00" not in turns[-2].text
        assert session.get(Conversation, conversation) is not None


def test_odd_text_over_http_is_never_a_500(make_app, live_server) -> None:
    server = live_server(make_app())
    with httpx.Client(base_url=server.url, timeout=30) as client:
        conversation_id = client.post("/v1/conversations", json={"channel": "api"}).json()[
            "conversation_id"
        ]
        for text in ODD:
            body = '{"text": ' + json.dumps(text[:4000]) + "}"  # a lone surrogate as \ud800
            response = client.post(
                f"/v1/conversations/{conversation_id}/turns",
                content=body.encode(),
                headers={"content-type": "application/json"},
            )
            if any("\ud800" <= ch <= "\udfff" for ch in text):
                # not Unicode text at all: a clear 422, not a 500
                assert response.status_code == 422, response.text
                assert "unicode" in response.text
                continue
            assert response.status_code == 200, (text[:40], response.text)
            assert response.json()["reply"]
        transcript = client.get(f"/v1/conversations/{conversation_id}").json()
        assert "4111" not in str(transcript)  # the full-width card number was redacted
