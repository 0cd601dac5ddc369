"""The LLM planner against a scripted OpenAI-compatible server on loopback.

Real HTTP with server-sent events and the real ``openai`` client
(``tests/openai_double.py`` is the TEST DOUBLE: only the model is scripted).
Tool calls run as the skills on the turn's own state; everything sent is
redacted; every kind of failure falls back to exactly the built-in answer.
"""

from __future__ import annotations

import json
import logging

import pytest
from openai_double import Call, Garbage, QuoteTool, Refuse, Say, ScriptedLLM, Stall, Status
from sqlalchemy import func, select

from hark.dialogue import llm as llm_module
from hark.dialogue.manager import DialogueManager
from hark.skills.identity import Identity
from hark.store.models import Cart, CartItem, Order


class Sink:
    """TEST DOUBLE ``ReplySink``: records the sentences a voice channel would speak."""

    def __init__(self) -> None:
        self.sentences: list[str] = []

    def sentence(self, text: str) -> None:
        self.sentences.append(text)

    def cancelled(self) -> bool:
        return False


@pytest.fixture
def llm_server():
    servers: list[ScriptedLLM] = []

    def start(*script) -> ScriptedLLM:
        server = ScriptedLLM(list(script))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def with_llm(settings, server: ScriptedLLM, **extra):
    return settings.model_copy(
        update={"llm_base_url": server.url, "llm_model": "scripted", **extra}
    )


def cart_items(db, conversation_id: str | None = None, customer_id: str | None = None):
    with db.session() as session:
        query = select(CartItem.sku, CartItem.quantity).join(Cart).where(Cart.status == "open")
        if customer_id:
            query = query.where(Cart.customer_id == customer_id)
        else:
            query = query.where(Cart.conversation_id == conversation_id)
        return sorted(session.execute(query).all())


def built_in_reply(db, settings, text: str, customer_id: str | None = None) -> str:
    """What Hark answers without any LLM, in a fresh conversation."""
    manager = DialogueManager(db, settings)
    assert manager.planner is None
    conversation_id, _ = manager.start_conversation("kiosk", customer_id)
    return manager.turn(conversation_id, text).text


# --- settings -------------------------------------------------------------------
@pytest.mark.parametrize("url", [None, ""])
def test_no_llm_settings_no_planner_and_no_streaming(db, settings, url) -> None:
    manager = DialogueManager(db, settings.model_copy(update={"llm_base_url": url}))
    assert manager.planner is None and manager.streams_replies is False


def test_fallback_mode_asks_the_llm_only_for_turns_the_skills_cannot_place(
    db, settings, llm_server
) -> None:
    server = llm_server(Say("We're a friendly shop and I can help with orders and products."))
    manager = DialogueManager(db, with_llm(settings, server))
    conversation_id, _ = manager.start_conversation("kiosk", "C002", identity=Identity.VERIFIED)
    status = manager.turn(conversation_id, "where is order 7002")
    assert "7002" in status.text and server.requests == []  # placed offline, no request
    odd = manager.turn(conversation_id, "blorp flim zazz")
    assert odd.text == "We're a friendly shop and I can help with orders and products."
    assert len(server.requests) == 1


# --- tools ------------------------------------------------------------------------
def test_tool_call_runs_the_skill_and_its_facts_reach_the_reply(db, settings, llm_server) -> None:
    server = llm_server(Call([("get_product", {"product": "KIT-1001"})]), QuoteTool())
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk")
    reply = manager.turn(conversation_id, "what does that insulated mug cost")
    assert "24 dollars and 99 cents" in reply.text  # the price from the shop database
    assert [c.sku for c in reply.cards] == ["KIT-1001"]
    tool_message = server.requests[1]["messages"][-1]
    assert tool_message["role"] == "tool"
    assert json.loads(tool_message["content"])["products"][0]["price"] == 24.99
    # The tools offered are the skills' actions, with schemas.
    offered = [t["function"]["name"] for t in server.requests[0]["tools"]]
    assert "get_order_status" in offered and "checkout" in offered


