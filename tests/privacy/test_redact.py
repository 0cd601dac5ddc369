"""Personal data never survives into stored or logged text; order numbers and prices do."""

from __future__ import annotations

import json
import logging

import pytest

from hark.privacy.redact import (
    CARD,
    EMAIL,
    PHONE,
    SECURITY_CODE,
    SSN,
    RedactingFilter,
    luhn_valid,
    redact,
)


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("my card is 4111 1111 1111 1111", "my card is [card number]", CARD),
        ("4111-1111-1111-1111", "[card number]", CARD),
        ("5500005555555559 is my mastercard", "[card number] is my mastercard", CARD),
        (
            "four one one one one one one one one one one one one one one one",
            "[card number]",
            CARD,
        ),
        (
            "it's four one one one double one one one one one one one one one one one thanks",
            "it's [card number] thanks",
            CARD,
        ),
        ("the cvv is 123", "the cvv is [security code]", SECURITY_CODE),
        ("security code four five six", "security code [security code]", SECURITY_CODE),
        ("my ssn is 123-45-6789", "my ssn is [ssn]", SSN),
        ("social security number 123456789", "social security number [ssn]", SSN),
        ("email me at john.smith@example.com", "email me at [email]", EMAIL),
        ("it's john at example dot com", "it's [email]", EMAIL),
        ("call me at (555) 123-4567", "call me at [phone]", PHONE),
        (
            "my phone is five five five one two three four five six seven",
            "my phone is [phone]",
            PHONE,
        ),
        ("+44 20 7946 0958", "[phone]", PHONE),
    ],
)
def test_each_kind_is_redacted(text: str, expected: str, kind: str) -> None:
    result = redact(text)
    assert result.text == expected
    assert result.found == {kind}


def test_card_and_code_together() -> None:
    result = redact("card 4111 1111 1111 1111 expires soon and the cvv is 737")
    assert "4111" not in result.text and "737" not in result.text
    assert result.found == {CARD, SECURITY_CODE}


@pytest.mark.parametrize(
    "text",
    [
        "where is order 3186",
        "order number seven thousand and two",
        "it's 52740",
        "I want 2 of them for $29.99",
        "twenty nine ninety nine dollars",
        "something under one hundred dollars",
        "make it three",
        "the first one please",
        "a 1080p webcam and a 55 inch desk",
        "look at the price",
    ],
)
def test_order_numbers_prices_and_quantities_survive(text: str) -> None:
    result = redact(text)
    assert result.text == text
    assert result.found == set()


def test_card_length_digits_nothing_else_explains_are_a_misheard_card() -> None:
    # 16 digits failing Luhn, no card context: a card misheard by one digit is still one
    assert redact("1234 5678 9012 3456").found == {CARD}
    # a valid EAN-13 barcode is not a card
    assert redact("the barcode is 4006381333931").found == set()


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("1234567890123456")
    assert not luhn_valid("41x1")


def test_card_context_redacts_a_misread_card_number() -> None:
    # ASR may get one digit wrong; after "card" it is still a card number.
    result = redact("my credit card is 4111 1111 1111 1112")
    assert result.text == "my credit card is [card number]"


def test_logging_filter_redacts_message_args_and_extras() -> None:
    logger = logging.getLogger("hark.test.redact")
    logger.setLevel(logging.INFO)
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep()
    handler.addFilter(RedactingFilter())
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("user said %s", "my card is 4111 1111 1111 1111")
        logger.info("turn", extra={"text": "cvv 123", "meta": {"email": "a@b.com", "n": 3}})
        logger.info("order %s costs %s", "3186", "$29.99")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert records[0].getMessage() == "user said my card is [card number]"
    assert records[1].text == "cvv [security code]"
    assert records[1].meta == {"email": "[email]", "n": 3}
    assert records[2].getMessage() == "order 3186 costs $29.99"
    assert "4111" not in json.dumps([r.getMessage() for r in records])


def test_empty_and_plain_text() -> None:
    assert redact("").text == ""
    assert redact("hello there").found == set()


def test_spelled_out_email() -> None:
    result = redact("my email is j o h n at gmail dot com")
    assert result.text == "my email is [email]"


def test_fillers_inside_a_spoken_card_number() -> None:
    result = redact("it's four one one one one one one one um one one one one uh one one one one")
    assert result.text == "it's [card number]"
    assert redact("my card number is 4111 1111 11").found == {CARD}
