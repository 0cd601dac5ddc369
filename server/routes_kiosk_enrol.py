"""Kiosk enrolment: ``POST /kiosk/enrol``, ``POST /kiosk/ticket``, ``POST /kiosk/leave``.

A kiosk page is a browser standing in a shop: a key typed into it would stay
in it for anyone to read. So staff enrol a kiosk once: they type a kiosk key
(one of ``HARK_API_KEYS``), Hark checks it like the API does (SHA-256 digests,
``hmac.compare_digest`` against every key) and answers with a signed,
expiring session in an HTTP-only cookie (``hark.server.kiosk_sessions``). The
page never sees the key again, nor the cookie: it asks ``/kiosk/ticket`` for a
single-use ticket before each voice connection.

* A kiosk never vouches for a customer: its tickets open anonymous
  conversations, owned by the kiosk (``kiosk:<id>``), so no other kiosk, and
  no holder of the key it was enrolled with, can read them.
* These endpoints answer only the kiosk page served by this server: the
  ``Origin`` must be this server's own (``Sec-Fetch-Site`` too, when sent);
  the cookie is ``SameSite=Strict``; enrolment needs a JSON body (which no
  other site's form can send). Enrolment attempts are rate-limited per address.
* With no ``HARK_API_KEYS`` nothing needs enrolling: ``/kiosk/ticket`` answers
  whoever the API itself answers (loopback clients; anyone with
  ``HARK_ALLOW_OPEN_API``), and ``/kiosk/enrol`` says enrolment is not used.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hark.runtime.settings import Settings, normalize_origin
from hark.server.auth import (
    LOCAL_OWNER,
    TICKET_TTL_S,
    Denied,
    Principal,
    Security,
    client_address,
    is_local,
    mint_ticket,
    same_origin,
    security_for,
)
from hark.server.kiosk_sessions import KioskSession, KioskSessionError
from hark.server.rate_limit import LimitsUnavailable

log = logging.getLogger("hark.auth")

router = APIRouter(tags=["kiosk"])

COOKIE = "hark-kiosk"
SECURE_COOKIE = "__Host-hark-kiosk"  # the prefix makes browsers insist on Secure, Path=/, no Domain
NO_STORE = {"cache-control": "no-store"}
_CHALLENGE = {"WWW-Authenticate": 'Cookie realm="hark-kiosk"'}


class EnrolRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"key": "kiosk-key-0123456789abcdef"}]}
    )
    key: str = Field(min_length=1, max_length=256, description="A kiosk key: one of HARK_API_KEYS.")


class EnrolOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"kiosk_id": "k-4f1c2a9e", "expires_in": 2592000}]}
    )
    kiosk_id: str = Field(description="This kiosk's id (its conversations' owner is kiosk:<id>).")
    expires_in: int = Field(description="Seconds the enrolment lasts unless the kiosk is used.")


class KioskTicketOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"ticket": "eyJrIjoiazRmMWMyYTllIn0.Zq1x8rT0cA", "expires_in": 60}]
        }
    )
    ticket: str = Field(description="Single-use: open WS /v1/voice?ticket=... with it.")
    expires_in: int = Field(TICKET_TTL_S, description="Seconds the ticket stays valid.")


_REFUSALS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Wrong key, or the kiosk is not enrolled (no, forged or expired cookie)"},
    403: {"description": "Not this server's own kiosk page (Origin), or not loopback without keys"},
    429: {"description": "Too many attempts (Retry-After)"},
}


@router.post(
    "/kiosk/enrol",
    status_code=201,
    response_model=EnrolOut,
    summary="Enrol this kiosk with a kiosk key (sets an HTTP-only session cookie)",
    responses={
        **_REFUSALS,
        409: {"description": "No HARK_API_KEYS: kiosks on this machine need no enrolment"},
        415: {"description": "The body is not JSON"},
        422: {"description": "No key in the body"},
    },
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": EnrolRequest.model_json_schema()}}
        }
    },
)
async def enrol(request: Request) -> Response:
    security = security_for(request.app)
    try:
        check_page_origin(request, _settings(request))
        _limit_enrolment(security, request)
        key = await _key_from(request)
        if security.mode != "keys":
            raise Denied(
                409,
                "enrolment_not_needed",
                "this server has no HARK_API_KEYS: it serves kiosks on its own machine "
                "without enrolment",
            )
        digest = security.api_key_digest(key)
        if digest is None:
            raise Denied(401, "invalid_key", "that kiosk key is not valid", dict(_CHALLENGE))
    except Denied as denied:
        return _refused(request, denied)
    token, session = security.kiosks.issue(digest)
    log.info("kiosk enrolled", extra={"kiosk": session.kiosk_id, "key_id": session.key_id})
    response = JSONResponse(
        EnrolOut(kiosk_id=session.kiosk_id, expires_in=security.kiosks.lifetime_s).model_dump(),
        status_code=201,
        headers=NO_STORE,
    )
    _set_cookie(response, request, token, security.kiosks.lifetime_s)
    return response


@router.post(
    "/kiosk/ticket",
    status_code=201,
    response_model=KioskTicketOut,
    summary="A single-use voice ticket for this enrolled kiosk (its cookie session)",
    responses=_REFUSALS,
)
def kiosk_ticket(request: Request) -> Response:
    security = security_for(request.app)
    try:
        check_page_origin(request, _settings(request))
        security.limit("addr", client_address(request))
        principal, session = kiosk_principal(request, security)
        security.limit("owner", principal.owner)
        ticket = mint_ticket(request.app, principal)
    except Denied as denied:
        return _refused(request, denied, forget=denied.code == "invalid_session")
    response = JSONResponse(
        KioskTicketOut(ticket=ticket, expires_in=TICKET_TTL_S).model_dump(),
        status_code=201,
        headers=NO_STORE,
    )
    renewed = security.kiosks.renewal(session) if session is not None else None
    if renewed is not None:
        _set_cookie(response, request, renewed, security.kiosks.lifetime_s)
    return response


@router.post(
    "/kiosk/leave",
    status_code=204,
    summary="Un-enrol this kiosk (its session cookie is removed)",
    responses={403: _REFUSALS[403]},
)
def leave(request: Request) -> Response:
    security = security_for(request.app)
    try:
        check_page_origin(request, _settings(request))
        security.limit("addr", client_address(request))
    except Denied as denied:
        return _refused(request, denied)
    token = _cookie(request)
    if token is not None:
        try:
            session = security.kiosks.verify(token)
            log.info("kiosk left", extra={"kiosk": session.kiosk_id, "key_id": session.key_id})
        except KioskSessionError:
            pass  # nothing valid to end; the cookie goes all the same
    response = Response(status_code=204, headers=NO_STORE)
    _forget(response)
    return response


# --- who is asking ---------------------------------------------------------------------
def kiosk_principal(request: Request, security: Security) -> tuple[Principal, KioskSession | None]:
    """The kiosk behind a request: its enrolment (with keys), or the API's own rule
    without keys (a loopback client; anyone when open). Never one that vouches."""
    if security.mode == "keys":
        token = _cookie(request)
        if token is None:
            raise Denied(
                401,
                "enrolment_required",
                "this kiosk is not enrolled: staff enter a kiosk key at /kiosk#enrol",
                dict(_CHALLENGE),
            )
        try:
            session = security.kiosks.verify(token)
        except KioskSessionError as exc:
            raise Denied(401, "invalid_session", str(exc), dict(_CHALLENGE)) from None
        return Principal(owner=session.owner, vouches=False, kind="kiosk"), session
    if security.mode == "open":
        owner = f"open:{client_address(request)}"[:64]
        return Principal(owner=owner, vouches=False, kind="kiosk"), None
    if is_local(request, security.bind_host):
        return Principal(owner=LOCAL_OWNER, vouches=False, kind="kiosk"), None
    raise Denied(
        403,
        "loopback_only",
        "this server answers kiosks on its own machine only until HARK_API_KEYS is configured",
    )


def check_page_origin(request: Request, settings: Settings) -> None:
    """Only the kiosk page this server serves may call: ``Origin`` must be present and be
    this server's own (by ``Host``, or ``HARK_PUBLIC_URL``). ``HARK_ALLOWED_ORIGINS`` does
    not apply: those sites get tickets from their own back end, never a kiosk's cookie."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site != "same-origin":
        raise Denied(403, "origin_not_allowed", "only this server's kiosk page may call this")
    origin = request.headers.get("origin")
    if origin is None:
        raise Denied(403, "origin_required", "send the kiosk page's Origin header")
    try:
        normalized = normalize_origin(origin)
    except ValueError:
        normalized = ""
    if normalized and (normalized == _public_origin(settings) or same_origin(normalized, request)):
        return
    raise Denied(403, "origin_not_allowed", "only this server's kiosk page may call this")


