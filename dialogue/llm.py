"""The optional LLM planner: tool calls into the skills, streamed into speech.

Used only when ``HARK_LLM_BASE_URL`` is set, through the ``openai`` client,
so any OpenAI-compatible server works (vLLM, llama.cpp's server, Ollama, a
hosted API). ``HARK_LLM_MODE=fallback`` gives it the turns the built-in NLU
can't place; ``always`` gives it every turn except the answers to Hark's own
yes/no questions, goodbyes and requests for a person, which the built-in
path is certain about (``hark.dialogue.policy``).

The model's tools are the skills' actions (``hark.skills.actions``): they
run on the turn's own state, so prices, stock and order facts come from the
shop's database, and every rule a skill applies — who may hear an order,
that checkout needs a yes in a turn of its own — applies to the model too.

A turn with the planner is all or nothing. It runs inside a database
savepoint; if the model fails in any way (no first token by
``HARK_LLM_FIRST_TOKEN_S``, the turn's budget ``HARK_LLM_TIMEOUT_S`` spent,
an HTTP error, a broken stream, a refusal, an unknown tool, arguments that
don't validate, too many tool calls), everything its tools did is rolled
back, the conversation state restored, and the built-in skills answer. What
was already spoken stays spoken and opens the built-in answer. Failures are
logged by kind, never with the caller's words.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Protocol

from hark.dialogue.llm_prompt import build_messages
from hark.dialogue.llm_speech import SpokenStream
from hark.dialogue.llm_stream import ChatStreamer, LlmFailure, ToolRequest
from hark.dialogue.llm_tools import ToolOutcome, ToolRejected, execute
from hark.language.speech import Utterance
from hark.skills.actions import tool_schemas
from hark.skills.context import SkillReply, TurnContext
from hark.skills.state import ConversationState

log = logging.getLogger("hark.dialogue.llm")

MAX_ROUNDS = 4  # requests per turn: the answer, after at most three rounds of tool calls
MAX_TOOL_CALLS = 6  # tool calls per turn; one more is a loop, and the turn falls back
MAX_CARDS = 5


class ReplySink(Protocol):
    """Where a streamed reply's sentences go as soon as they are final (a voice
    channel speaks them). Called from the brain's worker thread."""

    def sentence(self, text: str) -> None: ...

    def cancelled(self) -> bool:
        """The caller has interrupted: stop producing."""
        ...


class TurnPlanner(Protocol):
    """The planner as the policy sees it during one turn."""

    mode: str

    def plan(self, ctx: TurnContext, fallback: SkillReply | None) -> SkillReply | None: ...


class LlmPlanner:
    """The configured model and its limits; ``begin`` hands out one turn's planner."""

    def __init__(
        self,
        client: Any,
        model: str,
        *,
        mode: str = "fallback",
        first_token_s: float = 2.5,
        turn_budget_s: float = 4.0,
    ) -> None:
        self.streamer = ChatStreamer(client, model)
        self.mode = mode
        self.first_token_s = first_token_s
        self.turn_budget_s = turn_budget_s

    @classmethod
    def from_settings(cls, settings: Any) -> LlmPlanner | None:
        """None without ``HARK_LLM_BASE_URL``: then Hark behaves exactly as without an LLM."""
        if not settings.llm_base_url:
            return None
        from openai import OpenAI

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        client = OpenAI(
            base_url=settings.llm_base_url,
            api_key=key or "not-needed",
            timeout=settings.llm_timeout_s,
            max_retries=0,  # a retry would blow the turn's budget; the skills answer instead
        )
        return cls(
            client,
            settings.llm_model,
            mode=settings.llm_mode,
            first_token_s=settings.llm_first_token_s,
            turn_budget_s=settings.llm_timeout_s,
        )

    def begin(self, sink: ReplySink | None = None) -> LlmTurn:
        return LlmTurn(self, sink)


@dataclass
class _Snapshot:
    """What a failed attempt must give back: the state and the conversation's flags."""

    state: dict[str, Any]
    resolved: Any
    summary: Any

    @classmethod
    def take(cls, ctx: TurnContext) -> _Snapshot:
        return cls(ctx.state.to_json(), ctx.conversation.resolved, ctx.conversation.summary)

    def restore(self, ctx: TurnContext) -> None:
        fresh = ConversationState.from_json(self.state)
        ctx.state.__dict__.update(fresh.__dict__)
        ctx.conversation.resolved = self.resolved
        ctx.conversation.summary = self.summary


