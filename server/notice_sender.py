"""Sends due notices: the server's notice loop, and ``hark notify run`` by the same code.

Each round (one worker thread per server process, like the handoff outbox):
abandoned carts become events; then every pending notice whose time has come
is *leased* by a conditional UPDATE (of several processes exactly one gets
it), passed through the gate (consent, opt-out, quiet hours in the
customer's time zone, caps, channels; ``hark.skills.notices.gate``) and
sent, deferred or suppressed, each with its reason in the ledger. A send is
committed as ``sending`` before the provider is asked; a crash in between
closes the notice as failed rather than sending it twice.

A text opens the customer's conversation with the notice as its first turn
and becomes the thread's last message, so their reply continues it. A call
is placed with asynchronous answering-machine detection; its webhooks
(``server/routes_notice_calls.py``) settle the outcome.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from dataclasses import dataclass

from hark.dialogue.manager import DialogueManager
from hark.dialogue.notice_threads import note_outbound_text, open_notice_conversation
from hark.integrations.twilio.outbound import TwilioRest
from hark.integrations.twilio.sms import sender_key
from hark.runtime.notice_rules import parse_rules
from hark.runtime.settings import Settings
from hark.server.background_loop import BackgroundLoop
from hark.skills.notices import wording
from hark.skills.notices.channels import CallOut, CallPlacer, Sent, TextOut, TextSender
from hark.skills.notices.gate import Decision, decide
from hark.store import notice_outbox as outbox
from hark.store.db import Database
from hark.store.models import Notice, utcnow
from hark.store.notice_events import cart_events, record_events

log = logging.getLogger("hark.notices")

LEASE_S = 120.0
TEXT_CHANNELS = ("sms", "whatsapp")
SILENT_CALL = dt.timedelta(hours=2)  # no status callback by then: the call is written off


@dataclass(frozen=True)
class Outcome:
    """What one notice came to in a round (``hark notify run`` prints these)."""

    notice_id: int
    customer_id: str | None
    event: str
    action: str  # send | sent | failed | defer | suppress | calling
    channel: str | None
    reason: str


class NoticeSender(BackgroundLoop):
    """The notice loop of one process (see the module docstring)."""

    task_name = "hark-notices"
    failure = "notice round failed; trying again shortly"

    def __init__(
        self,
        db: Database,
        settings: Settings,
        dialogue: DialogueManager,
        *,
        texts: TextSender | None = None,
        calls: CallPlacer | None = None,
    ) -> None:
        super().__init__(log)
        self.db, self.settings, self.dialogue = db, settings, dialogue
        self.owner = f"{os.getpid()}:{uuid.uuid4().hex[:16]}"
        self._rest: TwilioRest | None = None
        if texts is None or calls is None:
            self._rest = TwilioRest(settings)
            if not self._rest.configured:
                self._rest.close()
                self._rest = None
        self.texts = texts if texts is not None else self._rest
        self.calls = calls if calls is not None else self._rest

    @property
    def enabled(self) -> bool:
        return bool(parse_rules(self.settings.notices))

    def closed(self) -> None:
        if self._rest is not None:
            self._rest.close()

    def available(self) -> frozenset[str]:
        """The channels this server can send on."""
        out: set[str] = set()
        if self.texts is not None:
            out.update(TEXT_CHANNELS)
        if self.calls is not None and self.settings.public_url:
            out.add("call")
        return frozenset(out)

    def run_round(self) -> list[Outcome]:
        return self.run_once()

    def pause_after(self, result: list[Outcome] | None) -> float:
        return self.settings.notice_poll_s

    # --- one round -----------------------------------------------------------------
    def run_once(self, *, dry_run: bool = False, now: dt.datetime | None = None) -> list[Outcome]:
        """Decide (and unless ``dry_run``, act on) every notice due now."""
        now = now or utcnow()
        with self.busy:
            if not dry_run:
                self._scan_carts(now)
                with self.db.session() as session:
                    outbox.settle_silent_calls(session, now, SILENT_CALL)
            with self.db.session() as session:
                ids = outbox.due(session, now)
            results = []
            for notice_id in ids:
                result = self._preview(notice_id, now) if dry_run else self._attempt(notice_id, now)
                if result is not None:
                    results.append(result)
            return results

    def _scan_carts(self, now: dt.datetime) -> None:
        with self.db.session() as session:
            events = cart_events(session, now, self.settings.cart_reminder_h)
            record_events(session, events, parse_rules(self.settings.notices), now)

    def _preview(self, notice_id: int, now: dt.datetime) -> Outcome | None:
        with self.db.session() as session:
            notice = session.get(Notice, notice_id)
            if notice is None:
                return None
            decision = decide(
                session, notice, self.settings, self.available(), now, exclude=_tried(notice)
            )
            session.rollback()
            return _outcome(notice, decision.action, decision.channel, decision.reason)

    def _attempt(self, notice_id: int, now: dt.datetime) -> Outcome | None:
        with self.db.session() as session:
            notice = outbox.take_lease(session, notice_id, self.owner, now, LEASE_S)
            if notice is None:
                return None  # another process has it, or it is no longer due
            if outbox.interrupted(session, notice):
                return _outcome(notice, "failed", notice.channel, notice.reason)
            decision = decide(
                session, notice, self.settings, self.available(), now, exclude=_tried(notice)
            )
            if decision.action == "suppress":
                if notice.facts.get("follow_up"):  # the voicemail was left; no text may follow
                    outbox.close(notice, "voicemail", f"voicemail left; no text: {decision.reason}")
                else:
                    outbox.close(notice, "suppressed", decision.reason)
                return _outcome(notice, "suppress", None, decision.reason)
            if decision.action == "defer":
                outbox.defer(notice, decision.until or now, decision.reason)
                return _outcome(notice, "defer", None, decision.reason)
            send = outbox.start_send(session, notice, decision.channel or "")
            send_id, kind, facts = send.id, notice.kind, dict(notice.facts)
            customer_id, order_id = notice.customer_id or "", notice.order_id
        # committed as "sending": from here a crash never sends it again
        if decision.channel == "call":
            return self._call(notice_id, send_id, decision, customer_id)
        return self._text(notice_id, send_id, decision, kind, facts, customer_id, order_id)

    def _text(
        self,
        notice_id: int,
        send_id: int,
        decision: Decision,
        kind: str,
        facts: dict,
        customer_id: str,
        order_id: str | None,
    ) -> Outcome:
        channel, address = decision.channel or "sms", decision.address or ""
        body = wording.text_message(self.settings, kind, facts)
        conversation_id = open_notice_conversation(
            self.dialogue, channel, customer_id, body, order_id
        )
        sent = self.texts.send_text(TextOut(address, body)) if self.texts else _not_configured()
        if sent.ok and sent.provider_id:
            note_outbound_text(
                self.dialogue,
                sent.provider_id,
                channel,
                sender_key(self.settings, address),
                conversation_id,
            )
        follow_up = bool(facts.get("follow_up"))
        with self.db.session() as session:
            outbox.end_send(
                session,
                send_id,
                "delivered" if sent.ok else "failed",
                provider_id=sent.provider_id,
                detail=sent.error,
            )
            notice = session.get(Notice, notice_id)
            if notice is not None:
                notice.conversation_id = notice.conversation_id or conversation_id
                if follow_up:
                    outbox.close(
                        notice,
                        "voicemail",
                        "voicemail left; text sent"
                        if sent.ok
                        else f"voicemail left; text failed: {sent.error}",
                        "call",
                    )
                elif sent.ok:
                    outbox.close(notice, "delivered", decision.reason, channel)
                else:
                    outbox.close(notice, "failed", sent.error, channel)
        action = "sent" if sent.ok else "failed"
        log.info("notice %s", action, extra={"notice_id": notice_id, "channel": channel})
        return Outcome(notice_id, customer_id, kind, action, channel, sent.error or decision.reason)

    def _call(self, notice_id: int, send_id: int, decision: Decision, customer_id: str) -> Outcome:
        sent = (
            self.calls.place_call(CallOut(decision.address or "", notice_id))
            if self.calls
            else _not_configured()
        )
        with self.db.session() as session:
            outbox.end_send(
                session,
                send_id,
                "ringing" if sent.ok else "failed",
                provider_id=sent.provider_id,
                detail=sent.error,
            )
            notice = session.get(Notice, notice_id)
            kind = notice.kind if notice is not None else ""
            if notice is not None:
                if sent.ok:
                    notice.state, notice.lease_until, notice.lease_owner = "calling", None, None
                else:
                    outbox.close(notice, "failed", sent.error, "call")
        log.info(
            "notice call placed" if sent.ok else "notice call failed",
            extra={"notice_id": notice_id},
        )
        return Outcome(
            notice_id,
            customer_id,
            kind,
            "calling" if sent.ok else "failed",
            "call",
            sent.error or decision.reason,
        )


def _tried(notice: Notice) -> frozenset[str]:
    """Channels this notice may not use now: a voicemail's follow-up is a text."""
    if notice.facts.get("follow_up"):
        return frozenset({"call", "alexa", "email"})
    return frozenset()


def _outcome(notice: Notice, action: str, channel: str | None, reason: str) -> Outcome:
    return Outcome(notice.id, notice.customer_id, notice.kind, action, channel, reason)


def _not_configured() -> Sent:
    return Sent(False, error="channel not configured")