def _public_origin(settings: Settings) -> str | None:
    if not settings.public_url:
        return None
    parts = urlsplit(settings.public_url)
    try:
        return normalize_origin(f"{parts.scheme}://{parts.netloc}")
    except ValueError:
        return None


def _limit_enrolment(security: Security, request: Request) -> None:
    address = client_address(request)
    security.limit("addr", address)
    try:
        wait = security.enrol_limiter.hit("kiosk-enrol", address)
    except LimitsUnavailable:
        raise Denied(503, "state_unavailable", "try again shortly", {"Retry-After": "1"}) from None
    if wait is not None:
        raise Denied(429, "rate_limited", "too many enrolment attempts", {"Retry-After": str(wait)})


async def _key_from(request: Request) -> str:
    """The key from a JSON body ``{"key": ...}``; 415/422 otherwise (the key never echoed)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise Denied(415, "json_required", 'send {"key": ...} as application/json')
    try:
        return EnrolRequest.model_validate(json.loads(await request.body())).key
    except (ValueError, ValidationError):
        raise Denied(422, "invalid_request", 'the body must be {"key": "<kiosk key>"}') from None


# --- the cookie -------------------------------------------------------------------------
def _settings(request: Request) -> Settings:
    return request.app.state.services.settings


def _secure(request: Request) -> bool:
    public = _settings(request).public_url or ""
    return request.url.scheme == "https" or public.startswith("https://")


def _cookie(request: Request) -> str | None:
    return request.cookies.get(SECURE_COOKIE) or request.cookies.get(COOKIE)


def _set_cookie(response: Response, request: Request, token: str, max_age: int) -> None:
    """HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure with
    the ``__Host-`` prefix on https; on plain http (a kiosk on a LAN) scoped to /kiosk."""
    secure = _secure(request)
    response.set_cookie(
        SECURE_COOKIE if secure else COOKIE,
        token,
        max_age=max_age,
        path="/" if secure else "/kiosk",
        secure=secure,
        httponly=True,
        samesite="strict",
    )


def _forget(response: Response) -> None:
    """Remove both forms of the cookie (the server's scheme may have changed since)."""
    response.delete_cookie(SECURE_COOKIE, path="/", secure=True, httponly=True, samesite="strict")
    response.delete_cookie(COOKIE, path="/kiosk", httponly=True, samesite="strict")


def _refused(request: Request, denied: Denied, *, forget: bool = False) -> JSONResponse:
    log.warning(
        "kiosk request refused: %s",
        denied.code,
        extra={"status": denied.status, "path": request.url.path[:100]},
    )
    response = JSONResponse(
        {"error": denied.code, "detail": denied.detail},
        status_code=denied.status,
        headers={**denied.headers, **NO_STORE},
    )
    if forget:
        _forget(response)
    return response
