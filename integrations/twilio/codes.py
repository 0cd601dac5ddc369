"""Texting a verification code with Twilio's REST API (``HARK_VERIFY_BY_CODE``).

The brain asks for a code to be sent to the phone number on file; this is
the one place that reaches Twilio for it (``Messages.json``, from
``HARK_TWILIO_FROM``, at ``HARK_TWILIO_API_BASE_URL``). The message body
holds the code, so nothing here logs it.
"""

from __future__ import annotations

import logging

from hark.runtime.settings import Settings

log = logging.getLogger("hark.twilio")
# The REST client's own request log would hold the message body (the code): kept quiet.
_rest_log = logging.getLogger("hark.twilio.rest")
_rest_log.setLevel(logging.WARNING)

SEND_TIMEOUT_S = 10.0


class TwilioTextSender:
    """A :class:`hark.skills.context.CodeSender` over Twilio's REST API."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def send_text(self, to: str, body: str) -> None:
        from twilio.http.http_client import TwilioHttpClient
        from twilio.rest import Client

        settings = self.settings
        token = settings.twilio_auth_token
        if not (settings.twilio_account_sid and token and settings.twilio_from):
            raise RuntimeError("Twilio is not configured for sending texts")
        client = Client(
            settings.twilio_account_sid,
            token.get_secret_value(),
            environment={},
            http_client=TwilioHttpClient(timeout=SEND_TIMEOUT_S, logger=_rest_log),
        )
        client.api.base_url = settings.twilio_api_base_url.rstrip("/")
        client.messages.create(to=to, from_=settings.twilio_from, body=body)


def text_sender(settings: Settings) -> TwilioTextSender | None:
    """The sender the brain uses for codes, or None when codes are off or can't be sent."""
    if not settings.verify_by_code:
        return None
    token = settings.twilio_auth_token
    if not (settings.twilio_account_sid and token and token.get_secret_value()):
        log.warning("HARK_VERIFY_BY_CODE is on but Twilio's account SID or token is unset")
        return None
    if not settings.twilio_from:
        log.warning("HARK_VERIFY_BY_CODE is on but HARK_TWILIO_FROM is unset")
        return None
    return TwilioTextSender(settings)
