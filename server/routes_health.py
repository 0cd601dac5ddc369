"""Liveness and readiness, for load balancers and for people.

Both answer without a key, so they report states (reachable, loaded, and the
command that fixes a missing model), never paths, URLs or exception text.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from hark import __version__
from hark.server.admission import admission_for, load_of

log = logging.getLogger("hark.http")

router = APIRouter(tags=["health"])


class Health(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ok", "version": "0.1.0"}]}
    )
    status: str
    version: str


class DatabaseState(BaseModel):
    ok: bool
    detail: str = Field(description="The backend (sqlite, postgresql), or why it is unreachable.")


class EngineState(BaseModel):
    loaded: bool
    detail: str = Field(description="What is loaded, or the command that fetches the model.")
    download: dict[str, Any] | None = Field(None, description="A background download's progress.")


class NodeLoad(BaseModel):
    """What this process carries now (admission and drain, docs/scaling.md)."""

    voice_sessions: int
    media_streams: int
    max_voice_sessions: int = Field(description="HARK_MAX_VOICE_SESSIONS; 0: no limit.")
    draining: bool


class Readiness(BaseModel):
    """What ``/readyz`` answers, 200 when ready and 503 when not (the same shape)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ready",
                    "database": {"ok": True, "detail": "sqlite"},
                    "engines": {
                        "asr": {"loaded": True, "detail": "whisper base"},
                        "tts": {"loaded": False, "detail": "hark models download piper"},
                    },
                    "load": {
                        "voice_sessions": 1,
                        "media_streams": 0,
                        "max_voice_sessions": 8,
                        "draining": False,
                    },
                }
            ]
        }
    )
    status: str = Field(description="ready, unavailable, starting, busy or draining.")
    database: DatabaseState | None = None
    engines: dict[str, EngineState] = Field({}, description="By engine: asr, tts, llm.")
    load: NodeLoad | None = None


@router.get("/healthz", response_model=Health, summary="Process is alive")
async def healthz() -> Health:
    return Health(status="ok", version=__version__)


@router.get(
    "/readyz",
    summary="Database reachable, room for a new session (503 busy / draining otherwise); "
    "which engines are loaded, or why not",
    response_model=None,
    responses={
        200: {"model": Readiness},
        503: {
            "model": Readiness,
            "description": "Starting, the database is unreachable, the node is full (busy) "
            "or draining",
        },
    },
)
async def readyz(request: Request) -> JSONResponse:
    services = getattr(request.app.state, "services", None)
    if services is None:
        return JSONResponse({"status": "starting"}, status_code=503)
    database = {"ok": True, "detail": services.db.engine.url.get_backend_name()}
    try:
        await asyncio.to_thread(services.db.ping)
    except Exception as exc:  # the message may name a path or host: the log has it, not this
        log.warning("database ping failed: %s", exc)
        database = {"ok": False, "detail": f"unreachable ({type(exc).__name__})"}
    load = load_of(request.app)
    # A balancer sends new sessions only where /readyz says 200: not to a node that is
    # shutting down, nor to one whose voice sessions are at HARK_MAX_VOICE_SESSIONS.
    refusal = admission_for(request.app).refusal(load)
    status = "unavailable" if not database["ok"] else refusal or "ready"
    body = {
        "status": status,
        "database": database,
        "engines": {name: status.to_dict() for name, status in services.engines.items()},
        "load": load.to_dict(),
    }
    return JSONResponse(body, status_code=200 if status == "ready" else 503)
