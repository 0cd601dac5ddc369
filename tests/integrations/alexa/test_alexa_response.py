"""Alexa response shaping: SSML safety, the 8,000-character and 24 KB limits, cards,
reprompts, and how each intent and request fixture is read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hark.integrations.alexa.envelope import Envelope, Intent, plan_for_intent
from hark.integrations.alexa.response import (
    DEFAULT_REPROMPT,
    MAX_RESPONSE_BYTES,
    MAX_SPEECH_CHARS,
    build_reply_response,
    reply_ssml,
    response_size,
    text_ssml,
)
from hark.skills.reply import Card, Reply

FIXTURES = Path(__file__).parent.parent.parent / "fixtures" / "alexa"


def speech_of(body: dict) -> str:
    return body["response"]["outputSpeech"]["ssml"]


def test_plain_text_is_escaped_into_well_formed_ssml() -> None:
    ssml = text_ssml('Mugs & flasks < $30 > "cheap" \x07today')
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    assert root.text == 'Mugs & flasks < $30 > "cheap" today'


def test_the_replys_own_ssml_is_used_when_well_formed() -> None:
    reply = Reply(text="Hi there.", ssml='<speak>Hi <break time="200ms"/> there.</speak>')
    assert reply_ssml(reply) == reply.ssml


def test_ssml_without_a_speak_root_is_wrapped() -> None:
    reply = Reply(text="Hi.", ssml='Hi <emphasis level="strong">there</emphasis>.')
    assert reply_ssml(reply) == '<speak>Hi <emphasis level="strong">there</emphasis>.</speak>'


@pytest.mark.parametrize("broken", ["<speak>Tom & Jerry</speak>", "<speak><b>unclosed</speak>"])
def test_broken_ssml_falls_back_to_the_escaped_text(broken: str) -> None:
    reply = Reply(text="Tom & Jerry <3", ssml=broken)
    ssml = reply_ssml(reply)
    assert ET.fromstring(ssml).text == "Tom & Jerry <3"


def test_long_speech_is_trimmed_at_a_sentence_boundary() -> None:
    sentences = [f"This is sentence number {i} about a very fine travel mug." for i in range(400)]
    text = " ".join(sentences)
    body = build_reply_response(Reply(text=text, ssml=text_ssml(text)), end=False, attributes={})
    ssml = speech_of(body)
    assert len(ssml) <= MAX_SPEECH_CHARS
    spoken = ET.fromstring(ssml).text or ""
    assert spoken.endswith("mug.")
    assert text.startswith(spoken)
    assert len(spoken) > MAX_SPEECH_CHARS - 200  # trimmed, not gutted


def test_one_enormous_sentence_is_cut_at_a_word_with_an_ellipsis() -> None:
    text = "word " * 5000
    body = build_reply_response(Reply(text=text), end=True, attributes=None)
    ssml = speech_of(body)
    assert len(ssml) <= MAX_SPEECH_CHARS
    assert (ET.fromstring(ssml).text or "").endswith("word…")


def _cards(n: int, description: str) -> list[Card]:
    return [Card(f"SKU-{i}", f"Product {i}", 19.99 + i, i % 3, description) for i in range(n)]


def test_products_become_a_standard_card_without_image() -> None:
    reply = Reply(text="I found two mugs.", cards=_cards(2, "Keeps coffee hot."))
    body = build_reply_response(reply, end=False, attributes={}, card_title="Mugs")
    card = body["response"]["card"]
    assert card["type"] == "Standard"
    assert card["title"] == "Mugs"
    assert "Product 1 — $20.99 — in stock (1)" in card["text"]
    assert "Product 0 — $19.99 — out of stock" in card["text"]
    assert "Keeps coffee hot." in card["text"]
    assert "image" not in card


def test_an_oversized_response_drops_card_detail_first() -> None:
    # Each card alone stays under 8,000 characters, but wide characters push the bytes over.
    reply = Reply(text="Here is everything we have.", cards=_cards(60, "🛒" * 400))
    body = build_reply_response(reply, end=False, attributes={"conversationId": "c1"})
    assert response_size(body) <= MAX_RESPONSE_BYTES
    card = body["response"]["card"]
    assert "Product 59" in card["text"]
    assert "🛒" not in card["text"]  # descriptions went, the product list stayed
    assert speech_of(body) == text_ssml("Here is everything we have.")


def test_a_response_that_still_does_not_fit_loses_the_card_then_speech() -> None:
    text = " ".join(["Ünïcödé ✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓."] * 300)
    reply = Reply(text=text, cards=_cards(600, ""))
    body = build_reply_response(reply, end=False, attributes={"conversationId": "c1"})
    assert response_size(body) <= MAX_RESPONSE_BYTES
    assert "card" not in body["response"]
    assert len(speech_of(body)) <= MAX_SPEECH_CHARS
    assert body["sessionAttributes"] == {"conversationId": "c1"}


def test_an_open_session_reprompts_with_the_closing_question() -> None:
    reply = Reply(text="The mug is $24.99. Shall I add it to your cart?")
    body = build_reply_response(reply, end=False, attributes={"conversationId": "c1"})
    assert body["version"] == "1.0"
    assert body["response"]["shouldEndSession"] is False
    reprompt = body["response"]["reprompt"]["outputSpeech"]
    assert reprompt == {"type": "SSML", "ssml": "<speak>Shall I add it to your cart?</speak>"}


def test_a_statement_reprompts_generically_and_an_ending_has_no_reprompt() -> None:
    opened = build_reply_response(Reply(text="Your order shipped."), end=False, attributes={})
    assert opened["response"]["reprompt"]["outputSpeech"]["ssml"] == text_ssml(DEFAULT_REPROMPT)
    ended = build_reply_response(Reply(text="Goodbye."), end=True, attributes=None)
    assert ended["response"]["shouldEndSession"] is True
    assert "reprompt" not in ended["response"]
    assert "sessionAttributes" not in ended


def test_a_lead_is_spoken_before_the_reply() -> None:
    body = build_reply_response(
        Reply(
            text="Your order shipped.",
            ssml="<speak>Your order <emphasis>shipped</emphasis>.</speak>",
        ),
        end=False,
        attributes={},
        lead_text="I'm Hark, an automated assistant.",
    )
    assert speech_of(body) == (
        "<speak>I'm Hark, an automated assistant. Your order <emphasis>shipped</emphasis>.</speak>"
    )


@pytest.mark.parametrize(
    ("name", "slots", "kind", "text"),
    [
        (
            "CatchAllIntent",
            {"utterance": {"value": " do you have mugs "}},
            "say",
            "do you have mugs",
        ),
        ("CatchAllIntent", {"utterance": {}}, "fallback", ""),
        ("CatchAllIntent", {}, "fallback", ""),
        (
            "ProductSearchIntent",
            {"product": {"value": "thermos flask"}},
            "say",
            "do you have thermos flask",
        ),
        ("AMAZON.HelpIntent", {}, "say", "help"),
        ("AMAZON.YesIntent", {}, "say", "yes"),
        ("AMAZON.NoIntent", {}, "say", "no"),
        ("AMAZON.StopIntent", {}, "stop", "stop"),
        ("AMAZON.CancelIntent", {}, "stop", "stop"),
        ("AMAZON.FallbackIntent", {}, "fallback", ""),
        ("AMAZON.PauseIntent", {}, "fallback", ""),
    ],
)
def test_each_intent_maps_to_the_words_the_brain_hears(name, slots, kind, text) -> None:
    plan = plan_for_intent(Intent.model_validate({"name": name, "slots": slots}))
    assert (plan.kind, plan.text) == (kind, text)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.stem)
def test_every_fixture_parses_as_an_envelope(path: Path) -> None:
    raw = json.loads(path.read_text())
    envelope = Envelope.model_validate(raw)
    assert envelope.request.type == raw["request"]["type"]
    assert envelope.user_id == "amzn1.ask.account.FIXTUREUSER"
    assert envelope.api_endpoint == "https://api.amazonalexa.com"
    expected_id = raw["session"]["attributes"].get("conversationId")
    assert envelope.conversation_id == expected_id


def test_the_access_token_is_read_from_context_first() -> None:
    raw = json.loads((FIXTURES / "launch.json").read_text())
    raw["session"]["user"]["accessToken"] = "session-token"
    assert Envelope.model_validate(raw).access_token == "session-token"
    raw["context"]["System"]["user"]["accessToken"] = "context-token"
    assert Envelope.model_validate(raw).access_token == "context-token"
