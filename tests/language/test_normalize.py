"""Spoken and typed text end up in one canonical form (numbers as digits, no fillers)."""

from __future__ import annotations

import pytest

from hark.language.normalize import normalize_spoken, normalize_tokens, parse_number


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("Um, where is order three one eight six?", "where is order 3186"),
        ("order thirty one eighty six", "order 3186"),
        ("seven oh oh two", "7002"),
        ("seven thousand and two", "7002"),
        ("a hundred and five", "105"),
        ("three million two hundred thousand", "3200000"),
        ("twenty five hundred", "2500"),
        ("one hundred dollars", "100 dollars"),
        ("fifty to eighty bucks", "50 to 80 dollars"),
        ("between fifty and eighty dollars", "between 50 and 80 dollars"),
        ("something under twenty nine ninety nine bucks", "something under 29.99 dollars"),
        ("twenty nine dollars and ninety nine cents", "29.99 dollars"),
        ("twenty dollars fifty", "20.50 dollars"),
        ("ninety nine cents", "0.99 dollars"),
        ("nine point nine nine", "9.99"),
        ("two dozen", "24"),
        ("half a dozen air fresheners", "6 air fresheners"),
        ("It costs $29.99.", "it costs 29.99 dollars"),
        ("order #3186", "order number 3186"),
        ("50-80 dollars", "50 to 80 dollars"),
        ("3,186", "3186"),
        ("the 2nd one", "the second one"),
        ("uh I want like a speaker for the shower", "i want a speaker for the shower"),
        ("I'd like the first one", "id like the first one"),
        ("i i want it", "i want it"),
        ("oh okay", "okay"),
    ],
)
def test_normalize_spoken(said: str, expected: str) -> None:
    assert normalize_spoken(said) == expected


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("that one", "that one"),
        ("the first one", "the first one"),
        ("the blue one please", "the blue one please"),
        ("which one is cheaper", "which one is cheaper"),
        ("just one", "just 1"),
        ("one of those", "1 of those"),
        ("add one to my cart", "add 1 to my cart"),
        ("one more", "1 more"),
        ("one", "1"),
        ("the twenty nine ninety nine one", "the 29.99 one"),
        ("the fifty dollar one", "the 50 dollars one"),
    ],
)
def test_one_is_a_pronoun_or_a_number_by_position(said: str, expected: str) -> None:
    assert normalize_spoken(said) == expected


def test_digit_pairs_read_as_price_only_next_to_money_or_price_words() -> None:
    assert normalize_spoken("nineteen ninety nine dollars") == "19.99 dollars"
    assert normalize_spoken("under nineteen ninety nine") == "under 19.99"
    assert normalize_spoken("order nineteen ninety nine") == "order 1999"


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("headphones under one fifty", "headphones under 150"),
        ("one fifty dollars", "150 dollars"),
        ("something over one fifty bucks", "something over 150 dollars"),
        ("about one fifty", "about 150"),
        ("around one fifty", "around 150"),
        ("a tent for one ninety nine", "a tent for 199"),
        ("a hundred fifty", "150"),
        ("under a hundred and fifty dollars", "under 150 dollars"),
        # a dollar fifty is said with the money words, and stays a dollar fifty
        ("one dollar fifty", "1.50 dollars"),
        ("one dollar and fifty cents", "1.50 dollars"),
        ("one fifty cents", "1.50 cents"),
        # two numbers after the first twenty stay dollars and cents
        ("under twenty nine ninety nine", "under 29.99"),
        ("twenty nine ninety nine dollars", "29.99 dollars"),
        # outside a price it was already one number, read digit-wise
        ("order one fifty", "order 150"),
    ],
)
def test_one_fifty_as_a_price_is_a_hundred_and_fifty(said: str, expected: str) -> None:
    assert normalize_spoken(said) == expected


def test_one_fifty_price_reads_as_one_number() -> None:
    assert parse_number("one fifty dollars") == 150.0
    assert parse_number("one fifty") == 150.0
    assert parse_number("twenty nine ninety nine dollars") == 29.99


def test_tokens_and_empty_input() -> None:
    assert normalize_tokens("  ") == []
    assert normalize_spoken("") == ""
    assert normalize_spoken("?!, ...") == ""
    assert normalize_tokens("Make it THREE!") == ["make", "it", "3"]


@pytest.mark.parametrize(
    ("phrase", "value"),
    [
        ("seven thousand and two", 7002.0),
        ("three one eight six", 3186.0),
        ("twenty nine ninety nine dollars", 29.99),
        ("one", 1.0),
        ("#42", 42.0),
        ("hello", None),
        ("two and three", None),
    ],
)
def test_parse_number(phrase: str, value: float | None) -> None:
    assert parse_number(phrase) == value
