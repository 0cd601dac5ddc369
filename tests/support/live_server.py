"""A real uvicorn server on loopback in a background thread: the suite's and the benches' one.

The socket is bound before the server starts (port 0: the OS picks a free one),
so the port is known at once and no other process can take it in between.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn


class LiveServer:
    """A real uvicorn server on 127.0.0.1 (or ``host``) in a background thread; https when
    ``ssl_certfile``/``ssl_keyfile`` are given."""

    def __init__(self, app: Any, host: str = "127.0.0.1", **config: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.host = host
        self.tls = bool(config.get("ssl_certfile"))
        self.port = self.sock.getsockname()[1]
        config.setdefault("log_config", None)
        config.setdefault("ws", "websockets-sansio")
        config.setdefault("lifespan", "on")
        self.server = uvicorn.Server(uvicorn.Config(app, **config))
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"{'wss' if self.tls else 'ws'}://{self.host}:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server for {self.url} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()
