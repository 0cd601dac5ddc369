"""``GET /metrics``: the Prometheus exposition of :mod:`hark.runtime.metrics`."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from hark.runtime.metrics import REGISTRY
from hark.server.openapi_docs import text_response

router = APIRouter(tags=["health"])


@router.get(
    "/metrics",
    summary="Prometheus metrics",
    response_class=Response,
    responses=text_response(
        "The Prometheus text exposition format",
        "text/plain; version=0.0.4",
        '# TYPE hark_turns_total counter\nhark_turns_total{channel="http"} 12.0\n',
    ),
)
def metrics() -> Response:
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
