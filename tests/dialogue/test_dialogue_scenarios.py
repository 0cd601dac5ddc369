"""Conversation scenarios on the sample shop, one or more per numbered behaviour of issue 4.

Each scenario is a list of utterances (optionally after earlier conversations
of the same customer) and a check that asserts on meaning. A scenario's
customer is one the channel vouches for (``verified``); callers without one
prove who they are in the conversation before they hear an order's facts: the right order,
status and date, the right product, rows created in the database, card digits
absent. The same scenarios run three ways: here in-process against
``DialogueManager``, through ``hark chat --json`` (test_chat_cli.py) and through
the HTTP API on a real server (test_conversations_api.py).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from hark.privacy.redact import redact
from hark.skills.identity import Identity
from hark.store.db import Database
from hark.store.models import Conversation, Order, ReturnRequest, Turn


@dataclass
class Talk:
    """One conversation as a channel saw it: the greeting and the turn objects."""

    greeting: dict[str, Any]
    turns: list[dict[str, Any]]

    def reply(self, i: int) -> str:
        return self.turns[i]["reply"]

    def skus(self, i: int) -> list[str]:
        return [c["sku"] for c in self.turns[i]["cards"]]


@dataclass
class Scenario:
    name: str
    utterances: list[str]
    check: Callable[[Talk, Database, list[Talk]], None]
    customer: str | None = None
    before: list[tuple[str | None, list[str]]] = field(default_factory=list)


# --- helpers ----------------------------------------------------------------------
def has(text: str, *needles: str) -> bool:
    low = text.lower()
    return all(n.lower() in low for n in needles)


def says_automated(greeting: dict[str, Any]) -> None:
    assert "automated assistant" in greeting["text"].lower()


def speech_ready(event: dict[str, Any]) -> None:
    """Plain text plus well-formed SSML, short sentences, no raw "$" for TTS to misread."""
    text = event.get("reply", event.get("text", ""))
    ssml = event["ssml"]
    ET.fromstring(ssml)  # well-formed XML
    assert ssml.startswith("<speak>") and ssml.endswith("</speak>")
    assert "$" not in text
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        assert len(sentence.split()) <= 40, sentence


def db_texts(db: Database) -> list[str]:
    with db.session() as s:
        return [t.text for t in s.scalars(select(Turn))]


# --- checks, one per behaviour --------------------------------------------------------
def asks_to_verify(event: dict[str, Any], *hidden: str) -> None:
    """A request to prove who you are, and none of the order's facts."""
    assert re.search(r"phone number or email", event["reply"].lower())
    for fact in hidden:
        assert fact.lower() not in event["reply"].lower(), fact


def check_order_by_number(talk: Talk, db: Database, _: list[Talk]) -> None:
    says_automated(talk.greeting)
    ask, first, other, foreign = talk.turns
    assert ask["intent"] == "order_status" and "3186" in ask["reply"]
    asks_to_verify(ask, "delivered", "September", "Coffee Grinder")
    assert first["user"] == "[phone]"  # the answer itself is never stored or echoed
    assert first["intent"] == "order_status"
    assert has(first["reply"], "3186", "delivered", "September 2nd", "Coffee Grinder")
    assert has(other["reply"], "1847", "delivered", "June 18th")  # the same customer's order
    assert "couldn't find" in foreign["reply"].lower()  # someone else's order: nothing
    assert not re.search(r"shipped|headphones|november", foreign["reply"].lower())


def check_my_order(talk: Talk, db: Database, _: list[Talk]) -> None:
    mine, last = talk.turns
    assert has(mine["reply"], "9031") and has(mine["reply"], "being prepared")
    assert has(mine["reply"], "December 1st")
    assert "9031" in last["reply"]  # the most recently placed order
    assert "5274" not in mine["reply"] + last["reply"]  # someone else's order


