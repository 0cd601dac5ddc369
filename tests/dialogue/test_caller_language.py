"""The language pieces under the brain: what real Whisper writes, wrapping around requests,
sound-alike catalog words, other languages and garbled speech."""

from __future__ import annotations

import pytest

from hark.dialogue.nlu import ProductInfo
from hark.dialogue.outside import is_garbled, language_of
from hark.language.chatter import strip_chatter
from hark.language.normalize import normalize_spoken
from hark.shop.catalog_match import CatalogMatcher
from hark.shop.phonetic import sound_code


@pytest.mark.parametrize(
    ("said", "normalised"),
    [
        ("My order number is for 5, 7, 2.", "my order number is 4572"),  # Whisper's "four"
        ("Order 4-5-7-2.", "order 4572"),
        ("it's 2, 2, 8, 1", "its 2281"),
        ("Order number 88,120.", "order number 88120"),
        ("I went to buy a kite.", "i want to buy a kite"),
        ("I went to the shop yesterday", "i went to the shop yesterday"),  # a real trip
        ("for 2 people", "for 2 people"),  # two digits are not an id
        ("between 50-80 dollars", "between 50 to 80 dollars"),
    ],
)
def test_forms_real_whisper_writes(said: str, normalised: str) -> None:
    assert normalize_spoken(said) == normalised


def words(text: str) -> list[str]:
    return text.split()


def test_wrapping_is_stripped_but_never_everything() -> None:
    assert strip_chatter(words("so basically do you guys sell kites or not")) == [
        "do", "you", "sell", "kites",
    ]  # fmt: skip
    assert strip_chatter(["ok"]) == ["ok"]  # an answer stays an answer


def test_sound_alikes_over_a_catalog_of_its_own() -> None:
    catalog = [
        ProductInfo("P1", "Porcelain Teapot", "tea", ["teapot"], "A white teapot."),
        ProductInfo("P2", "Mandoline Slicer", "tools", ["slicer"], "Slices vegetables."),
        ProductInfo("P3", "Bread Knife", "knives", ["knife"], "A serrated knife."),
    ]
    matcher = CatalogMatcher(catalog, ["tea", "tools", "knives"])
    assert sound_code("kettle") == sound_code("cattle")
    assert matcher.repair(words("do you have a man doe lean slicer"))[-2:] == [
        "mandoline", "slicer",
    ]  # fmt: skip
    assert "bread" in matcher.repair(words("how much is the bred knife"))
    assert matcher.repair(words("i need a new car")) == words("i need a new car")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("hola, ¿hablas español?", "es"),
        ("je voudrais parler à quelqu'un", "fr"),
        ("ich brauche Hilfe mit meiner Bestellung", "de"),
        ("ciao, parla italiano?", "it"),
        ("Здравствуйте", "ru"),
        ("where is my order", None),
        ("do you have a santoku knife", None),
    ],
)
def test_language_of(text: str, language: str | None) -> None:
    assert language_of(text) == language


@pytest.mark.parametrize(
    ("text", "garbled"),
    [
        ("the uh the wah", True),
        ("mm blah fff", True),
        ("whats the weather like", False),
        ("who won the game last night", False),
    ],
)
def test_garbled(text: str, garbled: bool) -> None:
    assert is_garbled(normalize_spoken(text)) is garbled


def test_recognition_is_biased_towards_the_shops_words(db) -> None:
    from hark.server.services import shop_vocabulary

    words = shop_vocabulary(db)
    with db.session() as s:
        from sqlalchemy import select

        from hark.store.models import Product

        names = list(s.scalars(select(Product.name)))
    assert words[: len(names)] == names  # product names first: they matter most
    assert "coffee & tea" in words and "bluetooth" in {w.lower() for w in words}
