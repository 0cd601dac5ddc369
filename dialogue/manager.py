"""The DialogueManager: one conversation turn in, one spoken Reply out.

Every channel (voice stream, phone, Alexa, kiosk, ``hark chat``, HTTP)
calls the same few methods: start a conversation, take a turn, end it, and
the bookkeeping around them (a barge-in, late timings, a customer found
later, a transcript). A turn is told step by step in ``dialogue/turn.py``:
redact (nothing raw is stored, logged or sent to an LLM), understand
(sentiment, intent, entities), decide (the policy picks a skill, and a
person's touches are added), act (the state and both turns stored, with
the reply's records), finish. The conversation state is saved with the
turn, so any process can continue.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from hark.dialogue import continuity, outside
from hark.dialogue.caller_id import customer_for_phone
from hark.dialogue.conversation_rows import ConversationRows
from hark.dialogue.conversation_rows import require_valid as _require_valid
from hark.dialogue.errors import ConversationNotFound, CustomerNotFound, InvalidUtterance
from hark.dialogue.greeting import greeting
from hark.dialogue.llm import LlmPlanner, ReplySink
from hark.dialogue.meaning import warm_meaning
from hark.dialogue.nlu import nlu_for
from hark.dialogue.rows import jsonable as _jsonable
from hark.dialogue.rows import printable as _printable
from hark.dialogue.rows import valid_id as _valid_id
from hark.dialogue.sentiment import SentimentScorer
from hark.dialogue.speculation import Committed, Speculation
from hark.dialogue.speculation import commit as commit_speculation
from hark.dialogue.speculation import speculate as speculate_turn
from hark.dialogue.turn import take_turn
from hark.language import embedding
from hark.privacy.identifiers import is_channel
from hark.privacy.redact import redact
from hark.runtime.settings import Settings
from hark.shop import knowledge as shop_knowledge
from hark.skills.cart_store import merge_guest_cart
from hark.skills.context import CodeSender
from hark.skills.identity import (
    Identity,
    Permission,
    allowed,
    conversation_level,
    level,
)
from hark.skills.intent import Intent
from hark.skills.reply import CartView, Reply
from hark.skills.state import ConversationState
from hark.store.channel_links import find_linked_customer, link_customer
from hark.store.db import Database
from hark.store.models import Conversation, Customer, Turn, utcnow

log = logging.getLogger("hark.dialogue")

MAX_OWNER_CHARS = 64


class DialogueManager:
    """The brain. Thread-safe; one instance per process, shared by every channel."""

    def __init__(self, db: Database, settings: Settings, planner: LlmPlanner | None = None) -> None:
        self.db = db
        self.settings = settings
        self.planner = planner if planner is not None else LlmPlanner.from_settings(settings)
        self.sentiment = SentimentScorer()
        embedding.configure(settings.embedding_model)  # once per process and setting
        # texts one-time verification codes (HARK_VERIFY_BY_CODE); the server sets it
        self.code_sender: CodeSender | None = None
        self._knowledge: shop_knowledge.Knowledge | None = None
        self._build_lock = threading.Lock()
        self.rows = ConversationRows(db)  # every operation on a conversation opens it here

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

    def fresh_knowledge(self, session: Session) -> shop_knowledge.Knowledge:
        """The shop snapshot, rebuilt first if the shop's rows changed (an import, stock)."""
        current = self.knowledge()
        updated = shop_knowledge.refresh(self.db, current, session)
        if updated is not current:
            self._knowledge = updated
        return updated

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
        The story, step by step: ``dialogue/turn.py``.

        ``callback_to`` is the address a channel knows the caller by (a text message's
        sender): if the caller accepts a callback offered after a handoff, it is kept on
        the handoff's record, and nowhere else.

        With a ``sink``, a reply the LLM planner writes is handed on sentence by
        sentence while it is written (a voice channel starts speaking at the first);
        the sentences handed on, joined, are the returned ``Reply.text``. A reply
        the built-in skills give is not streamed (the sink hears nothing): it is
        ready at once.
        """
        return take_turn(
            self, conversation_id, text, metrics, owner=owner, sink=sink, callback_to=callback_to
        )

    def speculate(self, conversation_id: str, text: str) -> Speculation:
        """``turn`` without committing anything; see ``hark.dialogue.speculation``."""
        return speculate_turn(self, conversation_id, text)

    def commit(self, speculation: Speculation, metrics: dict | None = None) -> Committed:
        """Store the speculated turn for real; ``matched`` if its reply is the speculation's."""
        return commit_speculation(self, speculation, metrics)

    def mark_interrupted(
        self, conversation_id: str, turn_id: int, played_text: str, *, owner: str | None = None
    ) -> None:
        """Barge-in: the stored assistant turn keeps only what the caller actually heard."""
        _require_valid(conversation_id)
        with self.rows.open(conversation_id, lock=True, owner=owner) as (session, _):
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
        with self.rows.open(conversation_id, lock=True, owner=owner) as (session, _):
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
        with self.rows.open(conversation_id, lock=True, owner=owner) as (
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
        with self.rows.open(conversation_id, lock=True) as (session, conversation):
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
        with self.rows.open(conversation_id, lock=False) as (session, conversation):
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
        with self.rows.open(conversation_id, lock=False, owner=owner) as (_, conversation):
            if conversation.ended_at is None:
                conversation.ended_at = utcnow()

    def customer_for_phone(self, number: str) -> str | None:
        """The customer whose phone on file is ``number`` (any format, read in HARK_REGION),
        for caller-ID channels, which start the conversation ``claimed`` with it."""
        return customer_for_phone(self.db, number, self.settings.region)

    def transcript(self, conversation_id: str, *, owner: str | None = None) -> dict[str, Any]:
        """The stored (already redacted) conversation, for agents and the HTTP API."""
        _require_valid(conversation_id)
        with self.rows.open(conversation_id, lock=False, owner=owner) as (_, conversation):
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