def check_number_after_question(talk: Talk, db: Database, _: list[Talk]) -> None:
    ask, verify, answer = talk.turns
    assert "order number" in ask["reply"].lower()
    asks_to_verify(verify, "shipped", "Headphones")
    assert verify["user"] == "seven zero zero two" and answer["user"] == "[email]"
    assert has(answer["reply"], "7002", "shipped", "Thursday, November 26th", "Headphones")


def check_return_started(talk: Talk, db: Database, _: list[Talk]) -> None:
    policy, ask, done = talk.turns
    assert has(policy["reply"], "30 days")
    assert has(ask["reply"], "8123") and "?" in ask["reply"]
    assert done["intent"] == "start_return" and "8123" in done["reply"]
    with db.session() as s:
        rows = s.scalars(select(ReturnRequest).where(ReturnRequest.order_id == "8123")).all()
    assert len(rows) == 1 and rows[0].status == "open"


def check_return_refused(talk: Talk, db: Database, _: list[Talk]) -> None:
    (refused,) = talk.turns
    assert has(refused["reply"], "7002") and "deliver" in refused["reply"].lower()
    with db.session() as s:
        assert s.scalars(select(ReturnRequest)).all() == []


def check_faq(talk: Talk, db: Database, _: list[Talk]) -> None:
    abroad, refund, unknown = talk.turns
    assert has(abroad["reply"], "Canada")
    assert has(refund["reply"], "5 to 7 business days")
    assert not has(unknown["reply"], "Canada") and not has(unknown["reply"], "business days")
    assert re.search(r"not sure|didn't understand", unknown["reply"].lower())


def check_purpose_search(talk: Talk, db: Database, _: list[Talk]) -> None:
    coffee, shower, cheap, nothing = talk.turns
    assert coffee["cards"][0]["sku"] in ("KIT-1001", "KIT-1002")
    assert set(talk.skus(0)) <= {"KIT-1001", "KIT-1002", "COF-2006"}
    assert talk.skus(1)[0] == "AUD-3001"
    assert cheap["cards"] and all(c["price"] <= 100 and c["stock"] > 0 for c in cheap["cards"])
    assert "AUD-3008" in talk.skus(2)
    assert nothing["cards"] == [] and "couldn't find" in nothing["reply"].lower()


def check_follow_ups(talk: Talk, db: Database, _: list[Talk]) -> None:
    search, cheaper, more, price, smaller = talk.turns
    assert search["cards"][0]["sku"] == "KIT-1002"
    assert talk.skus(1) == ["KIT-1001"]  # the cheaper of the two offered
    assert talk.skus(2) == ["KIT-1001"] and has(more["reply"], "Travel Mug")
    assert has(price["reply"], "24 dollars and 99 cents")
    # Nothing that keeps coffee hot is smaller than the 16 oz mug: it must say so,
    # not pass the 1 liter flask off as smaller.
    assert "KIT-1002" not in talk.skus(4)
    assert "smallest" in smaller["reply"].lower() or talk.skus(4)


def check_smaller_speaker(talk: Talk, db: Database, _: list[Talk]) -> None:
    about, smaller = talk.turns
    assert talk.skus(0) == ["AUD-3004"]
    # the big 80-watt party speaker -> a smaller speaker (mid-size, 3-inch or palm-sized)
    assert talk.skus(1) and talk.skus(1)[0] in ("AUD-3003", "AUD-3002", "AUD-3001")
    assert "smallest" not in smaller["reply"].lower()


def check_cart(talk: Talk, db: Database, _: list[Talk]) -> None:
    add_mug, add_flasks, three, remove, read = talk.turns
    assert add_mug["intent"] == "add_to_cart" and "KIT-1001" in talk.skus(0)
    assert has(add_flasks["reply"], "Thermos")
    assert has(three["reply"], "three")
    assert remove["intent"] == "remove_from_cart" and "Travel Mug" in remove["reply"]
    assert has(read["reply"], "three", "Thermos", "104 dollars and 97 cents")
    assert "Travel Mug" not in read["reply"]


