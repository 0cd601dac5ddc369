"""Every HTTP request gets an id (its log lines carry it, its response says it) and one
``hark.http`` log line with its route, status and time.

Plain ASGI rather than ``@app.middleware("http")`` (Starlette's ``BaseHTTPMiddleware``):
that one runs the rest of the app in a second task and streams each response through
a memory channel, which cost a typed turn more CPU than the log line itself. Here
the response passes straight through; the id header is added to its start, and the
line is logged once the start has been sent (what the time measures: until the
status and headers left, as before).
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hark.privacy.identifiers import is_safe_id
from hark.runtime.log_context import log_context
from hark.server.request_log import route_of

log = logging.getLogger("hark.http")

UNLOGGED = frozenset({"/healthz", "/readyz", "/metrics"})
"""Paths a balancer or a scraper asks every few seconds: no line each time."""


class RequestContextMiddleware:
    """The request id (the client's ``X-Request-Id`` when it is a valid id, else a new
    one) bound for every log line below, echoed in the response, and the request's line."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # A caller's own id is used only when it is a valid id (never free text, never a
        # card number): it is echoed and logged as it is.
        offered = _header(scope, b"x-request-id")
        request_id = offered if offered is not None and is_safe_id(offered) else _new_id()
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            if message["type"] != "http.response.start":
                await send(message)
                return
            MutableHeaders(scope=message)["x-request-id"] = request_id
            elapsed_ms = (time.perf_counter() - started) * 1000
            await send(message)
            if scope["path"] not in UNLOGGED:
                status = message["status"]
                route, ids = route_of(Request(scope))
                log.info(
                    "%s %s %s",
                    scope["method"],
                    route,
                    status,
                    extra={"status": status, "ms": round(elapsed_ms, 1), **ids},
                )

        with log_context(request_id=request_id):
            await self.app(scope, receive, send_with_id)


def _new_id() -> str:
    return uuid.uuid4().hex[:16]


def _header(scope: Scope, name: bytes) -> str | None:
    """The first value of header ``name`` (lower case), as Starlette decodes headers."""
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
