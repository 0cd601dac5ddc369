"""Who the caller is decides what Hark says (the policy table in docs/security.md).

Conversations run over HTTP on a real server on loopback with an API key,
started without a customer (anonymous, as a kiosk or an unknown number) or
claimed (in-process, as the phone channel will start them from caller ID).
Checked: anonymous order questions get a request to verify and no facts;
three wrong answers lead to a person; the right phone number or e-mail in
spoken and written forms verifies and the facts follow; a claimed caller
hears only the status word; the answer itself is never stored, logged or
sent to the LLM.
"""

from __future__ import annotations

import logging
import re

import httpx
import pytest
from openai_double import Say, ScriptedLLM
from sqlalchemy import select

from hark.dialogue.manager import DialogueManager
from hark.skills.identity import Identity, Permission, allowed
from hark.store.models import Cart, Customer, Order, ReturnRequest, Turn

KEY = "shop-site-key-0123456789abcdef"
# James Carter (C002): order 7002 shipped Nov 20, arriving Thursday Nov 26, headphones and a case.
JAMES_FACTS = ("shipped", "Thursday", "November", "Headphones", "Carrying Case", "James", "Carter")


def no_facts(text: str, facts: tuple[str, ...] = JAMES_FACTS) -> None:
    for fact in facts:
        assert fact.lower() not in text.lower(), fact


@pytest.fixture
def api(make_app, settings, live_server):
    keyed = settings.model_copy(update={"api_keys": _secret(KEY)})
    server = live_server(make_app(keyed))
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {KEY}"}) as client:
        yield client


def _secret(value: str):
    from pydantic import SecretStr

    return SecretStr(value)


class Call:
    """One conversation over the HTTP API."""

    def __init__(self, client: httpx.Client, customer: str | None = None) -> None:
        self.client = client
        body = {"channel": "web"} | ({"customer_id": customer} if customer else {})
        started = client.post("/v1/conversations", json=body)
        assert started.status_code == 201, started.text
        self.id = started.json()["conversation_id"]
        self.greeting = started.json()["greeting"]

    def say(self, text: str) -> dict:
        response = self.client.post(f"/v1/conversations/{self.id}/turns", json={"text": text})
        assert response.status_code == 200, response.text
        return response.json()

    def transcript(self) -> dict:
        return self.client.get(f"/v1/conversations/{self.id}").json()


ORDER_QUESTIONS = [
    "where is order 7002",
    "what's in order seven zero zero two",
    "when will order 7002 arrive",
    "what did i buy in order 7002",
    "tell me about order number 7002",
]


@pytest.mark.parametrize("question", ORDER_QUESTIONS)
def test_anonymous_order_questions_get_a_request_to_verify_and_no_facts(api, question) -> None:
    call = Call(api)
    reply = call.say(question)["reply"]
    assert re.search(r"phone number or email", reply.lower())
    no_facts(reply)


def test_guessing_order_numbers_reveals_nothing(api) -> None:
    """The same answer whether the order exists or not: no oracle for order numbers."""
    real, made_up = Call(api), Call(api)
    said_real = real.say("where is order 7002")["reply"]
    said_made_up = made_up.say("where is order 7003")["reply"]
    assert said_real.replace("7002", "N") == said_made_up.replace("7003", "N")
    for call in (real, made_up):
        wrong = call.say("five five five, zero one zero zero, one nine nine")["reply"]
        assert "doesn't match" in wrong
        no_facts(wrong)


def test_an_anonymous_caller_cannot_return_someone_elses_order(api, db) -> None:
    call = Call(api)
    for text in ("return order 8123", "yes", "yes please start the return"):
        no_facts(call.say(text)["reply"], ("Portable Bluetooth Speaker", "November 14th", "David"))
    with db.session() as session:
        assert session.scalars(select(ReturnRequest)).all() == []


