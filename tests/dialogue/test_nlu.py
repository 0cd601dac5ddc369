"""The offline NLU on a small catalog that is not the sample shop."""

from __future__ import annotations

from pathlib import Path

import pytest

from hark.dialogue.nlu import CONFIDENCE_THRESHOLD, INTENTS, Nlu, ProductInfo
from hark.skills.understanding import NluResult

CATALOG = [
    ProductInfo(
        "HP-10",
        "Bluetooth Headphones",
        "Audio",
        ["headphones", "wireless"],
        "Over-ear wireless headphones with 30 hours of battery.",
    ),
    ProductInfo(
        "SP-20",
        "Portable Bluetooth Speaker",
        "Audio",
        ["speaker", "bluetooth", "portable"],
        "A loud little speaker that survives the beach.",
    ),
    ProductInfo(
        "MG-30",
        "Vacuum Travel Mug",
        "Kitchen",
        ["mug", "insulated", "travel"],
        "Keeps coffee hot for six hours, like a thermos you can drink from.",
    ),
    ProductInfo("KN-40", "Chef Knife 8 Inch", "Kitchen", ["knife", "cooking"], "A sharp knife."),
    ProductInfo(
        "GL-50", "Leather Garden Gloves", "Garden", ["gloves", "gardening"], "Thorn-proof gloves."
    ),
    ProductInfo(
        "HS-60",
        "Expandable Garden Hose 50 ft",
        "Garden",
        ["hose", "watering"],
        "A light hose that grows to fifty feet.",
    ),
]
CATEGORIES = ["Audio", "Kitchen", "Garden", "Home Office"]


@pytest.fixture(scope="module")
def nlu() -> Nlu:
    return Nlu.train(CATALOG, CATEGORIES)


def parse(nlu: Nlu, text: str) -> NluResult:
    result = nlu.parse(text)
    assert result.intent in INTENTS
    assert 0.0 <= result.confidence <= 1.0
    return result


@pytest.mark.parametrize(
    ("text", "order_id"),
    [
        ("um where is order three one eight six", "3186"),
        ("7002", "7002"),
        ("it's 3186", "3186"),
        ("where's order #3186?", "3186"),
        ("my order number is seven thousand and two", "7002"),
        ("order thirty one eighty six please", "3186"),
        ("order 31 86", "3186"),
        ("order a1b234", "a1b234"),
    ],
)
def test_order_ids(nlu: Nlu, text: str, order_id: str) -> None:
    assert parse(nlu, text).entities.order_id == order_id


def test_bare_order_number_is_order_status(nlu: Nlu) -> None:
    result = parse(nlu, "7002")
    assert result.intent == "order_status"
    assert result.entities.numbers == [7002.0]


def test_prices_are_not_order_ids(nlu: Nlu) -> None:
    ent = parse(nlu, "headphones under one hundred dollars").entities
    assert ent.order_id is None
    assert ent.price_max == 100.0 and ent.price_min is None


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("something under a hundred bucks", None, 100.0),
        ("between fifty and eighty", 50.0, 80.0),
        ("fifty to eighty bucks", 50.0, 80.0),
        ("over twenty dollars", 20.0, None),
        ("at least 20 and no more than 60", 20.0, 60.0),
        ("less than twenty nine ninety nine", None, 29.99),
        ("a tent under one fifty", None, 150.0),
        ("around 40 dollars", 32.0, 48.0),
        ("speakers 50 to 80", 50.0, 80.0),
        ("change it from 2 to 3", None, None),
        ("a speaker for the shower", None, None),
        ("hoses over 50 ft", None, None),
    ],
)
def test_price_bounds(nlu: Nlu, text: str, low: float | None, high: float | None) -> None:
    ent = parse(nlu, text).entities
    assert (ent.price_min, ent.price_max) == (low, high)


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("add two of them to my cart", 2),
        ("make it 3", 3),
        ("make it three", 3),
        ("just one", 1),
        ("i'll take four", 4),
        ("another one please", 1),
        ("a couple of those", 2),
        ("the first one", None),
        ("under 100 dollars", None),
        ("change it from 2 to 3", 3),
    ],
)
def test_quantity(nlu: Nlu, text: str, quantity: int | None) -> None:
    assert parse(nlu, text).entities.quantity == quantity


