"""The DialogueManager contract: state that survives processes, barge-in, identify,
errors, the transcript, and a shop re-import noticed without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from hark.dialogue.errors import ConversationNotFound, CustomerNotFound, InvalidUtterance
from hark.dialogue.manager import DialogueManager
from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.skills.identity import Identity
from hark.skills.state import ConversationState, Pending
from hark.store.models import Cart, Conversation, Turn
from hark.store.shop_import import import_shop


def test_state_round_trips_through_json() -> None:
    state = ConversationState(
        customer_id="C1", focus_sku="X", pending=Pending("checkout", {"a": 1})
    )
    state.search.results = ["A", "B"]
    state.add_sentiment(-0.5)
    again = ConversationState.from_json(state.to_json())
    assert again == state
    assert (
        ConversationState.from_json({"focus_sku": 5, "pending": "junk", "future": 1}).focus_sku
        is None
    )
    assert ConversationState.from_json(None) == ConversationState()


def test_another_process_continues_the_conversation(db, settings) -> None:
    first = DialogueManager(db, settings)
    conversation_id, _ = first.start_conversation("kiosk", "C003")
    first.turn(conversation_id, "something to keep coffee hot")
    second = DialogueManager(db, settings)  # a new process: nothing shared in memory
    cheaper = second.turn(conversation_id, "the cheaper one")
    assert [c.sku for c in cheaper.cards] == ["KIT-1001"]
    added = DialogueManager(db, settings).turn(conversation_id, "add it to my cart")
    assert added.intent == "add_to_cart" and added.cards[0].sku == "KIT-1001"


def test_turns_are_stored_in_order_with_sentiment_and_metrics(dialogue, db) -> None:
    conversation_id, greeting = dialogue.start_conversation("phone")
    reply = dialogue.turn(conversation_id, "this is terrible, where is order 7002", {"asr_ms": 120})
    with db.session() as s:
        turns = s.scalars(
            select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.seq)
        ).all()
        assert [(t.seq, t.role) for t in turns] == [(0, "assistant"), (1, "user"), (2, "assistant")]
        assert turns[0].id == greeting.turn_id and turns[2].id == reply.turn_id
        assert turns[1].sentiment < 0 and turns[1].metrics == {"asr_ms": 120}
        assert "dialogue_ms" in turns[2].metrics and turns[2].text == reply.text


def test_barge_in_keeps_only_what_was_played(dialogue, db) -> None:
    conversation_id, _ = dialogue.start_conversation("phone")
    reply = dialogue.turn(conversation_id, "a speaker for the shower")
    dialogue.mark_interrupted(conversation_id, reply.turn_id, "I'd recommend the Waterproof")
    with db.session() as s:
        turn = s.get(Turn, reply.turn_id)
        assert turn.interrupted and turn.text == "I'd recommend the Waterproof"
    dialogue.mark_interrupted(conversation_id, 999999, "nothing")  # unknown turn: ignored
    with pytest.raises(ConversationNotFound):
        dialogue.mark_interrupted("missing", reply.turn_id, "x")


def test_identify_later_moves_the_guest_cart_and_allows_checkout(dialogue, db) -> None:
    conversation_id, _ = dialogue.start_conversation("phone")
    dialogue.turn(conversation_id, "add the travel mug to my cart")
    refused = dialogue.turn(conversation_id, "checkout")
    assert "sign in" in refused.text.lower()
    dialogue.identify(conversation_id, "C004", identity=Identity.VERIFIED)  # an account link
    ask = dialogue.turn(conversation_id, "checkout")
    assert "24 dollars and 99 cents" in ask.text
    done = dialogue.turn(conversation_id, "yes")
    assert any(a.type == "order_placed" for a in done.actions)
    with db.session() as s:
        cart = s.scalars(select(Cart).where(Cart.customer_id == "C004")).one()
        assert cart.status == "ordered"
    with pytest.raises(CustomerNotFound):
        dialogue.identify(conversation_id, "C999")


def test_errors_for_unknown_ids_and_bad_input(dialogue) -> None:
    with pytest.raises(ConversationNotFound):
        dialogue.turn("nope", "hello")
    with pytest.raises(CustomerNotFound):
        dialogue.start_conversation("kiosk", "C999")
    with pytest.raises(InvalidUtterance):
        dialogue.start_conversation("")
    conversation_id, _ = dialogue.start_conversation("kiosk")
    with pytest.raises(InvalidUtterance):
        dialogue.turn(conversation_id, None)  # type: ignore[arg-type]
    long = dialogue.turn(conversation_id, "where is order 3186 " + "blah " * 2000)
    assert long.text  # over-long input is cut, not a crash
    for odd in ("", "   ", "🙂🙂", "<speak>&amp;</speak>", "\x00\x01"):
        assert dialogue.turn(conversation_id, odd).ssml.startswith("<speak>")


def test_end_and_transcript(dialogue) -> None:
    conversation_id, _ = dialogue.start_conversation("alexa", "C001")
    dialogue.turn(conversation_id, "my card number is 4111 1111 1111 1111")
    dialogue.end_conversation(conversation_id)
    transcript = dialogue.transcript(conversation_id)
    assert transcript["ended_at"] and transcript["customer_id"] == "C001"
    assert "4111" not in str(transcript) and "[card number]" in transcript["turns"][1]["text"]
    with pytest.raises(ConversationNotFound):
        dialogue.end_conversation("missing")


def test_reimported_shop_is_noticed_without_restart(dialogue, db, tmp_path: Path) -> None:
    conversation_id, _ = dialogue.start_conversation("kiosk")
    assert not dialogue.turn(conversation_id, "a hammock").cards
    shop = tmp_path / "shop"
    shutil.copytree(SAMPLE_SHOP_DIR, shop)
    with (shop / "products.csv").open("a") as handle:
        handle.write(
            "OUT-4099,Camping Hammock,outdoor,44.00,A two-person parachute nylon hammock "
            "with tree straps.,hammock;camping,7\n"
        )
    import_shop(db, shop)
    reply = dialogue.turn(conversation_id, "a hammock")
    assert [c.sku for c in reply.cards] == ["OUT-4099"]


def test_unresolved_flag_and_summary_after_handoff(dialogue, db) -> None:
    conversation_id, _ = dialogue.start_conversation("phone", "C002", identity=Identity.VERIFIED)
    dialogue.turn(conversation_id, "where is order 7002")
    reply = dialogue.turn(conversation_id, "representative")
    assert reply.handoff and reply.handoff_summary["key_facts"]["orders"] == ["7002"]
    with db.session() as s:
        conversation = s.get(Conversation, conversation_id)
        assert conversation.resolved is False and "7002" in conversation.summary


def test_never_mind_is_understood_and_cancel_order_offers_a_person(dialogue) -> None:
    conversation_id, _ = dialogue.start_conversation("phone", "C004")
    dialogue.turn(conversation_id, "add the travel mug")
    first = dialogue.turn(conversation_id, "never mind")
    second = dialogue.turn(conversation_id, "never mind")
    assert not first.handoff and not second.handoff  # not "not understood" twice
    cancel = dialogue.turn(conversation_id, "please cancel my order 8123")
    assert "processing" in cancel.text and cancel.text.endswith("?")
    assert dialogue.turn(conversation_id, "yes").handoff