def test_tools_share_the_conversation_state_with_the_built_in_skills(
    db, settings, llm_server
) -> None:
    server = llm_server(
        Call([("search_products", {"query": "travel mug"})]),
        Call([("add_to_cart", {"product": "KIT-1001", "quantity": 2})]),
        QuoteTool(prefix=""),
    )
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk")
    reply = manager.turn(conversation_id, "i'd like two of those travel mugs please")
    assert "two" in reply.text.lower() and "49 dollars and 98 cents" in reply.text
    assert cart_items(db, conversation_id) == [("KIT-1001", 2)]
    # The same cart, as the built-in skills see it on the next turn (LLM disabled).
    manager.planner = None
    cart = manager.turn(conversation_id, "what's in my cart")
    assert "two" in cart.text.lower() and "49 dollars and 98 cents" in cart.text


def test_an_unverified_caller_gets_no_order_facts_through_a_tool(db, settings, llm_server) -> None:
    """Today's rule, applied by the order skill that the tool runs: a caller known as
    one customer hears nothing of another customer's order. (Issue 10 moves this to
    identity levels; the tool follows the skill either way.)"""
    server = llm_server(Call([("get_order_status", {"order_id": "5274"})]), QuoteTool(prefix=""))
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk", "C002")  # 5274 is C001's
    reply = manager.turn(conversation_id, "what's going on with order 5274")
    sent = server.sent_text()
    for fact in ("Backpacking Tent", "Sleeping Pad", "delayed", "December"):
        assert fact not in reply.text and fact not in sent
    assert "couldn't find order" in reply.text
    # Exactly what the skill says on the built-in path for the same caller.
    assert reply.text == built_in_reply(db, settings, "where is order 5274", "C002")


def test_checkout_needs_the_callers_yes_in_a_turn_of_their_own(db, settings, llm_server) -> None:
    server = llm_server(
        Call([("add_to_cart", {"product": "KIT-1001"})]),
        Say("Added the travel mug for you."),
        Call([("checkout", {})], text_before="Sure, let's check out. "),
    )
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk", "C003", identity=Identity.VERIFIED)
    manager.turn(conversation_id, "put a travel mug in my cart")
    with db.session() as session:
        orders_before = session.scalar(select(func.count()).select_from(Order))
    asked = manager.turn(conversation_id, "ok buy it now, place the order")
    assert asked.text.startswith("Sure, let's check out.")
    assert asked.text.endswith("Shall I place the order with the payment method on file?")
    requests_so_far = len(server.requests)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == orders_before
    placed = manager.turn(conversation_id, "yes please")
    assert "Your order is placed" in placed.text
    assert len(server.requests) == requests_so_far  # the yes is the built-in path's
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(Order)) == orders_before + 1


# --- privacy ------------------------------------------------------------------------
def test_no_personal_data_reaches_a_request(db, settings, llm_server) -> None:
    server = llm_server(Call([("search_products", {"query": "tent"})]), QuoteTool())
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, greeting = manager.start_conversation(
        "kiosk", "C001", identity=Identity.VERIFIED
    )  # Maria Lopez
    assert "Maria" in greeting.text
    manager.turn(
        conversation_id,
        "this is maria lopez, email maria.lopez@example.com or jo@example.org, "
        "phone +1 555 010 0101, card 4111 1111 1111 1111, do you have a tent for my trip",
    )
    sent = server.sent_text()
    assert len(server.requests) == 2
    for private in (
        "Maria", "maria", "Lopez", "lopez", "maria.lopez@example.com", "jo@example.org",
        "5550100101", "555 010 0101", "4111", "1111 1111",
    ):  # fmt: skip
        assert private not in sent, private
    assert "tent" in sent


