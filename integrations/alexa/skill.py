"""One verified Alexa request in, one Alexa response out, through the shared brain.

The skill only translates: a launch starts a conversation, an intent
becomes a user turn, a session end closes the conversation, and the
conversation id rides in the session attributes so the next request (in
any server process) continues it. The brain's turn is synchronous, so it
runs in a worker thread; if it is slow, a progressive response keeps the
caller company.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from hark.dialogue.manager import DialogueManager
from hark.integrations.alexa.canfulfill import can_fulfill
from hark.integrations.alexa.customers import link_lookups
from hark.integrations.alexa.envelope import Envelope, plan_for_intent, session_attributes
from hark.integrations.alexa.progressive import (
    PROGRESSIVE_SSML,
    DirectiveClient,
    HttpDirectiveClient,
)
from hark.integrations.alexa.response import (
    build_reply_response,
    empty_response,
    speech_response,
    text_ssml,
)
from hark.integrations.alexa.verify import AlexaVerifier
from hark.runtime.log_context import log_context
from hark.runtime.metrics import record_turn
from hark.runtime.settings import Settings
from hark.skills.identity import Identity
from hark.skills.reply import Reply

log = logging.getLogger("hark.alexa")

CHANNEL = "alexa"
# Said when Alexa hears speech but no intent fits: the brain answers a turn it cannot place.
NOT_UNDERSTOOD_TEXT = ""


@dataclass
class AlexaRuntime:
    """The endpoint's moving parts, swappable by tests (own CA, loopback directive server)."""

    verifier: AlexaVerifier | None
    directive_client: DirectiveClient = field(default_factory=HttpDirectiveClient)
    progressive_after_s: float = 1.0
    progressive_ssml: str = PROGRESSIVE_SSML
    _background: set[asyncio.Task] = field(default_factory=set, repr=False)

    def keep(self, task: asyncio.Task) -> None:
        """Hold a fire-and-forget task until it finishes (asyncio keeps only weak refs)."""
        self._background.add(task)
        task.add_done_callback(self._background.discard)


def introduction(settings: Settings) -> str:
    """The disclosure spoken before the answer on a one-shot request.

    "Alexa, ask Hark Store where my order is" skips the greeting, but the
    caller must still hear that an automated assistant answers.
    """
    return f"I'm {settings.assistant_name}, {settings.shop_name}'s automated assistant."