def check_checkout(talk: Talk, db: Database, _: list[Talk]) -> None:
    add, cross_no, checkout, yes = talk.turns
    assert "would you like me to add that too" in add["reply"].lower()
    assert "AUD-3007" in talk.skus(0)  # the case: bought with these headphones in past orders
    assert has(checkout["reply"], "129 dollars and 99 cents") and "?" in checkout["reply"]
    with db.session() as s:
        orders = s.scalars(select(Order).where(Order.customer_id == "C004")).all()
        new = [o for o in orders if o.status == "processing"]
        assert len(new) == 1
        order = new[0]
        assert [(line.sku, line.quantity) for line in order.lines] == [("AUD-3006", 1)]
        assert order.placed_at.isoformat() == "2026-11-24" and order.eta > order.placed_at
    assert order.order_id in yes["reply"] and any(
        a["type"] == "order_placed" for a in yes["actions"]
    )


def check_guest_checkout(talk: Talk, db: Database, _: list[Talk]) -> None:
    _add, checkout = talk.turns
    assert re.search(r"sign in|phone number", checkout["reply"].lower())
    with db.session() as s:
        assert len(s.scalars(select(Order)).all()) == 36  # the sample shop's orders, no new one


def check_cross_sell_once(talk: Talk, db: Database, _: list[Talk]) -> None:
    add, no, add_again = talk.turns
    assert "AUD-3007" in talk.skus(0) and "too?" in add["reply"]
    assert "would you like me to add that too" not in add_again["reply"].lower()


def check_proactive_delayed(talk: Talk, db: Database, _: list[Talk]) -> None:
    says_automated(talk.greeting)
    g = talk.greeting["text"]
    assert has(g, "5274", "delayed", "Wednesday, December 2nd")
    assert re.search(r"sorry", g.lower())
    # no remedy is promised unless the shop sets HARK_DELAY_REMEDY (tests/test_order_state.py)
    assert not re.search(r"free|credit|discount|make up for", g.lower())


def check_proactive_arriving(talk: Talk, db: Database, _: list[Talk]) -> None:
    says_automated(talk.greeting)
    assert has(talk.greeting["text"], "7002", "Thursday, November 26th")


def check_proactive_replenish(talk: Talk, db: Database, _: list[Talk]) -> None:
    says_automated(talk.greeting)
    assert has(talk.greeting["text"], "House Blend")
    (yes,) = talk.turns
    assert yes["intent"] == "add_to_cart" and "COF-2002" in talk.skus(0)


def check_proactive_cart_and_unresolved(talk: Talk, db: Database, before: list[Talk]) -> None:
    assert before[1].turns[-1]["handoff"]
    greeting = talk.greeting["text"]
    says_automated(talk.greeting)
    assert has(greeting, "Mini Portable Bluetooth Speaker", "cart")  # open cart outranks
    (answer,) = talk.turns
    assert "9158" in answer["reply"]
    assert re.search(r"by the way", answer["reply"].lower())  # the next item, once
    assert "connect you" in answer["reply"].lower()  # the unresolved matter


def check_plain_greeting(talk: Talk, db: Database, _: list[Talk]) -> None:
    says_automated(talk.greeting)
    assert "help" in talk.greeting["text"].lower()
    assert not re.search(r"order \d|delayed|cart", talk.greeting["text"].lower())


def check_sentiment(talk: Talk, db: Database, _: list[Talk]) -> None:
    upset, calm = talk.turns
    assert upset["sentiment"] < -0.3 and calm["sentiment"] >= -0.1
    assert re.match(r"(i'm sorry|i understand)", upset["reply"].lower())
    assert "5274" in upset["reply"]  # acknowledged, then answered
    with db.session() as s:
        users = s.scalars(select(Turn).where(Turn.role == "user").order_by(Turn.id)).all()
    assert users[-2].sentiment < -0.3