def test_failures_are_logged_without_the_callers_words(db, settings, llm_server, caplog) -> None:
    server = llm_server(Status(500))
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk")
    with caplog.at_level(logging.INFO, logger="hark.dialogue.llm"):
        manager.turn(conversation_id, "my secret word is zebracorn, got any tents")
    records = [r for r in caplog.records if r.name == "hark.dialogue.llm"]
    assert records and records[-1].reason == "http_error"
    assert "zebracorn" not in " ".join(f"{r.getMessage()} {r.__dict__}" for r in records)


# --- falling back -------------------------------------------------------------------
FAILURES = {
    "timeout": (Stall(3.0),),
    "http_500": (Status(500),),
    "garbage_stream": (Garbage(),),
    "malformed_arguments": (Call([("get_product", '{"product": "KIT-1001"')]),),
    "invalid_arguments": (Call([("add_to_cart", {"product": "KIT-1001", "quantity": -4})]),),
    "unknown_tool": (Call([("delete_all_orders", {})]),),
    "refusal": (Refuse(),),
    "empty_answer": (Say(""),),
}


@pytest.mark.parametrize("name", list(FAILURES))
def test_each_failure_falls_back_to_the_built_in_answer(db, settings, llm_server, name) -> None:
    server = llm_server(*FAILURES[name])
    # The deadline leaves a loaded machine time to send the request; the stall outlasts it.
    llm_settings = with_llm(settings, server, llm_mode="always", llm_first_token_s=1.0)
    manager = DialogueManager(db, llm_settings)
    conversation_id, _ = manager.start_conversation("kiosk")
    reply = manager.turn(conversation_id, "where is order 7002")
    assert len(server.requests) == 1
    assert reply.text == built_in_reply(db, settings, "where is order 7002")


def test_a_failure_after_a_tool_ran_undoes_what_the_tool_did(db, settings, llm_server) -> None:
    server = llm_server(
        Call([("add_to_cart", {"product": "KIT-1001", "quantity": 3})]),
        Call([("no_such_tool", {})]),
    )
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk")
    reply = manager.turn(conversation_id, "blorp flim zazz")
    assert len(server.requests) == 2
    assert cart_items(db, conversation_id) == []  # the add was rolled back with the attempt
    assert reply.text == built_in_reply(db, settings, "blorp flim zazz")


def test_a_tool_loop_is_cut(db, settings, llm_server, caplog) -> None:
    server = llm_server(Call([("view_cart", {}), ("search_products", {"query": "mug"})]))
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk")
    with caplog.at_level(logging.WARNING, logger="hark.dialogue.llm"):
        reply = manager.turn(conversation_id, "where is order 7002")
    assert 1 < len(server.requests) <= llm_module.MAX_ROUNDS
    assert caplog.records[-1].reason == "tool_loop"
    assert reply.text == built_in_reply(db, settings, "where is order 7002")


def test_first_token_deadline_then_the_skills_answer(db, settings, llm_server, caplog) -> None:
    server = llm_server(Say("Far too late.", first_delay_s=2.0))
    llm_settings = with_llm(settings, server, llm_mode="always", llm_first_token_s=0.3)
    manager = DialogueManager(db, llm_settings)
    conversation_id, _ = manager.start_conversation("kiosk")
    with caplog.at_level(logging.WARNING, logger="hark.dialogue.llm"):
        reply = manager.turn(conversation_id, "where is order 7002")
    assert caplog.records[-1].reason == "first_token_timeout"
    assert "Far too late" not in reply.text and "7002" in reply.text


# --- streaming ------------------------------------------------------------------------
def test_streamed_sentences_are_the_stored_reply_and_speakable(db, settings, llm_server) -> None:
    server = llm_server(
        Say(
            "**Great question!** Our mugs cost $24.99 each.\n- They keep drinks hot.\n"
            "1. They fit cup holders.",
            pieces=9,
        )
    )
    manager = DialogueManager(db, with_llm(settings, server))
    conversation_id, _ = manager.start_conversation("kiosk")
    sink = Sink()
    reply = manager.turn(conversation_id, "blorp flim zazz", sink=sink)
    assert sink.sentences == [
        "Great question!",
        "Our mugs cost 24 dollars and 99 cents each.",
        "They keep drinks hot.",
        "They fit cup holders.",
    ]
    assert " ".join(sink.sentences) == reply.text
    stored = manager.transcript(conversation_id)["turns"][-1]["text"]
    assert stored == reply.text


