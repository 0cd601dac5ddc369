"""Understanding by meaning (issue 23): the embedding model, and each pattern it serves,
on the development shops (a cookware shop, a hardware store, a music shop) with words of
their own. The held-out shops are never read here.

The plumbing tests use :class:`doubles.HashingEmbedderDouble`; the behaviour tests use the
real all-MiniLM-L6-v2 int8 model that ``make real-models`` puts in the cache (it is 23 MB).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from caller_shops import ALL_SHOPS, COOK_SHOP, HW_SHOP, MUSIC_SHOP
from doubles import HashingEmbedderDouble
from shopbuilder import shop_dialogue
from sqlalchemy import select

from dialogue.test_dialogue_callers import cart_of, talk
from hark.dialogue.manager import DialogueManager
from hark.language import embedding
from hark.shop.faq import FaqEntry, FaqIndex
from hark.shop.product_words import ProductDoc
from hark.shop.search import ProductSearch, SearchQuery
from hark.skills.identity import Identity
from hark.store.db import Database
from hark.store.models import Cart

REPO = Path(__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def model_dir(real_models: dict[str, Path]) -> Path:
    """The real embedding model's folder (the project's own fetch script, if needed)."""
    return real_models["embedding"]


@pytest.fixture(scope="module")
def real(model_dir: Path) -> Iterator[embedding.Embedder]:
    loaded = embedding.configure(str(model_dir))
    assert loaded is not None
    yield loaded


def _shop(tmp_path_factory: pytest.TempPathFactory, shop, name: str, model_dir: Path):
    return shop_dialogue(tmp_path_factory.mktemp(name), shop, embedding_model=str(model_dir))


@pytest.fixture(scope="module")
def cook(tmp_path_factory, model_dir) -> Iterator[tuple[DialogueManager, Database]]:
    with _shop(tmp_path_factory, COOK_SHOP, "cook", model_dir) as (dm, db, _):
        yield dm, db


@pytest.fixture(scope="module")
def hardware(tmp_path_factory, model_dir) -> Iterator[tuple[DialogueManager, Database]]:
    with _shop(tmp_path_factory, HW_SHOP, "hw", model_dir) as (dm, db, _):
        yield dm, db


@pytest.fixture(scope="module")
def music(tmp_path_factory, model_dir) -> Iterator[tuple[DialogueManager, Database]]:
    with _shop(tmp_path_factory, MUSIC_SHOP, "music", model_dir) as (dm, db, _):
        yield dm, db


# --- the model and its plumbing -------------------------------------------------------------
def test_a_missing_model_is_one_log_line_and_the_rules_answer(tmp_path, caplog) -> None:
    with caplog.at_level(logging.WARNING, logger="hark.language"):
        assert embedding.configure(str(tmp_path / "nowhere")) is None
    lines = [r for r in caplog.records if "embedding model" in r.getMessage()]
    assert len(lines) == 1 and "make real-models" in lines[0].getMessage()
    assert embedding.current() is None
    assert embedding.configure("off") is None


def test_the_faq_falls_back_to_meaning_only_past_its_threshold() -> None:
    double = HashingEmbedderDouble()
    embedding.use(double)
    try:
        faq = FaqIndex([FaqEntry("Do you rent tools?", "yes"), FaqEntry("Opening hours?", "9-5")])
        # shares words with one question only: the double puts it near that one
        assert faq.by_meaning("do you rent tools?").entry.question == "Do you rent tools?"
        assert faq.by_meaning("completely unrelated words here") is None
    finally:
        embedding.use(None)


def test_the_real_model_reads_meaning_not_words(real) -> None:
    a, b, c = real.embed(
        [
            "something to keep my soup hot at lunch",
            "an insulated flask that keeps food warm for hours",
            "a claw hammer with a rubber grip",
        ]
    )
    assert float(a @ b) > float(a @ c) + 0.2
    again = real.embed(["something to keep my soup hot at lunch"])[0]
    assert float(again @ a) > 0.999  # the same text, from the cache


# --- complaints about a product the caller bought -------------------------------------------
@pytest.mark.parametrize(
    "line",
    [
        "the lid of my thermos won't screw on properly and it leaks",
        "my flask showed up with a big dent in the side",
    ],
)
def test_a_complaint_finds_the_order_with_that_product_and_offers_the_remedy(cook, line) -> None:
    reply = talk(cook[0], line, customer="H3")[-1]
    assert "sorry" in reply.lower()
    assert "7205" in reply.replace(" ", "") or "7 2 0 5" in reply
    assert "return" in reply.lower()


def test_a_wrong_item_is_put_right(cook) -> None:
    reply = talk(cook[0], "you sent me the wrong model of thermos", customer="H3")[-1]
    assert "wrong item" in reply and "return" in reply.lower()


def test_rude_service_gets_an_apology_and_a_person(hardware) -> None:
    reply = talk(hardware[0], "the man who delivered my ladder was incredibly rude to me")[-1]
    assert "sorry" in reply.lower() and "person" in reply


def test_a_frustrated_caller_without_an_order_number_hears_the_order_and_a_person(
    hardware,
) -> None:
    line = "I've been waiting for ages and my drill still hasn't turned up, this is a joke"
    reply = talk(hardware[0], line, customer="W1")[-1]
    assert "55102" in reply.replace(" ", "") or "5 5 1 0 2" in reply
    assert "person" in reply


# --- needs, things not carried, exact names ---------------------------------------------------
@pytest.mark.parametrize(
    ("line", "product"),
    [
        ("I need something that keeps my tea warm on a long walk", "Thermos"),
        ("what could I use to whizz up soup and smoothies", "Blender"),
        ("I need something to get me up onto the roof of the house", "Ladder"),
    ],
)
def test_a_need_finds_the_product_that_serves_it(cook, hardware, line, product) -> None:
    dm = hardware[0] if product == "Ladder" else cook[0]
    reply = talk(dm, line)[-1]
    assert product in reply


@pytest.mark.parametrize("line", ["do you sell lawn mowers", "have you got any garden furniture"])
def test_what_the_shop_does_not_carry_is_said_so(cook, line) -> None:
    reply = talk(cook[0], line)[-1]
    assert "don't carry" in reply and "closest" not in reply.lower()


@pytest.mark.parametrize(
    ("line", "product"),
    [
        ("I'm looking for a clip-on tuner for my guitar", "Clip-On Tuner"),
        ("a metronome", "Metronome"),
    ],
)
def test_an_exact_match_is_not_called_a_near_miss(music, line, product) -> None:
    reply = talk(music[0], line)[-1]
    assert product in reply and "exactly" not in reply and "closest" not in reply.lower()


# --- FAQ paraphrases ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shop", "line", "answer"),
    [
        ("cook", "will you gift wrap it if it's a present", "$4|4 dollars"),
        ("hardware", "could I borrow a floor sander for the weekend", "by the day"),
    ],
)
def test_a_shop_question_in_other_words_finds_its_faq_answer(
    cook, hardware, music, shop, line, answer
) -> None:
    dm = {"cook": cook, "hardware": hardware, "music": music}[shop][0]
    assert re.search(answer, talk(dm, line)[-1])


# --- the calibration cases, end to end through retrieval -------------------------------------
def test_the_development_cases_are_read_as_calibrated(real) -> None:
    """Carried or not, and which FAQ question, over every case of tests/data/semantic_dev.json."""
    cases = json.loads((REPO / "tests" / "data" / "semantic_dev.json").read_text())
    searches = {s: ProductSearch(_docs(s)) for s in ALL_SHOPS}
    right = 0
    for shop, text, skus in cases["needs"] + cases["exact"]:
        hits = searches[shop].search(SearchQuery(text=text)).hits
        right += bool(hits) and hits[0].product.sku in skus
    carried = right / (len(cases["needs"]) + len(cases["exact"]))
    not_carried = sum(
        not searches[s].search(SearchQuery(text=t)).hits for s, t in cases["not_carried"]
    ) / len(cases["not_carried"])
    faq_right = 0
    for shop, text, expected in cases["faq"]:
        faq = FaqIndex([FaqEntry(q, a) for q, a in ALL_SHOPS[shop].faq])
        match = faq.answer(text)
        faq_right += match is not None and expected.lower() in match.entry.question.lower()
    assert carried >= 0.6 and not_carried >= 0.95  # the rules alone: 0.56 and 0.95
    assert faq_right / len(cases["faq"]) >= 0.8


def _docs(shop: str) -> list[ProductDoc]:
    return [
        ProductDoc(r[0], r[1], r[2], float(r[3]), r[4], tuple(r[5].split(";")), int(r[6]))
        for r in ALL_SHOPS[shop].products
    ]


# --- numbers read with the conversation and the catalog in mind -------------------------------
def test_an_order_id_read_after_for_takes_the_shops_id_shape(cook) -> None:
    reply = talk(cook[0], "yeah it's order for 7, 3, 1, 1", customer="H1")[-1]
    assert "7311" in reply.replace(" ", "") and "47311" not in reply.replace(" ", "")


def test_a_price_limit_is_read_in_the_shops_price_range(cook) -> None:
    reply = talk(cook[0], "have you got a blender under 1.20")[-1]
    assert "Blender" in reply and "1.20" not in reply


def said_by(dm: DialogueManager, customer: str, *lines: str) -> None:
    """A verified customer's conversation, for what it leaves in the database."""
    conversation_id, _ = dm.start_conversation("test", customer, identity=Identity.VERIFIED)
    for line in lines:
        dm.turn(conversation_id, line)


