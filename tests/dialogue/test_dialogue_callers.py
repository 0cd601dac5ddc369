"""Real callers on shops built here (a cookware shop, a hardware store): each pattern of
issue 14, with examples of its own. The brain never saw these shops; nothing in it may be
shaped to them. A conversation's customer is given as the shop's trusted client does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from caller_shops import COOK_SHOP, HW_SHOP
from shopbuilder import shop_dialogue
from sqlalchemy import select

from hark.dialogue.manager import DialogueManager
from hark.skills.identity import Identity
from hark.store.db import Database
from hark.store.models import Cart, OrderRemedy


@pytest.fixture(scope="module")
def cook(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DialogueManager, Database]]:
    with shop_dialogue(tmp_path_factory.mktemp("cook"), COOK_SHOP) as (dm, db, _):
        yield dm, db


@pytest.fixture(scope="module")
def hardware(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[DialogueManager, Database]]:
    with shop_dialogue(tmp_path_factory.mktemp("hw"), HW_SHOP) as (dm, db, _):
        yield dm, db


def talk(dm: DialogueManager, *lines: str, customer: str | None = None) -> list[str]:
    """The greeting and each reply's text."""
    # The shop's own software vouches for the customer (as a key holder does).
    identity = Identity.VERIFIED if customer else None
    conversation_id, greeting = dm.start_conversation("test", customer, identity=identity)
    return [greeting.text] + [dm.turn(conversation_id, line).text for line in lines]


def cart_of(db: Database, customer: str) -> dict[str, int]:
    with db.session() as s:
        carts = s.scalars(select(Cart).where(Cart.customer_id == customer, Cart.status == "open"))
        return {i.sku: i.quantity for c in carts for i in c.items}


# --- 1. the request inside the filler ----------------------------------------------------
@pytest.mark.parametrize(
    ("line", "product"),
    [
        ("what's the cheapest coffee maker you've got", "Coffee Maker"),
        ("ok never mind the toaster, do you have a rice cooker", "Rice Cooker"),
        ("right so basically do you guys sell thermoses or not", "Thermos"),
        ("I need a skillet, nothing over fifty bucks", "Skillet"),
    ],
)
def test_the_request_is_found_inside_the_talk(cook, line: str, product: str) -> None:
    reply = talk(cook[0], line)[-1]
    assert product in reply and "couldn't find" not in reply


# --- 2. one misheard word ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "product"),
    [
        ("do you have a santa coo knife", "Santoku"),
        ("I want a crisp air fire", "Air Fryer"),
        ("how much is the electric cattle", "Kettle"),
        ("do you sell a rice cooler", "Rice Cooker"),
    ],
)
def test_a_misheard_catalog_word_is_heard_by_its_sound(cook, line: str, product: str) -> None:
    assert product in talk(cook[0], line)[-1]


def test_a_lone_everyday_word_is_not_re_read_without_a_catalog_word_beside_it(cook) -> None:
    nlu_text = cook[0].knowledge  # the snapshot's matcher is what the NLU uses
    from hark.dialogue.nlu import nlu_for

    nlu = nlu_for(nlu_text())
    assert "cattle" in nlu.parse("we have cattle on the farm").request
    assert "kettle" in nlu.parse("the electric cattle").request


# --- 3. pending offers are answered only by an answer ------------------------------------------
def test_ok_followed_by_another_request_is_that_request(hardware) -> None:
    dm, db = hardware
    greeting, reply = talk(dm, "okay, how much is delivery", customer="W3")
    assert "add another" in greeting  # the reorder offer is open
    assert "8 dollars and 99" in reply and "added" not in reply
    assert cart_of(db, "W3") == {}


def test_a_couple_of_weeks_is_no_quantity(hardware) -> None:
    dm, db = hardware
    reply = talk(dm, "ok so I moved a couple of weeks ago, what time do you open", customer="W3")[
        -1
    ]
    assert "added" not in reply and cart_of(db, "W3") == {}


def test_yes_with_a_quantity_answers_the_offer(hardware) -> None:
    dm, db = hardware
    reply = talk(dm, "yeah, I'll take a couple", customer="W3")[-1]
    assert "added" in reply and cart_of(db, "W3") == {"HW-6": 2}
    with db.session() as s:  # leave the shared shop as it was for the other tests
        for c in s.scalars(select(Cart).where(Cart.customer_id == "W3")):
            s.delete(c)


def test_a_garbled_no_is_not_a_no(hardware) -> None:
    replies = talk(hardware[0], "no the uh the wah", "yes please", customer="W3")
    assert "say it again" in replies[1]
    assert "added" in replies[2]  # the question stayed open
    with hardware[1].session() as s:
        for c in s.scalars(select(Cart).where(Cart.customer_id == "W3")):
            s.delete(c)


