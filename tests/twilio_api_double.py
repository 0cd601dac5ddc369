"""TEST DOUBLE of Twilio's REST API for outbound notices: Messages and Calls.

A real HTTP server on loopback (``HARK_TWILIO_API_BASE_URL`` points at it)
that records every request (path, form, HTTP Basic user) and answers as
Twilio does: ``POST .../Messages.json`` -> a message ``SM...`` sid,
``POST .../Calls.json`` -> a call ``CA...`` sid, ``POST .../Calls/{sid}.json``
-> the updated call. ``fail`` makes every request a 500 with Twilio's error body.
"""

from __future__ import annotations

import base64
import threading
import uuid
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


class TwilioApiDouble:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.fail = False
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/{path:path}", self._handle, methods=["POST", "GET"])])

    def messages(self) -> list[dict[str, str]]:
        return [r["form"] for r in self.requests if r["path"].endswith("/Messages.json")]

    def calls(self) -> list[dict[str, str]]:
        return [r["form"] for r in self.requests if r["path"].endswith("/Calls.json")]

    def updates(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if "/Calls/" in r["path"]]

    async def _handle(self, request: Request) -> JSONResponse:
        body = (await request.body()).decode()
        auth = request.headers.get("authorization", "")
        user = ""
        if auth.startswith("Basic "):
            user = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
        record = {
            "path": request.url.path,
            "form": dict(parse_qsl(body, keep_blank_values=True)),
            "user": user,
        }
        with self._lock:
            self.requests.append(record)
        if self.fail:
            return JSONResponse(
                {"code": 20500, "message": "simulated outage", "status": 500}, status_code=500
            )
        path = request.url.path
        if path.endswith("/Messages.json"):
            return JSONResponse({"sid": "SM" + uuid.uuid4().hex, "status": "queued"}, 201)
        if path.endswith("/Calls.json"):
            return JSONResponse({"sid": "CA" + uuid.uuid4().hex, "status": "queued"}, 201)
        call_sid = path.rsplit("/", 1)[-1].removesuffix(".json")
        return JSONResponse({"sid": call_sid, "status": "in-progress"})
