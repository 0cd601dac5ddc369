"""Shop questions and things not carried, end to end (issue 23): FAQ questions in other
words answered (``shop/faq_meaning.py``), a shop question the classifier misread given the
FAQ's answer instead of an order-number prompt or a cart edit on an empty cart
(``dialogue/shop_questions.py``), "we don't carry that" instead of giving up or of a side
word's near miss. Real embedding model, development shops of ``tests/caller_shops.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from caller_shops import BED_SHOP, COOK_SHOP, CRAFT_SHOP, FIT_SHOP, MUSIC_SHOP
from shopbuilder import ShopRows, shop_dialogue

from dialogue.test_dialogue_callers import talk
from hark.dialogue.manager import DialogueManager


def _dialogue(
    factory: pytest.TempPathFactory, models: dict[str, Path], shop: ShopRows
) -> Iterator[DialogueManager]:
    model = str(models["embedding"])
    with shop_dialogue(factory.mktemp("shop"), shop, embedding_model=model) as (dm, _, _):
        yield dm


@pytest.fixture(scope="module")
def cook(tmp_path_factory, real_models) -> Iterator[DialogueManager]:
    yield from _dialogue(tmp_path_factory, real_models, COOK_SHOP)


@pytest.fixture(scope="module")
def bed(tmp_path_factory, real_models) -> Iterator[DialogueManager]:
    yield from _dialogue(tmp_path_factory, real_models, BED_SHOP)


@pytest.fixture(scope="module")
def crafts(tmp_path_factory, real_models) -> Iterator[DialogueManager]:
    yield from _dialogue(tmp_path_factory, real_models, CRAFT_SHOP)


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("do students get money off", "10 percent"),
        ("does anyone there teach knitting", "Saturday"),
        ("is delivery free if i spend enough", "60"),
    ],
)
def test_a_crafts_question_in_other_words_gets_the_faqs_answer(crafts, line, says) -> None:
    reply = talk(crafts, line)[-1]
    assert says in reply and "not sure" not in reply


@pytest.fixture(scope="module")
def music(tmp_path_factory, real_models) -> Iterator[DialogueManager]:
    yield from _dialogue(tmp_path_factory, real_models, MUSIC_SHOP)


def test_a_word_repaired_toward_the_catalogue_is_read_as_said(music) -> None:
    """ "classes" is repaired to the catalogue's "classic" for product search; the FAQ reads
    the caller's own words, and "guitar" (a category) names no product to act on."""
    reply = talk(music, "can my son take guitar classes with you")[-1]
    assert "weekday evenings" in reply and "closest" not in reply


def test_paying_by_phone_is_the_payment_entry(cook) -> None:
    assert "Apple Pay" in talk(cook, "can i pay with my phone")[-1]


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
    [
        "i need some vitamins",
        "do you have any lipstick",
        "have you got any nappies",
        "do you have a coffee table",  # shares "coffee" with the filters, nothing more
    ],
)
def test_a_thing_the_shop_has_nothing_like_is_not_carried(cook, line) -> None:
    reply = talk(cook, line)[-1]
    assert "don't carry" in reply and "closest" not in reply


def test_a_shop_question_is_not_turned_into_not_carried(cook) -> None:
    assert "don't carry" not in talk(cook, "what is the capital of france")[-1]


def test_a_real_near_miss_is_still_the_closest(cook) -> None:
    assert "Santoku Knife" in talk(cook, "i want a chef's knife")[-1]
    assert "Toaster 2 Slice" in talk(cook, "do you have a 3 slice toaster")[-1]


@pytest.fixture(scope="module")
def fitness(tmp_path_factory, real_models) -> Iterator[DialogueManager]:
    yield from _dialogue(tmp_path_factory, real_models, FIT_SHOP)


@pytest.mark.parametrize(
    ("line", "product"),
    [
        # read as an order question and as out of scope: unsure, nothing to act on
        ("something so my knees dont hurt when i do yoga on the wooden floor", "Yoga Mat"),
        ("i keep getting blisters on my palms from the barbell", "Weightlifting Gloves"),
    ],
)
def test_a_need_the_classifier_misread_gets_the_product_that_serves_it(
    fitness, line, product
) -> None:
    reply = talk(fitness, line)[-1]
    assert product in reply and "order number" not in reply and "not sure" not in reply


def test_a_cart_edit_of_nothing_is_a_shop_question(fitness) -> None:
    reply = talk(fitness, "will somebody come and put the bike together for me")[-1]
    assert "assemble" in reply and "cart" not in reply


@pytest.mark.parametrize(
    "line",
    [
        "im looking for a bicycle helmet",  # a side word: the indoor cycling bike
        "do you sell running shoes size nine",  # a side word: the running leggings
    ],
)
def test_a_thing_named_behind_a_frame_is_not_carried(fitness, line) -> None:
    reply = talk(fitness, line)[-1]
    assert "don't carry" in reply and "closest" not in reply and "recommend" not in reply


def test_a_thing_asked_about_that_no_product_is_not_carried(bed) -> None:
    reply = talk(bed, "do you stock paint brushes")[-1]  # read as a question about a product
    assert "don't carry" in reply and "not sure" not in reply


def test_a_policy_question_about_a_product_gets_the_policy(bed) -> None:
    # read as a confident question about the blanket the catalogue has; the FAQ entry is
    # clearly nearer in meaning than the product
    reply = talk(bed, "can the heavy blanket go in the washing machine")[-1]
    assert "spot cleaned" in reply and "recommend" not in reply


def test_a_question_about_a_product_is_never_not_carried(music) -> None:
    reply = talk(music, "does the violin come with a case")[-1]
    assert "Violin" in reply and "don't carry" not in reply
