"""FAQ retrieval over paraphrases, with an honest "not sure" below the threshold."""

from __future__ import annotations

import csv

import pytest

from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.shop.faq import FaqEntry, FaqIndex


@pytest.fixture(scope="module")
def faq() -> FaqIndex:
    with (SAMPLE_SHOP_DIR / "faq.csv").open() as handle:
        return FaqIndex([FaqEntry(r["question"], r["answer"]) for r in csv.DictReader(handle)])


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("how long until my package gets here", "How long does shipping take?"),
        ("is delivery free", "Do you offer free shipping?"),
        ("when do I get my money back", "How long does a refund take?"),
        ("do you take paypal", "What payment methods do you accept?"),
        ("when are you open", "What are your store hours?"),
        ("do you deliver to canada", "Do you ship internationally?"),
        ("how do i call off my order", "How do I cancel an order?"),
        ("my mug arrived cracked", "What if my item arrives damaged?"),
        ("what if my order is late", "What happens if my order is delayed?"),
        ("do you sell vouchers", "Do you sell gift cards?"),
        ("can i collect it from the shop", "Can I pick up my order in store?"),
    ],
)
def test_paraphrases_find_the_right_entry(faq: FaqIndex, asked: str, expected: str) -> None:
    match = faq.answer(asked)
    assert match is not None and match.entry.question == expected


@pytest.mark.parametrize(
    "asked",
    [
        "what is the meaning of life",
        "who won the game last night",
        "what's the weather like",
        "do you have a store in paris",
    ],
)
def test_unrelated_questions_stay_below_the_threshold(faq: FaqIndex, asked: str) -> None:
    assert faq.answer(asked) is None


def test_find_by_concept_and_empty_faq(faq: FaqIndex) -> None:
    assert faq.find("return", "policy").question == "What is your return policy?"
    empty = FaqIndex([])
    assert empty.answer("anything") is None and empty.find("return") is None
