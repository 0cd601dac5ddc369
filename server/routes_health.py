"""Liveness and readiness, for load balancers and for people."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from hark import __version__

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str


@router.get("/healthz", response_model=Health, summary="Process is alive")
async def healthz() -> Health:
    return Health(status="ok", version=__version__)


@router.get("/readyz", summary="Database reachable; which engines are loaded, or why not")
async def readyz(request: Request) -> JSONResponse:
    services = getattr(request.app.state, "services", None)
    if services is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    database = {"ok": True, "detail": services.db.engine.url.get_backend_name()}
    try:
        await asyncio.to_thread(services.db.ping)
    except Exception as exc:
        database = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    body = {
        "status": "ready" if database["ok"] else "unavailable",
        "database": database,
        "engines": {name: status.to_dict() for name, status in services.engines.items()},
    }
    return JSONResponse(body, status_code=200 if database["ok"] else 503)
