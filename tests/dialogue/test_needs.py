"""Needs the classifier does not read as product requests (issue 23): a situation told ("the
mosquitoes ate me alive"), a question about what to use, reach the catalog by meaning
before Hark answers with its help menu or "I'm not sure I can help"; a price said with the
need filters what is offered. Development shops only, the real embedding model.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from caller_shops import HW_SHOP, OUTDOOR_SHOP
from shopbuilder import ShopRows, shop_dialogue

from dialogue.test_dialogue_callers import talk
from hark.dialogue.entities import extract
from hark.dialogue.manager import DialogueManager
from hark.language.normalize import normalize_tokens


def _shop(tmp_path_factory, real_models: dict[str, Path], shop: ShopRows, name: str):
    model = str(real_models["embedding"])
    return shop_dialogue(tmp_path_factory.mktemp(name), shop, embedding_model=model)


@pytest.fixture(scope="module")
def outdoor(tmp_path_factory, real_models) -> Iterator[DialogueManager]:
    with _shop(tmp_path_factory, real_models, OUTDOOR_SHOP, "outdoor") as (dm, _, _):
        yield dm


@pytest.fixture(scope="module")
def hardware(tmp_path_factory, real_models) -> Iterator[DialogueManager]:
    with _shop(tmp_path_factory, real_models, HW_SHOP, "hardware") as (dm, _, _):
        yield dm


@pytest.mark.parametrize(
    ("line", "product"),
    [
        ("the mosquitoes ate me alive last summer", "Repellent"),
        ("something so we can drink from the river", "Water Filter"),
        ("what should I bring in case someone gets hurt on the trail", "First Aid"),
        ("I need the one that keeps bugs away", "Repellent"),  # read as a pick, nothing listed
    ],
)
def test_a_need_the_classifier_doubts_is_answered_from_the_catalog(
    outdoor, line: str, product: str
) -> None:
    said = talk(outdoor, line)[-1]
    assert product in said and not re.search(r"not sure I can help|help you find", said)


def test_a_price_said_with_a_need_filters_what_is_offered(outdoor) -> None:
    said = talk(outdoor, "gear for a first camping trip under a hundred")[-1]
    assert "Family Cabin" not in said and "don't carry" not in said
    assert re.search(r"Tent|Sleeping|Lantern|Stove|Headlamp|First Aid", said)


def test_a_budget_read_in_the_shops_range_is_no_word_of_the_request(hardware) -> None:
    said = talk(hardware, "I want a ladder, budget two fifty")[-1]
    assert "Extension Ladder" in said and "closest" not in said


@pytest.mark.parametrize(
    "line", ["nothing over twenty bucks", "nothing above 20", "nothing more than 20 dollars"]
)
def test_nothing_over_a_price_is_a_ceiling(line: str) -> None:
    entities = extract(normalize_tokens(line), None)
    assert entities.price_max == 20 and entities.price_min is None
