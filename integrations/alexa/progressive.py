"""Progressive responses: "One moment…" spoken while a slow turn is still thinking.

Alexa gives a skill 8 seconds and plays silence meanwhile. When a turn runs
past the configured threshold (an LLM call, say), Hark posts a
``VoicePlayer.Speak`` directive to the Alexa Directive Service so the caller
hears that something is happening. It is a courtesy: a failure is logged and
never affects the real answer.
"""

from __future__ import annotations

import logging
from typing import Protocol
from urllib.parse import urlsplit

log = logging.getLogger("hark.alexa.progressive")

PROGRESSIVE_SSML = "<speak>One moment…</speak>"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class DirectiveClient(Protocol):
    """Sends one progressive-response directive; returns whether Alexa accepted it."""

    async def speak(
        self, api_endpoint: str, api_access_token: str, request_id: str, ssml: str
    ) -> bool: ...


def directive_url(api_endpoint: str) -> str | None:
    """``{apiEndpoint}/v1/directives``, or ``None`` for an endpoint Hark will not call.

    Only https is used, except plain http to this machine (local testing), so
    a forged envelope cannot turn Hark into a proxy for arbitrary URLs.
    """
    try:
        parts = urlsplit(api_endpoint)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host:
        pass
    elif not (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        return None
    return api_endpoint.rstrip("/") + "/v1/directives"


def directive_body(request_id: str, ssml: str) -> dict:
    return {
        "header": {"requestId": request_id},
        "directive": {"type": "VoicePlayer.Speak", "speech": ssml},
    }


class HttpDirectiveClient:
    """The real client: one short-timeout httpx POST per directive."""

    def __init__(self, timeout_s: float = 1.5) -> None:
        self.timeout_s = timeout_s

    async def speak(
        self, api_endpoint: str, api_access_token: str, request_id: str, ssml: str
    ) -> bool:
        import httpx

        url = directive_url(api_endpoint)
        if url is None:
            log.warning("progressive response skipped: unusable apiEndpoint")
            return False
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as client:
                response = await client.post(
                    url,
                    json=directive_body(request_id, ssml),
                    headers={"Authorization": f"Bearer {api_access_token}"},
                )
        except httpx.HTTPError as exc:
            log.warning("progressive response failed: %s", type(exc).__name__)
            return False
        if response.status_code >= 300:
            log.warning("progressive response refused: HTTP %s", response.status_code)
            return False
        return True
