"""deploy/nginx/hark.conf, the balancer of compose.yaml, run by the real nginx (Debian).

The config is used as written, except the two things that differ on one
machine: each node name points at a loopback port (a node double) and nginx
listens on a free loopback port. Through it: requests alternate between the
nodes, the browser's Host reaches them, the voice sockets (/v1/voice, which
the kiosk uses too, and /twilio/media) are upgraded, /metrics stays inside, and
a node whose /readyz says 503 is passed over and then left out.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from deploy_files import NGINX_CONF, loopback_conf, nginx_check, running_nginx, upstream_servers
from node_double import NodeDouble
from support.ports import free_port
from websockets.sync.client import connect

CONF = NGINX_CONF.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def balancer() -> Iterator[tuple[int, dict[str, NodeDouble]]]:
    names = [address.split(":")[0] for address in upstream_servers(CONF)]
    nodes = {name: NodeDouble(name).start() for name in names}
    port = free_port()
    site = loopback_conf(CONF, {n: node.port for n, node in nodes.items()}, port)
    try:
        with running_nginx(site):
            _wait_for(port)
            yield port, nodes
    finally:
        for node in nodes.values():
            node.stop()


def _wait_for(port: int) -> None:
    import socket
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("nginx did not start listening")


def get(port: int, path: str, host: str = "shop.example:8080") -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Host": host})
        response = conn.getresponse()
        body = response.read()
        return response.status, json.loads(body) if body.startswith(b"{") else {}
    finally:
        conn.close()


def test_nginx_accepts_the_config() -> None:
    result = nginx_check(loopback_conf(CONF, {"hark-1": 1, "hark-2": 2}, free_port()))
    assert result.returncode == 0, result.stderr


def test_voice_sockets_wait_an_hour_for_a_quiet_caller() -> None:
    for path in ("/v1/voice", "/twilio/media"):
        block = re.search(rf"location = {re.escape(path)} \{{(.*?)\}}", CONF, re.S)
        assert block is not None, path
        for name in ("proxy_read_timeout", "proxy_send_timeout"):
            found = re.search(rf"{name} (\d+)s;", block.group(1))
            assert found is not None and int(found.group(1)) >= 3600, (path, name)


def test_requests_alternate_between_nodes_with_the_browsers_host(
    balancer: tuple[int, dict[str, NodeDouble]],
) -> None:
    port, nodes = balancer
    answers = [get(port, "/v1/conversations") for _ in range(4)]
    assert [status for status, _ in answers] == [200] * 4
    order = [body["node"] for _, body in answers]
    assert set(order) == set(nodes) and order[0] != order[1] and order[:2] == order[2:]
    headers = answers[0][1]["headers"]
    assert headers["host"] == "shop.example:8080"
    assert headers["x-forwarded-for"] == "127.0.0.1" and "upgrade" not in headers


@pytest.mark.parametrize("path", ["/v1/voice?ticket=t0123456789", "/twilio/media"])
def test_voice_sockets_are_upgraded(balancer: tuple[int, dict[str, NodeDouble]], path: str) -> None:
    port, nodes = balancer
    reached = set()
    for _ in range(2):
        with connect(f"ws://127.0.0.1:{port}{path}", open_timeout=10) as socket:
            about = json.loads(socket.recv(timeout=10))
            socket.send("frame")
            assert socket.recv(timeout=10) == "frame"
        assert about["path"] == path.split("?")[0]
        assert about["query"] == path.partition("?")[2]
        reached.add(about["node"])
    assert reached == set(nodes), "each new socket goes to the next node"


def test_metrics_are_not_served_through_the_balancer(
    balancer: tuple[int, dict[str, NodeDouble]],
) -> None:
    port, nodes = balancer
    status, _ = get(port, "/metrics")
    assert status == 404
    assert not any("/metrics" in node.seen for node in nodes.values())


def test_a_busy_node_is_passed_over_then_left_out(
    balancer: tuple[int, dict[str, NodeDouble]],
) -> None:
    """Last in this module: the busy node stays marked down for nginx's fail_timeout."""
    port, nodes = balancer
    busy, free = list(nodes.values())
    busy.busy = True
    try:
        readiness = [get(port, "/readyz") for _ in range(4)]
        assert [(status, body["node"]) for status, body in readiness] == [(200, free.name)] * 4
        assert "/readyz" in busy.seen, "the busy node was asked, then passed over"
        before = len(busy.seen)
        later = [get(port, "/v1/conversations")[1]["node"] for _ in range(4)]
        assert later == [free.name] * 4 and len(busy.seen) == before
    finally:
        busy.busy = False