@pytest.mark.parametrize(
    ("text", "ordinal"),
    [
        ("the first one", 1),
        ("the second", 2),
        ("tell me about the 3rd one", 3),
        ("the last one", -1),
        ("option two", 2),
        ("where is my last order", None),
        ("this is the first time i call", None),
        ("hold on a second", None),
    ],
)
def test_ordinal(nlu: Nlu, text: str, ordinal: int | None) -> None:
    assert parse(nlu, text).entities.ordinal == ordinal


@pytest.mark.parametrize(
    ("text", "comparative"),
    [
        ("the cheaper one", "cheaper"),
        ("anything less expensive", "cheaper"),
        ("something more expensive", "more_expensive"),
        ("something smaller", "smaller"),
        ("a bigger one", "bigger"),
        ("do you have a better one", "better"),
        ("cheaper than 50 dollars", None),
    ],
)
def test_comparative(nlu: Nlu, text: str, comparative: str | None) -> None:
    assert parse(nlu, text).entities.comparative == comparative


def test_fuzzy_product_names(nlu: Nlu) -> None:
    ent = parse(nlu, "do you have blue tooth head phones").entities
    assert ent.products[0][0] == "HP-10"
    assert ent.products[0][1] >= 0.8
    assert "bluetooth" in ent.keywords


def test_misheard_product_name(nlu: Nlu) -> None:
    ent = parse(nlu, "how much is the garden hoes").entities
    assert ent.products[0][0] == "HS-60"


def test_product_found_through_tags_and_description(nlu: Nlu) -> None:
    assert parse(nlu, "i want the insulated mug").entities.products[0][0] == "MG-30"
    assert parse(nlu, "do you sell a thermos").entities.products[0][0] == "MG-30"


def test_generic_word_does_not_claim_a_product(nlu: Nlu) -> None:
    ent = parse(nlu, "something to keep coffee hot").entities
    assert ent.products == []
    assert ent.keywords == ["keep", "coffee", "hot"]


@pytest.mark.parametrize("text", ["add KN-40 please", "add k n forty", "add kn40"])
def test_sku_is_an_exact_match(nlu: Nlu, text: str) -> None:
    assert parse(nlu, text).entities.products[0] == ("KN-40", 1.0)


def test_category_and_stock(nlu: Nlu) -> None:
    ent = parse(nlu, "what do you have for the garden that's in stock").entities
    assert ent.category == "Garden"
    assert ent.in_stock_only is True
    assert parse(nlu, "home office stuff").entities.category == "Home Office"
    assert parse(nlu, "something for my home").entities.category is None


def test_pronoun_reference(nlu: Nlu) -> None:
    assert parse(nlu, "how much is it").entities.pronoun_ref is True
    assert parse(nlu, "tell me more about that one").entities.pronoun_ref is True
    assert parse(nlu, "do you have headphones").entities.pronoun_ref is False


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("hello there", "greet"),
        ("thanks a lot", "thanks"),
        ("ok bye", "goodbye"),
        ("agent", "human_agent"),
        ("zero", "human_agent"),
        ("can i talk to a real person", "human_agent"),
        ("representative please", "human_agent"),
        ("yeah sure", "affirm"),
        ("nope", "deny"),
        ("no thanks", "deny"),
        ("where's my package", "order_status"),
        ("what's your return policy", "return_policy"),
        ("i'd like to return order 3186", "start_return"),
        ("do you ship internationally", "faq"),
        ("are you a robot", "faq"),
        ("i'm looking for a speaker for the beach", "product_search"),
        ("blue tooth head phones", "product_search"),
        ("how much is the travel mug", "product_price"),
        ("tell me more about it", "product_info"),
        ("something cheaper", "refine_search"),
        ("the second one", "select_item"),
        ("add it to my cart", "add_to_cart"),
        ("take the knife out of my cart", "remove_from_cart"),
        ("make it three", "change_quantity"),
        ("what's in my cart", "view_cart"),
        ("i'm ready to check out", "checkout"),
        ("never mind", "cancel"),
        ("say that again", "repeat"),
        ("what's the weather in paris", "out_of_scope"),
    ],
)
def test_clear_intents(nlu: Nlu, text: str, intent: str) -> None:
    assert parse(nlu, text).intent == intent


