"""The brain's seams: one intent vocabulary, a typed tool call, the turn's named steps,
the channels' bookkeeping behind narrow protocols, speculation without a loop."""

from __future__ import annotations

import datetime as dt

from twilio_sim import sid

from hark.dialogue.channel_books import TextThreadBook
from hark.dialogue.intents import load_training_data
from hark.dialogue.manager import DialogueManager
from hark.dialogue.nlu import INTENTS
from hark.dialogue.policy import HANDLERS
from hark.dialogue.text_threads import TextThreads
from hark.skills import actions
from hark.skills.context import TurnContext
from hark.skills.intent import Intent
from hark.skills.state import ConversationState
from hark.skills.understanding import Entities, NluResult, ToolCall

#: The strings stored in every turn's ``intent`` column, the NLU's training labels and
#: exported CSVs before the enum existed: a member may be renamed, its value never.
STORED_VALUES = {
    "greet", "goodbye", "thanks", "help", "affirm", "deny", "human_agent", "order_status",
    "return_policy", "start_return", "faq", "product_search", "product_info", "product_price",
    "refine_search", "select_item", "add_to_cart", "remove_from_cart", "change_quantity",
    "view_cart", "checkout", "cancel", "repeat", "out_of_scope", "verify", "verify_identity",
    "notice", "contact_opt_out",
}  # fmt: skip


def test_the_intent_values_are_the_stored_strings() -> None:
    assert {i.value for i in Intent} == STORED_VALUES
    assert set(load_training_data()["intents"]) <= set(INTENTS)
    assert Intent("human_agent") is Intent.HUMAN_AGENT  # a stored row reads back as a member


def test_one_name_per_action_the_tool_name_only_on_the_wire() -> None:
    for intent, handler in HANDLERS.items():
        assert isinstance(intent, Intent)
        action = actions.BY_INTENT.get(intent)
        if action is not None:  # dispatched through the registry the LLM's tools come from
            assert handler.__name__ == f"{action.tool}_from_turn"
    assert actions.ACTIONS["handoff_to_human"].intent is Intent.HUMAN_AGENT
    assert {a.intent for a in actions.ACTIONS.values()} <= set(Intent)


def _turn(settings, nlu: NluResult) -> TurnContext:
    return TurnContext(
        session=None,  # tool_context only copies the context
        settings=settings,
        knowledge=None,
        state=ConversationState(),
        conversation=None,
        customer=None,
        today=dt.date(2026, 1, 1),
        text=nlu.text,
        nlu=nlu,
    )


def test_a_tool_call_reaches_the_skill_typed_and_the_callers_reading_stays(settings) -> None:
    heard = NluResult("where is my kettle", Intent.ORDER_STATUS, 0.42, Entities(order_id="77"))
    turn = _turn(settings, heard)
    asked = Entities(products=[("KET-1", 1.0)], quantity=2)
    ctx = actions.tool_context(turn, "  Steel   Kettle ", Intent.ADD_TO_CART, asked)
    assert ctx.tool == ToolCall(Intent.ADD_TO_CART, "add_to_cart", "Steel Kettle", asked)
    # the skill reads what the call asks for...
    assert (ctx.intent, ctx.words, ctx.text) == (Intent.ADD_TO_CART, "steel kettle", "Steel Kettle")
    assert ctx.entities.quantity == 2 and ctx.entities.order_id is None
    # ...and no NLU result is made up for it: the caller's reading is left as it was
    assert ctx.nlu is heard and heard.confidence == 0.42 and heard.intent is Intent.ORDER_STATUS
    assert (turn.tool, turn.intent, turn.words) == (None, Intent.ORDER_STATUS, "where is my kettle")


class RecordingThreads:
    """A double of the ``TextThreadBook`` protocol: the store-backed threads, each call noted."""

    def __init__(self, real: TextThreadBook) -> None:
        self.real = real
        self.calls: list[str] = []

    def claim(self, message_id: str, channel: str, key: str) -> bool:
        self.calls.append("claim")
        return self.real.claim(message_id, channel, key)

    def thread(self, key: str, quiet_s: float) -> tuple[str | None, str | None]:
        self.calls.append("thread")
        return self.real.thread(key, quiet_s)

    def store_reply(self, message_id: str, conversation_id: str | None, reply: str) -> None:
        self.calls.append("store_reply")
        self.real.store_reply(message_id, conversation_id, reply)

    def wait_reply(self, message_id: str, timeout_s: float) -> str | None:
        self.calls.append("wait_reply")
        return self.real.wait_reply(message_id, timeout_s)


def test_the_brain_carries_no_channel_bookkeeping(dialogue) -> None:
    assert not any(hasattr(dialogue, name) for name in ("calls", "texts", "handoffs"))


async def test_a_text_channel_keeps_its_threads_through_its_services(phone, db) -> None:
    threads = RecordingThreads(TextThreads(db))
    sim = phone("stream", texts=threads).sim
    params = {"MessageSid": sid("SM"), "From": "+15550100102", "To": "+15550001234"}
    first = await sim.post("/twilio/sms", {**params, "Body": "do you sell kettles"})
    assert first.status_code == 200 and "<Message>" in first.text
    assert threads.calls == ["claim", "thread", "store_reply"]
    retried = await sim.post("/twilio/sms", {**params, "Body": "do you sell kettles"})
    assert retried.text == first.text  # the retry replays the stored reply, no second turn
    assert threads.calls[3:] == ["claim", "wait_reply"]


class RecordingSender:
    """A double of the ``CodeSender`` boundary (Twilio's REST API): the texts it was asked
    to send."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_text(self, to: str, body: str) -> None:
        self.sent.append((to, body))


def test_a_rehearsed_turn_texts_nothing_and_its_commit_does(db, settings) -> None:
    """The rehearsal flag, not a context variable, keeps a speculation's texts at home."""
    used = settings.model_copy(update={"verify_by_code": True})
    manager = DialogueManager(db, used)
    manager.code_sender = sender = RecordingSender()
    james = manager.customer_for_phone("+15550100102")
    assert james is not None
    conversation_id, _ = manager.start_conversation("sms", james)  # claimed by the number
    asked = manager.turn(conversation_id, "Where is order 7002?")
    assert "send a code" in asked.text
    speculation = manager.speculate(conversation_id, "Send me a code")
    assert "texted a code" in speculation.reply.text and sender.sent == []
    committed = manager.commit(speculation)
    assert committed.matched and [to for to, _ in sender.sent] == ["+15550100102"]