def test_a_long_answer_is_cut_to_a_speakable_length(db, settings, llm_server) -> None:
    server = llm_server(Say("This is one more sentence about nothing. " * 40, pieces=40))
    manager = DialogueManager(db, with_llm(settings, server))
    conversation_id, _ = manager.start_conversation("kiosk")
    reply = manager.turn(conversation_id, "blorp flim zazz")
    assert reply.text.count(".") <= 6 and len(reply.text) <= 600


def test_the_built_in_answer_is_not_streamed(db, settings, llm_server) -> None:
    server = llm_server(Say("unused"))
    manager = DialogueManager(db, with_llm(settings, server))
    conversation_id, _ = manager.start_conversation("kiosk")
    sink = Sink()
    reply = manager.turn(conversation_id, "where is order 7002", sink=sink)
    assert "7002" in reply.text and sink.sentences == []


@pytest.mark.postgres
def test_savepoint_rollback_on_postgresql(postgres_url, settings, llm_server) -> None:
    """The all-or-nothing attempt on PostgreSQL too: a tool's cart change is undone."""
    from hark.runtime.settings import SAMPLE_SHOP_DIR
    from hark.store.db import open_database
    from hark.store.shop_import import import_shop

    pg = open_database(postgres_url)
    try:
        import_shop(pg, SAMPLE_SHOP_DIR)
        server = llm_server(
            Call([("add_to_cart", {"product": "KIT-1001", "quantity": 3})]), Status(500)
        )
        pg_settings = with_llm(settings, server, llm_mode="always", database_url=postgres_url)
        manager = DialogueManager(pg, pg_settings)
        conversation_id, _ = manager.start_conversation("kiosk")
        reply = manager.turn(conversation_id, "blorp flim zazz")
        assert "didn't understand" in reply.text
        assert cart_items(pg, conversation_id) == []
        manager.planner = None
        manager.turn(conversation_id, "add a travel mug to my cart")
        assert cart_items(pg, conversation_id) == [("KIT-1001", 1)]
    finally:
        pg.dispose()


def test_a_turn_that_fails_after_its_tools_ran_leaves_nothing(
    db, settings, llm_server, monkeypatch
) -> None:
    """The tools' writes belong to the turn: if storing the turn fails, they go too."""
    server = llm_server(Call([("add_to_cart", {"product": "KIT-1001"})]), Say("Done."))
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk")

    def broken_store(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("hark.dialogue.turn.store_turn", broken_store)  # the turn's "act" step
    with pytest.raises(RuntimeError):
        manager.turn(conversation_id, "add a travel mug")
    assert len(server.requests) == 2 and cart_items(db, conversation_id) == []


def test_a_model_silent_after_its_tools_gets_the_tools_own_words(db, settings, llm_server) -> None:
    server = llm_server(Call([("get_product", {"product": "KIT-1001"})]), Say(""))
    manager = DialogueManager(db, with_llm(settings, server, llm_mode="always"))
    conversation_id, _ = manager.start_conversation("kiosk")
    reply = manager.turn(conversation_id, "that insulated mug, what's it like")
    assert len(server.requests) == 2
    assert reply.text.startswith("The Vacuum-Insulated Travel Mug 16 ounce costs 24 dollars")
    assert reply.text.endswith("Would you like me to add it to your cart?")
    yes = DialogueManager(db, settings)  # the open question stands: a yes adds it
    yes.turn(conversation_id, "yes please")
    assert cart_items(db, conversation_id) == [("KIT-1001", 1)]