def test_scores_cover_the_classifier_intents(nlu: Nlu) -> None:
    result = parse(nlu, "where is my order")
    assert abs(sum(result.scores.values()) - 1.0) < 1e-6
    assert result.scores["order_status"] == max(result.scores.values())
    assert result.confidence >= CONFIDENCE_THRESHOLD


def test_empty_and_noise_input(nlu: Nlu) -> None:
    for text in ["", "   ", "um uh", "?!"]:
        result = parse(nlu, text)
        assert result.intent == "out_of_scope"
        assert result.text == ""


def test_empty_catalog_still_trains() -> None:
    nlu = Nlu.train([], [])
    assert nlu.parse("where is order 3186").intent == "order_status"
    assert nlu.parse("do you have speakers").entities.products == []


def test_custom_data_file_and_bad_data(tmp_path: Path) -> None:
    data = tmp_path / "intents.json"
    data.write_text(
        '{"intents": {"greet": ["hi", "hello"], "goodbye": ["bye", "see you"],'
        ' "view_cart": ["show my {product} cart"]}}'
    )
    nlu = Nlu.train(CATALOG, CATEGORIES, data_file=data)
    assert nlu.parse("hello").intent == "greet"
    bad = tmp_path / "bad.json"
    bad.write_text('{"intents": {"dance": ["hi"]}}')
    with pytest.raises(ValueError, match="unknown intents"):
        Nlu.train(CATALOG, CATEGORIES, data_file=bad)
    with pytest.raises(FileNotFoundError):
        Nlu.train(CATALOG, CATEGORIES, data_file=tmp_path / "missing.json")


def test_fast_classifier_path_matches_scikit_learn(nlu: Nlu) -> None:
    texts = ["where is order 3186", "add 2 of them", "", "zzzz qqq", "the cheaper one please"]
    reference = nlu.classifier.predict_many(texts)
    for text, row in zip(texts, reference, strict=True):
        fast = list(nlu.classifier.predict(text).values())
        assert max(abs(a - b) for a, b in zip(fast, row, strict=True)) < 1e-9


@pytest.mark.parametrize("text", ["garden gloves", "um the travel mug please", "expandable hose"])
def test_a_bare_product_name_is_a_search(nlu: Nlu, text: str) -> None:
    result = parse(nlu, text)
    assert result.intent in ("product_search", "select_item")
    assert result.entities.products


def test_very_long_input_is_bounded(nlu: Nlu) -> None:
    result = parse(nlu, "blue tooth head phones " * 2000)
    assert len(result.text) <= 1000


@pytest.mark.parametrize(
    ("text", "order_id"),
    [("where is ORD-10042", "ord10042"), ("order ab-123", "ab123"), ("tell me about KN-40", None)],
)
def test_letter_prefixed_order_ids_but_not_skus(nlu: Nlu, text: str, order_id: str | None) -> None:
    assert parse(nlu, text).entities.order_id == order_id


def test_redaction_placeholders_are_not_words(nlu: Nlu) -> None:
    result = parse(nlu, "my card number is [card number] and my phone is [phone]")
    assert result.text == "my card number is and my phone is"
    assert result.entities.order_id is None and result.entities.numbers == []
