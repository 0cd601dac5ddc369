"""The pieces under the trust features: reading contact details, tickets, security settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from hark.privacy.contact import (
    email_addresses,
    mentions_contact,
    normalize_phone,
    phone_numbers,
)
from hark.runtime.settings import load_settings
from hark.server.log_secrets import mask_credentials
from hark.server.tickets import TicketBook, TicketError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("five five five, one two three, zero zero zero one", ["+15551230001"]),
        ("my number is 555-123-0001", ["+15551230001"]),
        ("+1 (555) 123 0001", ["+15551230001"]),
        ("plus one five five five one two three oh oh oh one", ["+15551230001"]),
        ("double five five one two three triple oh one", ["+15551230001"]),
        ("it's 555 0001", []),  # a local number only: not enough to match anyone
        ("order 3186 please", []),
    ],
)
def test_phone_numbers_spoken_and_typed(text: str, expected: list[str]) -> None:
    assert phone_numbers(text, "US") == expected


def test_phone_numbers_in_the_shops_region() -> None:
    assert phone_numbers("020 7946 0018", "GB") == ["+442079460018"]
    assert normalize_phone("020 7946 0018", "GB") == normalize_phone("+44 20 7946 0018", "US")
    assert normalize_phone("", "US") is None and normalize_phone("call me", "US") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maria dot lopez at example dot com", ["maria.lopez@example.com"]),
        ("Maria.Lopez@Example.com", ["maria.lopez@example.com"]),
        ("it's m a r i a dot lopez at example dot com", ["maria.lopez@example.com"]),
        (
            "maria underscore lopez at mail dot example dot co dot uk",
            ["maria_lopez@mail.example.co.uk"],
        ),
        ("maria.lopez at example.com thanks", ["maria.lopez@example.com"]),
        ("i'm at home", []),
    ],
)
def test_email_addresses_spoken_and_typed(text: str, expected: list[str]) -> None:
    assert email_addresses(text) == expected


def test_partial_answers_still_count_as_answers() -> None:
    assert mentions_contact("555 0100", "US")  # seven digits: an attempt (and a wrong one)
    assert not mentions_contact("yes", "US") and not mentions_contact("order 3186", "US")


def test_ticket_book_round_trip_single_use_expiry_and_forgery() -> None:
    now = [100.0]
    book = TicketBook(clock=lambda: now[0])  # TEST DOUBLE clock
    ticket = book.mint(minted_by="key:abc", customer_id="C001")
    claims = book.redeem(ticket)
    assert (claims.minted_by, claims.customer_id) == ("key:abc", "C001")
    with pytest.raises(TicketError, match="already used"):
        book.redeem(ticket)
    late = book.mint(minted_by="key:abc")
    now[0] += 60.5
    with pytest.raises(TicketError, match="expired"):
        book.redeem(late)
    other = TicketBook().mint(minted_by="key:abc", customer_id="C001")  # another secret
    with pytest.raises(TicketError, match="signature"):
        book.redeem(other)
    for junk in ("", "x" * 5000, "a.b", "....", "é.é"):
        with pytest.raises(TicketError):
            book.redeem(junk)


def test_security_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys = tmp_path / "keys.txt"
    keys.write_text(
        "# the website\nsite-key-0123456789abcdef\n\nkiosk-key-0123456789abcdef  # lobby\n"
    )
    monkeypatch.setenv("HARK_API_KEYS", f"@{keys}")
    monkeypatch.setenv("HARK_ALLOWED_ORIGINS", "HTTPS://Shop.Example:443/, http://localhost:3000")
    settings = load_settings()
    assert settings.api_key_list == ("site-key-0123456789abcdef", "kiosk-key-0123456789abcdef")
    assert settings.allowed_origin_list == ("https://shop.example", "http://localhost:3000")
    assert (settings.rate_limit, settings.max_body_bytes, settings.region) == (
        "120/minute",
        65536,
        "US",
    )
    shown = json.dumps(settings.masked(), default=str)
    assert "site-key" not in shown and "kiosk-key" not in shown
    for name, bad in (
        ("HARK_API_KEYS", "short"),
        ("HARK_API_KEYS", f"@{tmp_path / 'missing.txt'}"),
        ("HARK_ALLOWED_ORIGINS", "https://shop.example/path"),
        ("HARK_ALLOWED_ORIGINS", "*"),
        ("HARK_RATE_LIMIT", "lots"),
        ("HARK_REGION", "Atlantis"),
    ):
        monkeypatch.setenv(name, bad)
        with pytest.raises(ValidationError) as caught:
            load_settings()
        assert "short" not in str(caught.value.errors()[0]["msg"])  # a key is never echoed
        monkeypatch.delenv(name)
    monkeypatch.setenv("HARK_RATE_LIMIT", "off")
    assert load_settings().rate_limit == "off"


def test_credentials_are_masked_in_log_text() -> None:
    line = "< authorization: Bearer site-key-0123456789abcdef; GET /v1/voice?ticket=abc.def&x=1"
    masked = mask_credentials(line)
    assert "site-key" not in masked and "abc.def" not in masked
    assert "Bearer ***" in masked and "ticket=***&x=1" in masked
