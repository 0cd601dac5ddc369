"""Is this request from Twilio? ``X-Twilio-Signature`` checked against ``HARK_PUBLIC_URL``.

Twilio signs the URL it requested (which, behind a proxy or tunnel, is not
the URL this process sees, hence ``HARK_PUBLIC_URL``) followed by the sorted
POST parameters, with the account's Auth Token; the helper library's
``RequestValidator`` does the arithmetic. The media-stream upgrade is signed
the same way, over its ``wss://`` URL with no parameters.

A refusal is a bare 403; the log line says why (missing header, mismatch,
nothing configured) and never carries the signature, the token or the body.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import parse_qsl

from fastapi import HTTPException, Request
from starlette.datastructures import ImmutableMultiDict
from twilio.request_validator import RequestValidator

from hark.runtime.settings import Settings

log = logging.getLogger("hark.twilio")

SIGNATURE_HEADER = "X-Twilio-Signature"
SHARED_KEY_HEADER = "X-Twilio-Webhooks-Signature-Settings"
MAX_BODY_BYTES = 64 * 1024  # Twilio's webhook forms are a few KB; an SMS body is <= 1,600 chars
FORM_TYPE = "application/x-www-form-urlencoded"


def public_url(settings: Settings, path: str, query: str = "", *, websocket: bool = False) -> str:
    """The URL Twilio uses for ``path`` (``/twilio/...``): ``HARK_PUBLIC_URL`` + path + query."""
    base = settings.public_url or ""
    if websocket:
        if base.startswith("https://"):
            base = "wss://" + base[len("https://") :]
        elif base.startswith("http://"):
            base = "ws://" + base[len("http://") :]
    return f"{base}{path}" + (f"?{query}" if query else "")


def refusal_reason(
    settings: Settings,
    url_path: str,
    query: str,
    params: ImmutableMultiDict | None,
    headers: Mapping[str, str],
    *,
    websocket: bool = False,
) -> str | None:
    """Why this request is not Twilio's (``None``: it is). ``headers`` is a case-insensitive map."""
    if settings.twilio_auth_token is None or not settings.twilio_auth_token.get_secret_value():
        return "HARK_TWILIO_AUTH_TOKEN is not set, so no Twilio signature can be checked"
    if not settings.public_url:
        return "HARK_PUBLIC_URL is not set, so the signed URL is unknown"
    signature = headers.get(SIGNATURE_HEADER)
    if not signature:
        return "no X-Twilio-Signature header"
    if headers.get(SHARED_KEY_HEADER):
        return "signed with a Webhooks SharedKey; Hark checks Auth Token signatures only"
    url = public_url(settings, url_path, query, websocket=websocket)
    validator = RequestValidator(settings.twilio_auth_token.get_secret_value())
    if not validator.validate(url, params or {}, signature):
        return "X-Twilio-Signature does not match (is HARK_PUBLIC_URL the URL Twilio calls?)"
    return None


def refuse(reason: str, path: str) -> HTTPException:
    log.warning("twilio request refused: %s", reason, extra={"path": path})
    return HTTPException(status_code=403, detail="forbidden")


async def verified_form(request: Request) -> ImmutableMultiDict:
    """The webhook's form fields, once the signature over them is right (else 403).

    The body is read up to a limit first, so an unauthenticated flood costs
    nothing; then parsed as the form Twilio posts (no multipart: Twilio never
    sends it).
    """
    path = request.url.path
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_BODY_BYTES:
            raise refuse(f"body is over {MAX_BODY_BYTES} bytes", path)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if data and content_type != FORM_TYPE:
        raise refuse(f"body is not {FORM_TYPE}", path)
    try:
        pairs = parse_qsl(data.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
    except UnicodeDecodeError:
        raise refuse("body is not UTF-8", path) from None
    form = ImmutableMultiDict(pairs)
    reason = refusal_reason(
        request.app.state.services.settings, path, request.url.query, form, request.headers
    )
    if reason is not None:
        raise refuse(reason, path)
    return form