def test_three_wrong_answers_lead_to_a_person(api) -> None:
    call = Call(api)
    call.say("where is order 7002")
    answers = [
        "five five five, one two three, four five six seven",
        "it's james at example dot com",
        "(555) 010-0199",
    ]
    replies = [call.say(text) for text in answers]
    assert all("doesn't match" in r["reply"] for r in replies)
    assert "try again" in replies[1]["reply"] and "person" not in replies[1]["reply"]
    assert "connect you with a person" in replies[2]["reply"]
    assert not call.say("not yet")["handoff"]
    # Hark stops trying in this conversation, even with the right answer now.
    again = call.say("where is order 7002")
    assert "connect you with a person" in again["reply"] and "phone number or" not in again["reply"]
    no_facts(call.say("james dot carter at example dot com")["reply"])
    person = call.say("a person please")
    assert person["handoff"]
    summary = next(a for a in person["actions"] if a["type"] == "handoff")["summary"]
    assert summary["customer"] is None  # nobody was verified
    assert [t["text"] for t in call.transcript()["turns"] if t["role"] == "user"][1:4] == [
        "[phone]",
        "[email]",
        "[phone]",
    ]
    locked = Call(call.client)  # a new conversation may try again; this one may not
    locked.say("where is order 7002")
    assert "matches" in locked.say("james dot carter at example dot com")["reply"]


SPOKEN_AND_WRITTEN = [
    "five five five, zero one zero zero, one zero two",
    "my number is 555-010-0102",
    "+1 (555) 010 0102",
    "plus one five five five oh one oh oh one oh two",
    "double five five oh one double oh one oh two",
    "james dot carter at example dot com",
    "James.Carter@Example.com",
    "it's j a m e s dot carter at example dot com",
]


@pytest.mark.parametrize("answer", SPOKEN_AND_WRITTEN)
def test_the_right_phone_or_email_in_any_form_verifies(api, answer, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    call = Call(api)
    ask = call.say("where is order seven zero zero two")
    no_facts(ask["reply"])
    verified = call.say(answer)
    assert verified["user"] in ("[phone]", "[email]")
    assert "matches" in verified["reply"]
    for fact in ("7002", "shipped", "Thursday, November 26th", "Headphones"):
        assert fact in verified["reply"]
    transcript = call.transcript()
    assert transcript["identity"] == "verified" and transcript["customer_id"] == "C002"
    stored = " ".join(t["text"] for t in transcript["turns"])
    assert "0102" not in stored and "carter" not in stored.lower()
    logged = caplog.text.lower()
    assert "0100102" not in re.sub(r"\D", "", _without_client_lines(caplog))
    assert "james.carter" not in logged and "james dot carter" not in logged


def _without_client_lines(caplog) -> str:
    """What the server logged (the test's HTTP client logs its own request bodies)."""
    return "\n".join(
        r.getMessage() for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))
    )


def test_after_verification_facts_come_and_other_orders_stay_hidden(api) -> None:
    call = Call(api)
    call.say("I want to check my orders")
    call.say("order 4410")
    verified = call.say("james dot carter at example dot com")
    assert "4410" in verified["reply"] and "delivered" in verified["reply"]
    mine = call.say("and where is my other order")
    assert "7002" in mine["reply"] and "shipped" in mine["reply"]
    maria = call.say("what about order 5274")  # Maria Lopez's order
    assert "couldn't find" in maria["reply"] and "delayed" not in maria["reply"]
    no_facts(maria["reply"], ("Maria", "Lopez", "December", "Wednesday"))


def test_verification_merges_the_guest_cart_and_allows_checkout(api, db) -> None:
    call = Call(api)
    call.say("add the travel mug to my cart")
    refused = call.say("check out")
    assert "sign in" in refused["reply"].lower()
    call.say("where is order 8123")
    verified = call.say("david dot kim at example dot com")
    assert "8123" in verified["reply"]
    checkout = call.say("check out")
    assert "24 dollars and 99 cents" in checkout["reply"] and checkout["reply"].endswith("?")
    placed = call.say("yes")
    assert any(a["type"] == "order_placed" for a in placed["actions"])
    with db.session() as session:
        cart = session.scalars(select(Cart).where(Cart.customer_id == "C004")).one()
        assert cart.status == "ordered"


# --- claimed callers (caller ID), in-process as the phone channel will start them ------
def claimed(dialogue: DialogueManager, customer: str, *texts: str):
    conversation_id, greeting = dialogue.start_conversation("phone", customer)  # no identity
    return conversation_id, greeting, [dialogue.turn(conversation_id, t) for t in texts]


