"""``hark.runtime.plain.asdict`` gives what ``dataclasses.asdict`` gives, types included.

It is the brain's ``asdict`` (a conversation's state, a reply's cards) with
Python 3.12's shortcut for strings and numbers; nothing else may differ.
"""

from __future__ import annotations

import dataclasses
from collections import namedtuple
from dataclasses import dataclass, field
from typing import Any

import pytest

from hark.runtime.plain import asdict
from hark.skills.reply import Card
from hark.skills.state import ConversationState

Point = namedtuple("Point", "x y")


@dataclass
class Inner:
    name: str
    tags: list[str] = field(default_factory=list)
    where: Point = Point(1, 2)


@dataclass
class Outer:
    n: int
    ratio: float
    flag: bool
    nothing: None
    inner: Inner
    inners: list[Inner]
    pair: tuple[Inner, int]
    table: dict[str, Any]
    seen: set[str]
    raw: bytes = b"x"


def _sample() -> Outer:
    return Outer(
        n=3,
        ratio=0.5,
        flag=True,
        nothing=None,
        inner=Inner("mug", ["travel"]),
        inners=[Inner("a"), Inner("b", ["x", "y"], Point(3, 4))],
        pair=(Inner("c"), 7),
        table={"k": [1, {"deep": Inner("d")}], "t": (1, "two")},
        seen={"s1", "s2"},
    )


def _typed(value: Any) -> Any:
    """The value with every container's type spelled out, to compare types too."""
    if isinstance(value, dict):
        return (type(value), {k: _typed(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return (type(value), [_typed(v) for v in value])
    return (type(value), value)


@pytest.mark.parametrize(
    "make",
    [
        _sample,
        lambda: Card("AUD-1", "Headphones", 129.99, 3, image_url="/m.png"),
        ConversationState,
    ],
)
def test_the_same_as_dataclasses_asdict(make) -> None:
    value = make()
    assert _typed(asdict(value)) == _typed(dataclasses.asdict(value))


def test_a_busy_conversation_state_is_the_same() -> None:
    state = ConversationState()
    for n in range(10):
        state.remember_turn("user", f"line {n}")
        state.note_intent("product_search")
    assert _typed(asdict(state)) == _typed(dataclasses.asdict(state))
    assert asdict(state) == dataclasses.asdict(state)


def test_mutable_parts_are_copies() -> None:
    value = _sample()
    plain = asdict(value)
    plain["inner"]["tags"].append("changed")
    plain["seen"].add("changed")
    plain["table"]["k"][1]["deep"]["tags"].append("changed")
    assert value.inner.tags == ["travel"] and "changed" not in value.seen
    assert value.table["k"][1]["deep"].tags == []


def test_only_dataclass_instances() -> None:
    with pytest.raises(TypeError):
        asdict({"a": 1})
    with pytest.raises(TypeError):
        asdict(Inner)
