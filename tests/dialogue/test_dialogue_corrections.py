"""Issue 23, the dialogue side, on the auto accessories development shop (and the outdoor
and cookware ones): corrections of a cart choice, cart lines named in other forms,
complaints read as the complaint examples say them, the upset caller who names no order,
a shop question that points back at the last request's thing, and a consumable whose
description gives its replacement cadence. Real embedding model; held-out shops never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from caller_shops import AUTO_SHOP, COOK_SHOP, OUTDOOR_SHOP
from shopbuilder import shop_dialogue
from sqlalchemy import select

from dialogue.test_dialogue_callers import cart_of, talk
from hark.dialogue.manager import DialogueManager
from hark.skills.identity import Identity
from hark.skills.proactive import is_consumable
from hark.store.db import Database
from hark.store.models import Cart

Shop = tuple[DialogueManager, Database]


@pytest.fixture(scope="module")
def model_dir(real_models: dict[str, Path]) -> Path:
    return real_models["embedding"]


def _shop(tmp_path_factory, rows, name: str, model_dir: Path) -> Iterator[Shop]:
    with shop_dialogue(tmp_path_factory.mktemp(name), rows, embedding_model=str(model_dir)) as (
        dm,
        db,
        _,
    ):
        yield dm, db


@pytest.fixture(scope="module")
def auto(tmp_path_factory, model_dir) -> Iterator[Shop]:
    yield from _shop(tmp_path_factory, AUTO_SHOP, "auto", model_dir)


@pytest.fixture(scope="module")
def outdoor(tmp_path_factory, model_dir) -> Iterator[Shop]:
    yield from _shop(tmp_path_factory, OUTDOOR_SHOP, "outdoor", model_dir)


@pytest.fixture(scope="module")
def cook(tmp_path_factory, model_dir) -> Iterator[Shop]:
    yield from _shop(tmp_path_factory, COOK_SHOP, "cook", model_dir)


def cart_after(shop: Shop, *lines: str) -> dict[str, int]:
    """An anonymous caller's cart (this conversation's own) after ``lines``."""
    dm, db = shop
    conversation_id, _ = dm.start_conversation("test", None)
    for line in lines:
        dm.turn(conversation_id, line)
    with db.session() as s:
        carts = s.scalars(
            select(Cart).where(Cart.conversation_id == conversation_id, Cart.status == "open")
        )
        return {i.sku: i.quantity for c in carts for i in c.items if i.quantity > 0}


def said(reply: str, order_id: str) -> bool:
    return order_id in reply or " ".join(order_id) in reply


# --- corrections of what was just chosen -------------------------------------------------------
@pytest.mark.parametrize(
    ("lines", "cart"),
    [
        (
            ("add the neoprene seat covers", "scratch that, I want the dog hammock one instead"),
            {"AU-302": 1},
        ),
        (("add the black steering wheel cover", "actually the beige one"), {"AU-802": 1}),
        (
            ("two of the beige steering wheel covers please", "no sorry the black one"),
            {"AU-801": 2},
        ),
        (
            ("can i get a steering wheel cover in black", "oh wait make it the beige instead"),
            {"AU-802": 1},
        ),
        (("put three air fresheners in the basket", "actually just the one"), {"AU-702": 1}),
    ],
)
def test_a_correction_replaces_the_choice_just_made(auto, lines, cart) -> None:
    assert cart_after(auto, *lines) == cart


def test_one_of_the_variants_listed_is_chosen_by_its_own_word(auto) -> None:
    lines = ("do you have steering wheel covers", "the beige one please", "add it")
    assert cart_after(auto, *lines) == {"AU-802": 1}


def test_a_second_thing_of_another_kind_is_not_a_correction(auto) -> None:
    lines = ("add the microfiber wash mitt", "and the car shampoo")
    assert cart_after(auto, *lines) == {"AU-101": 1, "AU-102": 1}


# --- cart lines named in other forms ------------------------------------------------------------
def test_a_line_named_by_a_plural_of_its_tag_is_the_one_removed(auto) -> None:
    lines = ("put the wiper blades in my basket", "add the screen wash too", "take the wipers out")
    assert cart_after(auto, *lines) == {"AU-502": 1}


def test_more_of_a_line_named_in_the_plural_adds_to_it(auto) -> None:
    lines = ("add a wash mitt please", "chuck in two more mitts")
    assert cart_after(auto, *lines) == {"AU-101": 3}


def test_one_named_thing_taken_off_takes_one(outdoor) -> None:
    lines = ("add four gas canisters", "and a stove", "take one canister off")
    assert cart_after(outdoor, *lines) == {"OD-403": 3, "OD-401": 1}


def test_a_product_put_in_the_cart_is_added(outdoor) -> None:
    assert cart_after(outdoor, "stick a headlamp in the cart") == {"OD-301": 1}


@pytest.mark.parametrize(
    ("lines", "cart"),
    [
        (("add a couple of micro sd cards", "and a couple more"), {"AU-403": 4}),
        (("add half a dozen air fresheners",), {"AU-702": 6}),
        (("add two bottles of screen wash", "can you knock one off"), {"AU-502": 1}),
        (("add the four k dash cam", "and a memory card for it"), {"AU-402": 1, "AU-403": 1}),
    ],
)
def test_counts_said_in_words_and_model_numbers_said_apart(auto, lines, cart) -> None:
    assert cart_after(auto, *lines) == cart


def test_the_count_asked_for_is_the_count_a_yes_adds(auto) -> None:
    assert cart_after(auto, "i need three sets of wiper blades", "yes add them") == {"AU-501": 3}


def test_one_more_thing_is_no_count(cook) -> None:
    lines = ("id like to buy the santoku knife", "one more thing, add the skillet too")
    assert cart_after(cook, *lines) == {"HK-02": 1, "HK-05": 1}


def test_a_product_named_outright_beats_one_whose_description_mentions_it(auto) -> None:
    line = "how long is the warranty on dash cams and add the 1080p one"
    assert cart_after(auto, line) == {"AU-401": 1}


def test_another_after_an_accepted_offer_adds_one_more(outdoor) -> None:
    assert cart_after(outdoor, "i want the lantern", "yeah add it", "add another") == {"OD-302": 2}


def test_a_return_of_a_product_named_is_for_the_order_holding_it(auto) -> None:
    line = "i want to send back the phone mount and how long do refunds take"
    reply = talk(auto[0], line, customer="A-4")[-1]  # the greeting was about the late 48460
    assert said(reply, "48390") and not said(reply.split("Order")[-1], "48460"), reply


@pytest.mark.parametrize(
    ("complaint", "customer", "ask", "order_id"),
    [
        ("the dash cam wont turn on", "A-1", "can you just send me a new one", "48213"),
        ("the charging mount stopped charging", "A-4", "no i just want my money back", "48390"),
    ],
)
def test_a_remedy_asked_for_while_a_return_is_offered_starts_it(
    auto, complaint, customer, ask, order_id
) -> None:
    replies = talk(auto[0], complaint, ask, customer=customer)
    assert "Shall I start a return" in replies[1], replies[1]
    assert "started a return for order" in replies[2] and said(replies[2], order_id), replies[2]


# --- complaints ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("line", "customer", "order_id"),
    [
        ("the charging mount doesn't charge my phone", "A-4", "48390"),
        ("the phone mount clamp snapped off the first day i used it", "A-4", "48390"),
        ("you guys sent me the wrong size wipers, they're too short", "A-1", "48377"),
    ],
)
def test_a_complaint_in_any_words_finds_the_order_and_the_remedy(
    auto, line, customer, order_id
) -> None:
    reply = talk(auto[0], line, customer=customer)[-1]
    assert "sorry" in reply.lower() and said(reply, order_id), reply
    assert "return" in reply.lower(), reply


def test_a_product_not_as_pictured_is_a_wrong_item(auto) -> None:
    line = "the wipers look nothing like the picture on your website"
    reply = talk(auto[0], line, customer="A-1")[-1]
    assert "wrong item" in reply and said(reply, "48377"), reply


def test_a_catalog_word_heard_whole_is_not_lengthened_by_the_complaint(outdoor) -> None:
    reply = talk(outdoor[0], "the zip on the backpack broke after one hike", customer="T-2")[-1]
    assert said(reply, "90455") and "return" in reply.lower(), reply


# --- the upset caller who names no order ---------------------------------------------------------
@pytest.mark.parametrize(
    ("shop", "customer", "line", "order_id"),
    [
        ("outdoor", "T-1", "still no sign of my parcel, i'm so fed up with this", "90412"),
        (
            "cook",
            "H1",
            "this is the third time im calling about my blender and nobody has helped me",
            "7311",
        ),
    ],
)
def test_an_upset_caller_hears_the_late_order_and_a_person(
    request, shop, customer, line, order_id
) -> None:
    dm, _ = request.getfixturevalue(shop)
    reply = talk(dm, line, customer=customer)[-1]
    assert said(reply, order_id) and "person" in reply, reply


# --- every clause answered ------------------------------------------------------------------------
def test_a_shop_question_pointing_back_at_the_order_is_still_answered(auto) -> None:
    reply = talk(auto[0], "where are my seat covers and do you fit them", customer="A-2")[-1]
    assert said(reply, "48402") and re.search(r"workshop|35 dollars", reply), reply


# --- a consumable by its replacement cadence -----------------------------------------------------
def test_a_product_to_replace_every_few_months_is_offered_again_and_yes_adds_it(auto) -> None:
    dm, db = auto
    conversation_id, greeting = dm.start_conversation("test", "A-3", identity=Identity.VERIFIED)
    assert "Wiper Blades" in greeting.text, greeting.text
    dm.turn(conversation_id, "yeah go on then")
    assert cart_of(db, "A-3").get("AU-501") == 1


@pytest.mark.parametrize(
    ("answer", "count"),
    [
        ("same again please", 1),
        ("go on then, two of them", 2),
        ("yes please and also a wash mitt", 1),
    ],
)
def test_a_reorder_taken_in_other_words(tmp_path, model_dir, answer, count) -> None:
    with shop_dialogue(tmp_path, AUTO_SHOP, embedding_model=str(model_dir)) as (dm, db, _):
        conversation_id, _ = dm.start_conversation("test", "A-3", identity=Identity.VERIFIED)
        reply = dm.turn(conversation_id, answer).text
        assert cart_of(db, "A-3").get("AU-501") == count, reply
        assert "Wash Mitt" in reply or "mitt" not in answer, reply


def test_a_cadence_makes_a_consumable_but_a_battery_life_does_not(auto) -> None:
    knowledge = auto[0].knowledge()
    assert is_consumable(knowledge.product("AU-503"))  # "change it every twelve months"
    assert not is_consumable(knowledge.product("AU-601"))  # a jump starter
    assert not is_consumable(knowledge.product("AU-202"))  # a phone mount
