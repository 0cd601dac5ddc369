"""The handoff desk as JSON (``/v1/admin/handoffs``): list, read, claim, resolve.

Admin key only (``Depends(require_admin)``, and the guard on ``/v1/admin/``).
The ``/admin`` pages do the same through :mod:`hark.server.admin.pages`; both
go through these functions, so a page and the API can't disagree.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, Field

from hark.privacy.redact import redact
from hark.server.auth import Admin, require_admin
from hark.server.schemas_admin import Handoff, HandoffList
from hark.store import handoffs as rows
from hark.store.db import Database

router = APIRouter(
    prefix="/v1/admin/handoffs",
    tags=["admin: handoffs"],
    dependencies=[Depends(require_admin)],
    responses={401: {"description": "Missing or wrong admin key"}},
)

HandoffId = Path(min_length=1, max_length=32, description="The handoff's id.")
Status = Literal["open", "claimed", "resolved"]


class ResolveBody(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{"note": "Refunded the order by phone."}]}}
    note: str = Field("", max_length=1000, description="What was done (redacted before storing).")


def list_desk(db: Database, status: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    with db.session() as session:
        return [rows.as_dict(h) for h in rows.list_handoffs(session, status=status, limit=limit)]


def read_one(db: Database, handoff_id: str) -> dict[str, Any]:
    with db.session() as session:
        try:
            row = rows.get(session, handoff_id)
        except rows.HandoffNotFound:
            raise HTTPException(404, "handoff not found") from None
        return rows.as_dict(row, transcript=rows.transcript(session, row.conversation_id))


def claim_one(db: Database, handoff_id: str, by: str) -> dict[str, Any]:
    with db.session() as session:
        try:
            return rows.as_dict(rows.claim(session, handoff_id, by))
        except rows.HandoffNotFound:
            raise HTTPException(404, "handoff not found") from None
        except rows.HandoffConflict as exc:
            raise HTTPException(409, str(exc)) from None


def resolve_one(db: Database, handoff_id: str, by: str, note: str) -> dict[str, Any]:
    clean = redact(note.replace("\x00", "")).text  # free text: redacted before it is stored
    with db.session() as session:
        try:
            return rows.as_dict(rows.resolve(session, handoff_id, by, clean))
        except rows.HandoffNotFound:
            raise HTTPException(404, "handoff not found") from None
        except rows.HandoffConflict as exc:
            raise HTTPException(409, str(exc)) from None


def _db(request: Request) -> Database:
    return request.app.state.services.db


@router.get(
    "", summary="Handoffs, open first", response_model=None, responses={200: {"model": HandoffList}}
)
def list_handoffs(
    request: Request,
    status: Annotated[Status | None, Query(description="Only handoffs in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> dict[str, Any]:
    """Open handoffs (longest waiting first), then claimed, then the latest resolved."""
    return {"handoffs": list_desk(_db(request), status, limit)}


@router.get(
    "/{handoff_id}",
    summary="One handoff with its redacted transcript",
    response_model=None,
    responses={200: {"model": Handoff}, 404: {"description": "Unknown handoff"}},
)
def get_handoff(request: Request, handoff_id: str = HandoffId) -> dict[str, Any]:
    return read_one(_db(request), handoff_id)


@router.post(
    "/{handoff_id}/claim",
    summary="Take an open handoff",
    response_model=None,
    responses={
        200: {"model": Handoff},
        404: {"description": "Unknown handoff"},
        409: {"description": "Not open"},
    },
)
def claim(request: Request, admin: Admin, handoff_id: str = HandoffId) -> dict[str, Any]:
    """``open`` -> ``claimed`` by the caller's admin identity; 409 if someone else has it."""
    return claim_one(_db(request), handoff_id, admin.owner)


@router.post(
    "/{handoff_id}/resolve",
    summary="Close a handoff",
    response_model=None,
    responses={
        200: {"model": Handoff},
        404: {"description": "Unknown handoff"},
        409: {"description": "Already resolved"},
    },
)
def resolve(
    request: Request, admin: Admin, body: ResolveBody | None = None, handoff_id: str = HandoffId
) -> dict[str, Any]:
    """``open`` or ``claimed`` -> ``resolved``, with an optional note (stored redacted)."""
    return resolve_one(_db(request), handoff_id, admin.owner, body.note if body else "")
