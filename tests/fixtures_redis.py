"""A real, throw-away Redis server for the tests that share state between nodes.

Why a real server: the used-ticket ledger relies on ``SET NX EX`` and the rate
limits on ``limits``' Lua scripts; a fake would agree with whatever we assumed.
The Debian ``redis-server`` package (``make test`` installs it) is started once
per test session in a temp folder, on a free loopback port and on a Unix socket
in that folder (which a process in another network namespace can still reach),
with nothing saved to disk, and stopped at the end. Each test gets an empty
database (fixture ``redis_url``).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cluster import stop_process
from support.ports import free_port

START_TIMEOUT_S = 10


@dataclass(frozen=True)
class RedisServer:
    """Where the session's Redis answers: TCP on loopback, and a Unix socket."""

    port: int
    unix_socket: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def unix_url(self) -> str:
        return f"unix://{self.unix_socket}?db=0"


def _start(root: Path) -> tuple[subprocess.Popen[bytes], RedisServer]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(
            "redis-server not found: run `make test` (it installs the Debian redis-server "
            "package), or apt-get install redis-server",
            pytrace=False,
        )
    for _attempt in range(3):  # another process may take the free port first
        server = RedisServer(free_port(), root / "redis.sock")
        process = subprocess.Popen(
            [
                binary, "--port", str(server.port), "--bind", "127.0.0.1",
                "--unixsocket", str(server.unix_socket), "--unixsocketperm", "700",
                "--save", "", "--appendonly", "no", "--dir", str(root),
                "--logfile", str(root / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(server.port):
                return process, server
            time.sleep(0.05)
        process.kill()
        process.wait()
    log = (root / "redis.log").read_text(errors="replace")[-2000:]
    pytest.fail(f"redis-server did not start:\n{log}", pytrace=False)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    root = Path(tempfile.mkdtemp(prefix="hark-redis-"))
    process, server = _start(root)
    try:
        yield server
    finally:
        stop_process(process)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, its database emptied: each test starts clean."""
    from redis import Redis

    client = Redis.from_url(redis_server.url)
    try:
        client.flushdb()
    finally:
        client.close()
    return redis_server.url
