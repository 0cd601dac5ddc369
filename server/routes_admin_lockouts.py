"""Identity lockouts on the handoff desk (``/v1/admin/lockouts``): list, and clear after helping.

A customer or order number past ``HARK_VERIFY_LOCKOUT`` gets no self-service
in any conversation; staff see it here (and on the ``/admin/handoffs`` page),
and once a person has helped the caller, clearing it forgets its failures.
Admin key only. The page and the API go through the same functions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from hark.runtime.settings import Settings
from hark.server.auth import Admin, require_admin
from hark.server.openapi_docs import example
from hark.server.schemas_ops import LockoutCleared, LockoutList
from hark.store import verify_attempts
from hark.store.db import Database

router = APIRouter(
    prefix="/v1/admin/lockouts",
    tags=["admin: handoffs"],
    dependencies=[Depends(require_admin)],
    responses={401: {"description": "Missing or wrong admin key"}},
)

Subject = Literal["customer", "order"]


class ClearBody(BaseModel):
    model_config = example(subject="customer", key="C002")
    subject: Subject = Field(description="What is locked out: a customer or an order number.")
    key: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_.:-]+$")] = Field(
        description="The customer id or the order number as the lockout lists it."
    )


def list_lockouts(db: Database, settings: Settings) -> list[dict[str, Any]]:
    allowed, window_s = settings.verify_lockout_window
    with db.session() as session:
        return [
            {
                "subject": lockout.subject,
                "key": lockout.key,
                "failures": lockout.failures,
                "until": lockout.until.isoformat(timespec="seconds") + "Z",
            }
            for lockout in verify_attempts.active(session, allowed, window_s)
        ]


def clear_one(db: Database, subject: str, key: str) -> int:
    if subject not in ("customer", "order"):
        raise HTTPException(422, "subject must be customer or order")
    with db.session() as session:
        cleared = verify_attempts.clear(session, subject, key)
    if not cleared:
        raise HTTPException(404, "no failures recorded for that")
    return cleared


def _services(request: Request) -> Any:
    return request.app.state.services


@router.get(
    "",
    summary="Customers and order numbers locked out of self-service now",
    response_model=None,
    responses={200: {"model": LockoutList}},
)
def lockouts(request: Request) -> dict[str, Any]:
    services = _services(request)
    return {"lockouts": list_lockouts(services.db, services.settings)}


@router.post(
    "/clear",
    summary="Forget the failed identity checks of a customer or order number",
    response_model=None,
    responses={200: {"model": LockoutCleared}, 404: {"description": "Nothing recorded for it"}},
)
def clear(request: Request, admin: Admin, body: ClearBody) -> dict[str, Any]:
    """A person helped the caller: self-service opens again for them."""
    cleared = clear_one(_services(request).db, body.subject, body.key)
    return {"cleared": cleared, "by": admin.owner}
