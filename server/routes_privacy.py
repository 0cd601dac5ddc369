"""Admin endpoints for a customer's data rights and retention (``/v1/admin/privacy/...``).

The same three operations as ``hark privacy export|erase|purge``, for a shop's
back office; every one needs an admin key (``Depends(require_admin)``).
Handlers are plain ``def`` functions: FastAPI runs them in its thread pool.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from hark.privacy.caller_keys import CallerKeys
from hark.runtime.settings import MAX_DAYS
from hark.server.auth import require_admin
from hark.server.schemas_admin import CustomerExport
from hark.store.data_rights import (
    UnknownCustomer,
    erase_customer,
    export_customer,
    purge_conversations,
)

router = APIRouter(
    prefix="/v1/admin/privacy",
    tags=["admin: privacy"],
    dependencies=[Depends(require_admin)],
    responses={401: {"description": "Missing or wrong admin key"}},
)

CustomerId = Path(min_length=1, max_length=64, description="The shop's customer id.")


class Erased(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "customer_id": "C001",
                    "already_erased": False,
                    "conversations": 2,
                    "turns": 9,
                    "channel_links": 1,
                    "carts": 1,
                    "orders_kept": 3,
                    "returns_cleared": 0,
                    "summary": "erased C001: 2 conversations, 9 turns, 1 channel link, 1 cart",
                }
            ]
        }
    )
    customer_id: str
    already_erased: bool
    conversations: int
    turns: int
    channel_links: int
    carts: int
    orders_kept: int
    returns_cleared: int
    call_records: int = Field(description="Call and text records of the customer's number.")
    summary: str


class PurgeRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"older_than_days": 30}]})
    older_than_days: int | None = Field(
        None, ge=1, le=MAX_DAYS, description="Use this many days instead of HARK_RETENTION_DAYS."
    )


class Purged(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "cutoff": "2026-10-25T00:00:00",
                    "conversations": 1,
                    "turns": 3,
                    "carts": 0,
                    "summary": "purged 1 conversation (3 turns) idle since before 2026-10-25",
                }
            ]
        }
    )
    cutoff: str | None = Field(description="Conversations idle since before this were deleted.")
    conversations: int
    turns: int
    carts: int
    call_records: int = Field(description="Call and text records past the retention period.")
    summary: str


def _db(request: Request):
    return request.app.state.services.db


@router.get(
    "/customers/{customer_id}",
    response_model=None,
    responses={200: {"model": CustomerExport}, 404: {"description": "Unknown customer"}},
    summary="Export everything Hark holds about a customer",
)
def export(request: Request, customer_id: str = CustomerId) -> dict[str, Any]:
    """Profile, orders, returns, carts, channel links, conversations and their (redacted) turns."""
    try:
        return export_customer(_db(request), customer_id)
    except UnknownCustomer:
        raise HTTPException(404, "customer not found") from None


@router.post(
    "/customers/{customer_id}/erase",
    response_model=Erased,
    responses={404: {"description": "Unknown customer"}},
    summary="Erase a customer's personal data",
)
def erase(request: Request, customer_id: str = CustomerId) -> Erased:
    """Conversations, turns, channel links and carts deleted; name, phone and e-mail cleared;
    orders kept, tied to no one. Idempotent."""
    try:
        settings = request.app.state.settings
        report = erase_customer(_db(request), customer_id, CallerKeys.of(settings))
    except UnknownCustomer:
        raise HTTPException(404, "customer not found") from None
    return Erased(**report.to_dict(), summary=report.summary())


@router.post("/purge", response_model=Purged, summary="Purge conversations past retention")
def purge(request: Request, body: PurgeRequest | None = None) -> Purged:
    """Delete conversations idle for ``HARK_RETENTION_DAYS`` (or ``older_than_days``)."""
    days = body.older_than_days if body and body.older_than_days else None
    if days is None:
        days = request.app.state.settings.retention_days
    report = purge_conversations(_db(request), days)
    return Purged(**report.to_dict(), summary=report.summary())