class LlmTurn:
    """One turn's use of the planner: at most one attempt, and what it has spoken."""

    def __init__(self, planner: LlmPlanner, sink: ReplySink | None) -> None:
        self.planner = planner
        self.mode = planner.mode
        self.sink = sink
        self.spoken: SpokenStream | None = None
        self._answer: SkillReply | None = None
        self._tried = False

    @property
    def streamed(self) -> bool:
        return self.sink is not None and self.spoken is not None and bool(self.spoken.emitted)

    def plan(self, ctx: TurnContext, fallback: SkillReply | None) -> SkillReply | None:
        """The model's reply for this turn, or None (the built-in skills answer)."""
        if self._tried:
            return None
        self._tried = True
        started = time.monotonic()
        emit = self.sink.sentence if self.sink is not None else None
        spoken = self.spoken = SpokenStream(ctx.currency, emit)
        snapshot = _Snapshot.take(ctx)
        savepoint = ctx.session.begin_nested()
        outcomes: list[ToolOutcome] = []
        try:
            reply = self._converse(ctx, fallback, spoken, outcomes, started)
        except (LlmFailure, ToolRejected) as exc:
            if isinstance(exc, LlmFailure) and exc.kind == "cancelled" and spoken.emitted:
                reply = self._reply(ctx, fallback, spoken, outcomes)  # keep what was heard
            else:
                savepoint.rollback()
                snapshot.restore(ctx)
                self._log_fallback(exc.kind, getattr(exc, "tool", ""), outcomes, spoken, started)
                return None
        except Exception:
            savepoint.rollback()
            snapshot.restore(ctx)
            log.exception("llm planner: a tool failed; the built-in skills answer")
            return None
        # The savepoint is left open: the turn's own commit releases it with everything
        # else. Releasing it here would, on SQLite (pysqlite opens no transaction for
        # reads), commit the tools' writes before the turn is stored.
        log.info(
            "llm planner answered",
            extra={
                "tools": [o.action.tool for o in outcomes],
                "sentences": len(spoken.emitted),
                "ms": _ms_since(started),
            },
        )
        self._answer = reply
        return reply

    def settle(self, result: SkillReply) -> SkillReply:
        """The turn's reply, opened by whatever was already spoken of a failed attempt."""
        if result is self._answer or self.spoken is None or not self.spoken.emitted:
            return result
        heard = Utterance()
        heard.sentences.extend(self.spoken.say.sentences)
        result.say = heard.extend(result.say)
        return result

    def emit_tail(self, final_text: str) -> None:
        """After the reply is stored: stream what the caller hasn't heard yet (the
        built-in answer after a failure, a "by the way"), so streamed == stored."""
        if not self.streamed or self.sink is None or self.spoken is None:
            return
        heard = self.spoken.text
        if not final_text.startswith(heard):
            log.warning("streamed reply and stored reply differ; the rest is not streamed")
            return
        rest = final_text[len(heard) :].strip()
        if rest:
            self.sink.sentence(rest)

    # --- the conversation with the model ------------------------------------
    def _converse(
        self,
        ctx: TurnContext,
        fallback: SkillReply | None,
        spoken: SpokenStream,
        outcomes: list[ToolOutcome],
        started: float,
    ) -> SkillReply:
        planner = self.planner
        deadline = started + planner.turn_budget_s
        messages = build_messages(ctx)
        tools = tool_schemas()
        for _ in range(MAX_ROUNDS):
            first_token_at = min(time.monotonic() + planner.first_token_s, deadline)
            result = planner.streamer.run(
                messages,
                tools,
                spoken.feed,
                first_token_at=first_token_at,
                deadline=deadline,
                cancelled=self._cancelled,
            )
            spoken.finish()  # a round's unfinished sentence ends with the round
            if not result.tool_calls or spoken.full:
                if not spoken.emitted and outcomes:
                    # Silent after its tools (small models do that): the last tool's
                    # own words, facts from the database, are the answer.
                    spoken.add_utterance(outcomes[-1].reply.say)
                if not spoken.emitted:
                    raise LlmFailure("empty")
                return self._reply(ctx, fallback, spoken, outcomes)
            messages.append(_assistant_message(result.text, result.tool_calls))
            for call in result.tool_calls:
                if len(outcomes) >= MAX_TOOL_CALLS:
                    raise LlmFailure("tool_loop")
                outcome = execute(ctx, call)
                outcomes.append(outcome)
                if outcome.action.final:
                    spoken.add_utterance(outcome.reply.say)
                    return self._final(outcome.reply, spoken)
                messages.append(
                    {"role": "tool", "tool_call_id": call.id, "content": outcome.content}
                )
        raise LlmFailure("tool_loop")

    def _cancelled(self) -> bool:
        return self.sink is not None and self.sink.cancelled()

    @staticmethod
    def _final(reply: SkillReply, spoken: SpokenStream) -> SkillReply:
        """A final action: what was said before it, then the skill's own words and
        question; its pending question, actions and cards stand as the skill set them."""
        reply.say = spoken.say
        return reply

    @staticmethod
    def _reply(
        ctx: TurnContext,
        fallback: SkillReply | None,
        spoken: SpokenStream,
        outcomes: list[ToolOutcome],
    ) -> SkillReply:
        last = outcomes[-1] if outcomes else None
        if last is not None:
            intent = last.action.intent
        else:
            intent = (fallback.intent if fallback else None) or ctx.nlu.intent
        reply = SkillReply(
            say=spoken.say,
            intent=intent,
            understood=True,
            handled=bool(outcomes) and all(o.reply.handled for o in outcomes),
        )
        seen: set[str] = set()
        for outcome in reversed(outcomes):
            for card in outcome.reply.cards:
                if card.sku not in seen and len(reply.cards) < MAX_CARDS:
                    seen.add(card.sku)
                    reply.cards.append(card)
            reply.actions.extend(outcome.reply.actions)
            if reply.resolved is None:
                reply.resolved = outcome.reply.resolved
        # A skill's open question carries over only if the caller was actually asked one.
        if last is not None and last.reply.pending is not None and spoken.text.endswith("?"):
            reply.pending = last.reply.pending
        return reply

    def _log_fallback(
        self,
        kind: str,
        tool: str,
        outcomes: list[ToolOutcome],
        spoken: SpokenStream,
        started: float,
    ) -> None:
        log.warning(
            "llm planner fell back to the built-in skills",
            extra={
                "reason": kind,
                "tool": tool or None,
                "tool_calls": len(outcomes),
                "spoken_sentences": len(spoken.emitted),
                "ms": _ms_since(started),
            },
        )


def _assistant_message(text: str, calls: list[ToolRequest]) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": text or None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.name, "arguments": call.arguments or "{}"},
            }
            for call in calls
        ],
    }


def _ms_since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
