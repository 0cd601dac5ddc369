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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from hark.dialogue import continuity, outside, policy
from hark.dialogue.caller_id import customer_for_phone
from hark.dialogue.errors import ConversationNotFound, CustomerNotFound, InvalidUtterance
from hark.dialogue.etiquette import card_only_reply, finish_turn, without_placeholders
from hark.dialogue.greeting import greeting
from hark.dialogue.handoffs import HandoffDesk, answer_callback, handoff_action, record_handoff
from hark.dialogue.llm import LlmPlanner, LlmTurn, ReplySink
from hark.dialogue.meaning import warm_meaning
from hark.dialogue.nlu import nlu_for
from hark.dialogue.pending_answers import answer_verification, yes_or_no
from hark.dialogue.phone_calls import PhoneCallLog
from hark.dialogue.revocation import revokes_contact
from hark.dialogue.rows import jsonable as _jsonable
from hark.dialogue.rows import locked as _locked
from hark.dialogue.rows import next_turn_seq
from hark.dialogue.rows import printable as _printable
from hark.dialogue.rows import valid_id as _valid_id
from hark.dialogue.sentiment import SentimentScorer, is_upset, strongly_negative
from hark.dialogue.speculation import Committed, Speculation, speculating
from hark.dialogue.speculation import commit as _commit
from hark.dialogue.speculation import speculate as _speculate
from hark.dialogue.text_threads import TextThreads
from hark.language import embedding
from hark.language.characters import fold_text
from hark.privacy.identifiers import is_channel
from hark.privacy.redact import (
    CARD_KINDS,
    SSN,
    RedactionMemory,
    bounded,
    redact,
)
from hark.runtime.settings import Settings
from hark.shop import knowledge as shop_knowledge
from hark.skills import verification, verify_code
from hark.skills.cart_store import cart_view, merge_guest_cart
from hark.skills.context import CodeSender, SkillReply, TurnContext
from hark.skills.handoff import CALLBACK
from hark.skills.identity import (
    SENDER_KEYED_CHANNELS,
    Identity,
    Permission,
    allowed,
    conversation_level,
    level,
)
from hark.skills.intent import Intent
from hark.skills.notices.opt_out import opt_out
from hark.skills.reply import CartView, Reply
from hark.skills.state import ConversationState
from hark.store.channel_links import find_linked_customer, link_customer
from hark.store.db import Database
from hark.store.models import AssistedOrder, Conversation, Customer, Turn, utcnow

log = logging.getLogger("hark.dialogue")

MAX_TEXT_CHARS = 1000  # stored and understood
MAX_INPUT_CHARS = 4 * MAX_TEXT_CHARS  # read and redacted; the rest of a flood is dropped
MAX_CHANNEL_CHARS = 32
MAX_OWNER_CHARS = 64


