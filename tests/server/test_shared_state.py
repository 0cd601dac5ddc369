"""Tickets and rate limits shared by every node through a real Redis (``HARK_REDIS_URL``),
the signing key from ``HARK_SECRET_KEY``, and how one process runs without either."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from hark.runtime.settings import Settings, load_settings
from hark.server.auth import Denied, Security
from hark.server.rate_limit import RateLimiter
from hark.server.serving import shared_state_warning
from hark.server.tickets import TicketError

SECRET = "a-long-enough-shared-signing-key-for-tests-0123456789"


def _settings(tmp_path: Path, **values) -> Settings:
    return Settings(data_dir=tmp_path, **values)


def _closed_port_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"  # nothing listens there once the socket is closed


def test_a_ticket_minted_on_one_node_opens_on_another_once(tmp_path: Path, redis_url: str) -> None:
    settings = _settings(tmp_path, secret_key=SECRET, redis_url=redis_url)
    one, two = Security(settings), Security(settings)  # two processes, the same settings
    ticket = one.tickets.mint(minted_by="key:abc", customer_id="C1")
    claims = two.tickets.redeem(ticket)
    assert (claims.minted_by, claims.customer_id) == ("key:abc", "C1")
    for node in (one, two):  # a replay is refused wherever it lands
        with pytest.raises(TicketError, match="already used"):
            node.tickets.redeem(ticket)


def test_without_a_shared_key_another_process_refuses_the_ticket(
    tmp_path: Path, redis_url: str
) -> None:
    one = Security(_settings(tmp_path, redis_url=redis_url))
    two = Security(_settings(tmp_path, redis_url=redis_url))
    ticket = one.tickets.mint(minted_by="key:abc")
    with pytest.raises(TicketError, match="signature"):
        two.tickets.redeem(ticket)
    assert one.tickets.redeem(ticket).minted_by == "key:abc"


def test_a_used_ticket_is_forgotten_by_redis_when_it_would_have_expired(
    tmp_path: Path, redis_url: str
) -> None:
    from redis import Redis

    security = Security(_settings(tmp_path, secret_key=SECRET, redis_url=redis_url))
    claims = security.tickets.redeem(security.tickets.mint(minted_by="key:abc"))
    with Redis.from_url(redis_url) as client:
        ttl = client.ttl(f"hark:ticket:{claims.ticket_id}")
    assert 0 < ttl <= security.tickets.ttl_s + 1  # whole seconds, rounded up


def test_a_rate_limit_holds_for_the_sum_of_the_nodes(redis_url: str) -> None:
    nodes = [RateLimiter("5/minute", redis_url=redis_url) for _ in range(2)]
    answers = [nodes[i % 2].hit("owner", "key:abc") for i in range(8)]
    assert answers[:5] == [None] * 5
    assert all(isinstance(wait, int) and 1 <= wait <= 60 for wait in answers[5:])
    # another identity, and another limiter's namespace, count apart
    assert nodes[0].hit("owner", "key:other") is None
    assert (
        RateLimiter("5/minute", redis_url=redis_url, namespace="enrol").hit("owner", "key:abc")
        is None
    )


def test_redis_away_refuses_tickets_and_requests_rather_than_letting_them_by(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, secret_key=SECRET, redis_url=_closed_port_url())
    security = Security(settings)
    with pytest.raises(TicketError, match="unavailable"):
        security.tickets.redeem(security.tickets.mint(minted_by="key:abc"))
    with pytest.raises(Denied) as denied:
        security.limit("addr", "127.0.0.1")
    assert (denied.value.status, denied.value.code) == (503, "state_unavailable")


def test_the_secret_key_is_read_from_a_file_and_must_be_long(tmp_path: Path) -> None:
    key_file = tmp_path / "secret"
    key_file.write_text(SECRET + "\n")
    settings = _settings(tmp_path, secret_key=f"@{key_file}")
    assert settings.secret_key is not None and settings.secret_key.get_secret_value() == SECRET
    assert settings.masked()["secret_key"] == "********"
    with pytest.raises(ValidationError, match="at least 32 characters"):
        _settings(tmp_path, secret_key="short")
    with pytest.raises(ValidationError, match="cannot read key file"):
        _settings(tmp_path, secret_key=f"@{tmp_path / 'missing'}")
    with pytest.raises(ValidationError, match="redis://"):
        _settings(tmp_path, redis_url="http://cache:6379")
    with pytest.raises(ValidationError, match="less than or equal to 64"):
        _settings(tmp_path, workers=65)


def test_the_redis_password_is_masked(tmp_path: Path) -> None:
    masked = load_settings(data_dir=tmp_path, redis_url="redis://:hunter2@cache:6379/0").masked()
    assert "hunter2" not in masked["redis_url"] and "cache:6379" in masked["redis_url"]


def test_several_processes_without_redis_are_warned_about(tmp_path: Path) -> None:
    assert shared_state_warning(_settings(tmp_path)) is None
    assert shared_state_warning(_settings(tmp_path, workers=2, redis_url="redis://r:6379")) is None
    warning = shared_state_warning(_settings(tmp_path, workers=3))
    assert warning is not None and "per process" in warning and "HARK_REDIS_URL" in warning


def test_one_process_without_redis_never_imports_it(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from hark.runtime.settings import Settings\n"
        "from hark.server.auth import Security\n"
        f"s = Security(Settings(data_dir={str(tmp_path)!r}))\n"
        "s.tickets.redeem(s.tickets.mint(minted_by='local'))\n"
        "assert s.limiter.hit('addr', '127.0.0.1') is None\n"
        "print('redis' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "False"


def test_without_redis_the_nodes_endpoint_shows_this_process_alone(make_app, live_server) -> None:
    import httpx

    server = live_server(make_app())
    body = httpx.get(f"{server.url}/v1/admin/nodes", timeout=10).json()
    assert body["shared"] is False and body["this_node"] is None
    assert [n["load"]["voice_sessions"] for n in body["nodes"]] == [0]
    ready = httpx.get(f"{server.url}/readyz", timeout=10).json()
    assert ready["status"] == "ready" and ready["load"]["draining"] is False