def test_one_more_adds_one_to_the_cart(cook) -> None:
    said_by(cook[0], "H2", "add two toasters to my cart", "actually add one more of those")
    assert cart_of(cook[1], "H2").get("HK-09") == 3


# --- every clause of a turn is answered, whatever its kind ----------------------------------------
@pytest.mark.parametrize(
    ("line", "first", "second"),
    [
        ("where's my blender and do you wrap presents", "7311|7 3 1 1", r"\$?4|4 dollars"),
        (
            "what's happening with my order, and I also need more coffee filters",
            "7311|7 3 1 1",
            "Coffee Filters",
        ),
        ("how much is the toaster and do you take paypal", "Toaster", "PayPal"),
        (
            "any news on my order plus what's your warranty on appliances",
            "7311|7 3 1 1",
            "two-year",
        ),
        ("I'd like a rice cooker and a cast iron skillet", "Rice Cooker", "Skillet"),
    ],
)
def test_each_request_of_a_turn_is_answered(cook, line, first, second) -> None:
    reply = talk(cook[0], line, customer="H1")[-1]
    assert re.search(first, reply) and re.search(second, reply), reply


# --- the reorder of a consumable, offered in the greeting -----------------------------------------
def test_a_due_consumable_is_offered_in_the_greeting_and_yes_adds_it(music) -> None:
    dm, db = music
    conversation_id, greeting = dm.start_conversation("test", "M3", identity=Identity.VERIFIED)
    assert "Guitar Strings" in greeting.text and "add another" in greeting.text
    dm.turn(conversation_id, "yes please")
    assert cart_of(db, "M3").get("MU-4", 0) >= 1


