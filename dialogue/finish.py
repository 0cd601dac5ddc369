"""A turn's last step, after its transaction: the rest of a streamed reply, and the log line.

A reply the LLM planner streamed may have had words added after the model
stopped (the built-in answer after a failure, a "by the way"): the caller
hears them now, so what was streamed is what was stored. The ``turn`` log
line carries the reading and timing, never the caller's words; a rehearsed
turn (a speculation, rolled back) logs nothing, since no turn happened.
"""

from __future__ import annotations

import logging
import time

from hark.dialogue.llm import LlmTurn
from hark.skills.reply import Reply
from hark.skills.understanding import NluResult

log = logging.getLogger("hark.dialogue")


def finish(llm: LlmTurn | None, reply: Reply) -> Reply:
    """Stream what the caller hasn't heard yet of an LLM's reply (still in the turn's
    transaction, as the stored reply is final)."""
    if llm is not None:
        llm.emit_tail(reply.text)
    return reply


def log_turn(conversation_id: str, reply: Reply, nlu: NluResult, started: float) -> None:
    """The ``turn`` log line, once the turn is stored (a rehearsal writes none)."""
    log.info(
        "turn",
        extra={
            "conversation_id": conversation_id,
            "intent": reply.intent,
            "confidence": round(float(nlu.confidence), 3),
            "sentiment": reply.sentiment,
            "handoff": reply.handoff,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