def check_sentiment_handoff(talk: Talk, db: Database, _: list[Talk]) -> None:
    first, second = talk.turns
    assert not first["handoff"] and second["handoff"]
    summary = next(a for a in second["actions"] if a["type"] == "handoff")["summary"]
    assert summary["sentiment"]["last"] < -0.5 and summary["customer"]["customer_id"] == "C005"


def check_handoff_request(talk: Talk, db: Database, _: list[Talk]) -> None:
    status, agent = talk.turns
    assert agent["handoff"] and agent["intent"] == "human_agent"
    assert re.search(r"connect|transfer", agent["reply"].lower())
    summary = next(a for a in agent["actions"] if a["type"] == "handoff")["summary"]
    assert summary["customer"]["customer_id"] == "C001"
    assert summary["intent"] == "order_status" and "5274" in summary["key_facts"]["orders"]
    assert summary["sentiment"]["trend"] in ("steady", "improving", "worsening")
    assert any("5274" in t["text"] for t in summary["last_turns"])
    with db.session() as s:
        assert s.scalars(select(Conversation)).one().resolved is False


def check_handoff_zero_and_not_understood(talk: Talk, db: Database, _: list[Talk]) -> None:
    one, two = talk.turns[:2]
    assert not one["handoff"] and two["handoff"]
    assert talk.turns[2]["handoff"]  # "zero" asks for a person too


def check_privacy(talk: Talk, db: Database, _: list[Talk]) -> None:
    card, after = talk.turns
    assert re.search(r"(don't|do not) need", card["reply"].lower())
    assert not re.search(r"\d{4}", card["reply"]) and "4111" not in json.dumps(card)
    for text in db_texts(db):
        assert "4111" not in text and "1111 1111" not in text
    assert has(after["reply"], "3186")


def check_spoken_input(talk: Talk, db: Database, _: list[Talk]) -> None:
    ask, status, phones, shower = talk.turns
    asks_to_verify(ask, "shipped")
    assert has(status["reply"], "7002", "shipped")
    assert phones["cards"] and all(c["price"] <= 100 for c in phones["cards"])
    assert "AUD-3008" in talk.skus(2)
    assert talk.skus(3)[0] == "AUD-3001"


def check_speech_and_end(talk: Talk, db: Database, _: list[Talk]) -> None:
    speech_ready({"text": talk.greeting["text"], "ssml": talk.greeting["ssml"]})
    for event in talk.turns:
        speech_ready(event)
    assert all(set(c) >= {"sku", "name", "price", "stock"} for c in talk.turns[0]["cards"])
    assert talk.turns[-1]["end"] is True and not any(t["end"] for t in talk.turns[:-1])


