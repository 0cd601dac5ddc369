"""Cart edits as callers say them (issue 23), on the development shops: which line an edit is
about (named, counted in the list the caller heard last, the focus, the only line), and how
many ("make it three", "one more", "take one off", "one less", "double that").

The real embedding model is loaded (as in production) from the cache ``make real-models``
fills; the held-out shops are never read here.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from caller_shops import COOK_SHOP, OUTDOOR_SHOP
from shopbuilder import ShopRows, shop_dialogue
from sqlalchemy import select

from hark.dialogue.manager import DialogueManager
from hark.store.db import Database
from hark.store.models import Cart


def _shop(tmp_path_factory, real_models: dict[str, Path], shop: ShopRows, name: str):
    model = str(real_models["embedding"])
    return shop_dialogue(tmp_path_factory.mktemp(name), shop, embedding_model=model)


@pytest.fixture(scope="module")
def cook(tmp_path_factory, real_models) -> Iterator[tuple[DialogueManager, Database]]:
    with _shop(tmp_path_factory, real_models, COOK_SHOP, "cook") as (dm, db, _):
        yield dm, db


@pytest.fixture(scope="module")
def outdoor(tmp_path_factory, real_models) -> Iterator[tuple[DialogueManager, Database]]:
    with _shop(tmp_path_factory, real_models, OUTDOOR_SHOP, "outdoor") as (dm, db, _):
        yield dm, db


def converse(shop: tuple[DialogueManager, Database], *lines: str) -> tuple[str, dict[str, int]]:
    """An anonymous caller's conversation: the last reply and the cart it leaves."""
    dm, db = shop
    conversation_id, _ = dm.start_conversation("test", None)
    said = ""
    for line in lines:
        said = dm.turn(conversation_id, line).text
    with db.session() as session:
        carts = session.scalars(
            select(Cart).where(Cart.conversation_id == conversation_id, Cart.status == "open")
        )
        return said, {i.sku: i.quantity for c in carts for i in c.items if i.quantity > 0}


def test_one_more_of_those_adds_one_to_the_line(cook) -> None:
    assert converse(cook, "do you have a toaster", "add it", "add one more of those")[1] == {
        "HK-09": 2
    }


def test_make_it_three_is_a_count_not_a_misheard_product(cook) -> None:
    # "make it" sounds like "maker" (the coffee maker): a verb and its object are never re-read
    _, cart = converse(cook, "I'd like coffee filters", "add them", "make it three")
    assert cart == {"HK-10": 3}


def test_the_second_one_counts_in_the_cart_after_cart_edits(cook) -> None:
    said, cart = converse(cook, "add the kettle", "and the toaster", "take the second one out")
    assert cart == {"HK-01": 1} and "removed the Toaster" in said


def test_the_second_one_counts_in_the_list_just_offered(outdoor) -> None:
    _, cart = converse(outdoor, "what lights do you have", "give me two of the second one")
    assert cart == {"OD-301": 2}  # the lantern was offered first, the headlamp second


def test_a_product_named_that_is_not_in_the_cart_is_never_swapped_for_another(outdoor) -> None:
    said, cart = converse(outdoor, "add the camp chair", "take the water filter out")
    assert cart == {"OD-601": 1} and "removed" not in said


def test_the_number_said_with_the_product_is_the_new_count(outdoor) -> None:
    _, cart = converse(outdoor, "add the camp chair", "add the headlamp", "make the chair two")
    assert cart == {"OD-601": 2, "OD-301": 1}


def test_a_count_taken_off_a_line_leaves_the_rest(cook, outdoor) -> None:
    assert converse(cook, "add three toasters", "remove one of the toasters")[1] == {"HK-09": 2}
    _, cart = converse(outdoor, "add two headlamps and a lantern", "one less headlamp")
    assert cart == {"OD-301": 1, "OD-302": 1}  # and "a lantern" was one, not two


def test_double_that_and_empty_my_cart(cook, outdoor) -> None:
    assert converse(outdoor, "add the water filter straw", "actually double that")[1] == {
        "OD-501": 2
    }
    said, cart = converse(cook, "add the kettle", "add the toaster", "empty my cart")
    assert cart == {} and "emptied" in said


def test_just_one_after_two_sets_the_count(cook) -> None:
    assert converse(cook, "add two thermoses", "actually I only need one")[1] == {"HK-06": 1}


def test_take_one_out_of_two_leaves_one(cook) -> None:
    _, cart = converse(cook, "do you have a kettle", "yes", "make it two", "take one out")
    assert cart == {"HK-01": 1}
