"""Pytest plugin with the notice fixtures (registered by ``tests/conftest.py``).

* ``api``: the recording Twilio REST double (``twilio_api_double``) on loopback.
* ``notice_settings``: ``settings`` with notices on and Twilio pointed at that double.
* ``sender_for(db, settings, dialogue=None)``: a notice sender, closed after the test.
"""

from __future__ import annotations

import pytest
from pydantic import SecretStr
from twilio_api_double import TwilioApiDouble
from twilio_sim import ACCOUNT, PUBLIC, TOKEN

from hark.dialogue.manager import DialogueManager
from hark.server.notice_sender import NoticeSender

FROM = "+15550001234"


@pytest.fixture
def api(live_server) -> TwilioApiDouble:
    double = TwilioApiDouble()
    double.url = live_server(double.app).url  # type: ignore[attr-defined]
    return double


@pytest.fixture
def notice_settings(settings, api):
    return settings.model_copy(
        update={
            "notices": "all",
            "public_url": PUBLIC,
            "twilio_auth_token": SecretStr(TOKEN),
            "twilio_account_sid": ACCOUNT,
            "twilio_from": FROM,
            "twilio_api_base_url": api.url,  # type: ignore[attr-defined]
        }
    )


@pytest.fixture
def sender_for():
    """``sender_for(db, settings, dialogue=None)``: a notice sender, closed after the test."""
    made: list[NoticeSender] = []

    def make(db, notice_settings, dialogue=None) -> NoticeSender:
        sender = NoticeSender(db, notice_settings, dialogue or DialogueManager(db, notice_settings))
        made.append(sender)
        return sender

    yield make
    for sender in made:
        sender.closed()
