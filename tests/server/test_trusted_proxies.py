"""Per-address limits can't be escaped with a forwarding header: ``X-Forwarded-For`` and
``Forwarded`` name the client only when the peer is in ``HARK_TRUSTED_PROXIES``.

Real uvicorn on loopback, configured exactly as ``hark serve`` configures it
(:func:`hark.server.serving.proxy_options`); the client is an attacker on this
machine (or, in the trusted case, a reverse proxy here) sending whatever headers it likes.
"""

from __future__ import annotations

import httpx
import pytest

from hark.runtime.settings import load_settings
from hark.server.serving import proxy_options

LIMIT = 5


@pytest.fixture
def server_with(make_app, live_server, settings):
    def start(trusted: str | None):
        values = {
            "allow_open_api": True,  # anyone answered; only the per-address limit holds
            "rate_limit": f"{LIMIT}/minute",
            "trusted_proxies": trusted,
        }
        checked = load_settings(**values)
        used = settings.model_copy(update={k: getattr(checked, k) for k in values})
        return live_server(make_app(used), **proxy_options(used))

    return start


def _statuses(url: str, headers_for) -> list[int]:
    return [
        httpx.get(f"{url}/v1/conversations/none", headers=headers_for(n)).status_code
        for n in range(3 * LIMIT)
    ]


def _rotating_xff(n: int) -> dict[str, str]:
    return {"x-forwarded-for": f"198.51.100.{n + 1}"}


def _rotating_forwarded(n: int) -> dict[str, str]:
    return {"forwarded": f'for="198.51.100.{n + 1}:4711";proto=https'}


@pytest.mark.parametrize("headers_for", [_rotating_xff, _rotating_forwarded])
def test_rotating_forwarding_headers_from_loopback_do_not_escape_the_limit(
    server_with, headers_for
) -> None:
    server = server_with(None)
    statuses = _statuses(server.url, headers_for)
    assert statuses[:LIMIT] == [404] * LIMIT  # open mode: no such conversation
    assert set(statuses[LIMIT:]) == {429}


@pytest.mark.parametrize("headers_for", [_rotating_xff, _rotating_forwarded])
def test_a_trusted_proxys_clients_are_limited_one_by_one(server_with, headers_for) -> None:
    server = server_with("127.0.0.1")
    assert set(_statuses(server.url, headers_for)) == {404}  # each client its own bucket
    same = _statuses(server.url, lambda n: headers_for(0))
    assert set(same[: LIMIT - 1]) == {404} and set(same[LIMIT:]) == {429}


def test_a_client_cant_prepend_its_own_hops_through_a_trusted_proxy(server_with) -> None:
    server = server_with("127.0.0.0/8")
    # The proxy appends the address it saw (203.0.113.9) to whatever the client sent.
    statuses = _statuses(
        server.url, lambda n: {"x-forwarded-for": f"10.9.{n}.1, 127.0.0.5, 203.0.113.9"}
    )
    assert set(statuses[LIMIT:]) == {429}


def test_trusted_proxies_are_checked_addresses() -> None:
    assert load_settings(trusted_proxies="10.0.0.1/8, ::1").trusted_proxy_list == (
        "10.0.0.0/8",
        "::1/128",
    )
    with pytest.raises(ValueError, match="not an address"):
        load_settings(trusted_proxies="proxy.example")
    assert proxy_options(load_settings()) == {"proxy_headers": False}