# --- answers to Hark's own question, and counts before a product --------------------------------
@pytest.mark.parametrize("answer", ["go for it", "yeah go on then"])
def test_a_yes_in_other_words_takes_the_reorder(music, answer) -> None:
    dm, db = music
    with db.session() as s:  # a fresh cart for each answer
        for c in s.scalars(select(Cart).where(Cart.customer_id == "M3")):
            c.status = "abandoned"
        s.commit()
    said_by(dm, "M3", answer)
    assert cart_of(db, "M3").get("MU-4", 0) >= 1


def test_a_number_before_a_product_counts_it(cook) -> None:
    said_by(cook[0], "H4", "no thanks", "three kettles please")
    assert cart_of(cook[1], "H4").get("HK-01") == 3


def test_fixed_texts_are_embedded_once_and_read_back(tmp_path) -> None:
    """The NLU's examples are stored beside the model: a new process reads, not embeds."""
    double = HashingEmbedderDouble()
    double.folder = tmp_path  # where a real model's folder would be
    first = embedding.embed_stored(double, ["hello there", "where is my order"])
    calls = double.calls
    again = embedding.embed_stored(double, ["hello there", "where is my order"])
    assert double.calls == calls and (again == first).all()
    assert len(list(tmp_path.glob("hark-vectors-*.npy"))) == 1
