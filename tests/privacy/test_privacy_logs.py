"""Log lines keep ids exact and keep outside text out: request ids, paths, channels.

Real server on loopback, Hark's own JSON log handler. Conversation ids are hex
and often hold ten digits in a row: they must be logged exactly (never as
``...[phone]...``). A path, a header or a ``channel`` from outside is validated:
a valid id is logged as it is, anything else never reaches a log line or the
database raw.
"""

from __future__ import annotations

import io
import json

import httpx
import pytest
from sqlalchemy import select

from hark.runtime.settings import Settings
from hark.server.logs import resolve_format
from hark.store.models import Conversation


@pytest.fixture
def client(make_app, live_server):
    server = live_server(make_app())
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def _lines(buffer) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]


def test_conversation_ids_are_logged_exactly(client, captured_logs) -> None:
    ids = []
    for _ in range(60):
        conversation_id = client.post("/v1/conversations", json={"channel": "api"}).json()[
            "conversation_id"
        ]
        client.post(f"/v1/conversations/{conversation_id}/turns", json={"text": "hello"})
        ids.append(conversation_id)
    logged = {
        line["conversation_id"] for line in _lines(captured_logs) if line.get("conversation_id")
    }
    assert set(ids) <= logged
    assert not [v for v in logged if v not in ids]  # nothing half-rewritten
    routes = [line["msg"] for line in _lines(captured_logs) if line["logger"] == "hark.http"]
    assert "POST /v1/conversations/{conversation_id}/turns 200" in routes


def test_outside_ids_and_paths_are_validated(client, captured_logs, db) -> None:
    card = "4111111111111111"
    refused = client.post(f"/v1/conversations/{card}/turns", json={"text": "hi"})
    assert refused.status_code == 404
    bad_header = client.post(
        "/v1/conversations", json={"channel": "api"}, headers={"x-request-id": card}
    )
    assert bad_header.headers["x-request-id"] != card
    good_header = client.post(
        "/v1/conversations", json={"channel": "api"}, headers={"x-request-id": "req-42.a"}
    )
    assert good_header.headers["x-request-id"] == "req-42.a"
    assert client.get(f"/nowhere/{card}").status_code == 404
    channel = client.post("/v1/conversations", json={"channel": card})
    assert channel.status_code == 422
    assert client.post("/v1/conversations", json={"channel": "Kiosk Two"}).status_code == 422
    text = captured_logs.getvalue()
    assert card not in text and "4111 1111" not in text
    lines = _lines(captured_logs)
    assert any(
        line["msg"] == "POST /v1/conversations/{conversation_id}/turns 404"
        and line["conversation_id"] == "[invalid id]"
        for line in lines
    )
    assert any(line["msg"] == "GET [no route] 404" for line in lines)
    assert any(line.get("request_id") == "req-42.a" for line in lines)
    with db.session() as session:
        assert card not in {c for c in session.scalars(select(Conversation.channel))}


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_auto_log_format_is_readable_on_a_terminal_and_json_otherwise() -> None:
    """A person at a console reads lines; a collector reading a pipe gets JSON."""
    assert resolve_format("auto", _Terminal()) == "text"
    assert resolve_format("auto", io.StringIO()) == "json"
    assert resolve_format("json", _Terminal()) == "json"
    assert Settings().log_format == "auto"
