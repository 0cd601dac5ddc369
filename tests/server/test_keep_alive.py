"""Idle keep-alive connections outlive the balancer's (``HARK_KEEP_ALIVE_S``).

A node that closes an idle connection while the balancer (or any client pool)
sends the next request on it drops that request: nginx does not retry a POST,
so a caller's turn fails. uvicorn closed idle connections after 5 s; nginx keeps
its upstream ones 60 s. The bench that measured typed turns lost a request this
way (``httpx.ReadError``) when its client was slow to reuse a connection.
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

from support.live_server import LiveServer

from hark.runtime.settings import Settings, load_settings
from hark.server.serving import uvicorn_options

ROOT = Path(__file__).resolve().parents[2]
NGINX_UPSTREAM_DEFAULT_S = 60  # nginx's keepalive_timeout for upstream connections


async def hello(scope, receive, send) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def _request(sock: socket.socket) -> bytes:
    """One whole response: its headers and its body (a length, or chunks up to the last),
    however the server's writes were split into segments."""
    sock.sendall(b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
    data = b""
    while True:
        piece = sock.recv(4096)
        if not piece:
            return data
        data += piece
        head, _, body = data.partition(b"\r\n\r\n")
        if not _:
            continue
        length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        if length and len(body) >= int(length.group(1)):
            return data
        if not length and body.endswith(b"0\r\n\r\n"):
            return data


def test_an_idle_connection_stays_open_for_the_setting_then_closes(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, keep_alive_s=2)
    server = LiveServer(hello, **uvicorn_options(settings)).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            assert _request(sock).startswith(b"HTTP/1.1 200")
            time.sleep(1.0)  # idle, but less than the setting: still served
            assert _request(sock).startswith(b"HTTP/1.1 200")
            time.sleep(3.0)  # idle longer than the setting: the server has closed it
            assert sock.recv(4096) == b""
    finally:
        server.stop()


def test_the_default_outlives_the_shipped_balancer() -> None:
    default = Settings.model_fields["keep_alive_s"].default
    conf = (ROOT / "deploy" / "nginx" / "hark.conf").read_text()
    upstream = [int(s) for s in re.findall(r"keepalive_timeout\s+(\d+)s?;", conf)]
    assert all(default > seconds for seconds in upstream or [NGINX_UPSTREAM_DEFAULT_S])
