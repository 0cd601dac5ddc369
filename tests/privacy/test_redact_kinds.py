"""Each kind of personal data, written and spoken; what must survive; ids; cards over turns.

The corpus test (test_privacy_corpus.py) checks that nothing raw escapes end to
end; these pin down the behaviour of each detector, and Hypothesis checks the
properties that must hold for any text.
"""

from __future__ import annotations

import datetime as dt
import logging
import string
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hark.privacy.identifiers import INVALID, is_channel, is_safe_id, loggable_id
from hark.privacy.kinds import (
    ADDRESS,
    BANK_ACCOUNT,
    CARD,
    DATE_OF_BIRTH,
    EMAIL,
    EXPIRY,
    PHONE,
    PLACEHOLDER_RE,
    SECURITY_CODE,
)
from hark.privacy.phones import is_phone
from hark.privacy.redact import RedactingFilter, RedactionMemory, redact

TODAY = dt.date(2026, 11, 24)


def kinds(text: str, memory: RedactionMemory | None = None) -> set[str]:
    return redact(text, memory, today=TODAY).found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Visa 4111-1111-1111-1111, 09/29, 123", "Visa [card number], [expiry date], [security code]"),
        ("4111 1111 1111 1111 12 27", "[card number] [expiry date]"),
        ("forty one eleven eleven eleven eleven eleven eleven eleven eleven", "[card number]"),
        ("the number on the back is 729", "the number on the back is [security code]"),
        ("the last three digits on the back are 661", "the last three digits on the back are [security code]"),
        ("my card expires in september twenty twenty nine", "my card expires in [expiry date]"),
        ("hank at schrader dot email", "[email]"),
        ("buyer@my-corner.shop", "[email]"),
        ("call me on 07700 900462", "call me on [phone]"),
        ("my number is 0044 7700 900463", "my number is [phone]"),
        ("my mobile is oh seven seven hundred nine hundred four six five", "my mobile is [phone]"),
        ("call 212-555-0107 or 212-555-0108", "call [phone] or [phone]"),
        ("my numbers are 202 555 0111, 202 555 0112", "my numbers are [phone], [phone]"),
        ("ship it to 1600 Pennsylvania Avenue NW, Washington, DC 20500", "ship it to [address]"),
        ("send it to twenty nine acacia road", "send it to [address]"),
        ("my billing address is PO Box 4471, Tulsa OK 74101", "my billing address is [address]"),
        ("I was born on March 3rd, 1985", "I was born on [date of birth]"),
        ("my birthday is the fourth of july nineteen seventy six", "my birthday is the [date of birth]"),
        ("IBAN DE89 3704 0044 0532 0130 00", "IBAN [bank account]"),
    ],
)  # fmt: skip
def test_written_and_spoken_forms(text: str, expected: str) -> None:
    assert redact(text, today=TODAY).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "order 5274 was supposed to arrive on November 20",
        "can I return the headphones I bought on 11/08/2026",
        "I'm looking for a 1080p webcam under 100 dollars",
        "my order number is 2915",
        "I want the 2 TB hard drive",
        "it costs $1,299.99",
        "the model number is WH-1000XM5",
        "I bought it in 2019",
        "twenty nine ninety nine",
        "between fifty and eighty dollars",
        "you're open 9 to 5 right",
        "where is order three one eight six",
        "I need two hundred and fifty feet of cable",
        "my order 5274 hasn't come, I paid with my visa",
        "the product code is 4006381333931",  # a valid EAN-13 barcode
        "the tracking says 1Z999AA10123456784",
        "version 1.2.3 on 127.0.0.1",
        "brews one to two cups at a time. Uses number 2 filters.",
        "I'm 45 years old and I want 3 packs",
    ],
)
def test_shop_talk_survives(text: str) -> None:
    result = redact(text, today=TODAY)
    assert result.found == set() and result.text == text


def test_hex_ids_and_uuids_are_never_rewritten() -> None:
    for _ in range(300):  # conversation ids with long digit runs were logged as ...[phone]...
        hex_id = uuid.uuid4().hex
        assert redact(f"conversation {hex_id} started").text == f"conversation {hex_id} started"
    for crafted in ("81e2485e9c6c4b1234567890afd147e3", "a4111111111111111111111111111111"):
        assert redact(crafted).text == crafted
    some_uuid = str(uuid.uuid4())
    assert redact(some_uuid).text == some_uuid


def test_phones_follow_the_home_region() -> None:
    # a British national number is a phone in the US too (another country's format) ...
    assert is_phone("07700900462", region="US")
    assert is_phone("02079460958", region="GB")
    # ... a 10-digit NANP number is read as one at home, and an order number never is
    assert is_phone("2025550143", region="US")
    assert not is_phone("5274", region="US") and not is_phone("12345678", region="US")
    assert redact("ring me on 020 7946 0958", region="GB").found == {PHONE}


def test_a_card_read_out_over_turns_is_recognised_without_keeping_digits() -> None:
    memory = RedactionMemory()
    said = ["I'd like to pay with my visa", "it starts with 4000 0566", "and ends with 5566 5556"]
    out = []
    for text in said:
        result = redact(text, memory, today=TODAY)
        memory = result.memory
        out.append(result.text)
        assert set(memory.to_json().values()) <= set(range(20))  # counts only, never digits
    assert out[1:] == ["it starts with [card number]", "and ends with [card number]"]
    expiry = redact("and it expires oh nine twenty nine", memory, today=TODAY)
    assert expiry.found == {EXPIRY}
    # two turns of something else close the window: an order number is an order number again
    for text in ("thanks", "what else do you sell"):
        memory = redact(text, memory, today=TODAY).memory
    assert redact("where is order 3186", memory, today=TODAY).found == set()


