"""Pytest plugin: a Hark server configured for Twilio, and the simulated Twilio around it.

``phone(mode=..., transcriber=..., synthesizer=...)`` starts a real server on
loopback whose ``HARK_PUBLIC_URL`` is ``twilio_sim.PUBLIC`` (as behind a
tunnel) and returns a ``Phone``: the ``SimTwilio`` to drive it, the app, and
the ``RestRecorder`` that stands in for Twilio's REST API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr
from twilio_sim import ACCOUNT, AGENT, PUBLIC, TOKEN, RestRecorder, SimTwilio

from hark.integrations.twilio.runtime import TwilioRuntime, configure_twilio
from hark.voice.turn.session import VoiceOptions


@dataclass
class Phone:
    sim: SimTwilio
    app: Any
    rest: RestRecorder
    runtime: TwilioRuntime


@pytest.fixture
def rest_recorder(live_server) -> RestRecorder:
    recorder = RestRecorder()
    recorder.url = live_server(recorder.app).url  # type: ignore[attr-defined]
    return recorder


@pytest.fixture
def twilio_settings(settings, rest_recorder):
    return settings.model_copy(
        update={
            "public_url": PUBLIC,
            "twilio_auth_token": SecretStr(TOKEN),
            "twilio_account_sid": ACCOUNT,
            "agent_number": AGENT,
            "twilio_api_base_url": rest_recorder.url,  # type: ignore[attr-defined]
        }
    )


@pytest.fixture
def phone(make_app, live_server, twilio_settings, rest_recorder) -> Callable[..., Phone]:
    def start(mode: str = "stream", settings: Any = None, runtime: dict | None = None, **services):
        used = (settings or twilio_settings).model_copy(update={"twilio_mode": mode})
        app = make_app(used, **services)
        app.state.voice_options = VoiceOptions(partial_interval_s=None)
        twilio_runtime = configure_twilio(app, **(runtime or {}))
        server = live_server(app)
        return Phone(SimTwilio(server.url), app, rest_recorder, twilio_runtime)

    return start
