"""Proactive notices for operators: order updates in, the ledger and consent out.

* ``PUT /v1/admin/orders/{order_id}``: an order as the shop's system has it now (the
  fields of ``orders.csv``); compared with the stored one, a change becomes events
  decided into notices (the same code as ``hark import-shop``).
* ``GET /v1/admin/notices``: the ledger (filter by customer and event) and outcomes by day.
* ``GET|POST /v1/admin/customers/{customer_id}/consent``: the consent ledger; recording
  when and how a customer agreed (or withdrew) on a channel, or opted out of all.

Admin key only (``Depends(require_admin)`` and the guard on ``/v1/admin/``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, BeforeValidator, Field

from hark.privacy.redact import redact
from hark.runtime.notice_rules import CHANNELS, EVENT_KINDS, parse_rules
from hark.server.auth import Admin, require_admin
from hark.server.openapi_docs import example
from hark.server.schemas_ops import Consent, NoticeLedger, OrderUpserted
from hark.store import consent
from hark.store import notice_outbox as outbox
from hark.store.db import Database
from hark.store.models import ORDER_STATUSES, Customer, Order, Product, order_status, utcnow
from hark.store.shop_import import upsert_order

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin: notices"],
    dependencies=[Depends(require_admin)],
    responses={401: {"description": "Missing or wrong admin key"}},
)

Id = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]
# "Out for delivery" and "out-for-delivery" are read as out_for_delivery, as in orders.csv.
Status = Annotated[
    Literal[ORDER_STATUSES],  # type: ignore[valid-type]
    BeforeValidator(lambda v: order_status(v) if isinstance(v, str) else v),
]
ConsentChannel = Literal["sms", "whatsapp", "call", "alexa", "email", "all"]


class OrderLineBody(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    quantity: int = Field(ge=1, le=2**31 - 1)


class OrderBody(BaseModel):
    """The fields of ``orders.csv``; ``lines`` (or one ``sku`` and ``quantity``) replace the
    order's lines, and may be left out for an order already stored."""

    model_config = example(
        customer_id="C002", status="delayed", placed_at="2026-11-20", eta="2026-12-12",
        lines=[{"sku": "AUD-3006", "quantity": 1}],
    )  # fmt: skip

    customer_id: str = Field(min_length=1, max_length=64)
    status: Status
    placed_at: dt.date
    eta: dt.date | None = None
    lines: list[OrderLineBody] | None = Field(None, max_length=500)
    sku: str | None = Field(None, min_length=1, max_length=64)
    quantity: int | None = Field(None, ge=1, le=2**31 - 1)


class ConsentBody(BaseModel):
    model_config = example(channel="sms", granted=True, how="checkout checkbox")
    channel: ConsentChannel = Field(description="A channel, or `all` (an opt-out / START).")
    granted: bool
    how: str = Field(
        "", max_length=300, description="How it was given, e.g. 'checkout checkbox' (redacted)."
    )
    at: dt.datetime | None = Field(None, description="When (default: now), UTC.")


def _db(request: Request) -> Database:
    return request.app.state.services.db


@router.put(
    "/orders/{order_id}",
    summary="Create or update one order; changes become notices",
    response_model=None,
    responses={200: {"model": OrderUpserted}, 404: {"description": "Unknown customer or product"}},
)
def put_order(request: Request, body: OrderBody, order_id: Id) -> dict[str, Any]:
    settings = request.app.state.settings
    with _db(request).session() as session:
        customer = session.get(Customer, body.customer_id)
        if customer is None:
            raise HTTPException(404, f"unknown customer {body.customer_id!r}")
        lines = [(line.sku, line.quantity) for line in body.lines or []]
        if body.sku is not None:
            lines.append((body.sku, body.quantity or 1))
        order = session.get(Order, order_id)
        if not lines:
            if order is None:
                raise HTTPException(422, "a new order needs lines (or sku and quantity)")
            lines = [(line.sku, line.quantity) for line in order.lines]
        wanted: dict[str, int] = {}
        for sku, quantity in lines:
            if session.get(Product, sku) is None:
                raise HTTPException(404, f"unknown product {sku!r}")
            wanted[sku] = wanted.get(sku, 0) + quantity
        head = {
            "customer_id": None if customer.erased_at is not None else customer.customer_id,
            "status": body.status,
            "placed_at": body.placed_at,
            "eta": body.eta,
        }
        notices = upsert_order(session, order_id, head, wanted, parse_rules(settings.notices))
        return {
            "order_id": order_id,
            "created": order is None,
            "notices": [outbox.as_dict(n) for n in notices],
        }


@router.get(
    "/notices",
    summary="The notice ledger and outcomes by day",
    response_model=None,
    responses={200: {"model": NoticeLedger}},
)
def list_notices(
    request: Request,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    event: Annotated[Literal[EVENT_KINDS] | None, Query()] = None,  # type: ignore[valid-type]
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    days: Annotated[int, Query(ge=1, le=366)] = 30,
) -> dict[str, Any]:
    with _db(request).session() as session:
        rows = outbox.list_notices(session, customer_id=customer_id, kind=event, limit=limit)
        return {
            "notices": [outbox.as_dict(n) for n in rows],
            "by_day": outbox.outcomes_by_day(session, days),
        }


@router.get(
    "/customers/{customer_id}/consent",
    summary="A customer's consent ledger",
    response_model=None,
    responses={200: {"model": Consent}, 404: {"description": "Unknown customer"}},
)
def get_consent(request: Request, customer_id: Id) -> dict[str, Any]:
    with _db(request).session() as session:
        customer = _customer(session, customer_id)
        return _consent_out(session, customer)


@router.post(
    "/customers/{customer_id}/consent",
    summary="Record consent given or withdrawn",
    response_model=None,
    responses={200: {"model": Consent}, 404: {"description": "Unknown customer"}},
)
def post_consent(
    request: Request, admin: Admin, body: ConsentBody, customer_id: Id
) -> dict[str, Any]:
    note = redact(body.how.replace("\x00", "")).text  # free text: redacted before storing
    at = body.at.astimezone(dt.UTC).replace(tzinfo=None) if body.at and body.at.tzinfo else body.at
    if at is not None and at > utcnow() + dt.timedelta(minutes=5):
        raise HTTPException(422, "consent can't be dated in the future")
    with _db(request).session() as session:
        customer = _customer(session, customer_id)
        consent.record(
            session,
            customer.customer_id,
            body.channel,
            body.granted,
            source="api",
            note=note,
            at=at,
        )
        if body.granted and body.channel in CHANNELS:
            listed = [c for c in (customer.contact_channels or "").split(";") if c]
            if body.channel not in listed:
                customer.contact_channels = ";".join([*listed, body.channel])
        return _consent_out(session, customer)


def _customer(session: Any, customer_id: str) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None or customer.erased_at is not None:
        raise HTTPException(404, "customer not found")
    return customer


def _consent_out(session: Any, customer: Customer) -> dict[str, Any]:
    view = consent.view(session, customer.customer_id)
    return {
        "customer_id": customer.customer_id,
        "channels": sorted(view.granted),
        "preference": [c for c in (customer.contact_channels or "").split(";") if c],
        "opted_out": view.stopped,
        "timezone": customer.timezone,
        "ledger": [
            {
                "channel": row.channel,
                "granted": row.granted,
                "at": row.at.isoformat(),
                "source": row.source,
                "how": row.note or None,
            }
            for row in consent.history(session, customer.customer_id)
        ],
    }
