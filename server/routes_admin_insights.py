"""Analytics, conversations, the review queue and retraining as JSON under ``/v1/admin/``.

Admin key only. The ``/admin`` pages call the same helpers in this module, so
the figures on a page and in the API are one computation.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from hark.dialogue.nlu import INTENTS, nlu_for
from hark.dialogue.nlu_training import Trainer, latest_model
from hark.privacy.identifiers import is_channel
from hark.server.auth import Admin, require_admin
from hark.server.schemas_admin import (
    Analytics,
    ConversationExport,
    ConversationList,
    LabelledExample,
    ReviewQueue,
    TrainingReport,
)
from hark.shop import knowledge as shop_knowledge
from hark.store import conversation_search as search
from hark.store import review
from hark.store.analytics import analytics
from hark.store.db import Database
from hark.store.models import NluExample

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin: insights"],
    dependencies=[Depends(require_admin)],
    responses={401: {"description": "Missing or wrong admin key"}},
)

DEFAULT_DAYS = 7
MAX_DAYS = 366
FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(9998, 12, 31)  # date arithmetic stays in range
TurnId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A caller turn's id.")]
"""A turn id in a path: a 32-bit row id, so a huge number is a 422, never a database error."""


def period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The asked period, or the last :data:`DEFAULT_DAYS` days; 422 when it makes no sense."""
    for day in (start, end):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise HTTPException(422, f"dates are between {FIRST_DAY} and {LAST_DAY}")
    end = end or dt.datetime.now(dt.UTC).date()
    start = start or max(FIRST_DAY, end - dt.timedelta(days=DEFAULT_DAYS - 1))
    if start > end:
        raise HTTPException(422, "'from' must not be after 'to'")
    if (end - start).days >= MAX_DAYS:
        raise HTTPException(422, f"a period is at most {MAX_DAYS} days")
    return start, end


def channel_name(channel: str | None) -> str | None:
    if channel in (None, "", "all"):
        return None
    if not is_channel(channel):
        raise HTTPException(422, "channel must be a channel name (e.g. phone, alexa, voice)")
    return channel


def intent_name(intent: str | None) -> str | None:
    if intent in (None, ""):
        return None
    if intent not in INTENTS and intent not in ("greet", "human_agent"):
        raise HTTPException(422, f"unknown intent {intent[:40]!r}")
    return intent


def compute_analytics(
    db: Database, start: dt.date, end: dt.date, channel: str | None, currency: str
) -> dict[str, Any]:
    with db.session() as session:
        return {**analytics(session, start, end, channel), "currency": currency}


def find_conversations(db: Database, f: search.ConversationFilter, limit: int) -> list[dict]:
    with db.session() as session:
        return search.search(session, f, limit)


def export_conversations(db: Database, f: search.ConversationFilter) -> list[dict]:
    with db.session() as session:
        return search.transcripts(session, search.search(session, f, search.MAX_EXPORT))


def review_queue(db: Database, reviewed: bool = False, limit: int = 100) -> list[dict]:
    with db.session() as session:
        return review.queue(session, limit=limit, reviewed=reviewed)


def label_turn(
    db: Database, turn_id: int, intent: str, reviewer: str, confirm: bool
) -> dict[str, Any]:
    """Store the reviewer's label, then assess it against the held-out set (a drop flags it)."""
    if intent not in INTENTS:
        raise HTTPException(422, f"unknown intent {intent[:40]!r}")
    with db.session() as session:
        try:
            example = review.label(session, turn_id, intent, reviewer, confirm=confirm)
        except review.TurnNotReviewable:
            raise HTTPException(404, "no such caller turn") from None
        example_id = example.id
        assessed = example.heldout_delta is not None
    if not assessed:
        Trainer(db).assess_and_store(example_id)
    with db.session() as session:
        row = session.get(NluExample, example_id)
        assert row is not None
        return review.example_dict(row)


def retrain(db: Database, by: str) -> dict[str, Any]:
    """Retrain, then build the new classifier into this process's cache, so its next turn
    does not pay for it (other processes build it on their next turn)."""
    report = Trainer(db).evaluate(write=True, trained_by=by).to_dict()
    nlu_for(shop_knowledge.build(db))
    return report


# --- routes -------------------------------------------------------------------------------
def _db(request: Request) -> Database:
    return request.app.state.services.db


Mood = Literal["negative", "neutral", "positive"]


