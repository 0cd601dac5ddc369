"""A turn's third step: what to answer, and the skill that answers it.

Before the policy (``dialogue/policy.py``, which picks a skill, or lets the
LLM planner answer) come the turns that need no choosing: an answer to the
verification question Hark asked, words that only read out a card, an
answer to a callback offer, and a caller taking back their consent to be
contacted (at once, everywhere). After it, what a good agent would add
(``dialogue/etiquette.py``): an acknowledgement for an upset caller, the
card-number note, a handoff after repeated trouble, one "by the way".
"""

from __future__ import annotations

from dataclasses import dataclass

from hark.dialogue import policy
from hark.dialogue.etiquette import card_only_reply, finish_turn
from hark.dialogue.handoffs import answer_callback
from hark.dialogue.llm import LlmPlanner, LlmTurn, ReplySink
from hark.dialogue.pending_answers import answer_verification, yes_or_no
from hark.dialogue.redact_turn import Heard
from hark.dialogue.revocation import revokes_contact
from hark.dialogue.sentiment import is_upset, strongly_negative
from hark.privacy.redact import CARD_KINDS
from hark.skills.context import SkillReply, TurnContext
from hark.skills.handoff import CALLBACK
from hark.skills.notices.opt_out import opt_out


@dataclass(frozen=True)
class Decision:
    """The reply decided on, and the turn's use of the LLM planner (None without one:
    after the reply is stored it streams what the caller hasn't heard yet)."""

    reply: SkillReply
    llm: LlmTurn | None


def llm_turn(
    planner: LlmPlanner | None, ctx: TurnContext, heard: Heard, score: float, sink: ReplySink | None
) -> LlmTurn | None:
    """This turn's planner (None without an LLM). Its reply is streamed only when nothing
    will be put in front of it afterwards (an acknowledgement for an upset caller, the
    card-number note, a handoff), since a sentence already spoken can't be preceded."""
    if planner is None:
        return None
    prefixed = (
        is_upset(score)
        or strongly_negative(score)
        or bool(heard.found & CARD_KINDS)
        or ctx.state.not_understood > 0
    )
    return planner.begin(None if prefixed else sink)


def decide(
    ctx: TurnContext,
    heard: Heard,
    score: float,
    callback_to: str | None,
    planner: LlmPlanner | None,
    sink: ReplySink | None,
) -> Decision:
    """The turn's reply, as the caller will hear it (the open question is taken off the
    state here: the reply sets the next one)."""
    state = ctx.state
    pending, state.pending = state.pending, None
    answer = heard.answer
    result = None
    if pending is not None and answer is not None and answer.attempted:
        result = answer_verification(ctx, pending, answer)
    elif heard.found & CARD_KINDS:
        result = card_only_reply(ctx, pending)
    elif pending is not None and pending.kind == CALLBACK:
        answered = yes_or_no(ctx, ctx.nlu.intent)
        result = answer_callback(ctx, pending, heard.raw, callback_to, answered)
        pending = None  # answered, or the caller moved on: the offer stays on record
    if result is None and revokes_contact(heard.clean):  # consent revoked: at once, everywhere
        result = opt_out(ctx)
    llm = llm_turn(planner, ctx, heard, score, sink)
    if result is None:
        result = policy.respond(ctx, pending, llm)
    if llm is not None:
        result = llm.settle(result)
    return Decision(finish_turn(ctx, result, score, heard.found, pending), llm)
