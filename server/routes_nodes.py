"""``GET /v1/admin/nodes``: the nodes that share this deployment's Redis, and their load.

Operators (admin key only) see which nodes are up, how many live calls each
holds, and whether one is draining or full, without asking each node in turn.
Without ``HARK_REDIS_URL`` the answer is this process alone.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from hark.server.admission import load_of
from hark.server.auth import require_admin
from hark.server.node_registry import registry_for
from hark.server.schemas_ops import NodeList
from hark.server.shared_state import redis_errors

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin: nodes"],
    dependencies=[Depends(require_admin)],
    responses={401: {"description": "Missing or wrong admin key"}},
)


@router.get(
    "/nodes",
    summary="Nodes up, their load and live calls (from Redis)",
    response_model=None,
    responses={200: {"model": NodeList}, 503: {"description": "Redis unreachable"}},
)
async def nodes(request: Request) -> JSONResponse:
    registry = registry_for(request.app)
    if registry is None:
        here = {"node": None, "load": load_of(request.app).to_dict(), "seen_s_ago": 0.0}
        return JSONResponse({"shared": False, "this_node": None, "nodes": [here]})
    try:
        found = await asyncio.to_thread(registry.nodes)
    except redis_errors():
        return JSONResponse({"error": "state_unavailable", "detail": "Redis unreachable"}, 503)
    body: dict[str, Any] = {
        "shared": True,
        "this_node": registry.node_id,
        "nodes": [n.to_dict() for n in found],
    }
    return JSONResponse(body)
