"""``/admin/notices``: the notice ledger for operators, a chart of outcomes by day and a
table filterable by customer and event. The same rows as ``GET /v1/admin/notices``
(:mod:`hark.store.notice_outbox`), so the page and the API agree."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from hark.runtime.notice_rules import EVENT_KINDS
from hark.server.admin.pages import _db, _operator, _page
from hark.store import notice_outbox as outbox

router = APIRouter(prefix="/admin", include_in_schema=False)


@router.get("/notices", response_class=HTMLResponse)
def notices(
    request: Request,
    customer: Annotated[str | None, Query(max_length=64)] = None,
    event: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    who = _operator(request)
    customer = (customer or "").strip() or None
    chosen = event if event in EVENT_KINDS else None
    with _db(request).session() as session:
        rows = [
            outbox.as_dict(n)
            for n in outbox.list_notices(session, customer_id=customer, kind=chosen, limit=500)
        ]
        by_day = outbox.outcomes_by_day(session, 30)
    return _page(
        request,
        "notices.html",
        who,
        notices=rows,
        by_day_json=json.dumps({"by_day": by_day, "outcomes": [*outbox.OUTCOMES, "waiting"]}),
        customer=customer or "",
        event=chosen or "",
        events=EVENT_KINDS,
    )
