"""The desk's and the review loop's tables under the data-rights rules: a customer's
handoffs (callback numbers included) are exported and erased with them; a reviewed example
is erased with its customer but outlives a retention purge, tied to no one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from hark.skills.identity import Identity
from hark.store.data_rights import erase_customer, export_customer, purge_conversations
from hark.store.models import AssistedOrder, Handoff, NluExample, Order, Turn


def _label_first_user_turn(db, conversation_id: str, intent: str) -> None:
    with db.session() as session:
        turn = session.scalars(
            select(Turn).where(Turn.conversation_id == conversation_id, Turn.role == "user")
        ).first()
        session.add(
            NluExample(
                turn_id=turn.id, conversation_id=conversation_id, text=turn.text,
                chosen_intent=turn.intent, intent=intent, reviewer="test",
            )
        )  # fmt: skip


def test_erasure_takes_handoffs_examples_and_order_links_with_the_customer(db, dialogue) -> None:
    mine, _ = dialogue.start_conversation("alexa", "C001", identity=Identity.VERIFIED)
    dialogue.turn(mine, "let me speak to a human")
    dialogue.turn(mine, "yes please")  # a callback on the phone number of the account
    for line in ("add the wireless bluetooth over-ear headphones to my cart", "check out", "yes"):
        dialogue.turn(mine, line)
    _label_first_user_turn(db, mine, "human_agent")
    other, _ = dialogue.start_conversation("web", "C002", identity=Identity.VERIFIED)
    dialogue.turn(other, "agent")
    _label_first_user_turn(db, other, "human_agent")

    exported = export_customer(db, "C001")
    (handoff,) = exported["conversation_records"]["handoffs"]
    assert handoff["callback"] == "accepted" and handoff["callback_contact"] == "account:C001"
    assert [o["channel"] for o in exported["conversation_records"]["assisted_orders"]] == ["alexa"]
    assert [e["intent"] for e in exported["reviewed_examples"]] == ["human_agent"]

    erase_customer(db, "C001")
    with db.session() as session:
        assert [h.customer_id for h in session.scalars(select(Handoff))] == ["C002"]
        assert [e.conversation_id for e in session.scalars(select(NluExample))] == [other]
        assert session.scalars(select(AssistedOrder)).all() == []
        assert session.scalars(select(Order).where(Order.customer_id.is_(None))).all()  # kept


def test_a_purge_keeps_reviewed_examples_unlinked(db, dialogue) -> None:
    old, _ = dialogue.start_conversation("web")
    dialogue.turn(old, "can i bring my dog to the shop")
    _label_first_user_turn(db, old, "faq")
    report = purge_conversations(db, 30, now=dt.datetime.now() + dt.timedelta(days=31))
    assert report.conversations == 1
    with db.session() as session:
        (example,) = session.scalars(select(NluExample)).all()
        assert example.text == "can i bring my dog to the shop" and example.intent == "faq"
        assert example.conversation_id is None and example.turn_id is None
