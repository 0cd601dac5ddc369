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
from hark.integrations.alexa.events import AlexaEvents, alexa_configured
from hark.integrations.email.smtp import SmtpSender
from hark.integrations.twilio.outbound import TwilioRest
from hark.integrations.twilio.sms import sender_key
from hark.runtime.notice_rules import parse_rules
from hark.runtime.settings import Settings
from hark.server.background_loop import BackgroundLoop
from hark.skills.notices import wording
from hark.skills.notices.channels import (
    AlexaAnnouncer,
    CallOut,
    CallPlacer,
    EmailSender,
    Sent,
    TextOut,
    TextSender,
)
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
class Job:
    """One send, between its ``sending`` row and its outcome."""

    notice_id: int
    send_id: int
    decision: Decision
    kind: str
    facts: dict
    customer_id: str
    order_id: str | None


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
        emails: EmailSender | None = None,
        alexa: AlexaAnnouncer | None = None,
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
        smtp = SmtpSender(settings)
        self.emails = emails if emails is not None else (smtp if smtp.configured else None)
        self._alexa_client: AlexaEvents | None = None
        if alexa is None and alexa_configured(settings):
            self._alexa_client = AlexaEvents(settings)
        self.alexa = alexa if alexa is not None else self._alexa_client

    @property
    def enabled(self) -> bool:
        return bool(parse_rules(self.settings.notices))

    def closed(self) -> None:
        if self._rest is not None:
            self._rest.close()
        if self._alexa_client is not None:
            self._alexa_client.close()

    def available(self) -> frozenset[str]:
        """The channels this server can send on."""
        out: set[str] = set()
        if self.texts is not None:
            out.update(TEXT_CHANNELS)
        if self.calls is not None and self.settings.public_url:
            out.add("call")
        if self.emails is not None:
            out.add("email")
        if self.alexa is not None:
            out.add("alexa")
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
            job = Job(
                notice.id,
                send.id,
                decision,
                notice.kind,
                dict(notice.facts),
                notice.customer_id or "",
                notice.order_id,
            )
        # committed as "sending": from here a crash never sends it again
        if decision.channel == "call":
            return self._call(job)
        if decision.channel == "email":
            return self._email(job)
        if decision.channel == "alexa":
            return self._alexa(job)
        return self._text(job)

    def _text(self, job: Job) -> Outcome:
        channel, address = job.decision.channel or "sms", job.decision.address or ""
        body = wording.text_message(self.settings, job.kind, job.facts)
        conversation_id = open_notice_conversation(
            self.dialogue, channel, job.customer_id, body, job.order_id
        )
        sent = self.texts.send_text(TextOut(address, body)) if self.texts else _not_configured()
        if sent.ok and sent.provider_id:
            key = sender_key(self.settings, address)
            note_outbound_text(self.dialogue, sent.provider_id, channel, key, conversation_id)
        return self._finish(job, sent, conversation_id)

    def _email(self, job: Job) -> Outcome:
        subject, body = wording.email(self.settings, job.kind, job.facts)
        to = job.decision.address or ""
        sent = self.emails.send_email(to, subject, body) if self.emails else _not_configured()
        return self._finish(job, sent)

    def _alexa(self, job: Job) -> Outcome:
        sent = (
            self.alexa.announce(job.decision.address or "", job.kind, job.facts)
            if self.alexa
            else _not_configured()
        )
        return self._finish(job, sent)

    def _finish(self, job: Job, sent: Sent, conversation_id: str | None = None) -> Outcome:
        """Record a message's outcome; a voicemail's follow-up keeps the outcome ``voicemail``."""
        channel = job.decision.channel or ""
        with self.db.session() as session:
            outbox.end_send(
                session,
                job.send_id,
                "delivered" if sent.ok else "failed",
                provider_id=sent.provider_id,
                detail=sent.error,
            )
            notice = session.get(Notice, job.notice_id)
            if notice is not None:
                notice.conversation_id = notice.conversation_id or conversation_id
                if job.facts.get("follow_up"):
                    done = "text sent" if sent.ok else f"text failed: {sent.error}"
                    outbox.close(notice, "voicemail", f"voicemail left; {done}", "call")
                elif sent.ok:
                    outbox.close(notice, "delivered", job.decision.reason, channel)
                else:
                    outbox.close(notice, "failed", sent.error, channel)
        action = "sent" if sent.ok else "failed"
        log.info("notice %s", action, extra={"notice_id": job.notice_id, "channel": channel})
        reason = sent.error or job.decision.reason
        return Outcome(job.notice_id, job.customer_id, job.kind, action, channel, reason)

    def _call(self, job: Job) -> Outcome:
        decision = job.decision
        sent = (
            self.calls.place_call(CallOut(decision.address or "", job.notice_id))
            if self.calls
            else _not_configured()
        )
        with self.db.session() as session:
            outbox.end_send(
                session,
                job.send_id,
                "ringing" if sent.ok else "failed",
                provider_id=sent.provider_id,
                detail=sent.error,
            )
            notice = session.get(Notice, job.notice_id)
            if notice is not None:
                if sent.ok:
                    notice.state, notice.lease_until, notice.lease_owner = "calling", None, None
                else:
                    outbox.close(notice, "failed", sent.error, "call")
        log.info(
            "notice call placed" if sent.ok else "notice call failed",
            extra={"notice_id": job.notice_id},
        )
        action = "calling" if sent.ok else "failed"
        return Outcome(
            job.notice_id, job.customer_id, job.kind, action, "call", sent.error or decision.reason
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
