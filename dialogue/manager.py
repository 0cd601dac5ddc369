"""The DialogueManager: one conversation turn in, one spoken Reply out.

Every channel (voice stream, phone, Alexa, kiosk, ``hark chat``, HTTP)
calls the same five methods. A turn redacts the text first (nothing raw is
stored, logged or sent to an LLM), scores sentiment, parses intent and
entities, lets the policy pick a skill, then adds what a person would:
an acknowledgement when the caller is upset, a note that a card number
isn't needed, a handoff when things go wrong, one proactive "by the way".
The conversation state is saved with the turn, so any process can continue.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hark.dialogue import policy
from hark.dialogue.errors import ConversationNotFound, CustomerNotFound, InvalidUtterance
from hark.dialogue.etiquette import card_only_reply, finish_turn, without_placeholders
from hark.dialogue.llm import LlmPlanner, Planner
from hark.dialogue.nlu import nlu_for
from hark.dialogue.rows import jsonable as _jsonable
from hark.dialogue.rows import locked as _locked
from hark.dialogue.rows import printable as _printable
from hark.dialogue.rows import valid_id as _valid_id
from hark.dialogue.sentiment import SentimentScorer
from hark.dialogue.speculation import Committed, Speculation, planner_for_turn, speculating
from hark.dialogue.speculation import commit as _commit
from hark.dialogue.speculation import speculate as _speculate
from hark.language.speech import Utterance
from hark.privacy.redact import CARD, SECURITY_CODE, redact
from hark.runtime.settings import Settings
from hark.shop import knowledge as shop_knowledge
from hark.skills import proactive
from hark.skills.cart_store import merge_guest_cart
from hark.skills.context import SkillReply, TurnContext, card
from hark.skills.reply import Action, Card, Reply
from hark.skills.state import ConversationState, Pending
from hark.store.channel_links import find_linked_customer, link_customer
from hark.store.db import Database
from hark.store.models import Conversation, Customer, Turn, utcnow

log = logging.getLogger("hark.dialogue")

MAX_TEXT_CHARS = 1000
MAX_CHANNEL_CHARS = 32


class DialogueManager:
    """The brain. Thread-safe; one instance per process, shared by every channel."""

    def __init__(self, db: Database, settings: Settings, planner: Planner | None = None) -> None:
        self.db = db
        self.settings = settings
        self.planner = planner if planner is not None else LlmPlanner.from_settings(settings)
        self.sentiment = SentimentScorer()
        self._knowledge: shop_knowledge.Knowledge | None = None
        self._build_lock = threading.Lock()
        self._conv_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # --- shop knowledge -----------------------------------------------------------
    def knowledge(self) -> shop_knowledge.Knowledge:
        """The cached shop snapshot, its NLU trained (built on first use, or by ``warm``)."""
        if self._knowledge is None:
            with self._build_lock:
                if self._knowledge is None:
                    knowledge = shop_knowledge.build(self.db)
                    nlu_for(knowledge)
                    self._knowledge = knowledge
        return self._knowledge

    def _fresh_knowledge(self, session) -> shop_knowledge.Knowledge:
        current = self.knowledge()
        updated = shop_knowledge.refresh(self.db, current, session)
        if updated is not current:
            self._knowledge = updated
        return updated

    def _lock_for(self, conversation_id: str) -> threading.Lock:
        with self._locks_lock:
            lock = self._conv_locks.get(conversation_id)
            if lock is None:
                if len(self._conv_locks) > 10000:
                    self._conv_locks.clear()
                lock = self._conv_locks[conversation_id] = threading.Lock()
            return lock

    @contextmanager
    def _conversation(
        self, conversation_id: str, *, lock: bool
    ) -> Iterator[tuple[Session, Conversation]]:
        """The conversation row in a transaction, or ConversationNotFound.

        With ``lock`` the row is serialised against other turns of the same
        conversation: this process's lock for its threads, a row lock for other
        server processes.
        """
        guard = self._lock_for(str(conversation_id)) if lock else nullcontext()
        with guard, self.db.session() as session:
            if lock:
                conversation = _locked(session, conversation_id)
            else:
                conversation = session.get(Conversation, str(conversation_id))
            if conversation is None:
                raise ConversationNotFound(str(conversation_id))
            yield session, conversation

    # --- public API ------------------------------------------------------------------
    def start_conversation(self, channel: str, customer_id: str | None = None) -> tuple[str, Reply]:
        """Create the conversation and its greeting (stored as the first assistant turn)."""
        if not isinstance(channel, str) or not channel.replace("\x00", "").strip():
            raise InvalidUtterance("channel must be a non-empty string")
        channel = channel.replace("\x00", "").strip()[:MAX_CHANNEL_CHARS]
        if customer_id is not None and not _valid_id(customer_id):
            raise CustomerNotFound(_printable(customer_id))
        knowledge = self.knowledge()
        today = self.settings.current_date()
        with self.db.session() as session:
            customer = None
            if customer_id is not None:
                customer = session.get(Customer, str(customer_id))
                if customer is None:
                    raise CustomerNotFound(str(customer_id))
            conversation = Conversation(
                id=uuid.uuid4().hex,
                channel=channel,
                customer_id=customer.customer_id if customer else None,
                state={},
                resolved=True,
            )
            session.add(conversation)
            state = ConversationState(customer_id=conversation.customer_id)
            say = Utterance()
            name = customer.name.split()[0] if customer and customer.name else ""
            hello = f"Hi {name}, thanks for calling" if name else "Hi, thanks for calling"
            say.say(f"{hello} {self.settings.shop_name}.")
            say.say(f"I'm {self.settings.assistant_name}, an automated assistant.")
            actions: list[Action] = []
            cards: list[Card] = []
            if customer is not None:
                items = proactive.items_for(session, knowledge, customer, today, conversation.id)
                if items:
                    top = items[0]
                    say.extend(top.say)
                    actions = [
                        Action(a["type"], {k: v for k, v in a.items() if k != "type"})
                        for a in top.actions
                    ]
                    cards = [card(p) for s in top.cards if (p := knowledge.product(s))]
                    state.pending = Pending.from_dict(top.pending)
                    state.proactive_queue = [{"key": i.key} for i in items[1:3]]
                    state.facts["proactive_mentioned"] = [top.key]
                    proactive.note_facts(state, top)
            if state.pending is None:
                say.say("How can I help you today?")
            text, ssml = say.text(), say.ssml()
            state.last_reply, state.last_ssml = text, ssml
            state.remember_turn("assistant", text)
            conversation.state = state.to_json()
            turn = Turn(
                conversation_id=conversation.id,
                seq=0,
                role="assistant",
                text=text,
                intent="greet",
                metrics={},
            )
            session.add(turn)
            session.flush()
            reply = Reply(
                text=text, ssml=ssml, intent="greet", cards=cards, actions=actions, turn_id=turn.id
            )
            conversation_id = conversation.id
        log.info(
            "conversation started",
            extra={
                "conversation_id": conversation_id,
                "channel": channel,
                "known_customer": bool(customer),
            },
        )
        return conversation_id, reply

    def turn(self, conversation_id: str, text: str, metrics: dict | None = None) -> Reply:
        """One user turn: understand, act on the shop, answer; both turns are stored redacted."""
        if not isinstance(text, str):
            raise InvalidUtterance("text must be a string")
        started = time.perf_counter()
        text = text.replace("\x00", "").strip()[:MAX_TEXT_CHARS]  # PostgreSQL rejects NUL
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=True) as (session, conversation):
            knowledge = self._fresh_knowledge(session)
            state = ConversationState.from_json(conversation.state)
            customer = (
                session.get(Customer, conversation.customer_id)
                if conversation.customer_id
                else None
            )
            redaction = redact(text)
            clean = redaction.text
            score = self.sentiment.score(clean)
            nlu = nlu_for(knowledge).parse(without_placeholders(clean))  # placeholders aren't words
            state.add_sentiment(score)
            state.remember_turn("user", clean)
            state.turn_count += 1
            ctx = TurnContext(
                session=session,
                settings=self.settings,
                knowledge=knowledge,
                state=state,
                conversation=conversation,
                customer=customer,
                today=self.settings.current_date(),
                text=without_placeholders(clean),
                nlu=nlu,
            )
            pending, state.pending = state.pending, None
            result = None
            if redaction.found & {CARD, SECURITY_CODE}:
                result = card_only_reply(ctx, pending)
            if result is None:
                result = policy.respond(ctx, pending, planner_for_turn(self.planner))
            result = finish_turn(ctx, result, score, redaction.found, pending)
            reply = self._store(ctx, result, clean, score, metrics, started)
        if speculating():
            return reply  # rolled back: no turn happened, so none is logged
        log.info(
            "turn",
            extra={
                "conversation_id": conversation_id,
                "intent": reply.intent,
                "confidence": round(float(nlu.confidence), 3),
                "sentiment": score,
                "handoff": reply.handoff,
                "ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return reply

    def speculate(self, conversation_id: str, text: str) -> Speculation:
        """``turn`` without committing anything; see ``hark.dialogue.speculation``."""
        return _speculate(self, conversation_id, text)

    def commit(self, speculation: Speculation, metrics: dict | None = None) -> Committed:
        """Store the speculated turn for real; ``matched`` if its reply is the speculation's."""
        return _commit(self, speculation, metrics)

    def mark_interrupted(self, conversation_id: str, turn_id: int, played_text: str) -> None:
        """Barge-in: the stored assistant turn keeps only what the caller actually heard."""
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=True) as (session, _):
            turn = session.get(Turn, turn_id)
            if turn is None or turn.conversation_id != conversation_id or turn.role != "assistant":
                log.warning(
                    "barge-in for an unknown turn ignored",
                    extra={"conversation_id": conversation_id, "turn_id": turn_id},
                )
                return
            turn.text = redact((played_text or "").replace("\x00", "")).text
            turn.interrupted = True

    def record_metrics(self, conversation_id: str, turn_id: int, metrics: dict[str, Any]) -> None:
        """Stage timings known only after the reply was spoken (first audio, total) join
        the stored assistant turn's metrics; the brain owns the turn rows, so it writes them."""
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=True) as (session, _):
            turn = session.get(Turn, turn_id)
            if turn is None or turn.conversation_id != conversation_id:
                return
            turn.metrics = {**(turn.metrics or {}), **_jsonable(metrics)}

    def identify(self, conversation_id: str, customer_id: str) -> None:
        """Attach a customer found later (caller id, account link); an anonymous cart follows."""
        _require_valid(conversation_id)
        if not _valid_id(customer_id):
            raise CustomerNotFound(_printable(customer_id))
        with self._conversation(conversation_id, lock=True) as (session, conversation):
            customer = session.get(Customer, str(customer_id))
            if customer is None:
                raise CustomerNotFound(str(customer_id))
            conversation.customer_id = customer.customer_id
            state = ConversationState.from_json(conversation.state)
            state.customer_id = customer.customer_id
            state.cart_id = None
            merge_guest_cart(session, conversation.id, customer.customer_id)
            conversation.state = state.to_json()

    def customer_for_link(self, lookups: Iterable[tuple[str, str | None]]) -> str | None:
        """The customer a channel's own ids are linked to (first match wins), or None."""
        return find_linked_customer(self.db, lookups)

    def link_customer(self, channel: str, external_id: str, customer_id: str) -> bool:
        """Record that ``external_id`` on ``channel`` is this customer; True if new."""
        return link_customer(self.db, channel, external_id, customer_id)

    def is_open(self, conversation_id: str) -> bool:
        """The conversation exists and has not ended (a channel decides to continue it)."""
        if not _valid_id(conversation_id):
            return False
        with self.db.session() as session:
            conversation = session.get(Conversation, str(conversation_id))
            return conversation is not None and conversation.ended_at is None

    def end_conversation(self, conversation_id: str) -> None:
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=False) as (_, conversation):
            if conversation.ended_at is None:
                conversation.ended_at = utcnow()

    def transcript(self, conversation_id: str) -> dict[str, Any]:
        """The stored (already redacted) conversation, for agents and the HTTP API."""
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=False) as (_, conversation):
            state = ConversationState.from_json(conversation.state)
            return {
                "conversation_id": conversation.id,
                "channel": conversation.channel,
                "customer_id": conversation.customer_id,
                "started_at": conversation.started_at.isoformat()
                if conversation.started_at
                else None,
                "ended_at": conversation.ended_at.isoformat() if conversation.ended_at else None,
                "resolved": conversation.resolved,
                "summary": conversation.summary,
                "sentiment_trend": state.sentiment_trend(),
                "turns": [
                    {
                        "seq": t.seq,
                        "role": t.role,
                        "text": t.text,
                        "intent": t.intent,
                        "sentiment": t.sentiment,
                        "interrupted": t.interrupted,
                        "at": t.created_at.isoformat() if t.created_at else None,
                    }
                    for t in conversation.turns
                ],
            }

    # --- the parts of a turn -------------------------------------------------------
    def _store(
        self,
        ctx: TurnContext,
        result: SkillReply,
        clean: str,
        score: float,
        metrics: dict | None,
        started: float,
    ) -> Reply:
        state, conversation, session = ctx.state, ctx.conversation, ctx.session
        intent = result.intent or ctx.nlu.intent
        text, ssml = result.say.text(), result.say.ssml()
        if not text:
            text, ssml = (
                "Sorry, could you say that again?",
                "<speak><s>Sorry, could you say that again?</s></speak>",
            )
        state.pending = result.pending
        state.note_intent(intent)
        state.last_reply, state.last_ssml = text, ssml
        state.remember_turn("assistant", text)
        if result.resolved is not None:
            conversation.resolved = result.resolved
        if result.end and conversation.ended_at is None:
            conversation.ended_at = utcnow()
        conversation.state = state.to_json()
        seq = (
            session.scalar(
                select(func.max(Turn.seq)).where(Turn.conversation_id == conversation.id)
            )
            or 0
        ) + 1
        user_metrics = dict(metrics or {})
        session.add(
            Turn(
                conversation_id=conversation.id,
                seq=seq,
                role="user",
                text=clean,
                intent=ctx.nlu.intent,
                sentiment=score,
                metrics=_jsonable(user_metrics),
            )
        )
        dialogue_ms = round((time.perf_counter() - started) * 1000, 3)
        assistant = Turn(
            conversation_id=conversation.id,
            seq=seq + 1,
            role="assistant",
            text=text,
            intent=intent,
            metrics={"dialogue_ms": dialogue_ms},
        )
        session.add(assistant)
        session.flush()
        return Reply(
            text=text,
            ssml=ssml,
            intent=intent,
            sentiment=score,
            cards=result.cards,
            actions=result.actions,
            end=result.end,
            turn_id=assistant.id,
        )


def _require_valid(conversation_id: object) -> None:
    """An id with NUL can't exist (and would make PostgreSQL fail the query): not found."""
    if not _valid_id(conversation_id):
        raise ConversationNotFound(_printable(conversation_id))
