"""The operator API for notices on a real server: an order update by PUT becomes one notice,
the ledger lists it (filtered) with outcomes by day, consent is recorded with when and how;
every route refuses a request without the admin key and bad input with a clear 4xx."""

from __future__ import annotations

import httpx
import pytest
from pydantic import SecretStr

ADMIN = "admin-key-notices-0123456789"


@pytest.fixture
def admin(make_app, live_server, settings):
    used = settings.model_copy(
        update={"admin_keys": SecretStr(ADMIN), "notices": "order_delayed,order_shipped"}
    )
    server = live_server(make_app(used))
    with httpx.Client(
        base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {ADMIN}"}
    ) as http:
        yield http


def test_an_order_update_becomes_one_notice_in_the_ledger(admin) -> None:
    order = {
        "customer_id": "C002",
        "status": "delayed",
        "placed_at": "2026-11-20",
        "eta": "2026-12-12",
    }
    first = admin.put("/v1/admin/orders/7002", json=order)
    assert first.status_code == 200, first.text
    [notice] = first.json()["notices"]
    assert notice["event"] == "order_delayed" and notice["customer_id"] == "C002"
    assert notice["state"] == "pending" and notice["event_key"] == "order:7002:delayed:2026-12-12"
    again = admin.put("/v1/admin/orders/7002", json=order)  # the same update: decided once
    assert again.json()["notices"] == []
    # a change the rules leave out is kept, suppressed with the reason
    eta = admin.put("/v1/admin/orders/7002", json={**order, "eta": "2026-12-20"}).json()
    assert (
        eta["notices"][0]["outcome"] == "suppressed" and "rule off" in eta["notices"][0]["reason"]
    )
    # a new order is not news; its lines come with it
    new = admin.put(
        "/v1/admin/orders/9999",
        json={**order, "status": "processing", "lines": [{"sku": "AUD-3006", "quantity": 2}]},
    )
    assert new.json() == {"order_id": "9999", "created": True, "notices": []}

    ledger = admin.get("/v1/admin/notices", params={"customer_id": "C002"}).json()
    assert [n["event"] for n in ledger["notices"]] == ["order_eta_moved", "order_delayed"]
    [day] = ledger["by_day"]
    assert day["suppressed"] == 1 and day["waiting"] == 1
    only = admin.get("/v1/admin/notices", params={"event": "order_delayed"}).json()
    assert [n["order_id"] for n in only["notices"]] == ["7002"]


def test_consent_is_recorded_with_when_and_how(admin) -> None:
    empty = admin.get("/v1/admin/customers/C003/consent").json()
    assert empty["channels"] == [] and not empty["opted_out"]
    given = admin.post(
        "/v1/admin/customers/C003/consent",
        json={"channel": "sms", "granted": True, "how": "checkout box, call 555-010-0103"},
    ).json()
    assert given["channels"] == ["sms"] and given["preference"] == ["sms"]
    [entry] = given["ledger"]
    assert entry["source"] == "api" and entry["at"] and "555-010-0103" not in entry["how"]
    stopped = admin.post(
        "/v1/admin/customers/C003/consent", json={"channel": "all", "granted": False}
    ).json()
    assert stopped["opted_out"] and stopped["channels"] == ["sms"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        (
            "put",
            "/v1/admin/orders/7002",
            {"customer_id": "NOPE", "status": "delayed", "placed_at": "2026-11-20"},
            404,
        ),
        (
            "put",
            "/v1/admin/orders/7002",
            {"customer_id": "C002", "status": "lost", "placed_at": "2026-11-20"},
            422,
        ),
        (
            "put",
            "/v1/admin/orders/7002",
            {"customer_id": "C002", "status": "shipped", "placed_at": "soon"},
            422,
        ),
        (
            "put",
            "/v1/admin/orders/NEW1",
            {"customer_id": "C002", "status": "shipped", "placed_at": "2026-11-20"},
            422,
        ),
        (
            "put",
            "/v1/admin/orders/7002",
            {"customer_id": "C002", "status": "shipped", "placed_at": "2026-11-20", "sku": "NOPE"},
            404,
        ),
        ("post", "/v1/admin/customers/C003/consent", {"channel": "fax", "granted": True}, 422),
        ("post", "/v1/admin/customers/NOPE/consent", {"channel": "sms", "granted": True}, 404),
        (
            "post",
            "/v1/admin/customers/C003/consent",
            {"channel": "sms", "granted": True, "at": "2099-01-01T00:00:00Z"},
            422,
        ),
        ("get", "/v1/admin/notices?event=birthday", None, 422),
    ],
)
def test_bad_input_is_a_clear_error(admin, method, path, body, status) -> None:
    response = admin.request(method.upper(), path, json=body)
    assert response.status_code == status, response.text
    assert "detail" in response.json()


def test_every_route_needs_the_admin_key(admin) -> None:
    for method, path in (
        ("PUT", "/v1/admin/orders/7002"),
        ("GET", "/v1/admin/notices"),
        ("GET", "/v1/admin/customers/C002/consent"),
        ("POST", "/v1/admin/customers/C002/consent"),
    ):
        response = admin.request(
            method, path, headers={"Authorization": "Bearer wrong-key-0123456789"}, json={}
        )
        assert response.status_code == 401, (method, path)
