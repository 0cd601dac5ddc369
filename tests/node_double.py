"""A stand-in for one ``hark serve`` node behind the balancer (a test double).

Why: the nginx config is tested with the real nginx, and what it must show is
where requests go (round-robin, WebSocket upgrades, the passive health that
follows a 503), not what Hark answers. Each double is a real uvicorn server on
a free loopback port that answers every request with its own name, so the
test sees which node a request reached and with which headers.
"""

from __future__ import annotations

import json
from typing import Any

from support.live_server import LiveServer


class NodeDouble:
    """``NodeDouble("hark-1").start()``; ``busy = True`` makes ``/readyz`` answer 503
    as a full or draining node does; ``seen`` lists the paths that reached it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.busy = False
        self.seen: list[str] = []
        self._server = LiveServer(self, log_level="warning", lifespan="off")
        self.port = self._server.port

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        headers = {k.decode(): v.decode() for k, v in scope.get("headers", [])}
        about = {"node": self.name, "path": scope["path"], "headers": headers}
        about["query"] = scope.get("query_string", b"").decode()
        self.seen.append(scope["path"])
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.send", "text": json.dumps(about)})
            message = await receive()
            if message["type"] == "websocket.receive":
                await send({"type": "websocket.send", "text": message.get("text") or ""})
                await send({"type": "websocket.close", "code": 1000})
            return
        status = 503 if self.busy and scope["path"] == "/readyz" else 200
        body = json.dumps({**about, "status": "busy" if status == 503 else "ready"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def start(self) -> NodeDouble:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()
