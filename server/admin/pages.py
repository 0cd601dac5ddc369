"""The ``/admin`` pages: sign-in, handoffs, dashboard, conversations, review.

Server-rendered (Jinja2, autoescaped) so they work on a laptop or a tablet with
no build step; the dashboard's plots are Chart.js drawing figures the page
carries as JSON. Every page needs a signed-in operator (:mod:`.session`); every
form that changes something carries the session's CSRF token. The work itself
is the JSON API's (:mod:`hark.server.routes_admin_handoffs`,
:mod:`hark.server.routes_admin_insights`), so a page and the API agree.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated, Any, cast, get_args

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from hark.dialogue.errors import ConversationNotFound
from hark.dialogue.nlu import INTENTS
from hark.dialogue.nlu_training import latest_model
from hark.server.admin import session as sessions
from hark.server.admin.session import Operator
from hark.server.auth import Denied
from hark.server.routes_admin_handoffs import claim_one, list_desk, read_one, resolve_one
from hark.server.routes_admin_insights import (
    Mood,
    TurnId,
    channel_name,
    compute_analytics,
    conversation_filter,
    export_conversations,
    export_response,
    find_conversations,
    label_turn,
    period,
    retrain,
    review_queue,
)
from hark.server.routes_admin_lockouts import clear_one, list_lockouts
from hark.store.db import Database

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
templates = Jinja2Templates(directory=str(HERE / "templates"))


def desk_topic(topic: str | None) -> str:
    """The brain's topic is phrased for the caller ("your order 5274"); staff read "their"."""
    topic = (topic or "").strip()
    if not topic or topic == "your question":
        return "A question"
    topic = re.sub(r"\byour\b", "their", topic)
    return topic[0].upper() + topic[1:]


def last_said(summary: dict[str, Any] | None) -> str:
    """The caller's last words before the handoff (redacted, from the summary)."""
    turns = (summary or {}).get("last_turns") or []
    said = [t.get("text", "") for t in turns if isinstance(t, dict) and t.get("role") == "user"]
    return said[-1] if said else ""


templates.env.filters["desk_topic"] = desk_topic
templates.env.filters["last_said"] = last_said
router = APIRouter(prefix="/admin", include_in_schema=False)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-store",
    "x-frame-options": "DENY",
}
CHANNELS = ("phone", "sms", "whatsapp", "alexa", "voice", "web", "http", "chat")
STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".md": "text/plain"}


class SignIn(Exception):
    """No signed-in operator: go to the login form."""


def _db(request: Request) -> Database:
    return request.app.state.services.db


def _operator(request: Request) -> Operator:
    who = sessions.operator(_db(request), request)
    if who is None:
        raise SignIn()
    return who


def _page(request: Request, name: str, who: Operator | None, code: int = 200, **context: Any):
    settings = request.app.state.services.settings
    return templates.TemplateResponse(
        request,
        name,
        {
            "who": who,
            "shop_name": settings.shop_name,
            "currency": settings.currency,
            "chart_installed": (STATIC / "vendor" / "chart.umd.min.js").is_file(),
            **context,
        },
        status_code=code,
        headers=HEADERS,
    )


def _back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _form_check(request: Request, who: Operator, csrf: str | None) -> None:
    try:
        sessions.check_form(request, who, csrf)
    except Denied as denied:
        raise HTTPException(denied.status, denied.detail) from None


# --- signing in and out -------------------------------------------------------------------
@router.get("", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return _back("/admin/handoffs")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> Response:
    if sessions.operator(_db(request), request) is not None:
        return _back("/admin/handoffs")
    return _page(request, "login.html", None, keyless=sessions.keyless(request))


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, key: Annotated[str, Form(max_length=500)] = "") -> Response:
    try:
        token = sessions.sign_in(_db(request), request, key)
    except Denied as denied:
        return _page(
            request,
            "login.html",
            None,
            code=denied.status,
            keyless=sessions.keyless(request),
            error=denied.detail,
        )
    response = _back("/admin/handoffs")
    response.set_cookie(value=token, **sessions.cookie_options())
    return response


@router.post("/logout")
def logout(request: Request, csrf: Annotated[str, Form(max_length=100)] = "") -> Response:
    who = _operator(request)
    _form_check(request, who, csrf)
    sessions.sign_out(_db(request), request)
    response = _back("/admin/login")
    response.delete_cookie(sessions.COOKIE, path=sessions.COOKIE_PATH, secure=True, httponly=True)
    return response


# --- handoffs -----------------------------------------------------------------------------
@router.get("/handoffs", response_class=HTMLResponse)
def handoffs(request: Request, status: Annotated[str | None, Query(max_length=16)] = None):
    who = _operator(request)
    wanted = status if status in ("open", "claimed", "resolved") else None
    return _page(
        request,
        "handoffs.html",
        who,
        handoffs=list_desk(_db(request), wanted),
        status=wanted,
        lockouts=list_lockouts(_db(request), request.app.state.services.settings),
    )


@router.post("/lockouts/clear")
def clear_lockout(
    request: Request,
    csrf: Annotated[str, Form(max_length=100)] = "",
    subject: Annotated[str, Form(max_length=16)] = "",
    key: Annotated[str, Form(max_length=64)] = "",
):
    """A person helped the caller: their failed identity checks are forgotten."""
    who = _operator(request)
    _form_check(request, who, csrf)
    clear_one(_db(request), subject, key)
    return _back("/admin/handoffs")