def test_a_claimed_caller_hears_only_the_status_word(dialogue) -> None:
    cid, greeting, (mine, by_number) = claimed(
        dialogue, "C002", "where is my order", "where is order 7002"
    )
    assert dialogue.transcript(cid)["identity"] == "claimed"
    no_facts(greeting.text)  # no name, no "your order arrives Thursday"
    assert "on its way" in mine.text and "7002" not in mine.text
    assert "order 7002 is on its way" in by_number.text.lower()
    for reply in (mine, by_number):
        no_facts(reply.text, ("Thursday", "November", "Headphones", "Case", "James", "shipped on"))
    # Knowing an order number of the claimed customer changes nothing: the caller ID's own
    # number is never the proof, so only the e-mail on file is asked for either way.
    for reply in (mine, by_number):
        assert "email address" in reply.text and "phone number" not in reply.text


def test_a_claimed_caller_verifies_for_returns_and_checkout(dialogue, db) -> None:
    cid, _, (ask, proof, yes) = claimed(
        dialogue, "C004", "I want to return my speaker", "david dot kim at example dot com", "yes"
    )
    assert "email address" in ask.text and "Speaker" not in ask.text
    assert "8123" in proof.text and proof.text.endswith("?")
    assert any(a.type == "return_started" for a in yes.actions)
    _, _, (add, checkout, own_number, proof, place) = claimed(
        dialogue,
        "C004",
        "add the travel mug",
        "check out",
        "five five five zero one zero zero one zero four",
        "it's david dot kim at example dot com",
        "yes",
    )
    assert "email address" in checkout.text
    # The number a caller ID claim came from proves nothing: a spoofer knows it too.
    assert "doesn't match" in own_number.text and "Shall I place" not in own_number.text
    assert "Shall I place the order" in proof.text
    assert any(a.type == "order_placed" for a in place.actions)
    with db.session() as session:
        assert session.scalars(select(Order).where(Order.status == "processing")).all()


def test_a_claimed_caller_never_hears_the_customers_cart_or_name(dialogue) -> None:
    vouched, _ = dialogue.start_conversation("web", "C009", identity=Identity.VERIFIED)
    dialogue.turn(vouched, "add the mini portable bluetooth speaker to my cart")
    _, greeting, (cart, bye) = claimed(dialogue, "C009", "what's in my cart", "goodbye")
    for text in (greeting.text, cart.text, bye.text):
        no_facts(text, ("Mini Portable", "Sofia", "Rossi"))


def test_the_answer_never_reaches_the_llm(db, settings) -> None:
    """An OpenAI-compatible TEST DOUBLE on loopback records what the LLM is sent."""
    with ScriptedLLM([Say("I'm not sure, but I can connect you with a person.")]) as llm:
        llm_settings = settings.model_copy(
            update={"llm_base_url": llm.url, "llm_model": "scripted", "llm_timeout_s": 5.0}
        )
        manager = DialogueManager(db, llm_settings)
        cid, _ = manager.start_conversation("phone")
        manager.turn(cid, "where is order 7002")
        manager.turn(cid, "oh it's five five five oh one oh oh one oh two i think")
        manager.turn(cid, "tell me a joke")  # outside the shop: the LLM is asked
        assert llm.requests
        sent = llm.sent_text()
    assert "five five five" not in sent and "5550100102" not in re.sub(r"\D", "", sent)
    with db.session() as session:
        texts = [t.text for t in session.scalars(select(Turn).where(Turn.conversation_id == cid))]
    assert "[phone]" in texts and not any("five five five" in t for t in texts)


def test_the_policy_table() -> None:
    anyone = [p for p in Permission if allowed(Identity.ANONYMOUS, p)]
    assert anyone == [Permission.BROWSE]
    assert [p for p in Permission if allowed(Identity.CLAIMED, p)] == [
        Permission.BROWSE,
        Permission.ORDER_EXISTS,
    ]
    assert all(allowed(Identity.VERIFIED, p) for p in Permission)
    assert not allowed("something-else", Permission.ORDER_EXISTS)


def test_customer_for_phone_reads_any_format(dialogue, db) -> None:
    for number in ("+1 555 010 0102", "(555) 010-0102", "555.010.0102", "5550100102"):
        assert dialogue.customer_for_phone(number) == "C002"
    for number in ("555 0102", "+44 20 7946 0018", "not a number", ""):
        assert dialogue.customer_for_phone(number) is None
    with db.session() as session:  # a shop that writes its numbers its own way
        customer = session.get(Customer, "C005")
        customer.phone = "(555) 010-0105"
    assert dialogue.customer_for_phone("+15550100105") == "C005"
