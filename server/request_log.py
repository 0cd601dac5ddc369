"""What a request's log line says about where it went: the route, never the raw path.

A path carries whatever the client put in it ("/v1/conversations/4111111111111111/turns"),
so the log line names the route's template ("/v1/conversations/{conversation_id}/turns")
and adds each path parameter as a structured field, which the redacting log filter
validates: a valid id is logged exactly, anything else as ``[invalid id]``. A path no
route matched is logged as ``[no route]``.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

NO_ROUTE = "[no route]"


def route_of(request: Request) -> tuple[str, dict[str, Any]]:
    """The matched route's path template and its path parameters (ids to validate)."""
    route = request.scope.get("route")
    template = getattr(route, "path", None)
    if not isinstance(template, str):
        return NO_ROUTE, {}
    params = request.scope.get("path_params") or {}
    ids = {_as_id_field(name): value for name, value in params.items()}
    return template, ids


def _as_id_field(name: str) -> str:
    """Path parameters are ids: name them so the log filter validates them as ids."""
    return name if name == "id" or name.endswith("_id") else f"{name}_id"
