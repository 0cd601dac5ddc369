"""ASGI middleware in front of every route: CORS, authentication of ``/v1/``, body size.

Plain ASGI (not ``BaseHTTPMiddleware``) so the same code guards HTTP and the
voice WebSocket, and so a body can be refused while it is still arriving:
the size check counts bytes as the server reads them and answers ``413``
the moment the limit is passed (or at once, from ``Content-Length``),
without ever holding the whole body.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hark.runtime.settings import Settings
from hark.server.auth import Denied, Security, security_for

log = logging.getLogger("hark.auth")

API_PREFIX = "/v1/"
ADMIN_PREFIX = "/v1/admin/"


class SecurityMiddleware:
    """Authenticate every ``/v1/`` request (operators under ``/v1/admin/``) before any route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        security: Security = security_for(conn.app)
        try:
            principal = security.authenticate(conn, admin=scope["path"].startswith(ADMIN_PREFIX))
        except Denied as denied:
            log.warning(
                "request refused: %s",
                denied.code,
                extra={"status": denied.status, "path": scope["path"][:100]},
            )
            await deny(scope, receive, send, denied)
            return
        scope.setdefault("state", {})["principal"] = principal
        await self.app(scope, receive, send)


async def deny(scope: Scope, receive: Receive, send: Send, denied: Denied) -> None:
    """Refuse: an HTTP error with its status, or for a WebSocket a close before the
    handshake, which the server answers with ``403`` (no data is ever exchanged).

    (The denial-response extension could carry the 401 itself, but uvicorn's
    sans-I/O WebSocket server then logs an error for every refused socket.)
    """
    if scope["type"] == "http":
        response = JSONResponse(
            {"error": denied.code, "detail": denied.detail},
            status_code=denied.status,
            headers=denied.headers,
        )
        await response(scope, receive, send)
        return
    message = await receive()  # websocket.connect
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008, "reason": denied.code})


class PathGuardMiddleware:
    """``404`` for a path holding a NUL byte (``%00``), before any route sees it.

    No route, file or row is named with a NUL, and left to them it would make a
    file-system call or a PostgreSQL query raise (a ``500``). A WebSocket is closed
    before its handshake (1008), like any refused socket.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and "\x00" in scope["path"]:
            await deny(scope, receive, send, Denied(404, "not_found", "no such path"))
            return
        await self.app(scope, receive, send)


class BodyLimitMiddleware:
    """``413`` for a request body over ``limit`` bytes, decided without buffering it."""

    def __init__(self, app: ASGIApp, limit: int, exempt: Iterable[str] = ()) -> None:
        self.app = app
        self.limit = limit
        self.exempt = tuple(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.exempt):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.limit:
            await self._too_large(scope, receive, send)
            return
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    refused = True
                    if not started:
                        await self._too_large(scope, receive, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; the app's own answer goes nowhere
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {
                "error": "body_too_large",
                "detail": f"request bodies are limited to {self.limit} bytes",
            },
            status_code=413,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def install_guards(app, settings: Settings, *, own_body_limit: Iterable[str] = ("/alexa",)) -> None:
    """Add the guards to ``app`` (call before any other middleware, so they run inside the
    request-logging one and their refusals are logged with a request id).

    Order, outermost first: CORS (answers preflights) -> NUL paths -> authentication -> body
    size.
    Paths in ``own_body_limit`` read their bodies under their own limit (Alexa's is larger).
    """
    app.state.security = Security(settings)
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_body_bytes, exempt=own_body_limit)
    app.add_middleware(SecurityMiddleware)
    app.add_middleware(PathGuardMiddleware)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.allowed_origin_list),
        allow_methods=["GET", "POST"],
        allow_headers=["authorization", "content-type", "x-request-id"],
        expose_headers=["x-request-id", "retry-after"],
        max_age=600,
    )
