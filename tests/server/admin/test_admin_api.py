"""The operator JSON API on a real server: analytics figures match a conversation set the test
builds (``admin_data.py``), handoffs are claimed and resolved, conversations found and exported.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import httpx
import pytest
from admin_data import ORDER_TOTAL, build_conversations
from pydantic import SecretStr

ADMIN_A = "admin-key-aaaaaaaaaaaaaaaa"
ADMIN_B = "admin-key-bbbbbbbbbbbbbbbb"


@pytest.fixture
def admin_api(make_app, live_server, settings, db, dialogue):
    used = settings.model_copy(update={"admin_keys": SecretStr(f"{ADMIN_A},{ADMIN_B}")})
    ids = build_conversations(dialogue, db)
    server = live_server(make_app(used))
    with httpx.Client(
        base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {ADMIN_A}"}
    ) as http:
        yield http, ids


def today() -> str:
    return dt.datetime.now(dt.UTC).date().isoformat()


def test_analytics_match_the_conversations_the_test_built(admin_api) -> None:
    http, _ids = admin_api
    a = http.get("/v1/admin/analytics", params={"from": today(), "to": today()}).json()
    assert a["conversations"] == 5  # the silent one and the 40-day-old one don't count
    assert a["channels"] == {"web": 1, "voice": 1, "phone": 1, "alexa": 1, "sms": 1}
    assert a["handoffs"] == 2 and a["handoff_rate"] == 0.4
    assert a["handoff_reasons"] == {"requested": 1, "not_understood": 1}
    assert a["contained"] == 3 and a["containment_rate"] == 0.6
    assert a["orders"] == 1 and a["revenue"] == ORDER_TOTAL and a["currency"] == "USD"
    assert a["carts"] == 2 and a["cart_conversions"] == 1 and a["cart_conversion_rate"] == 0.5
    top = {i["intent"]: i["count"] for i in a["top_intents"]}
    assert top["add_to_cart"] == 2 and top["product_search"] == 2 and top["checkout"] == 2
    assert top["human_agent"] == 2 and "greet" not in top
    assert [m["text"] for m in a["misunderstood"]] == ["blorp the flurb", "zzz qqq vvv"]
    latency = a["latency_ms"]
    assert latency["total_ms"] == {
        "count": 3,
        "p50": 200.0,
        "p90": 300.0,
        "p95": 300.0,
        "p99": 300.0,
    }
    assert latency["asr_ms"]["count"] == 3 and latency["dialogue_ms"]["count"] == 11
    (day,) = [d for d in a["by_day"] if d["conversations"]]
    assert day == {"day": today(), "conversations": 5, "handoffs": 2}
    assert a["sentiment"]["by_day"][0]["turns"] == 11  # every caller turn of the five
    assert sum(h["turns"] for h in a["sentiment"]["by_hour"]) == 11  # one day: hour by hour
    week = http.get("/v1/admin/analytics").json()  # the default: the last 7 days
    assert week["conversations"] == 5 and week["sentiment"]["by_hour"] is None

    phone = http.get("/v1/admin/analytics", params={"channel": "phone"}).json()
    assert phone["conversations"] == 1 and phone["handoff_rate"] == 1.0
    old_day = (dt.datetime.now(dt.UTC).date() - dt.timedelta(days=40)).isoformat()
    old = http.get("/v1/admin/analytics", params={"from": old_day, "to": old_day}).json()
    assert old["conversations"] == 1 and old["handoff_reasons"] == {"requested": 1}

    assert (
        http.get(
            "/v1/admin/analytics", params={"from": "2026-12-01", "to": "2026-11-01"}
        ).status_code
        == 422
    )
    assert http.get("/v1/admin/analytics", params={"channel": "no such!"}).status_code == 422
    assert (
        http.get(
            "/v1/admin/analytics", headers={"Authorization": "Bearer wrong-key-0123456789"}
        ).status_code
        == 401
    )


def test_handoffs_are_claimed_once_and_resolved(admin_api) -> None:
    http, ids = admin_api
    listed = http.get("/v1/admin/handoffs").json()["handoffs"]
    assert [h["status"] for h in listed] == ["open", "open", "open"]  # the old one too
    phone = next(h for h in listed if h["conversation_id"] == ids["phone"])
    assert phone["reason"] == "requested" and phone["channel"] == "phone"
    assert phone["delivery"]["state"] == "off"  # no webhook configured: the desk only
    one = http.get(f"/v1/admin/handoffs/{phone['id']}").json()
    assert [t["role"] for t in one["transcript"]] == ["assistant", "user", "assistant"]

    claimed = http.post(f"/v1/admin/handoffs/{phone['id']}/claim").json()
    assert claimed["status"] == "claimed" and claimed["claimed_by"].startswith("admin:")
    assert http.post(f"/v1/admin/handoffs/{phone['id']}/claim").status_code == 200  # mine
    other = {"Authorization": f"Bearer {ADMIN_B}"}
    taken = http.post(f"/v1/admin/handoffs/{phone['id']}/claim", headers=other)
    assert taken.status_code == 409 and "claimed by" in taken.json()["detail"]
    done = http.post(
        f"/v1/admin/handoffs/{phone['id']}/resolve",
        json={"note": "called back on 555-010-0199, card 4111 1111 1111 1111 refunded"},
    ).json()
    assert done["status"] == "resolved" and "4111" not in done["resolution"]
    assert "555-010-0199" not in done["resolution"]
    assert http.post(f"/v1/admin/handoffs/{phone['id']}/resolve").status_code == 409
    order = [h["status"] for h in http.get("/v1/admin/handoffs").json()["handoffs"]]
    assert order == ["open", "open", "resolved"]  # what needs a person first
    assert http.get("/v1/admin/handoffs/nope").status_code == 404
    assert http.post("/v1/admin/handoffs/x%00y/claim").status_code == 404


def test_conversations_are_found_and_exported(admin_api) -> None:
    http, ids = admin_api
    found = http.get("/v1/admin/conversations", params={"handoff": "true"}).json()
    assert {c["conversation_id"] for c in found["conversations"]} == {ids["phone"], ids["alexa"]}
    carts = http.get("/v1/admin/conversations", params={"intent": "add_to_cart"}).json()
    assert {c["conversation_id"] for c in carts["conversations"]} == {ids["order"], ids["voice"]}
    words = http.get("/v1/admin/conversations", params={"q": "RETURN policy"}).json()
    assert [c["conversation_id"] for c in words["conversations"]] == [ids["sms"]]
    exported = http.get(
        "/v1/admin/conversations/export", params={"format": "csv", "channel": "web"}
    )
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert {r["conversation_id"] for r in rows} == {ids["order"]}
    assert [r["role"] for r in rows][:2] == ["assistant", "user"] and len(rows) == 9
    as_json = http.get("/v1/admin/conversations/export", params={"channel": "alexa"}).json()
    (alexa,) = as_json["conversations"]
    assert alexa["handoff"] is True and alexa["transcript"][1]["text"] == "blorp the flurb"
