"""Operator sessions die with their key, tried as an attacker holding an old cookie would.

Real app under uvicorn on loopback, a SQLite file shared by the "before" and "after"
servers (a restart with other settings); plain HTTP requests carrying the session cookie
by hand (it is ``Secure``, so a cookie jar would not send it over ``http://``).
"""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from hark.server.admin.session import COOKIE
from hark.store.models import AdminSession

OLD_KEY = "operator-key-old-0123456789abcdef"
NEW_KEY = "operator-key-new-fedcba9876543210"


def _sign_in(url: str, key: str = "") -> str:
    answer = httpx.post(f"{url}/admin/login", data={"key": key})
    assert answer.status_code == 303, answer.text
    token = answer.cookies.get(COOKIE)
    assert token and (not key or key not in token)
    return token


def _get(url: str, path: str, token: str, **headers: str) -> httpx.Response:
    return httpx.get(f"{url}{path}", headers={"cookie": f"{COOKIE}={token}", **headers})


def _refused(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers["location"] == "/admin/login"


@pytest.fixture
def server_with(make_app, live_server, settings):
    """``server_with(admin_keys)``: a fresh server process on the same database."""

    def start(admin_keys: str | None):
        update = {"admin_keys": SecretStr(admin_keys) if admin_keys else None}
        return live_server(make_app(settings.model_copy(update=update)))

    return start


def test_a_session_ends_when_its_key_is_removed_and_the_server_restarts(server_with, db):
    first = server_with(f"{OLD_KEY},{NEW_KEY}")
    token = _sign_in(first.url, OLD_KEY)
    assert _get(first.url, "/admin/handoffs", token).status_code == 200
    assert _get(first.url, "/admin/conversations/export.csv", token).status_code == 200
    first.stop()

    second = server_with(NEW_KEY)  # the old key was removed
    for path in ("/admin/handoffs", "/admin/conversations/export.csv", "/admin/dashboard"):
        assert _refused(_get(second.url, path, token)), path
    # The row is gone too: putting the key back later does not revive the session.
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(AdminSession)) == 0
    retrain = httpx.post(
        f"{second.url}/admin/review/train",
        data={"csrf": "anything"},
        headers={"cookie": f"{COOKIE}={token}"},
    )
    assert _refused(retrain)


def test_a_session_of_a_key_still_configured_survives_a_restart(server_with):
    first = server_with(OLD_KEY)
    token = _sign_in(first.url, OLD_KEY)
    first.stop()
    second = server_with(f"{NEW_KEY},{OLD_KEY}")
    assert _get(second.url, "/admin/handoffs", token).status_code == 200


def test_a_keyless_session_ends_once_admin_keys_are_set(server_with):
    first = server_with(None)
    token = _sign_in(first.url)  # a browser on this machine, no key
    assert _get(first.url, "/admin/handoffs", token).status_code == 200
    first.stop()

    second = server_with(NEW_KEY)
    assert _refused(_get(second.url, "/admin/handoffs", token))
    assert _refused(_get(second.url, "/admin/conversations/export.json", token))


@pytest.mark.parametrize(
    "header",
    [
        {"x-forwarded-for": "203.0.113.9"},
        {"forwarded": "for=203.0.113.9"},
        {"x-real-ip": "203.0.113.9"},
        {"host": "attacker.example"},
    ],
)
def test_a_keyless_session_is_refused_through_a_proxy(server_with, header):
    server = server_with(None)
    token = _sign_in(server.url)
    assert _refused(_get(server.url, "/admin/conversations/export.csv", token, **header))
    # ...and the session is gone, even for the direct browser that opened it.
    assert _refused(_get(server.url, "/admin/handoffs", token))
