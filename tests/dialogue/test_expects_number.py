"""The brain tells the voice endpointer what it waits for: a number, and how many digits a
complete one has (``Reply.expects``, ``Reply.expects_digits``), so an order number or a phone
number read out slowly is not cut (``hark.voice.listen.endpointing``)."""

from __future__ import annotations

from hark.privacy.contact import phone_lengths
from hark.skills.reply import Expects
from hark.skills.verify_code import CODE_DIGITS


def test_asking_for_the_order_number_expects_the_shops_order_id_length(dialogue) -> None:
    conversation_id, greeting = dialogue.start_conversation("phone")
    assert greeting.expects is None
    asked = dialogue.turn(conversation_id, "where is my order")
    assert "order number" in asked.text.lower()
    assert asked.expects is Expects.NUMBER
    assert asked.expects_digits == frozenset({4})  # the sample shop's order ids: 7002, 3186


def test_asking_for_the_phone_on_file_expects_a_phone_numbers_length(dialogue, settings) -> None:
    conversation_id, _ = dialogue.start_conversation("phone")
    asked = dialogue.turn(conversation_id, "where is order 7002")
    assert "phone number" in asked.text.lower()
    assert asked.expects is Expects.NUMBER
    assert asked.expects_digits == phone_lengths(settings.region) | {CODE_DIGITS}
    assert phone_lengths("US") == frozenset({10, 11})  # "555 ..." or "1 555 ..."


def test_a_reply_asking_nothing_still_gives_the_shape_of_a_number_read_unasked(dialogue):
    conversation_id, _ = dialogue.start_conversation("phone")
    reply = dialogue.turn(conversation_id, "do you sell coffee grinders")
    assert reply.expects is None and reply.expects_digits == frozenset({4})