# --- 4. the shop's words never outrank what the caller is doing ----------------------------------
@pytest.mark.parametrize("line", ["are you a robot", "is this a real person or a machine"])
def test_am_i_talking_to_a_machine_is_answered_honestly(cook, line: str) -> None:
    reply = talk(cook[0], line)[-1]
    assert "automated assistant" in reply and "Robot Vacuum" not in reply


def test_a_joke_is_no_complaint(cook) -> None:
    reply = talk(cook[0], "tell me a joke")[-1]
    assert "sorry about the trouble" not in reply.lower() and "jokes" in reply


# --- 5. several requests in one breath -------------------------------------------------------------
def test_two_questions_get_two_answers(cook) -> None:
    reply = talk(cook[0], "can i pay with paypal and do you do gift wrapping")[-1]
    assert "PayPal" in reply and "gift wrapping is 4 dollars" in reply.lower()


def test_the_callers_order_comes_first(cook) -> None:
    reply = talk(cook[0], "how much is shipping and when's my blender showing up", customer="H1")[
        -1
    ]
    assert reply.index("7311") < reply.index("5 dollars and 95")


def test_a_bare_noun_phrase_borrows_the_question(cook) -> None:
    reply = talk(cook[0], "how much is the toaster and the thermos")[-1]
    assert "35 dollars" in reply and "27 dollars" in reply


def test_a_range_is_not_two_requests(cook) -> None:
    reply = talk(cook[0], "appliances between fifty and eighty dollars")[-1]
    assert "Rice Cooker" in reply or "Coffee Maker" in reply


# --- 6. feelings colour any reply; an angry late-order caller's order comes first ----------------
def test_annoyance_around_a_question_is_acknowledged_and_answered(cook) -> None:
    reply = talk(cook[0], "ugh I've been on hold forever, how much is the thermos")[-1]
    assert "27 dollars" in reply and reply.startswith(("I'm sorry", "I understand"))


def test_the_angry_late_order_caller_hears_about_the_order(hardware) -> None:
    reply = talk(hardware[0], "this is ridiculous, where is my drill", customer="W1")[-1]
    assert "55102" in reply and "running late" in reply


# --- 7. outside the shop ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("hola, necesito ayuda con mi pedido", "inglés"),
        ("bonjour, parlez-vous français", "anglais"),
        ("guten Tag, ich brauche Hilfe", "Englisch"),
    ],
)
def test_another_language_is_told_in_that_language(cook, line: str, expected: str) -> None:
    reply = talk(cook[0], line)[-1]
    assert expected in reply and "person" in reply


def test_a_card_number_offered_is_declined_honestly(cook) -> None:
    reply = talk(cook[0], "can I give you my card number")[-1]
    assert "card" in reply and "didn't understand" not in reply


def test_a_clear_question_outside_the_shop_is_redirected(cook) -> None:
    reply = talk(cook[0], "can you recommend a good restaurant")[-1]
    assert "didn't understand" not in reply and "find a product" in reply


def test_garbled_speech_three_times_reaches_a_person(cook) -> None:
    dm = cook[0]
    conversation_id, _ = dm.start_conversation("test")
    replies = [dm.turn(conversation_id, line) for line in ("the uh wah", "mm gah", "bluh the")]
    assert "say it again" in replies[0].text
    assert any(r.handoff for r in replies)


# --- consistent facts ---------------------------------------------------------------------------------
def test_greeting_and_answer_agree_on_a_late_order(cook) -> None:
    greeting, answer = talk(cook[0], "where is my order", customer="H1")
    assert "running late" in greeting and "running late" in answer
    assert "delayed" not in greeting and "delayed" not in answer
    assert "free" not in greeting  # no remedy unless the shop sets one


def test_stock_question_about_a_named_product_is_answered(cook) -> None:
    reply = talk(cook[0], "is the rice cooker in stock")[-1]
    assert reply.startswith("Sorry, the Rice Cooker 6 Cup is out of stock")


def test_faq_paraphrase_with_synonyms(hardware) -> None:
    assert "rent" in talk(hardware[0], "can I hire a floor sander")[-1]


def test_delay_remedy_is_promised_and_recorded_when_set(tmp_path: Path) -> None:
    remedy = "free shipping on your next order"
    with shop_dialogue(tmp_path, COOK_SHOP, delay_remedy=remedy) as (dm, db, _):
        greeting, answer = talk(dm, "where's my air fryer", customer="H2")
        assert remedy in greeting and "7420" in answer
        talk(dm, "where is my order", customer="H2")  # said again: still one record
        with db.session() as s:
            rows = s.scalars(select(OrderRemedy)).all()
            assert [(r.order_id, r.remedy, r.status) for r in rows] == [
                ("7420", remedy, "promised")
            ]