class AlexaSkill:
    """Handles one parsed envelope through the brain (the only way to the shop's data)."""

    def __init__(
        self, dialogue: DialogueManager, settings: Settings, runtime: AlexaRuntime
    ) -> None:
        self.settings = settings
        self.dialogue = dialogue
        self.runtime = runtime

    async def handle(self, env: Envelope) -> dict[str, Any]:
        kind = env.request.type
        if kind == "LaunchRequest":
            return await self._launch(env)
        if kind == "IntentRequest":
            return await self._intent(env)
        if kind == "SessionEndedRequest":
            return await self._session_ended(env)
        if kind == "CanFulfillIntentRequest":
            answer = await asyncio.to_thread(
                can_fulfill, self.dialogue.knowledge().products.values(), env.request.intent
            )
            return {"version": "1.0", "response": {"canFulfillIntent": answer}}
        # Events Hark does not use (AudioPlayer, System.ExceptionEncountered, ...) need no speech.
        log.info("ignored Alexa request type", extra={"alexa_type": kind[:80]})
        return empty_response()

    # --- request types ---------------------------------------------------------------
    async def _launch(self, env: Envelope) -> dict[str, Any]:
        conversation_id, greeting = await asyncio.to_thread(self._start, env)
        return self._reply_response(greeting, conversation_id, end=greeting.end)

    async def _intent(self, env: Envelope) -> dict[str, Any]:
        intent_name = env.request.intent.name if env.request.intent else None
        plan = plan_for_intent(env.request.intent)
        log.info(
            "alexa intent", extra={"alexa_intent": (intent_name or "")[:80], "plan": plan.kind}
        )
        if plan.kind == "stop":
            return await self._stop(env)
        conversation_id: str | None = env.conversation_id
        lead = ""
        if conversation_id is None or not await asyncio.to_thread(self._exists, conversation_id):
            started, _greeting = await asyncio.to_thread(self._start, env)
            conversation_id = started
            lead = introduction(self.settings)
        text = plan.text if plan.kind == "say" else NOT_UNDERSTOOD_TEXT
        with log_context(conversation_id=conversation_id):
            reply = await self._turn(env, conversation_id, text)
        if reply.end:
            await asyncio.to_thread(self._end, conversation_id)
        return self._reply_response(reply, conversation_id, end=reply.end, lead=lead)

    async def _stop(self, env: Envelope) -> dict[str, Any]:
        """Stop/Cancel: always end the session, with the brain's goodbye when it has one."""
        goodbye = f"Goodbye, and thank you for visiting {self.settings.shop_name}."
        conversation_id = env.conversation_id or ""
        reply: Reply | None = None
        still_open = bool(conversation_id) and await asyncio.to_thread(
            self.dialogue.is_open, conversation_id
        )
        if still_open:
            reply = await asyncio.to_thread(self.dialogue.turn, conversation_id, "stop")
            await asyncio.to_thread(self._end, conversation_id)
        if reply is None or not reply.end or not reply.text.strip():
            return speech_response(text_ssml(goodbye), end=True)
        return build_reply_response(
            reply, end=True, attributes=None, currency=self.settings.currency
        )

    async def _session_ended(self, env: Envelope) -> dict[str, Any]:
        log.info(
            "alexa session ended",
            extra={
                "reason": (env.request.reason or "")[:40],
                "alexa_error": ((env.request.error or {}).get("type") or "")[:80] or None,
            },
        )
        if env.conversation_id:
            await asyncio.to_thread(self._end, env.conversation_id)
        return empty_response()

    # --- the brain, off the event loop ---------------------------------------------------
    def _start(self, env: Envelope) -> tuple[str, Reply]:
        from hark.dialogue.errors import CustomerNotFound

        customer_id = self.dialogue.customer_for_link(
            link_lookups(access_token=env.access_token, user_id=env.user_id)
        )
        try:
            # A linked account (token or user) is the shop's own link: it vouches.
            return self.dialogue.start_conversation(
                CHANNEL, customer_id, identity=Identity.VERIFIED if customer_id else None
            )
        except CustomerNotFound:
            log.warning("linked customer no longer exists; continuing anonymously")
            return self.dialogue.start_conversation(CHANNEL, None)

    def _exists(self, conversation_id: str) -> bool:
        return self.dialogue.is_open(conversation_id)

    def _end(self, conversation_id: str) -> None:
        from hark.dialogue.errors import ConversationNotFound

        with contextlib.suppress(ConversationNotFound):
            self.dialogue.end_conversation(conversation_id)

    async def _turn(self, env: Envelope, conversation_id: str, text: str) -> Reply:
        """Run the turn in a thread; past the threshold, send "One moment…" meanwhile."""
        started = time.perf_counter()
        task = asyncio.ensure_future(asyncio.to_thread(self.dialogue.turn, conversation_id, text))
        done, _ = await asyncio.wait({task}, timeout=self.runtime.progressive_after_s)
        if not done and env.api_endpoint and env.api_access_token and env.request.request_id:
            log.info("turn is slow; sending a progressive response")
            directive = asyncio.ensure_future(self._progressive(env))
            self.runtime.keep(directive)
        reply = await task
        dialogue_ms = (time.perf_counter() - started) * 1000
        record_turn("alexa", reply.intent, reply.handoff, {"dialogue_ms": dialogue_ms})
        return reply

    async def _progressive(self, env: Envelope) -> None:
        try:
            await self.runtime.directive_client.speak(
                env.api_endpoint or "",
                env.api_access_token or "",
                env.request.request_id,
                self.runtime.progressive_ssml,
            )
        except Exception:
            log.warning("progressive response client failed", exc_info=True)

    # --- shaping --------------------------------------------------------------------------
    def _reply_response(
        self, reply: Reply, conversation_id: str, *, end: bool, lead: str = ""
    ) -> dict[str, Any]:
        title = (
            reply.cards[0].name if len(reply.cards) == 1 else f"{self.settings.shop_name} products"
        )
        return build_reply_response(
            reply,
            end=end,
            attributes=None if end else session_attributes(conversation_id),
            currency=self.settings.currency,
            card_title=title,
            lead_text=lead,
        )