SCENARIOS: list[Scenario] = [
    Scenario(
        "1-order-by-number",
        [
            "where is order three one eight six",
            "five five five, zero one zero zero, one zero three",
            "and order 1847?",
            "and order 7002?",
        ],
        check_order_by_number,
    ),
    Scenario(
        "1-my-order",
        ["where is my order", "what about my last order"],
        check_my_order,
        customer="C005",
    ),
    Scenario(
        "1-number-after-question",
        ["where is my order", "seven zero zero two", "james dot carter at example dot com"],
        check_number_after_question,
    ),
    Scenario(
        "1-return",
        ["what's your return policy", "I want to return my speaker", "yes"],
        check_return_started,
        customer="C004",
    ),
    Scenario(
        "1-return-refused", ["I'd like to return order 7002"], check_return_refused, customer="C002"
    ),
    Scenario(
        "1-faq",
        [
            "do you deliver to canada",
            "when do i get my money back",
            "who won the football game last night",
        ],
        check_faq,
    ),
    Scenario(
        "2-search",
        [
            "something to keep coffee hot",
            "a speaker for the shower",
            "headphones under one hundred dollars",
            "do you sell lawn mowers",
        ],
        check_purpose_search,
    ),
    Scenario(
        "2-follow-ups",
        [
            "something to keep coffee hot",
            "the cheaper one",
            "tell me more about it",
            "how much is it",
            "something smaller",
        ],
        check_follow_ups,
    ),
    Scenario(
        "2-smaller",
        ["tell me about the large party speaker", "something smaller"],
        check_smaller_speaker,
    ),
    Scenario(
        "2-cart",
        [
            "add the travel mug to my cart",
            "add a thermos flask",
            "make it three",
            "remove the travel mug",
            "what's in my cart",
        ],
        check_cart,
    ),
    Scenario(
        "2-checkout",
        ["add the wireless over-ear headphones to my cart", "no", "checkout", "yes"],
        check_checkout,
        customer="C004",
    ),
    Scenario(
        "2-guest-checkout",
        ["add the travel mug to my cart", "check out please"],
        check_guest_checkout,
    ),
    Scenario(
        "2-cross-sell-once",
        ["add the wireless over-ear headphones", "no thanks", "add the true wireless earbuds"],
        check_cross_sell_once,
    ),
    Scenario("3-delayed", [], check_proactive_delayed, customer="C001"),
    Scenario("3-arriving", [], check_proactive_arriving, customer="C002"),
    Scenario("3-replenish", ["yes please"], check_proactive_replenish, customer="C003"),
    Scenario(
        "3-cart-then-unresolved",
        ["where is order 9158"],
        check_proactive_cart_and_unresolved,
        customer="C009",
        before=[
            ("C009", ["add the mini portable bluetooth speaker to my cart", "no"]),
            ("C009", ["my headphones keep disconnecting", "agent"]),
        ],
    ),
    Scenario("3-plain", [], check_plain_greeting, customer="C004"),
    Scenario(
        "4-sentiment",
        ["this is ridiculous, where is my order?", "ok thanks"],
        check_sentiment,
        customer="C001",
    ),
    Scenario(
        "4-5-sentiment-handoff",
        ["this is useless, I'm so angry", "you people are terrible, the worst service ever"],
        check_sentiment_handoff,
        customer="C005",
    ),
    Scenario(
        "5-handoff-request",
        ["where is my order", "I want to talk to a real person"],
        check_handoff_request,
        customer="C001",
    ),
    Scenario(
        "5-handoff-not-understood",
        ["blorp flim zazz", "quux wibble frotz", "zero"],
        check_handoff_zero_and_not_understood,
    ),
    Scenario(
        "6-privacy", ["my card number is 4111 1111 1111 1111", "where is order 3186"], check_privacy
    ),
    Scenario(
        "7-spoken",
        [
            "um where is order seven thousand and two",
            "it's five five five oh one oh oh one oh two",
            "blue tooth head phones under one hundred dollars",
            "uh i need a speaker for the uh shower",
        ],
        check_spoken_input,
    ),
    Scenario(
        "8-speech",
        ["a speaker for the shower", "how much is the chef's knife", "goodbye"],
        check_speech_and_end,
    ),
]


def run_in_process(dialogue, customer: str | None, utterances: list[str]) -> Talk:
    # A scenario's customer is one the channel vouches for, as a key holder's would be.
    identity = Identity.VERIFIED if customer else None
    conversation_id, greeting = dialogue.start_conversation("test", customer, identity=identity)
    talk = Talk(
        {
            "text": greeting.text,
            "ssml": greeting.ssml,
            "actions": [a.to_dict() for a in greeting.actions],
        },
        [],
    )
    for text in utterances:
        reply = dialogue.turn(conversation_id, text)
        talk.turns.append(reply.to_turn_event(redact(text).text))  # as channels echo it
    return talk


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.name)
def test_scenario_in_process(scenario: Scenario, dialogue, db: Database) -> None:
    before = [run_in_process(dialogue, c, u) for c, u in scenario.before]
    talk = run_in_process(dialogue, scenario.customer, scenario.utterances)
    scenario.check(talk, db, before)
