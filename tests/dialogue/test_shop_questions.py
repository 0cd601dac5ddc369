"""A shop question the classifier misread (issue 23, ``dialogue/shop_questions.py``): the
FAQ's answer instead of an order-number prompt, a cart edit on an empty cart, or "we don't
carry that". Real embedding model, development shops of ``tests/caller_shops.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from caller_shops import BED_SHOP, COOK_SHOP
from shopbuilder import shop_dialogue

from dialogue.test_dialogue_callers import talk
from hark.dialogue.manager import DialogueManager


@pytest.fixture(scope="module")
def cook(tmp_path_factory, real_models: dict[str, Path]) -> Iterator[DialogueManager]:
    folder = tmp_path_factory.mktemp("cook")
    model = str(real_models["embedding"])
    with shop_dialogue(folder, COOK_SHOP, embedding_model=model) as (dm, _, _):
        yield dm


@pytest.fixture(scope="module")
def bed(tmp_path_factory, real_models: dict[str, Path]) -> Iterator[DialogueManager]:
    folder = tmp_path_factory.mktemp("bed")
    model = str(real_models["embedding"])
    with shop_dialogue(folder, BED_SHOP, embedding_model=model) as (dm, _, _):
        yield dm


def test_an_unsure_order_status_with_no_order_is_the_delivery_answer(bed) -> None:
    reply = talk(bed, "how quickly will i get my stuff")[-1]
    assert "4 to 7" in reply and "order number" not in reply


def test_an_unsure_cart_edit_with_nothing_to_edit_is_the_address_answer(cook) -> None:
    reply = talk(cook, "i'm moving next week, can the parcel go to my new place instead")[-1]
    assert "change the address" in reply and "How many" not in reply


def test_readings_with_something_to_act_on_stand(cook) -> None:
    assert "costs" in talk(cook, "how much is the toaster")[-1]
    assert "order number" in talk(cook, "where is my order")[-1]


@pytest.mark.parametrize(
    "line",
    ["i need some vitamins", "do you have any lipstick", "have you got any nappies"],
)
def test_a_thing_the_shop_has_nothing_like_is_not_carried(cook, line) -> None:
    reply = talk(cook, line)[-1]
    assert "don't carry" in reply and "closest" not in reply


def test_a_shop_question_is_not_turned_into_not_carried(cook) -> None:
    reply = talk(cook, "what is the capital of france")[-1]
    assert "don't carry" not in reply


def test_a_side_word_is_not_a_near_miss(cook) -> None:
    """ "A coffee table" shares "coffee" with the filters and the coffee maker, nothing more."""
    reply = talk(cook, "do you have a coffee table")[-1]
    assert "don't carry" in reply and "closest" not in reply


def test_a_real_near_miss_is_still_the_closest(cook) -> None:
    assert "Santoku Knife" in talk(cook, "i want a chef's knife")[-1]
    assert "Toaster 2 Slice" in talk(cook, "do you have a 3 slice toaster")[-1]
