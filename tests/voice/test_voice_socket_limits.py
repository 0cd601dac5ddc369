"""Limits inside an open voice socket, tried as a client that floods it would.

Real server on loopback, real ``websockets`` client (``voice_client``), real speech
(espeak-ng) for the spoken turns; what the speech says comes from a scripted
``Transcriber`` (TEST DOUBLE at the ASR interface) and replies are tones
(``ToneSynthesizer``, TEST DOUBLE at the TTS interface).
"""

from __future__ import annotations

import contextlib

import httpx
import numpy as np
import pytest
import websockets
from doubles import ScriptedTranscriber, ToneSynthesizer, UtteranceScript
from fixtures_voice import espeak_speech
from sqlalchemy import func, select
from voice_client import VoiceClient

from hark.runtime.settings import load_settings
from hark.store.models import Turn
from hark.voice.turn.session import VoiceOptions

KEY = "shop-key-0123456789abcdef"


def _server(make_app, live_server, settings, **values):
    checked = load_settings(**values)  # through the validators, as the environment would
    used = settings.model_copy(update={k: getattr(checked, k) for k in values})
    app = make_app(
        used,
        transcriber=ScriptedTranscriber(UtteranceScript(["where is my order"])),
        synthesizer=ToneSynthesizer(seconds_per_word=0.01),
    )
    app.state.voice_options = VoiceOptions(partial_interval_s=None, speculate=False)
    return live_server(app)


def _caller_turns(db, conversation_id: str) -> int:
    with db.session() as session:
        return session.scalar(
            select(func.count())
            .select_from(Turn)
            .where(Turn.conversation_id == conversation_id, Turn.role == "user")
        )


async def _flood(client: VoiceClient, turns: int) -> int:
    """Send ``turns`` text turns as fast as the socket takes them; how many got out."""
    sent = 0
    with contextlib.suppress(websockets.ConnectionClosed):
        for n in range(turns):
            await client.send_json({"type": "text", "text": f"where is order {n}"})
            sent += 1
    return sent


async def test_turns_after_the_keys_limit_get_an_error_then_a_1008_close(
    make_app, live_server, settings, db
) -> None:
    server = _server(
        make_app,
        live_server,
        settings,
        api_keys=KEY,
        rate_limit="8/minute",
        voice_turn_limit="off",
    )
    headers = {"Authorization": f"Bearer {KEY}"}
    async with VoiceClient.connect(
        f"{server.ws_url}/v1/voice", additional_headers=headers
    ) as client:
        ready = await client.start(16000)
        await client.wait_for("reply")
        # The key's limit is spent elsewhere (any request with the same key).
        statuses = [
            httpx.get(f"{server.url}/v1/conversations/nope", headers=headers).status_code
            for _ in range(8)
        ]
        assert statuses[-1] == 429
        mark = client.mark()
        await _flood(client, 30)
        assert await client.wait_closed() == 1008
    errors = [e for e in client.events(mark) if e["type"] == "error"]
    assert errors and {e["code"] for e in errors} == {"rate_limited"}
    assert "reply" not in client.types(mark)
    assert _caller_turns(db, ready["session_id"]) == 0  # nothing reached the brain


async def test_a_sockets_own_turn_rate_holds_without_any_key(
    make_app, live_server, settings, db
) -> None:
    server = _server(make_app, live_server, settings, rate_limit="off", voice_turn_limit="3/minute")
    async with VoiceClient.connect(f"{server.ws_url}/v1/voice") as client:
        ready = await client.start(16000)
        await client.wait_for("reply")
        for _ in range(3):
            mark = client.mark()
            await client.send_json({"type": "text", "text": "where is my order"})
            await client.wait_for("turn_metrics", since=mark)
        mark = client.mark()
        await client.send_json({"type": "text", "text": "where is my order"})
        error = (await client.wait_for("error", since=mark)).event or {}
        assert error["code"] == "rate_limited" and "wait" in error["message"]
        await client.send_json({"type": "text", "text": "where is my order"})
        assert await client.wait_closed() == 1008
    assert _caller_turns(db, ready["session_id"]) == 3


async def test_spoken_turns_count_too(make_app, live_server, settings, db) -> None:
    server = _server(make_app, live_server, settings, rate_limit="off", voice_turn_limit="1/minute")
    speech = espeak_speech("Where is my order?", 16000)
    utterance = np.concatenate([np.zeros(3200, np.int16), speech, np.zeros(16000, np.int16)])
    async with VoiceClient.connect(f"{server.ws_url}/v1/voice") as client:
        ready = await client.start(16000)
        await client.wait_for("reply")
        mark = client.mark()
        await client.stream(utterance, 16000, speed=None)
        await client.wait_for("turn_metrics", since=mark, timeout=30)
        mark = client.mark()
        await client.stream(utterance, 16000, speed=None)
        error = (await client.wait_for("error", since=mark, timeout=30)).event or {}
        assert error["code"] == "rate_limited"
        with contextlib.suppress(websockets.ConnectionClosed):
            await client.stream(utterance, 16000, speed=None)
        assert await client.wait_closed(timeout=30) == 1008
    assert _caller_turns(db, ready["session_id"]) == 1


def test_the_turn_limit_is_a_checked_setting() -> None:
    with pytest.raises(ValueError, match="120/minute"):
        load_settings(voice_turn_limit="lots")
    assert load_settings(voice_turn_limit="OFF").voice_turn_limit == "off"
