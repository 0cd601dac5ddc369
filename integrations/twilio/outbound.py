"""Twilio's REST API for notices: send a text (Messages), place a call (Calls), and
move a call onto a voicemail (call update). A small typed client over ``httpx``.

Requests go to ``HARK_TWILIO_API_BASE_URL`` with the account SID and auth
token as HTTP Basic credentials, from ``HARK_TWILIO_FROM``. Calls ask for
Twilio's *asynchronous* answering-machine detection, so the callee hears the
opening at once while Twilio decides (which takes seconds) and reports
``AnsweredBy`` to ``/twilio/notice-amd``; a machine then gets the short
voicemail through the call update. Every answer is a :class:`Sent`, never an
exception: a provider's outage is an outcome the ledger records.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from hark.integrations.twilio import twiml
from hark.integrations.twilio.security import public_url
from hark.runtime.settings import Settings
from hark.skills.notices.channels import CallOut, Sent, TextOut

log = logging.getLogger("hark.twilio")

TIMEOUT_S = 15.0
API_VERSION = "2010-04-01"


class TwilioRest:
    """Messages, Calls and call updates for one account (implements the notice channels)."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self._client = client or httpx.Client(timeout=TIMEOUT_S, follow_redirects=False)

    @property
    def configured(self) -> bool:
        token = self.settings.twilio_auth_token
        return bool(
            self.settings.twilio_account_sid
            and token is not None
            and token.get_secret_value()
            and self.settings.twilio_from
        )

    def close(self) -> None:
        self._client.close()

    # --- the channels -------------------------------------------------------------
    def send_text(self, message: TextOut) -> Sent:
        sender = self.settings.twilio_from or ""
        if message.to.startswith("whatsapp:"):
            sender = f"whatsapp:{sender}"
        form = {"To": message.to, "From": sender, "Body": message.body}
        if self.settings.public_url:
            form["StatusCallback"] = public_url(self.settings, "/twilio/notice-status", "")
        return self._post("Messages.json", form)

    def place_call(self, call: CallOut) -> Sent:
        query = f"notice={call.notice_id}"
        form = {
            "To": call.to,
            "From": self.settings.twilio_from or "",
            "Url": public_url(self.settings, "/twilio/notice-call", query),
            "Method": "POST",
            # wait for the greeting's end (and the beep) before reporting a machine, so the
            # voicemail is recorded whole; a person is reported as soon as Twilio knows
            "MachineDetection": "DetectMessageEnd",
            "AsyncAmd": "true",
            "AsyncAmdStatusCallback": public_url(self.settings, "/twilio/notice-amd", query),
            "AsyncAmdStatusCallbackMethod": "POST",
            "StatusCallback": public_url(self.settings, "/twilio/notice-call-status", query),
            "StatusCallbackMethod": "POST",
        }
        return self._post("Calls.json", form)

    def leave_voicemail(self, call_id: str, words: str) -> Sent:
        document = twiml.say_and_hang_up(words)
        return self._post(f"Calls/{call_id}.json", {"Twiml": document})

    # --- the wire -------------------------------------------------------------------
    def _post(self, resource: str, form: dict[str, str]) -> Sent:
        settings = self.settings
        token = settings.twilio_auth_token
        if not self.configured or token is None or not settings.twilio_account_sid:
            return Sent(False, error="Twilio not configured (account SID, token, HARK_TWILIO_FROM)")
        base = settings.twilio_api_base_url.rstrip("/")
        url = f"{base}/{API_VERSION}/Accounts/{settings.twilio_account_sid}/{resource}"
        try:
            response = self._client.post(
                url, data=form, auth=(settings.twilio_account_sid, token.get_secret_value())
            )
        except httpx.HTTPError as exc:
            return Sent(False, error=f"{type(exc).__name__}: could not reach Twilio")
        body = _json(response)
        if 200 <= response.status_code < 300 and isinstance(body.get("sid"), str):
            return Sent(True, provider_id=body["sid"][:64])
        code = body.get("code")
        return Sent(
            False, error=f"Twilio HTTP {response.status_code}" + (f" (code {code})" if code else "")
        )


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
