"""Two Hark nodes behind a real balancer: any node continues any conversation.

Real parts only: PostgreSQL and Redis (Debian packages, started by the suite),
two ``hark serve`` processes with the same settings (each in its own network
namespace where the machine allows, see ``tests/cluster.py``), and nginx
balancing them round-robin with WebSocket upgrade. Every request below goes
through nginx unless it must reach one node on purpose (to fill it, or to see
that a draining node refuses). The nodes are started once for the module; the
tests that kill or stop a node come last.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets
from cluster import UPSTREAM_HEADER, Balancer, Node, make_hosts
from fixtures_pg import PostgresServer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support.ports import free_port
from voice_client import VoiceClient

pytestmark = pytest.mark.postgres

KEY = "cluster-test-api-key-0000000001"
OTHER_KEY = "cluster-test-api-key-0000000002"
ADMIN_KEY = "cluster-test-admin-key-00000001"
SECRET = "cluster-test-shared-secret-key-0123456789abcdef"
RATE = 40  # per minute, per key and per address
DRAIN_S = 30
DATABASE = "hark_nodes_test"
AUTH = {"Authorization": f"Bearer {KEY}"}
REDIS_DB = 7  # the tests' own Redis database, apart from the other tests' (0)


class Cluster:
    """The nodes, the balancer, and a client that goes through it."""

    def __init__(self, nodes: list[Node], balancer: Balancer, hosts_kind: str, redis_url: str):
        self.nodes = nodes
        self.balancer = balancer
        self.hosts_kind = hosts_kind
        self.redis_url = redis_url
        self.http = httpx.Client(base_url=balancer.url, timeout=30)

    def call(self, method: str, path: str, key: str = KEY, **kwargs) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"}
        return self.http.request(method, path, headers=headers, **kwargs)

    def node_of(self, response: httpx.Response | websockets.Response) -> Node:
        # nginx lists every upstream it tried ("a, b") when the first failed: the last answered
        served = response.headers[UPSTREAM_HEADER].split(",")[-1].strip()
        return next(n for n in self.nodes if n.upstream == served)

    def start_conversation(self) -> str:
        response = self.call("POST", "/v1/conversations", json={"channel": "web"})
        assert response.status_code == 201, response.text
        return response.json()["conversation_id"]

    def turn(self, conversation_id: str, said: str) -> httpx.Response:
        response = self.call(
            "POST", f"/v1/conversations/{conversation_id}/turns", json={"text": said}
        )
        assert response.status_code == 200, response.text
        return response

    def forget_rate_counts(self) -> None:
        from redis import Redis

        client = Redis.from_url(self.redis_url)
        try:
            keys = list(client.scan_iter(match="hark:limits*"))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


def _quantity(response: httpx.Response) -> int:
    lines = response.json()["cart"]["lines"]
    assert len(lines) == 1, lines
    return int(lines[0]["quantity"])


async def _refused_as_busy(node: Node) -> None:
    """A new voice socket straight to ``node`` gets ``server_busy`` and close code 1013."""
    async with websockets.connect(f"{node.ws_url}/v1/voice", additional_headers=AUTH) as ws:
        assert json.loads(await ws.recv())["code"] == "server_busy"
        await ws.wait_closed()
        assert ws.close_code == 1013


def _database_url(server: PostgresServer | None, base_url: str, via_socket: bool) -> str:
    """A database of its own for this module (dropped first if a run left it behind)."""
    admin = create_engine(base_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {DATABASE}"))
    finally:
        admin.dispose()
    url = make_url(base_url).set(database=DATABASE)
    if via_socket and server is not None:  # a node in its own namespace can't reach loopback
        url = url.set(host="", query={"host": str(server.root)})
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def cluster(
    postgres_server: PostgresServer | None,
    postgres_server_url: str,
    redis_server,
    tiny_piper_voice: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("cluster")
    # An external PostgreSQL (HARK_TEST_POSTGRES_URL) may be reachable from loopback only.
    hosts, kind = make_hosts(2, namespaces=postgres_server is not None)
    via_socket = kind == "network namespaces"
    redis_url = (
        f"unix://{redis_server.unix_socket}?db={REDIS_DB}"
        if via_socket
        else f"redis://127.0.0.1:{redis_server.port}/{REDIS_DB}"
    )
    from redis import Redis

    with Redis.from_url(f"redis://127.0.0.1:{redis_server.port}/{REDIS_DB}") as client:
        client.flushdb()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARK_")}
    env.update(
        HARK_DATABASE_URL=_database_url(postgres_server, postgres_server_url, via_socket),
        HARK_REDIS_URL=redis_url,
        HARK_SECRET_KEY=SECRET,
        HARK_API_KEYS=f"{KEY},{OTHER_KEY}",
        HARK_ADMIN_KEYS=ADMIN_KEY,
        HARK_RATE_LIMIT=f"{RATE}/minute",
        HARK_MAX_VOICE_SESSIONS="1",
        HARK_DRAIN_S=str(DRAIN_S),
        HARK_TODAY="2026-11-24",
        HARK_LOG_FORMAT="json",
        HARK_MODELS_AUTO_DOWNLOAD="false",
        HARK_ASR_MODEL=str(root / "no-speech-recognition"),  # off: text turns only
        HARK_TTS_VOICE=str(tiny_piper_voice),
        HARK_HF_ENDPOINT="http://127.0.0.1:9",
        HARK_PACKAGE_INDEX_URL="http://127.0.0.1:9/simple/",
    )
    nodes = [
        Node(f"node{i}", host, env, root, port=free_port() if not host.netns else 8080)
        for i, host in enumerate(hosts)
    ]
    balancer = Balancer(root / "nginx", [n.upstream for n in nodes])
    try:
        for node in nodes:  # one after the other: the first migrates and loads the shop
            node.start()
            node.wait_ready()
        balancer.start()
        cluster = Cluster(
            nodes, balancer, kind, f"redis://127.0.0.1:{redis_server.port}/{REDIS_DB}"
        )
        with cluster.http:
            yield cluster
    finally:
        balancer.stop()
        for node in nodes:
            node.stop()
        for host in hosts:
            host.remove()


def test_a_conversation_alternating_between_nodes_keeps_its_cart(cluster: Cluster) -> None:
    conversation_id = cluster.start_conversation()
    served = []
    for said in ("something to keep coffee hot", "add it to my cart", "add another one"):
        served.append(cluster.node_of(response := cluster.turn(conversation_id, said)))
    assert _quantity(response) == 2
    response = cluster.turn(conversation_id, "what's in my cart")
    served.append(cluster.node_of(response))
    assert _quantity(response) == 2 and "Thermos" in response.json()["reply"]
    assert {n.name for n in served} == {"node0", "node1"}, "round-robin sends turns to both"
    transcript = cluster.call("GET", f"/v1/conversations/{conversation_id}").json()
    assert len(transcript["turns"]) == 1 + 2 * 4  # greeting, then every turn on either node


async def test_a_ticket_from_one_node_opens_the_socket_on_the_other_once(cluster: Cluster) -> None:
    for _attempt in range(4):  # until the socket lands on the node that did not mint it
        minted = await asyncio.to_thread(cluster.call, "POST", "/v1/voice/tickets")
        assert minted.status_code == 201, minted.text
        ticket = minted.json()["ticket"]
        url = f"{cluster.balancer.ws_url}/v1/voice?ticket={ticket}"
        async with websockets.connect(url, max_size=None) as ws:
            opened_on = cluster.node_of(ws.response)
            await ws.send(
                json.dumps({"type": "start", "sample_rate": 16000, "encoding": "pcm_s16le"})
            )
            ready = json.loads(await ws.recv())
            assert ready["type"] == "ready"
            await ws.send(json.dumps({"type": "stop"}))
        if opened_on is not cluster.node_of(minted):
            break
    else:
        pytest.fail("the balancer never sent the socket to the other node")
    refused_on = set()
    for _replay in range(2):  # round-robin: one replay on each node
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(url):
                pass
        assert refused.value.response.status_code == 403
        refused_on.add(cluster.node_of(refused.value.response).name)
    assert refused_on == {"node0", "node1"}


async def test_two_simultaneous_turns_of_one_conversation_on_two_nodes_both_count(
    cluster: Cluster,
) -> None:
    conversation_id = cluster.start_conversation()
    cluster.turn(conversation_id, "something to keep coffee hot")
    assert _quantity(cluster.turn(conversation_id, "add it to my cart")) == 1
    path = f"/v1/conversations/{conversation_id}/turns"
    rounds = 3
    async with (
        httpx.AsyncClient(base_url=cluster.balancer.url, timeout=30, headers=AUTH) as one,
        httpx.AsyncClient(base_url=cluster.balancer.url, timeout=30, headers=AUTH) as two,
    ):
        for _ in range(rounds):
            answers = await asyncio.gather(
                one.post(path, json={"text": "add another one"}),
                two.post(path, json={"text": "add another one"}),
            )
            assert [a.status_code for a in answers] == [200, 200]
            assert {cluster.node_of(a).name for a in answers} == {"node0", "node1"}
    final = cluster.turn(conversation_id, "what's in my cart")
    assert _quantity(final) == 1 + 2 * rounds


def test_the_per_key_rate_limit_holds_for_the_sum_of_both_nodes(cluster: Cluster) -> None:
    cluster.forget_rate_counts()  # the address's count starts fresh too (every request is nginx's)
    try:
        answers = [
            cluster.call("POST", "/v1/voice/tickets", key=OTHER_KEY) for _ in range(RATE + 10)
        ]
        codes = [a.status_code for a in answers]
        assert codes.count(201) == RATE and codes.count(429) == 10, codes
        assert codes[:RATE] == [201] * RATE
        served = {cluster.node_of(a).name for a in answers[:RATE]}
        assert served == {"node0", "node1"}
        assert int(answers[-1].headers["retry-after"]) >= 1
    finally:
        cluster.forget_rate_counts()


async def test_a_full_node_answers_busy_and_the_next_session_goes_to_the_other(
    cluster: Cluster,
) -> None:
    full = cluster.nodes[0]
    async with VoiceClient.connect(f"{full.ws_url}/v1/voice", additional_headers=AUTH) as held:
        await held.start()
        ready = httpx.get(f"{full.url}/readyz", timeout=5)
        assert ready.status_code == 503 and ready.json()["status"] == "busy"
        assert ready.json()["load"]["voice_sessions"] == 1
        await _refused_as_busy(full)
        nodes = cluster.call("GET", "/v1/admin/nodes", key=ADMIN_KEY).json()
        calls = {n["node"].split(":")[1]: n["calls"] for n in nodes["nodes"]}  # by process id
        assert full.process is not None and calls[str(full.process.pid)] == 1
        assert sorted(calls.values()) == [0, 1]
        # A client that is refused opens its next socket through the balancer: it gets a place.
        url = f"{cluster.balancer.ws_url}/v1/voice"
        for _attempt in range(2):
            async with VoiceClient.connect(url, additional_headers=AUTH) as client:
                if cluster.node_of(client.ws.response) is not full:
                    assert (await client.start())["type"] == "ready"
                    break
        else:
            pytest.fail("no session reached the node with room")
        await held.send_json({"type": "stop"})


def test_a_node_killed_mid_conversation_loses_nothing_acknowledged(cluster: Cluster) -> None:
    conversation_id = cluster.start_conversation()
    cluster.turn(conversation_id, "something to keep coffee hot")
    acknowledged = 0
    victim = cluster.nodes[1]
    for said in ("add it to my cart", "add another one"):
        response = cluster.turn(conversation_id, said)
        acknowledged += 1
    assert _quantity(response) == acknowledged
    victim.signal(signal.SIGKILL)
    assert victim.process is not None and victim.process.wait(timeout=10) == -signal.SIGKILL
    for _ in range(3):  # nginx finds the dead node refusing and takes the live one
        response = cluster.turn(conversation_id, "add another one")
        assert cluster.node_of(response) is cluster.nodes[0]
        acknowledged += 1
        assert _quantity(response) == acknowledged
    victim.start()  # a new process where the dead one was: it continues the conversation too
    victim.wait_ready()
    deadline = time.monotonic() + 10
    while True:
        response = cluster.turn(conversation_id, "what's in my cart")
        if cluster.node_of(response) is victim or time.monotonic() > deadline:
            break
    assert cluster.node_of(response) is victim and _quantity(response) == acknowledged


async def test_a_node_told_to_stop_finishes_its_live_call_refuses_new_ones_then_exits(
    cluster: Cluster,
) -> None:
    node = cluster.nodes[0]
    async with VoiceClient.connect(f"{node.ws_url}/v1/voice", additional_headers=AUTH) as live:
        await live.start()
        await live.wait_for("audio_end")  # the greeting, played
        mark = len(live.received)
        await live.send_json({"type": "text", "text": "something to keep coffee hot"})
        node.signal(signal.SIGTERM)  # while that reply is being made
        stopped_at = time.monotonic()
        reply = await live.wait_for("reply", since=mark, timeout=20)
        assert "Thermos" in reply.event["text"]
        await live.wait_for("audio_end", since=mark, timeout=20)  # the whole reply was played
        ready = await asyncio.to_thread(httpx.get, f"{node.url}/readyz", timeout=5)
        assert ready.status_code == 503 and ready.json()["status"] == "draining"
        await _refused_as_busy(node)
        # the live call goes on while the node drains: another turn, answered in full
        mark = len(live.received)
        await live.send_json({"type": "text", "text": "add it to my cart"})
        assert (await live.wait_for("reply", since=mark, timeout=20)).event["cart"]
        await live.wait_for("audio_end", since=mark, timeout=20)
        assert node.process is not None and node.process.poll() is None
        await live.send_json({"type": "stop"})
    code = await asyncio.to_thread(node.process.wait, DRAIN_S)
    assert code == 0 and time.monotonic() - stopped_at < DRAIN_S
    # the other node carries on through the balancer
    assert cluster.node_of(cluster.call("GET", "/readyz")) is cluster.nodes[1]
