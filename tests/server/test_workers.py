"""``HARK_WORKERS``: one ``hark serve`` runs several processes on one socket, which share
their state (a SQLite file, Redis), and stop together on SIGTERM after the drain."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cluster import Host, Node
from support.ports import free_port
from voice_client import VoiceClient

KEY = "workers-test-api-key-00000000001"
ADMIN_KEY = "workers-test-admin-key-0000000001"
DRAIN_S = 3
REDIS_DB = 8


@pytest.fixture
def node(redis_server, tiny_piper_voice: Path, tmp_path: Path) -> Iterator[Node]:
    from redis import Redis

    with Redis.from_url(f"redis://127.0.0.1:{redis_server.port}/{REDIS_DB}") as client:
        client.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARK_")}
    env.update(
        HARK_WORKERS="2",
        HARK_REDIS_URL=f"redis://127.0.0.1:{redis_server.port}/{REDIS_DB}",
        HARK_API_KEYS=KEY,
        HARK_ADMIN_KEYS=ADMIN_KEY,
        HARK_DRAIN_S=str(DRAIN_S),
        HARK_TODAY="2026-11-24",
        HARK_MODELS_AUTO_DOWNLOAD="false",
        HARK_ASR_MODEL=str(tmp_path / "no-speech-recognition"),
        HARK_TTS_VOICE=str(tiny_piper_voice),
        HARK_HF_ENDPOINT="http://127.0.0.1:9",
        HARK_PACKAGE_INDEX_URL="http://127.0.0.1:9/simple/",
    )
    started = Node("workers", Host("127.0.0.1"), env, tmp_path, port=free_port())
    started.start()
    try:
        started.wait_ready()
        yield started
    finally:
        started.stop()


async def test_two_workers_share_a_conversation_and_stop_together_after_the_drain(
    node: Node,
) -> None:
    headers = {"Authorization": f"Bearer {KEY}"}
    async with httpx.AsyncClient(base_url=node.url, headers=headers, timeout=30) as http:
        started = await http.post("/v1/conversations", json={"channel": "web"})
        path = f"/v1/conversations/{started.json()['conversation_id']}/turns"
        await http.post(path, json={"text": "something to keep coffee hot"})
        await http.post(path, json={"text": "add it to my cart"})
        # a new connection for each pair, so the kernel may give them to either worker
        turns = []
        for _ in range(3):
            async with httpx.AsyncClient(base_url=node.url, headers=headers, timeout=30) as a:
                turns += await asyncio.gather(
                    a.post(path, json={"text": "add another one"}),
                    http.post(path, json={"text": "add another one"}),
                )
        assert [t.status_code for t in turns] == [200] * 6
        final = await http.post(path, json={"text": "what's in my cart"})
        assert final.json()["cart"]["lines"][0]["quantity"] == 7
        admin = {"Authorization": f"Bearer {ADMIN_KEY}"}
        deadline = time.monotonic() + 15
        while True:  # both workers' heartbeats reach Redis within a few seconds
            nodes = (await http.get("/v1/admin/nodes", headers=admin)).json()["nodes"]
            if len(nodes) == 2 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        assert len({n["node"] for n in nodes}) == 2
    async with VoiceClient.connect(f"{node.ws_url}/v1/voice", additional_headers=headers) as live:
        await live.start()
        node.signal(signal.SIGTERM)  # the parent passes it on to both workers
        stopped_at = time.monotonic()
        assert node.process is not None
        code = await asyncio.to_thread(node.process.wait, DRAIN_S + 15)
        # the held call outlived the drain time: it was ended, and the node exited
        assert code == 0 and DRAIN_S <= time.monotonic() - stopped_at < DRAIN_S + 15
        assert live.closed_code is not None or await _closed(live)


async def _closed(client: VoiceClient) -> bool:
    deadline = time.monotonic() + 5
    while client.closed_code is None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return client.closed_code is not None
