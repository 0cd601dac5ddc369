"""Identity attacks inside the conversation, written as the attacker would try them (issue 21).

In-process, as a channel drives the brain: a customer the channel only
asserts (caller ID, a text's sender) is ``claimed``. Checked: the asserted
number never proves the claim; order-number sweeps get identical replies,
each is a failed check counted in the database (``verify_attempts``), and past
``HARK_VERIFY_LOCKOUT`` nothing about the customer's orders is said in any
conversation, also by a second DialogueManager on its own connection to the
same database file; an answer packed with values is one failed attempt; a
text thread's proof is brief and never covers an action; operators see and
clear lockouts on the desk.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from hark.dialogue.manager import DialogueManager
from hark.store.db import open_database
from hark.store.models import Conversation, Customer, ReturnRequest, VerifyAttempt

ADMIN = "admin-key-lockouts-0123456789"
JAMES_PHONE_FORMS = ("+1 555 010 0102", "five five five oh one oh oh one oh two", "5550100102")
JAMES_DETAILS = ("Thursday", "November", "Headphones", "Case", "James", "arrive")


def claimed(dialogue: DialogueManager, customer: str, channel: str = "phone") -> str:
    conversation_id, _ = dialogue.start_conversation(channel, customer)  # as caller ID does
    return conversation_id


def anonymous(dialogue: DialogueManager, channel: str = "phone") -> str:
    return dialogue.start_conversation(channel)[0]


def failures(db, **where: str) -> int:
    with db.session() as session:
        query = select(func.count()).select_from(VerifyAttempt)
        query = query.where(VerifyAttempt.kind == "failure")
        for column, value in where.items():
            query = query.where(getattr(VerifyAttempt, column) == value)
        return session.scalar(query) or 0


def no_details(text: str, details: tuple[str, ...] = JAMES_DETAILS) -> None:
    for detail in details:
        assert detail.lower() not in text.lower(), (detail, text)


def identity(dialogue: DialogueManager, conversation_id: str) -> str:
    return dialogue.transcript(conversation_id)["identity"]


# --- 1. a claim never proves itself --------------------------------------------------
@pytest.mark.parametrize("channel", ["phone", "sms", "web"])  # web: an unvouched customer_id
def test_the_claimed_number_never_proves_the_claim(dialogue, db, channel) -> None:
    for form in JAMES_PHONE_FORMS:
        cid = claimed(dialogue, "C002", channel)
        asked = dialogue.turn(cid, "where is order 7002")  # an order of theirs, named
        assert "email address" in asked.text and "phone number" not in asked.text
        refused = dialogue.turn(cid, form)
        assert "doesn't match" in refused.text, form
        no_details(refused.text)
        assert identity(dialogue, cid) == "claimed"
    assert failures(db, customer_id="C002") == len(JAMES_PHONE_FORMS)
    cid = claimed(dialogue, "C002", channel)
    dialogue.turn(cid, "where is order 7002")
    proved = dialogue.turn(cid, "james dot carter at example dot com")  # the other detail
    assert "matches" in proved.text and "Thursday, November 26th" in proved.text
    assert identity(dialogue, cid) == "verified"


def test_a_claim_with_nothing_else_on_file_goes_to_a_person(dialogue, db) -> None:
    with db.session() as session:
        session.get(Customer, "C002").email = None
    cid = claimed(dialogue, "C002")
    for question in ("where is order 7002", "I want to return order 4410"):
        reply = dialogue.turn(cid, question)
        assert "connect you with a person" in reply.text and "email" not in reply.text
        no_details(reply.text)
    proof = dialogue.turn(cid, "+1 555 010 0102")
    assert identity(dialogue, cid) == "claimed" and "matches" not in proof.text
    assert dialogue.turn(cid, "agent please").handoff


def test_an_anonymous_caller_still_proves_an_order_with_its_phone(dialogue) -> None:
    """Not a claim: a caller from an unknown number who knows the order and its phone."""
    cid = anonymous(dialogue)
    dialogue.turn(cid, "where is order 7002")
    assert "matches" in dialogue.turn(cid, "+1 555 010 0102").text
    assert identity(dialogue, cid) == "verified"


# --- 2. no free oracle ------------------------------------------------------------------
def test_a_claimed_order_number_sweep_is_counted_and_locks_out(dialogue, db, settings) -> None:
    cid = claimed(dialogue, "C002", "sms")
    made_up = dialogue.turn(cid, "where is order 7003").text  # exists nowhere
    marias = dialogue.turn(cid, "where is order 5274").text  # Maria Lopez's
    assert made_up.replace("7 0 0 3", "N").replace("7003", "N") == marias.replace(
        "5 2 7 4", "N"
    ).replace("5274", "N")
    assert "couldn't find" in made_up
    assert failures(db, customer_id="C002") == 2
    assert failures(db, order_key="5274") == 1 and failures(db, order_key="7003") == 1
    third = dialogue.turn(cid, "where is order 1234")  # the conversation's attempts are spent
    assert "connect you with a person" in third.text
    own = dialogue.turn(cid, "where is order 7002")  # even their own order: no status word
    assert "on its way" not in own.text and "shipped" not in own.text
    assert "connect you with a person" in own.text

    # A new conversation, another channel: the customer's budget (5/hour) is shared.
    again = claimed(dialogue, "C002", "phone")
    assert "couldn't find" in dialogue.turn(again, "where is order 1235").text
    spent = dialogue.turn(again, "where is order 1236")
    assert failures(db, customer_id="C002") == 5
    assert "connect you with a person" in spent.text

    # Another process (its own engine on the same database file) sees the lockout.
    other_db = open_database(settings.effective_database_url, migrate=False)
    try:
        other = DialogueManager(other_db, settings)
        fresh = claimed(other, "C002", "whatsapp")
        for question in ("where is my order", "where is order 7002", "return order 4410"):
            reply = other.turn(fresh, question)
            assert "on its way" not in reply.text and "connect you with a person" in reply.text
            no_details(reply.text)
        person = other.turn(fresh, "yes please")  # a locked-out customer still reaches a person
        assert person.handoff
    finally:
        other_db.dispose()


def test_anonymous_guesses_lock_real_and_made_up_numbers_alike(dialogue, db) -> None:
    for attempt in range(5):
        replies = []
        for number in ("7002", "7003"):  # a real order and a made-up one
            cid = anonymous(dialogue, "web")
            asked = dialogue.turn(cid, f"where is order {number}").text
            wrong = dialogue.turn(cid, f"it's guess{attempt} at example dot com").text
            replies.append((asked.replace(number, "N"), wrong))
        assert replies[0] == replies[1]
        assert "doesn't match" in replies[0][1]
    assert failures(db, order_key="7002") == 5 and failures(db, order_key="7003") == 5
    locked = []
    for number in ("7002", "7003"):
        cid = anonymous(dialogue, "web")
        reply = dialogue.turn(cid, f"where is order {number}").text
        assert "connect you with a person" in reply
        locked.append(reply.replace(number, "N"))
        right = dialogue.turn(cid, "james dot carter at example dot com")
        assert identity(dialogue, cid) == "anonymous"
        no_details(right.text)
    assert locked[0] == locked[1]


def test_the_right_answer_opens_nothing_once_the_customer_is_locked(dialogue, db) -> None:
    for number in ("1111", "2222", "3333", "4444", "5555"):
        dialogue.turn(claimed(dialogue, "C002"), f"where is order {number}")
    assert failures(db, customer_id="C002") == 5
    cid = anonymous(dialogue, "web")  # by the order number, from a number not on file
    dialogue.turn(cid, "where is order 4410")
    reply = dialogue.turn(cid, "james.carter@example.com")
    assert identity(dialogue, cid) == "anonymous" and "delivered" not in reply.text


# --- 3. one value per answer --------------------------------------------------------
@pytest.mark.parametrize("count", [2, 50, 300])
def test_an_answer_holding_many_values_is_one_failed_attempt(dialogue, db, count) -> None:
    right = ["5550100102", "james.carter@example.com"]  # both on file, first in the list
    guesses = [f"555010{1000 + i:04d}" if i % 2 else f"guess{i}@example.com" for i in range(count)]
    answer = ", ".join((right + guesses)[:count])
    cid = anonymous(dialogue, "web")
    dialogue.turn(cid, "where is order 7002")
    reply = dialogue.turn(cid, answer)
    assert "just one" in reply.text and "matches" not in reply.text
    no_details(reply.text)
    assert identity(dialogue, cid) == "anonymous"
    assert failures(db, customer_id="C002") == 1 and failures(db, order_key="7002") == 1
    stored = dialogue.transcript(cid)["turns"][-2]["text"]
    assert "5550100102" not in stored and "james" not in stored.lower()
    one = dialogue.turn(cid, "james.carter@example.com")  # then just one: it is checked
    assert "matches" in one.text


# --- 5. a text thread's proof is brief and never covers an action ------------------------
def test_a_text_threads_proof_is_brief_and_never_covers_an_action(dialogue, db) -> None:
    cid = claimed(dialogue, "C002", "sms")
    dialogue.turn(cid, "where is order 4410")
    assert "delivered" in dialogue.turn(cid, "james.carter@example.com").text
    # Someone texting as that number a minute later: an action needs a proof of its own.
    ask = dialogue.turn(cid, "I want to return order 4410")
    assert "email address" in ask.text and "Shall I start" not in ask.text
    dialogue.turn(cid, "yes")
    with db.session() as session:
        assert session.scalars(select(ReturnRequest)).all() == []
    # After HARK_TEXT_VERIFIED_S the thread is only claimed again.
    with db.session() as session:
        conversation = session.get(Conversation, cid)
        conversation.state = {**conversation.state, "verified_at": time.time() - 301}
    later = dialogue.turn(cid, "where is order 7002")
    assert "on its way" in later.text
    no_details(later.text)
    assert identity(dialogue, cid) == "claimed"
    # The customer proves it for the return, in the thread: then (and only then) it starts.
    ask = dialogue.turn(cid, "return order 4410")
    proof = dialogue.turn(cid, "james dot carter at example dot com")
    assert "Shall I start a return" in proof.text, (ask.text, proof.text)
    done = dialogue.turn(cid, "yes")
    assert any(a.type == "return_started" for a in done.actions)
    again = dialogue.turn(cid, "and return order 4410 again")  # the proof was used up
    assert "return number" not in again.text and "email address" in again.text


# --- 4. operators see lockouts on the desk ---------------------------------------------------
def test_operators_see_and_clear_lockouts(make_app, live_server, settings, dialogue, db) -> None:
    for number in ("1111", "2222", "3333", "4444", "5555"):
        dialogue.turn(claimed(dialogue, "C002"), f"where is order {number}")
    used = settings.model_copy(update={"admin_keys": SecretStr(ADMIN)})
    server = live_server(make_app(used))
    headers = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
        assert http.get("/v1/admin/lockouts", headers={"Authorization": ""}).status_code == 401
        listed = http.get("/v1/admin/lockouts").json()["lockouts"]
        assert [(x["subject"], x["key"], x["failures"]) for x in listed] == [
            ("customer", "C002", 5)
        ]
        login = http.post("/admin/login", data={"key": ADMIN}, follow_redirects=False)
        cookie = {"Cookie": f"hark_admin={login.cookies['hark_admin']}"}
        page = http.get("/admin/handoffs", headers=cookie).text
        assert "Identity lockouts" in page and "customer C002" in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        bad = {"subject": "customer", "key": "C002' OR 1=1"}
        assert http.post("/v1/admin/lockouts/clear", json=bad).status_code == 422
        cleared = http.post(
            "/admin/lockouts/clear",
            data={"csrf": csrf, "subject": "customer", "key": "C002"},
            headers={**cookie, "Origin": server.url},
            follow_redirects=False,
        )
        assert cleared.status_code == 303
        assert http.get("/v1/admin/lockouts").json()["lockouts"] == []
    cid = claimed(dialogue, "C002")
    assert "on its way" in dialogue.turn(cid, "where is my order").text


def test_erasure_forgets_the_failed_checks(dialogue, db) -> None:
    from hark.store.data_rights import erase_customer

    cid = claimed(dialogue, "C002")
    dialogue.turn(cid, "where is order 5274")  # someone else's: counted against C002
    assert failures(db, customer_id="C002") == 1
    erase_customer(db, "C002")
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(VerifyAttempt)) == 0


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("5/hour", True),
        ("10/day", True),
        ("3 per 10 minutes", True),
        ("0/hour", False),
        ("5/hour;100/day", False),
        ("lots", False),
        ("", False),
    ],
)
def test_the_lockout_setting_is_one_clear_limit(value, ok) -> None:
    from pydantic import ValidationError

    from hark.runtime.settings import Settings

    if ok:
        assert Settings(verify_lockout=value).verify_lockout_window[0] >= 1
    else:
        with pytest.raises(ValidationError, match="expected one limit such as 5/hour"):
            Settings(verify_lockout=value)


@pytest.mark.parametrize(
    ("said", "code"),
    [
        ("482913", "482913"),
        ("4 8 2, 9 1 3", "482913"),
        ("the code is four eight two nine one three", "482913"),
        ("my code is 482913 for order 7002", "482913"),
        ("7002", None),
        ("1234567", None),
        ("482913 and 123456", None),  # two codes in one answer: neither
    ],
)
def test_a_code_is_read_as_said_or_keyed(said, code) -> None:
    from hark.skills.verify_code import said_code

    assert said_code(said) == code
