"""The planner's parts on their own: one action registry for both planners, tool-call
delta assembly, and LLM text made speakable as it streams."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hark.dialogue import policy
from hark.dialogue.llm_speech import SpokenStream
from hark.dialogue.llm_stream import _Assembler
from hark.skills import actions

TOOL_NAMES = [
    "search_products", "get_product", "get_order_status", "add_to_cart", "remove_from_cart",
    "view_cart", "checkout", "faq_lookup", "start_return", "verify_identity", "handoff_to_human",
]  # fmt: skip


def test_tools_are_the_registry_with_schemas_from_its_parameter_models() -> None:
    schemas = actions.tool_schemas()
    assert [s["function"]["name"] for s in schemas] == TOOL_NAMES
    for schema in schemas:
        action = actions.ACTIONS[schema["function"]["name"]]
        parameters = schema["function"]["parameters"]
        assert parameters["type"] == "object" and parameters["additionalProperties"] is False
        assert set(parameters.get("properties", {})) == set(action.params.model_fields)
        assert schema["function"]["description"] == action.description
    order = actions.ACTIONS["get_order_status"].tool_schema()["function"]["parameters"]
    assert "pattern" in order["properties"]["order_id"]["anyOf"][0]


def test_the_built_in_nlu_dispatches_through_the_same_registry() -> None:
    for intent, action in [
        ("order_status", "get_order_status"),
        ("start_return", "start_return"),
        ("faq", "faq_lookup"),
        ("product_search", "search_products"),
        ("product_info", "get_product"),
        ("add_to_cart", "add_to_cart"),
        ("remove_from_cart", "remove_from_cart"),
        ("view_cart", "view_cart"),
        ("checkout", "checkout"),
    ]:
        assert policy.HANDLERS[intent].__name__ == f"{action}_from_turn"


def test_committing_actions_are_final() -> None:
    final = {name for name, a in actions.ACTIONS.items() if a.final}
    assert final == {"checkout", "start_return", "verify_identity", "handoff_to_human"}


def _delta(index, call_id=None, name=None, arguments=None):
    function = SimpleNamespace(name=name, arguments=arguments)
    return SimpleNamespace(index=index, id=call_id, function=function)


def test_tool_call_deltas_are_assembled_by_index() -> None:
    calls = _Assembler()
    calls.add(_delta(0, "call_a", "get_product", '{"pro'))
    calls.add(_delta(1, "call_b", "view_cart", ""))
    calls.add(_delta(0, None, None, 'duct": "KIT'))
    calls.add(_delta(0, None, None, '-1001"}'))
    calls.add(_delta(1, None, None, "{}"))
    done = calls.finish()
    assert [(c.id, c.name, c.arguments) for c in done] == [
        ("call_a", "get_product", '{"product": "KIT-1001"}'),
        ("call_b", "view_cart", "{}"),
    ]


def test_servers_that_repeat_the_name_or_omit_the_index() -> None:
    calls = _Assembler()
    calls.add(_delta(None, "x1", "add_to_cart", '{"product":'))
    calls.add(_delta(None, "x1", "add_to_cart", ' "KIT-1001"}'))
    calls.add(_delta(None, None, None, ""))
    (only,) = calls.finish()
    assert (only.id, only.name, only.arguments) == ("x1", "add_to_cart", '{"product": "KIT-1001"}')


def test_sentences_leave_as_soon_as_they_are_complete() -> None:
    out: list[str] = []
    stream = SpokenStream("USD", out.append)
    for delta in ["Sure", "! The mug is $2", "4.99", ". It", "'s in ", "stock"]:
        stream.feed(delta)
    assert out == ["Sure!", "The mug is 24 dollars and 99 cents."]
    stream.finish()
    assert out[-1] == "It's in stock." and stream.say.text() == " ".join(out)


@pytest.mark.parametrize(
    ("raw", "spoken"),
    [
        ("### Options\n* **Red** one\n* [Blue](http://x.example) one\n", ["Options.", "Red one.", "Blue one."]),
        ("Call me at `555-0101`. My card is 4111 1111 1111 1111.", ["Call me at [phone].", "My card is [card number]."]),
        ("Use code <b>SAVE</b> now.", ["Use code SAVE now."]),
    ],
)  # fmt: skip
def test_markup_and_personal_data_never_reach_speech(raw: str, spoken: list[str]) -> None:
    out: list[str] = []
    stream = SpokenStream("USD", out.append)
    stream.feed(raw)
    stream.finish()
    assert out == spoken


def test_the_reply_is_bounded_and_the_model_told_to_stop() -> None:
    stream = SpokenStream("USD", max_sentences=2)
    assert stream.feed("One. Two. ") is True
    assert stream.feed("Three. Four.") is False
    assert stream.text == "One. Two." and stream.full
