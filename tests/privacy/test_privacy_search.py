"""The corpus test's search finds real leaks and not coincidences in random ids."""

from __future__ import annotations

from privacy_search import digits_view, leaked, text_view


def _found(secret: str, haystack: str) -> bool:
    return leaked(secret, digits_view(haystack), text_view(haystack))


def test_a_zip_code_written_out_is_found() -> None:
    assert _found("78701", "turns: it's 9 Jackson Heights Road, Austin TX 78701")
    assert _found("78701", '{"text": "zip 78701."}')


def test_a_zip_code_inside_an_id_or_timestamp_is_a_coincidence() -> None:
    assert not _found("78701", "conversations: 5e1c78701ab94c2e | 2026-11-30 14:51:21.787012")


def test_long_numbers_are_found_whatever_separates_their_digits() -> None:
    assert _found("4111 1111 1111 1111", "card 4111-1111-1111-1111 on file")
    assert not _found("4111 1111 1111 1111", "id 94111111111111111")


def test_words_are_found_ignoring_case_and_spacing() -> None:
    assert _found("hank at schrader dot email", "said HANK at  schrader dot email today")
