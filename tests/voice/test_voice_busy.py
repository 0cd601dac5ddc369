"""``HARK_MAX_VOICE_SESSIONS``: a full server turns new voice sessions away clearly."""

from __future__ import annotations

import asyncio
import json

import websockets
from voice_client import VoiceClient

from hark.server.routes_voice import active_sessions


async def test_a_full_server_says_server_busy_and_closes_1013(make_app, live_server, settings):
    app = make_app(settings.model_copy(update={"max_voice_sessions": 1}))
    server = live_server(app)
    async with VoiceClient.connect(f"{server.ws_url}/v1/voice") as first:
        await first.start()
        async with websockets.connect(f"{server.ws_url}/v1/voice") as second:
            event = json.loads(await second.recv())
            assert event == {
                "type": "error",
                "code": "server_busy",
                "message": "too many conversations; try again soon",
            }
            await second.wait_closed()
            assert second.close_code == 1013
        assert (await first.wait_for("reply")).event["text"]  # the open one is untouched
    deadline = asyncio.get_running_loop().time() + 10
    while active_sessions(app) and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)  # the server finishes closing the first session
    async with VoiceClient.connect(f"{server.ws_url}/v1/voice") as again:  # a place is free
        assert (await again.start())["type"] == "ready"
