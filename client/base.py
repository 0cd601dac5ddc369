"""What the sync and async clients share: the server's address, the keys, the headers."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import httpx

from hark.client.calls import Call

DEFAULT_TIMEOUT_S = 30.0
USER_AGENT = "hark-client/1"


class ClientConfig:
    """Where Hark is and which keys to present.

    ``api_key`` opens conversations, mints tickets and opens the voice socket;
    ``admin_key`` is presented on ``/v1/admin/`` calls (one of
    ``HARK_ADMIN_KEYS``). Against a keyless server on the same machine
    (loopback) neither is needed.
    """

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        admin_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must start with http:// or https://")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.admin_key = admin_key
        self.headers = {"user-agent": USER_AGENT, **(headers or {})}

    @property
    def ws_url(self) -> str:
        """The voice socket's address (``ws://`` or ``wss://``)."""
        scheme, rest = self.base_url.split("://", 1)
        return f"{'wss' if scheme == 'https' else 'ws'}://{rest}/v1/voice"

    def auth_headers(self, admin: bool = False) -> dict[str, str]:
        key = (self.admin_key or self.api_key) if admin else self.api_key
        return {"authorization": f"Bearer {key}"} if key else {}

    def request_args(self, call: Call[Any]) -> dict[str, Any]:
        """Keyword arguments for ``httpx`` ``request`` for this call."""
        args: dict[str, Any] = {
            "method": call.method,
            "url": call.path,
            "headers": self.auth_headers(call.admin),
        }
        if call.params:
            args["params"] = call.params
        if call.json is not None:
            args["json"] = call.json
        return args


H = TypeVar("H", httpx.Client, httpx.AsyncClient)


class ClientBase(Generic[H]):
    """The constructor both clients share.

    ``api_key`` and ``admin_key`` as in :class:`ClientConfig`; ``timeout`` in
    seconds per request; ``headers`` are sent on every request (an
    ``x-request-id`` of your own, say); ``http`` is your own ``httpx`` client
    (proxies, TLS settings), closed with this one.
    """

    _http_class: type[H]

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        admin_key: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        headers: dict[str, str] | None = None,
        http: H | None = None,
    ) -> None:
        self.config = ClientConfig(base_url, api_key=api_key, admin_key=admin_key, headers=headers)
        self._http: H = http or self._http_class(
            base_url=self.config.base_url, timeout=timeout, headers=self.config.headers
        )