@router.get("/handoffs/{handoff_id}", response_class=HTMLResponse)
def handoff(request: Request, handoff_id: str):
    who = _operator(request)
    return _page(request, "handoff.html", who, h=read_one(_db(request), handoff_id[:32]))


@router.post("/handoffs/{handoff_id}/claim")
def claim(request: Request, handoff_id: str, csrf: Annotated[str, Form(max_length=100)] = ""):
    who = _operator(request)
    _form_check(request, who, csrf)
    claim_one(_db(request), handoff_id[:32], who.owner)
    return _back(f"/admin/handoffs/{handoff_id[:32]}")


@router.post("/handoffs/{handoff_id}/resolve")
def resolve(
    request: Request,
    handoff_id: str,
    csrf: Annotated[str, Form(max_length=100)] = "",
    note: Annotated[str, Form(max_length=1000)] = "",
):
    who = _operator(request)
    _form_check(request, who, csrf)
    resolve_one(_db(request), handoff_id[:32], who.owner, note)
    return _back(f"/admin/handoffs/{handoff_id[:32]}")


# --- dashboard ----------------------------------------------------------------------------
def _day(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise HTTPException(422, "dates are YYYY-MM-DD") from None


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    start: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    channel: Annotated[str | None, Query(max_length=32)] = None,
):
    who = _operator(request)
    lo, hi = period(_day(start), _day(end))
    chosen = channel_name(channel)
    settings = request.app.state.services.settings
    figures = compute_analytics(_db(request), lo, hi, chosen, settings.currency)
    return _page(
        request,
        "dashboard.html",
        who,
        a=figures,
        figures_json=json.dumps(figures),
        start=lo.isoformat(),
        end=hi.isoformat(),
        channel=chosen or "",
        channels=CHANNELS,
    )


# --- conversations ------------------------------------------------------------------------
def _conversation_filter(request: Request):
    q = request.query_params
    handoff = {"yes": True, "no": False}.get(q.get("handoff", ""))
    sentiment = q.get("sentiment")
    mood = cast(Mood, sentiment) if sentiment in get_args(Mood) else None
    return conversation_filter(
        _day(q.get("from")),
        _day(q.get("to")),
        (q.get("channel") or "")[:32] or None,
        (q.get("intent") or "")[:64] or None,
        mood,
        handoff,
        (q.get("q") or "")[:200] or None,
    )


@router.get("/conversations", response_class=HTMLResponse)
def conversations(request: Request):
    who = _operator(request)
    f = _conversation_filter(request)
    rows = find_conversations(_db(request), f, 200)
    query = request.url.query
    return _page(
        request,
        "conversations.html",
        who,
        rows=rows,
        f=f,
        params=request.query_params,
        query=query,
        channels=CHANNELS,
        intents=INTENTS,
    )


@router.get("/conversations/export.{fmt}")
def export(request: Request, fmt: str):
    _operator(request)
    if fmt not in ("csv", "json"):
        raise HTTPException(404, "export as .csv or .json")
    f = _conversation_filter(request)
    return export_response(export_conversations(_db(request), f), fmt, f)


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
def conversation(request: Request, conversation_id: str):
    who = _operator(request)
    try:
        transcript = request.app.state.services.dialogue.transcript(conversation_id[:64])
    except ConversationNotFound:
        raise HTTPException(404, "conversation not found") from None
    return _page(request, "conversation.html", who, c=transcript)


# --- review -------------------------------------------------------------------------------
@router.get("/review", response_class=HTMLResponse)
def review_page(request: Request):
    who = _operator(request)
    db = _db(request)
    return _page(
        request,
        "review.html",
        who,
        queue=review_queue(db, False),
        reviewed=review_queue(db, True),
        intents=INTENTS,
        model=latest_model(db),
    )


@router.post("/review/train")
def train(request: Request, csrf: Annotated[str, Form(max_length=100)] = ""):
    who = _operator(request)
    _form_check(request, who, csrf)
    retrain(_db(request), who.owner)
    return _back("/admin/review")


@router.post("/review/{turn_id}")
def review_turn(
    request: Request,
    turn_id: TurnId,
    csrf: Annotated[str, Form(max_length=100)] = "",
    intent: Annotated[str, Form(max_length=64)] = "",
    confirm: Annotated[str, Form(max_length=5)] = "",
):
    who = _operator(request)
    _form_check(request, who, csrf)
    label_turn(_db(request), turn_id, intent, who.owner, confirm == "yes")
    return _back("/admin/review")


# --- static files -------------------------------------------------------------------------
@router.get("/static/{path:path}")
def static(path: str) -> FileResponse:
    if "\x00" in path:  # names no file (and would make resolve() raise)
        raise HTTPException(404, "no such file")
    file = (STATIC / path).resolve()
    if STATIC not in file.parents or not file.is_file() or file.suffix not in STATIC_TYPES:
        if path.startswith("vendor/"):
            raise HTTPException(404, "chart library not installed: run `make admin-assets`")
        raise HTTPException(404, "no such file")
    return FileResponse(
        file,
        media_type=STATIC_TYPES[file.suffix],
        headers={"x-content-type-options": "nosniff", "cache-control": "no-cache"},
    )


def install(app: Any) -> None:
    """Add the pages, and send a browser without a session to the login form."""

    async def to_login(_request: Request, _exc: SignIn) -> Response:
        return _back("/admin/login")

    app.add_exception_handler(SignIn, to_login)
    app.include_router(router)
