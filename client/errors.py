"""The exceptions a Hark call raises: one base class, with the HTTP status and the code.

Hark answers a refusal as JSON, ``{"error": code, "detail": message}`` (a
missing key, a rate limit, an unknown conversation), so a caller can branch on
the class (``Unauthorized``, ``RateLimited``, ``NotFound``) or on ``code``
without reading the message, which is for people.
"""

from __future__ import annotations

from typing import Any


class HarkError(Exception):
    """A call Hark refused or could not answer: ``status`` (HTTP, or 0 for a socket or
    transport problem), ``code`` (a short machine name) and ``message``."""

    def __init__(self, status: int, code: str, message: str, body: Any = None) -> None:
        super().__init__(f"{status} {code}: {message}" if status else f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.body = body


class Unauthorized(HarkError):
    """401: no key, a wrong key, or an API key where an admin key is needed."""


class Forbidden(HarkError):
    """403: the Origin is not allowed, or a keyless server only answers loopback clients."""


class NotFound(HarkError):
    """404: no such conversation (or not this key's), customer, handoff or turn."""


class Conflict(HarkError):
    """409: the object is not in a state that allows this (a handoff already claimed)."""


class ValidationFailed(HarkError):
    """422: the request's fields are missing or out of range; ``details`` lists them."""

    @property
    def details(self) -> list[dict[str, Any]]:
        detail = self.body.get("detail") if isinstance(self.body, dict) else None
        return detail if isinstance(detail, list) else []


class RateLimited(HarkError):
    """429: too many requests; ``retry_after`` is the server's wait in seconds."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        body: Any = None,
        *,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message, body)
        self.retry_after = retry_after


class ServerError(HarkError):
    """5xx: the server failed or is not ready (``/readyz`` says why)."""


class VoiceError(HarkError):
    """The voice socket was refused at the upgrade (``status`` 403: key, ticket or origin)
    or closed with an ``error`` event the caller chose to raise (``status`` 0)."""


_BY_STATUS: dict[int, type[HarkError]] = {
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    422: ValidationFailed,
}


def error_for(status: int, body: Any, headers: dict[str, str]) -> HarkError:
    """The exception for a non-2xx answer; ``body`` is its parsed JSON (or text)."""
    code, message = _code_and_message(status, body)
    if status == 429:
        return RateLimited(status, code, message, body, retry_after=_seconds(headers))
    if status >= 500:
        return ServerError(status, code, message, body)
    return _BY_STATUS.get(status, HarkError)(status, code, message, body)


def _code_and_message(status: int, body: Any) -> tuple[str, str]:
    """Hark's guards answer ``{"error", "detail"}``; its routes ``{"detail": "..."}``; a
    validation error ``{"error": "invalid request", "detail": [...]}``."""
    default = {401: "unauthorized", 404: "not_found", 409: "conflict", 429: "rate_limited"}
    code = default.get(status, f"http_{status}")
    message = ""
    if isinstance(body, dict):
        error, detail = body.get("error"), body.get("detail")
        if isinstance(detail, list):
            code = "invalid_request"
            message = "; ".join(
                f"{'.'.join(str(p) for p in d.get('loc', []))}: {d.get('msg', '')}"
                for d in detail
                if isinstance(d, dict)
            )
        elif isinstance(detail, str):
            message = detail
        if isinstance(error, str) and not isinstance(detail, list):
            code = error
    elif isinstance(body, str):
        message = body[:500]
    if status == 422 and code == f"http_{status}":
        code = "invalid_request"
    return code, message or f"HTTP {status}"


def _seconds(headers: dict[str, str]) -> float | None:
    value = headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
