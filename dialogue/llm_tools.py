"""Running an LLM's tool call as the skill it names, and telling the model what happened.

The call's name must be one of the skills' actions and its arguments must
parse and validate against that action's parameter model
(``hark.skills.actions``); anything else is a :class:`ToolRejected` and the
turn falls back to the built-in skills. The skill runs on the turn's own
state, so what it finds (or refuses, or asks) is exactly what the built-in
path would have found. The model gets the skill's own words back, plus the
products it showed, redacted like everything else that is sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from hark.dialogue.llm_prompt import private_free
from hark.dialogue.llm_stream import ToolRequest
from hark.skills.actions import ACTIONS, Action
from hark.skills.context import SkillReply, TurnContext

MAX_ARGUMENT_CHARS = 2000


class ToolRejected(Exception):
    """The model asked for something that can't be run; ``kind`` is safe to log."""

    def __init__(self, kind: str, tool: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.tool = tool if tool in ACTIONS else "?"


@dataclass
class ToolOutcome:
    action: Action[Any]
    reply: SkillReply
    content: str  # the tool message for the model (JSON)


def execute(ctx: TurnContext, call: ToolRequest) -> ToolOutcome:
    """Validate and run one call; raises :class:`ToolRejected`."""
    action = ACTIONS.get(call.name)
    if action is None:
        raise ToolRejected("unknown_tool")
    if len(call.arguments) > MAX_ARGUMENT_CHARS:
        raise ToolRejected("bad_arguments", call.name)
    try:
        raw = json.loads(call.arguments) if call.arguments.strip() else {}
    except ValueError:
        raise ToolRejected("bad_arguments", call.name) from None
    if not isinstance(raw, dict):
        raise ToolRejected("bad_arguments", call.name)
    try:
        params = action.params.model_validate(raw)
    except ValidationError:
        raise ToolRejected("bad_arguments", call.name) from None
    reply = action.run(ctx, params)
    return ToolOutcome(action, reply, _content(ctx, reply))


def _content(ctx: TurnContext, reply: SkillReply) -> str:
    """The skill's answer as the model sees it: its words and the products shown."""
    result: dict[str, Any] = {"result": private_free(ctx, reply.say.text())}
    if reply.cards:
        result["products"] = [
            {"sku": c.sku, "name": c.name, "price": c.price, "in_stock": c.stock > 0}
            for c in reply.cards
        ]
    if reply.pending is not None:
        result["asked_caller"] = "a yes/no question is open (see result)"
    return json.dumps(result)