def conversation_filter(
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
    intent: Annotated[str | None, Query(max_length=64)] = None,
    sentiment: Annotated[Mood | None, Query()] = None,
    handoff: Annotated[bool | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words the caller said.")] = None,
) -> search.ConversationFilter:
    """The search fields shared by the conversation list and its export (a dependency)."""
    lo, hi = period(start, end)
    return search.ConversationFilter(
        lo, hi, channel_name(channel), intent_name(intent), sentiment, handoff, q or None
    )


Filter = Annotated[search.ConversationFilter, Depends(conversation_filter)]


@router.get(
    "/analytics",
    summary="Dashboard figures for a period and channel",
    response_model=None,
    responses={200: {"model": Analytics}, 422: {"description": "A period that makes no sense"}},
)
def get_analytics(
    request: Request,
    start: Annotated[dt.date | None, Query(alias="from", description="First day (UTC).")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day, included.")] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
) -> dict[str, Any]:
    """Conversations, containment, handoffs and reasons, orders and revenue, cart conversion,
    sentiment by day, top intents, misunderstood utterances, latency percentiles per stage."""
    lo, hi = period(start, end)
    settings = request.app.state.services.settings
    return compute_analytics(_db(request), lo, hi, channel_name(channel), settings.currency)


@router.get(
    "/conversations",
    summary="Search conversations",
    response_model=None,
    responses={200: {"model": ConversationList}},
)
def list_conversations(
    request: Request, f: Filter, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict[str, Any]:
    return {"conversations": find_conversations(_db(request), f, limit)}


@router.get(
    "/conversations/export",
    summary="Export conversations with transcripts",
    response_model=None,
    responses={
        200: {
            "model": ConversationExport,
            "description": "JSON (``format=json``) or CSV, one row per turn (``format=csv``); "
            "sent as an attachment.",
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "conversation_id,channel,started_at,seq,role,text\r\n"
                    "3b568cab88934aa288588e6262a2b039,sms,2026-11-24T14:03:11,1,user,"
                    "what is your return policy\r\n",
                }
            },
        }
    },
)
def export(
    request: Request, f: Filter, format: Annotated[Literal["json", "csv"], Query()] = "json"
) -> Response:
    return export_response(export_conversations(_db(request), f), format, f)


def export_response(rows: list[dict], fmt: str, f: search.ConversationFilter) -> Response:
    name = f"hark-conversations-{f.start.isoformat()}-{f.end.isoformat()}"
    if fmt == "csv":
        return Response(
            search.as_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}.csv"'},
        )
    return JSONResponse(
        {"conversations": rows},
        headers={"content-disposition": f'attachment; filename="{name}.json"'},
    )


@router.get(
    "/review",
    summary="Turns to review",
    response_model=None,
    responses={200: {"model": ReviewQueue}},
)
def get_review(
    request: Request,
    reviewed: Annotated[bool, Query(description="Show the already labelled ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Caller turns the NLU was unsure of, could not act on, or that led to a handoff, with
    the intent it chose; plus the newest retraining."""
    return {
        "turns": review_queue(_db(request), reviewed, limit),
        "intents": list(INTENTS),
        "model": latest_model(_db(request)),
    }


class ReviewBody(BaseModel):
    model_config = {
        "json_schema_extra": {"examples": [{"intent": "out_of_scope", "confirm": False}]}
    }
    intent: str = Field(description="The right intent, or out_of_scope.", max_length=64)
    confirm: bool = Field(False, description="Train on it even if it lowers held-out accuracy.")


@router.post(
    "/review/{turn_id}",
    summary="Label a turn with its right intent",
    response_model=None,
    responses={200: {"model": LabelledExample}, 404: {"description": "No such caller turn"}},
)
def post_review(
    request: Request, admin: Admin, turn_id: TurnId, body: ReviewBody
) -> dict[str, Any]:
    """Stored as a reviewed example (apart from the shipped data) and assessed at once:
    ``flagged`` when adding it would lower held-out accuracy."""
    return label_turn(_db(request), turn_id, body.intent, admin.owner, body.confirm)


@router.post(
    "/nlu/train",
    summary="Retrain the classifier with the reviewed examples",
    response_model=None,
    responses={200: {"model": TrainingReport}},
)
def post_train(request: Request, admin: Admin) -> dict[str, Any]:
    """The same as ``hark nlu train``; every server process uses the new model from its next
    turn."""
    return retrain(_db(request), admin.owner)
