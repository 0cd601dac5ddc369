"""Log lines found clean are not redacted again; personal data always is, every time.

``hark.privacy.known_clean`` lets the redacting log filter skip a line it has
already read and found clean (most log lines repeat word for word). These
pin that the shortcut never lets personal data through: a line with a card
number is redacted on every record, what was remembered is forgotten when the
region or the day changes, and the set stays bounded.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from hark.privacy import known_clean, logfilter
from hark.privacy.identifiers import is_safe_id
from hark.privacy.known_clean import LONGEST, KnownClean
from hark.privacy.redact import RedactingFilter, current_region, set_region


def _filtered(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("hark.test", logging.INFO, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(record, key, value)
    RedactingFilter().filter(record)
    return record


def test_a_line_with_a_card_number_is_redacted_every_time() -> None:
    for _ in range(3):
        record = _filtered("paid with %s", "4111 1111 1111 1111", note="card 4111111111111111")
        assert "4111" not in record.getMessage() and "4111" not in record.note


def test_a_clean_line_is_kept_as_it_is_and_remembered() -> None:
    line = "POST /v1/conversations/{conversation_id}/turns 200"
    record = _filtered("%s %s %s", "POST", "/v1/conversations/{conversation_id}/turns", 200)
    assert record.getMessage() == line
    assert line in logfilter._CLEAN
    assert _filtered(line).getMessage() == line


def test_what_was_found_clean_is_forgotten_when_the_region_or_day_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = KnownClean()
    seen.add("call me at 020 7946 0000")  # as if found clean under another region
    assert "call me at 020 7946 0000" in seen
    region = current_region()
    set_region("GB" if region != "GB" else "US")
    try:
        assert "call me at 020 7946 0000" not in seen
    finally:
        set_region(region)
    seen.add("order 1234 shipped")

    class Tomorrow(dt.date):
        @classmethod
        def today(cls) -> dt.date:
            return dt.date(2099, 1, 1)

    monkeypatch.setattr(known_clean.dt, "date", Tomorrow)
    assert "order 1234 shipped" not in seen


def test_the_set_is_bounded_and_long_text_is_never_kept() -> None:
    seen = KnownClean(limit=10)
    for n in range(25):
        seen.add(f"line {n}")
    assert "line 24" in seen and "line 0" not in seen
    seen.add("x" * (LONGEST + 1))
    assert "x" * (LONGEST + 1) not in seen


def test_an_id_holding_a_card_number_is_never_taken_for_safe() -> None:
    for _ in range(3):
        assert not is_safe_id("4111111111111111")
    assert is_safe_id("req-abc-42") and is_safe_id("req-abc-42")
