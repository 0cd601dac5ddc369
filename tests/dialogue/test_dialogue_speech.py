"""Words for the ear: dates, prices, lists, and SSML that is always well formed."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from hark.language.speech import (
    Utterance,
    digits,
    first_sentence,
    join_words,
    money_in_text,
    ordinal,
    short_text,
    spoken_date,
    spoken_price,
    spoken_when,
    ssml_from_text,
)

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"),
        (2, "2nd"),
        (3, "3rd"),
        (4, "4th"),
        (11, "11th"),
        (12, "12th"),
        (13, "13th"),
        (21, "21st"),
        (22, "22nd"),
        (31, "31st"),
    ],
)
def test_ordinals(n: int, text: str) -> None:
    assert ordinal(n) == text


def test_dates_are_said_naturally() -> None:
    assert spoken_date(dt.date(2026, 12, 3), TODAY) == "Thursday, December 3rd"
    assert spoken_date(dt.date(2027, 6, 1), TODAY) == "Tuesday, June 1st, 2027"
    assert spoken_when(TODAY, TODAY) == "today"
    assert spoken_when(dt.date(2026, 11, 25), TODAY) == "tomorrow, Wednesday, November 25th"


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (24.99, "24 dollars and 99 cents"),
        (30, "30 dollars"),
        (1, "1 dollar"),
        (0.5, "50 cents"),
        (1.01, "1 dollar and 1 cent"),
        (1299.0, "1,299 dollars"),
        (19.999, "20 dollars"),
    ],
)
def test_prices_in_words(amount: float, text: str) -> None:
    assert spoken_price(amount) == text


def test_other_currencies() -> None:
    assert spoken_price(3.5, "EUR") == "3 euros and 50 cents"
    assert spoken_price(2, "GBP") == "2 pounds"
    assert spoken_price(5, "JPY") == "5.00 JPY"


def test_money_inside_shop_text() -> None:
    text = money_in_text("Standard shipping is $5.99, free over $50.")
    assert text == "Standard shipping is 5 dollars and 99 cents, free over 50 dollars."


def test_lists_and_trimming() -> None:
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert join_words(["a", "b"], "or") == "a or b"
    assert join_words([]) == ""
    long = "One two three four five six seven eight nine ten eleven and twelve. Second."
    assert (
        first_sentence(long, max_words=11)
        == "One two three four five six seven eight nine ten eleven."
    )
    assert short_text("A. B. C. D.", max_sentences=2) == "A. B."


def test_ssml_is_escaped_well_formed_and_reads_ids_as_digits() -> None:
    u = Utterance()
    u.say("Order ", digits("7002"), " has <b>shipped</b> & more.")
    u.say('He said "hi". The 16 oz mug and 2 lb of beans.')
    root = ET.fromstring(u.ssml())
    sentences = root.findall("s")
    assert len(sentences) == 3  # the second say() held two sentences
    assert sentences[0].find("say-as").attrib["interpret-as"] == "digits"
    assert "&" not in u.ssml().replace("&lt;", "").replace("&gt;", "").replace("&quot;", "")
    # a unit before a noun is an adjective ("16 ounce mug"); before "of" it counts
    assert "16 ounce mug" in u.ssml() and "2 pounds of" in u.ssml()
    # the text is read aloud by TTS engines too: same words, no markup
    assert u.text() == (
        'Order 7002 has <b>shipped</b> and more. He said "hi". '
        "The 16 ounce mug and 2 pounds of beans."
    )


def test_ssml_from_free_text() -> None:
    ssml = ssml_from_text("First one. Second <one>!")
    assert ET.fromstring(ssml).tag == "speak"
    assert ssml.count("<s>") == 2