def test_an_order_number_right_after_card_talk_is_not_a_card() -> None:
    memory = redact("I paid with my visa", RedactionMemory(), today=TODAY).memory
    assert redact("where is order 5274", memory, today=TODAY).found == set()
    assert redact("5274", memory, today=TODAY).found == {CARD}  # a bare group continues it


def test_stored_memory_is_validated() -> None:
    assert RedactionMemory.from_json({"card_digits": "4111", "card_turns": 99}).to_json() == {
        "card_digits": 0,
        "card_turns": 2,
    }
    assert RedactionMemory.from_json(None).to_json() == {"card_digits": 0, "card_turns": 0}


def test_ids_are_validated_not_rewritten() -> None:
    hex_id = uuid.uuid4().hex
    assert loggable_id("conversation_id", hex_id) == hex_id
    assert loggable_id("conversation_id", "4111111111111111") == INVALID
    assert loggable_id("request_id", "req-42.a") == "req-42.a"
    assert loggable_id("request_id", "4111-1111-1111-1111") == INVALID
    assert loggable_id("request_id", "hank@schrader.email") == INVALID
    assert loggable_id("turn_id", 17) == 17
    assert is_safe_id("C001") and not is_safe_id("x" * 65) and not is_safe_id("a b")
    assert is_channel("kiosk") and is_channel("twilio-sms")
    for bad in ("4111111111111111", "x4111111111111111", "Kiosk", "", "kio\x00sk", "a" * 33):
        assert not is_channel(bad), bad


def test_log_filter_keeps_ids_and_redacts_text_and_tracebacks() -> None:
    hex_id = "81e2485e9c6c4b1234567890afd147e3"
    record = logging.LogRecord("t", logging.ERROR, __file__, 1, "turn %s", (hex_id,), None)
    record.conversation_id = hex_id
    record.request_id = "5555555555554444"
    record.note = "call me on 07700 900462"
    try:
        raise ValueError("bad card 4111 1111 1111 1111")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    assert record.getMessage() == f"turn {hex_id}"
    assert record.conversation_id == hex_id and record.request_id == INVALID
    assert record.note == "call me on [phone]"
    assert "4111" not in record.exc_text and "[card number]" in record.exc_text


# --- properties ------------------------------------------------------------------------------
def _luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body + "0")):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


cards = st.builds(
    lambda prefix, rest, length: _luhn_complete((prefix + rest)[: length - 1]),
    st.sampled_from(["4", "51", "55", "34", "37", "6011"]),
    st.text(string.digits, min_size=18, max_size=18),
    st.integers(13, 19),
)
separators = st.sampled_from([" ", "-", "", " - ", ".", "  "])
filler = st.text(string.ascii_letters + " ,.!?'", max_size=40)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(card=cards, sep=separators, before=filler, after=filler)
def test_any_card_number_in_any_sentence_is_removed(card, sep, before, after) -> None:
    groups = [card[i : i + 4] for i in range(0, len(card), 4)]
    text = f"{before} {sep.join(groups)} {after}"
    result = redact(text, today=TODAY)
    assert card not in "".join(ch for ch in result.text if ch.isdigit())
    assert CARD in result.found


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.text(max_size=300))
def test_any_text_redacts_without_error_and_placeholders_stay(text) -> None:
    result = redact(text, RedactionMemory(), today=TODAY)
    assert isinstance(result.text, str) and result.memory is not None
    again = redact(result.text, today=TODAY)
    # placeholders are never themselves redacted away or rewritten
    assert PLACEHOLDER_RE.findall(result.text) == PLACEHOLDER_RE.findall(again.text)


@settings(max_examples=100, deadline=None)
@given(local=st.from_regex(r"[a-z][a-z0-9._]{0,15}", fullmatch=True),
       domain=st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True),
       tld=st.from_regex(r"[a-z]{2,12}", fullmatch=True))  # fmt: skip
def test_any_email_with_any_tld_is_removed(local, domain, tld) -> None:
    address = f"{local}@{domain}.{tld}"
    result = redact(f"my email is {address} thanks", today=TODAY)
    assert address not in result.text and result.found == {EMAIL}


def test_kinds_are_reported() -> None:
    assert kinds("born 09/07/1958") == {DATE_OF_BIRTH}
    assert kinds("my routing number is 021000021") == {BANK_ACCOUNT}
    assert kinds("it's 12 Grimmauld Place, London") == {ADDRESS}
    assert kinds("cvv 123") == {SECURITY_CODE}


def test_a_flood_is_cut_without_leaving_half_a_number() -> None:
    from hark.privacy.redact import bounded

    text = "hello " * 5 + "my card is 4111 1111 1111 1111"
    cut = bounded(text, len(text) - 5)  # cut inside the card number
    assert cut == "hello " * 5 + "my card is"
    assert bounded("four one one one one", 12) == ""
    assert bounded("short", 100) == "short"


@pytest.mark.parametrize(
    "text",
    [
        "card 4111\u200d1111\u200c1111\u034f1111",
        "call 555\u0301 010\ufe0f0 12\u31643",
        "mail j\u200bane\u2060@gm\u00adail.com",
        "j a n e . d o e @ g m a i l . c o m",
        "it's j a n e.doe @ gmail . com ok",
    ],
)
def test_what_a_person_reads_whole_is_redacted_whole(text: str) -> None:
    result = redact(text, today=TODAY)
    assert not any(ch.isdigit() for ch in result.text), result.text
    assert "jane" not in result.text.replace(" ", "") and "gmail" not in result.text