class DialogueManager:
    """The brain. Thread-safe; one instance per process, shared by every channel."""

    def __init__(self, db: Database, settings: Settings, planner: LlmPlanner | None = None) -> None:
        self.db = db
        self.settings = settings
        self.planner = planner if planner is not None else LlmPlanner.from_settings(settings)
        self.sentiment = SentimentScorer()
        embedding.configure(settings.embedding_model)  # once per process and setting
        # Channel bookkeeping the brain keeps for webhooks that retry (calls, text threads).
        self.calls = PhoneCallLog(db)
        self.texts = TextThreads(db)
        self.handoffs = HandoffDesk(db)  # channels report transfer and callback outcomes here
        # texts one-time verification codes (HARK_VERIFY_BY_CODE); the server sets it
        self.code_sender: CodeSender | None = None
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
                    warm_meaning(knowledge)  # embeddings of the examples and the shop's texts
                    outside.warm()  # word lists load once, not in a caller's turn
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
        self, conversation_id: str, *, lock: bool, owner: str | None = None
    ) -> Iterator[tuple[Session, Conversation]]:
        """The conversation row in a transaction, or ConversationNotFound.

        With ``lock`` the row is serialised against other turns of the same
        conversation: this process's lock for its threads, a row lock for other
        server processes. With ``owner``, a conversation someone else created
        is not found either: to another client it does not exist.
        """
        guard = self._lock_for(str(conversation_id)) if lock else nullcontext()
        with guard, self.db.session() as session:
            if lock:
                conversation = _locked(self.db, session, conversation_id)
            else:
                conversation = session.get(Conversation, str(conversation_id))
            if conversation is None or (owner is not None and conversation.owner != owner):
                raise ConversationNotFound(str(conversation_id))
            yield session, conversation

    # --- public API ------------------------------------------------------------------
    def start_conversation(
        self,
        channel: str,
        customer_id: str | None = None,
        *,
        identity: Identity | None = None,
        owner: str | None = None,
    ) -> tuple[str, Reply]:
        """Create the conversation and its greeting (stored as the first assistant turn).

        A ``customer_id`` without an ``identity`` is only ``claimed``: the caller
        hears nothing personal until they prove it. Channels that can vouch (an
        API key holder, a ticket, an Alexa linked account) pass
        ``Identity.VERIFIED``. ``owner`` names who created the conversation (an
        opaque string, never a key); ``turn`` and ``transcript`` given an owner
        refuse anyone else's conversation.
        """
        if not is_channel(channel):
            # stored and logged as it is, so it must be a name, never free text
            raise InvalidUtterance(
                "channel must be a name: 1-32 lower-case letters, digits, '_' or '-', "
                "starting with a letter"
            )
        if customer_id is not None and not _valid_id(customer_id):
            raise CustomerNotFound(_printable(customer_id))
        if owner is not None and (not _valid_id(owner) or not 0 < len(owner) <= MAX_OWNER_CHARS):
            raise ValueError("owner must be 1-64 characters")
        identity = conversation_level(customer_id, identity)
        knowledge = self.knowledge()
        today = self.settings.current_date()
        with self.db.session() as session:
            customer = None
            if customer_id is not None:
                customer = session.get(Customer, str(customer_id))
                if customer is None or customer.erased_at is not None:
                    raise CustomerNotFound(str(customer_id))
            conversation = Conversation(
                id=uuid.uuid4().hex,
                channel=channel,
                customer_id=customer.customer_id if customer else None,
                state={},
                resolved=True,
                identity=identity.value,
                owner=owner,
            )
            session.add(conversation)
            state = ConversationState(customer_id=conversation.customer_id)
            if identity is Identity.CLAIMED:
                state.asserted = conversation.customer_id  # never proved by what it came with
            elif identity is Identity.VERIFIED:
                state.verified_at = time.time()
            if not allowed(identity, Permission.CUSTOMER_DATA):
                customer = None  # claimed: no name, no orders, no cart in the greeting
            say, cards, actions = greeting(
                session, knowledge, self.settings, state, customer, today, conversation.id
            )
            text, ssml = say.text(), say.ssml()
            state.last_reply, state.last_ssml = text, ssml
            state.remember_turn("assistant", text)
            conversation.state = state.to_json()
            turn = Turn(
                conversation_id=conversation.id,
                seq=0,
                role="assistant",
                text=text,
                intent=Intent.GREET,
                metrics={},
            )
            session.add(turn)
            session.flush()
            reply = Reply(
                text=text,
                ssml=ssml,
                intent=Intent.GREET,
                cards=cards,
                actions=actions,
                turn_id=turn.id,
            )
            conversation_id = conversation.id
        log.info(
            "conversation started",
            extra={
                "conversation_id": conversation_id,
                "channel": channel,
                "identity": identity.value,
            },
        )
        return conversation_id, reply

    @property
    def streams_replies(self) -> bool:
        """Whether ``turn`` may stream a reply's sentences to a ``sink`` (an LLM is configured).
        Without one a channel need not set up streaming at all."""
        return self.planner is not None

    def turn(
        self,
        conversation_id: str,
        text: str,
        metrics: dict | None = None,
        *,
        owner: str | None = None,
        sink: ReplySink | None = None,
        callback_to: str | None = None,
    ) -> Reply:
        """One user turn: understand, act on the shop, answer; both turns are stored redacted.

        ``callback_to`` is the address a channel knows the caller by (a text message's
        sender): if the caller accepts a callback offered after a handoff, it is kept on
        the handoff's record, and nowhere else.

        With a ``sink``, a reply the LLM planner writes is handed on sentence by
        sentence while it is written (a voice channel starts speaking at the first);
        the sentences handed on, joined, are the returned ``Reply.text``. A reply
        the built-in skills give is not streamed (the sink hears nothing): it is
        ready at once.
        """
        if not isinstance(text, str):
            raise InvalidUtterance("text must be a string")
        started = time.perf_counter()
        # One character set for every later stage: Unicode digits as ASCII, no control
        # characters or NUL (PostgreSQL rejects it), no lone surrogates.
        text = bounded(fold_text(text), MAX_INPUT_CHARS).strip()
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=True, owner=owner) as (
            session,
            conversation,
        ):
            knowledge = self._fresh_knowledge(session)
            state = ConversationState.from_json(conversation.state)
            identity = self._expire_text_proof(conversation, state)
            row = (
                session.get(Customer, conversation.customer_id)
                if conversation.customer_id
                else None
            )
            customer = row if identity is Identity.VERIFIED else None
            claimed = row if identity is Identity.CLAIMED else None
            memory = RedactionMemory.from_json(state.privacy)
            redaction = redact(
                text, memory, region=self.settings.region, today=self.settings.current_date()
            )
            state.privacy = redaction.memory.to_json() if redaction.memory else {}
            # cut after redaction, so a card number is never cut into an unrecognised half
            clean = redaction.text[:MAX_TEXT_CHARS]
            answer = None
            if (
                state.pending is not None
                and state.pending.kind == verification.VERIFY
                and not redaction.found & (CARD_KINDS | {SSN})  # that's not an answer
            ):
                # The answer is read from the raw words here, compared, and dropped: the
                # stored turn (and anything an LLM sees) keeps only the placeholders.
                code = verify_code.said_code(text) if state.verify_code else None
                if code is not None:
                    answer = verification.code_answer(state.pending, code)
                else:
                    answer = verification.check_answer(
                        session, state.pending, text, self.settings.region, state.asserted
                    )
                if answer.attempted:
                    clean = answer.stored_text
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
                text=nlu.request or without_placeholders(clean),  # the request, not the talk
                nlu=nlu,
                identity=identity,
                claimed=claimed,
                said=without_placeholders(clean),
                # a speculated turn sends nothing (its commit runs again and does)
                codes=_HELD_TEXTS if self.code_sender and speculating() else self.code_sender,
            )
            pending, state.pending = state.pending, None
            result = None
            if pending is not None and answer is not None and answer.attempted:
                result = answer_verification(ctx, pending, answer)
            elif redaction.found & CARD_KINDS:
                result = card_only_reply(ctx, pending)
            elif pending is not None and pending.kind == CALLBACK:
                answered = yes_or_no(ctx, nlu.intent)
                result = answer_callback(ctx, pending, text, callback_to, answered)
                pending = None  # answered, or the caller moved on: the offer stays on record
            if result is None and revokes_contact(clean):  # consent revoked: at once, everywhere
                result = opt_out(ctx)
            llm = self._llm_turn(state, score, redaction.found, sink)
            if result is None:
                result = policy.respond(ctx, pending, llm)
            if llm is not None:
                result = llm.settle(result)
            result = finish_turn(ctx, result, score, redaction.found, pending)
            reply = self._store(ctx, result, clean, score, metrics, started)
            if llm is not None:
                llm.emit_tail(reply.text)
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

    def _expire_text_proof(self, conversation: Conversation, state: ConversationState) -> Identity:
        """A text thread's proof holds ``HARK_TEXT_VERIFIED_S``: anyone can text as that
        number, so after that the thread is only claimed again (and needs a new proof)."""
        identity = level(conversation.identity)
        if (
            identity is Identity.VERIFIED
            and conversation.channel in SENDER_KEYED_CHANNELS
            and time.time() - state.verified_at > self.settings.text_verified_s
        ):
            conversation.identity = Identity.CLAIMED.value
            state.proof_for = None
            state.asserted = state.asserted or conversation.customer_id
            return Identity.CLAIMED
        return identity

    def _llm_turn(
        self, state: ConversationState, score: float, found: set[str], sink: ReplySink | None
    ) -> LlmTurn | None:
        """This turn's planner. Its reply is streamed only when nothing will be put in
        front of it afterwards (an acknowledgement for an upset caller, the card-number
        note, a handoff), since a sentence already spoken can't be preceded."""
        if self.planner is None:
            return None
        prefixed = (
            is_upset(score)
            or strongly_negative(score)
            or bool(found & CARD_KINDS)
            or state.not_understood > 0
        )
        return self.planner.begin(None if prefixed else sink)

    def speculate(self, conversation_id: str, text: str) -> Speculation:
        """``turn`` without committing anything; see ``hark.dialogue.speculation``."""
        return _speculate(self, conversation_id, text)

    def commit(self, speculation: Speculation, metrics: dict | None = None) -> Committed:
        """Store the speculated turn for real; ``matched`` if its reply is the speculation's."""
        return _commit(self, speculation, metrics)

    def mark_interrupted(
        self, conversation_id: str, turn_id: int, played_text: str, *, owner: str | None = None
    ) -> None:
        """Barge-in: the stored assistant turn keeps only what the caller actually heard."""
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=True, owner=owner) as (session, _):
            turn = session.get(Turn, turn_id)
            if turn is None or turn.conversation_id != conversation_id or turn.role != "assistant":
                log.warning(
                    "barge-in for an unknown turn ignored",
                    extra={"conversation_id": conversation_id, "turn_id": turn_id},
                )
                return
            turn.text = redact((played_text or "").replace("\x00", "")).text
            turn.interrupted = True

    def record_metrics(
        self,
        conversation_id: str,
        turn_id: int,
        metrics: dict[str, Any],
        *,
        owner: str | None = None,
    ) -> None:
        """Stage timings known only after the reply was spoken (first audio, total) join
        the stored assistant turn's metrics; the brain owns the turn rows, so it writes them."""
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=True, owner=owner) as (session, _):
            turn = session.get(Turn, turn_id)
            if turn is None or turn.conversation_id != conversation_id:
                return
            turn.metrics = {**(turn.metrics or {}), **_jsonable(metrics)}

    def identify(
        self,
        conversation_id: str,
        customer_id: str,
        *,
        identity: Identity = Identity.CLAIMED,
        owner: str | None = None,
    ) -> None:
        """Attach a customer found later: ``claimed`` (caller ID found late) by default, or
        ``verified`` (an account link) when the channel can vouch; then a guest cart follows.

        A claim never replaces a proof: a verified conversation stays as it is.
        """
        _require_valid(conversation_id)
        if not _valid_id(customer_id):
            raise CustomerNotFound(_printable(customer_id))
        identity = conversation_level(customer_id, identity)
        with self._conversation(conversation_id, lock=True, owner=owner) as (
            session,
            conversation,
        ):
            customer = session.get(Customer, str(customer_id))
            if customer is None or customer.erased_at is not None:
                raise CustomerNotFound(str(customer_id))
            if identity is not Identity.VERIFIED and conversation.identity == Identity.VERIFIED:
                return
            conversation.customer_id = customer.customer_id
            conversation.identity = identity.value
            state = ConversationState.from_json(conversation.state)
            state.customer_id = customer.customer_id
            if identity is Identity.CLAIMED:
                state.asserted = customer.customer_id
            if identity is Identity.VERIFIED:
                state.verified_at = time.time()
                state.cart_id = None
                merge_guest_cart(session, conversation.id, customer.customer_id)
            conversation.state = state.to_json()

    def customer_for_link(self, lookups: Iterable[tuple[str, str | None]]) -> str | None:
        """The customer a channel's own ids are linked to (first match wins), or None."""
        return find_linked_customer(self.db, lookups)

    def link_customer(self, channel: str, external_id: str, customer_id: str) -> bool:
        """Record that ``external_id`` on ``channel`` is this customer; True if new."""
        return link_customer(self.db, channel, external_id, customer_id)

    def resume_conversation(
        self,
        conversation_id: str,
        *,
        previous_owner: str,
        owner: str,
        customer_id: str | None,
    ) -> Reply:
        """Continue a conversation on a new connection (a web page reloaded); its short
        greeting carries the cart. ``ConversationNotFound`` when it may not be continued
        (``dialogue/continuity.py`` says when)."""
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=True) as (session, conversation):
            reply = continuity.resume(
                session,
                self.settings,
                self.knowledge(),
                conversation,
                previous_owner=previous_owner,
                owner=owner,
                customer_id=customer_id,
            )
        log.info("conversation resumed", extra={"conversation_id": conversation_id})
        return reply

    def cart(
        self, conversation_id: str, *, readable_by: Callable[[str | None], bool]
    ) -> CartView | None:
        """The conversation's open cart, for the shop's own checkout (``None``: none).
        ``readable_by(owner)`` says whether the asker may read a conversation of that
        owner; ``ConversationNotFound`` when not (to them it does not exist)."""
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=False) as (session, conversation):
            if not readable_by(conversation.owner):
                raise ConversationNotFound(str(conversation_id))
            return continuity.cart_of(session, self.settings, self.knowledge(), conversation)

    def is_open(self, conversation_id: str) -> bool:
        """The conversation exists and has not ended (a channel decides to continue it)."""
        if not _valid_id(conversation_id):
            return False
        with self.db.session() as session:
            conversation = session.get(Conversation, str(conversation_id))
            return conversation is not None and conversation.ended_at is None

    def end_conversation(self, conversation_id: str, *, owner: str | None = None) -> None:
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=False, owner=owner) as (_, conversation):
            if conversation.ended_at is None:
                conversation.ended_at = utcnow()

    def customer_for_phone(self, number: str) -> str | None:
        """The customer whose phone on file is ``number`` (any format, read in HARK_REGION),
        for caller-ID channels, which start the conversation ``claimed`` with it."""
        return customer_for_phone(self.db, number, self.settings.region)

    def transcript(self, conversation_id: str, *, owner: str | None = None) -> dict[str, Any]:
        """The stored (already redacted) conversation, for agents and the HTTP API."""
        _require_valid(conversation_id)
        with self._conversation(conversation_id, lock=False, owner=owner) as (_, conversation):
            state = ConversationState.from_json(conversation.state)
            return {
                "conversation_id": conversation.id,
                "channel": conversation.channel,
                "customer_id": conversation.customer_id,
                "identity": level(conversation.identity).value,
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
        cart = cart_view(ctx)  # before the state is saved: it may note the cart id
        state.pending = result.pending
        state.note_intent(intent)
        state.last_reply, state.last_ssml = text, ssml
        state.remember_turn("assistant", text)
        if result.resolved is not None:
            conversation.resolved = result.resolved
        if result.end and conversation.ended_at is None:
            conversation.ended_at = utcnow()
        conversation.state = state.to_json()
        seq = next_turn_seq(session, conversation.id)
        user_metrics = dict(metrics or {})
        user_turn = Turn(
            conversation_id=conversation.id,
            seq=seq,
            role="user",
            text=clean,
            intent=ctx.nlu.intent,
            sentiment=score,
            metrics=_jsonable(user_metrics),
        )
        session.add(user_turn)
        dialogue_ms = round((time.perf_counter() - started) * 1000, 3)
        handoff = handoff_action(result.actions)
        user_turn.confidence = round(float(ctx.nlu.confidence), 4)
        user_turn.understood = result.understood and not (
            handoff is not None and handoff.data.get("reason") == "not_understood"
        )
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
        if handoff is not None:  # the desk's record, in this turn's transaction
            record_handoff(ctx, handoff, user_turn.id, self.settings)
        for action in result.actions:
            if action.type == "order_placed":
                session.add(
                    AssistedOrder(
                        order_id=str(action.data["order_id"]),
                        conversation_id=conversation.id,
                        channel=conversation.channel,
                        total=Decimal(str(action.data["total"])),
                    )
                )
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
            user_text=clean,
            cart=cart,
        )


class _HeldTexts:
    """The code sender of a speculated turn: nothing leaves while nothing is committed."""

    def send_text(self, to: str, body: str) -> None:
        return None


_HELD_TEXTS = _HeldTexts()


def _require_valid(conversation_id: object) -> None:
    """An id with NUL can't exist (and would make PostgreSQL fail the query): not found."""
    if not _valid_id(conversation_id):
        raise ConversationNotFound(_printable(conversation_id))
