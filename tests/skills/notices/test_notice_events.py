"""The events issue 26 names beyond late and shipped orders: an order out for delivery, a
return refunded (from ``orders.csv`` and from ``PUT /v1/admin/orders/{id}``), and a product
a known customer asked about coming back in stock. Each is decided once, switched by
``HARK_NOTICES``, and worded for a stranger who might read the phone. Twilio's Messages
API is the recording double on loopback (``twilio_api_double``)."""

from __future__ import annotations

import csv
from pathlib import Path

import httpx
from pydantic import SecretStr
from sqlalchemy import select

from hark.dialogue.manager import DialogueManager
from hark.runtime.notice_rules import parse_rules
from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.skills.identity import Identity
from hark.store.data_rights import erase_customer, export_customer
from hark.store.models import Order, StockWatch
from hark.store.shop_import import import_shop
from skills.notices.test_notices import NOON, notices, write_shop

FROTHER = "COF-2010"  # Handheld Milk Frother: out of stock in the sample shop
ADMIN = "admin-key-notices-0123456789"


def write_products(folder: Path, stock: dict[str, int]) -> Path:
    """The sample catalogue with ``stock`` changed (media columns left out: the files are
    in the sample folder, not this one)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (SAMPLE_SHOP_DIR / "products.csv").open() as src:
        rows = list(csv.DictReader(src))
    columns = [c for c in rows[0] if c not in ("image_url", "model_url")]
    with (folder / "products.csv").open("w", newline="") as out:
        writer = csv.DictWriter(out, columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "stock": stock.get(row["sku"], row["stock"])})
    return folder


def watches(db) -> list[tuple[str, str, bool]]:
    with db.session() as session:
        rows = session.scalars(select(StockWatch).order_by(StockWatch.id)).all()
        return [(w.customer_id, w.sku, w.notified_at is not None) for w in rows]


def test_out_for_delivery_and_refunded_orders_become_notices(
    db, tmp_path, notice_settings, api, sender_for
) -> None:
    import_shop(db, write_shop(tmp_path / "shop"))
    changed = {"7002": ("Out for delivery", "2026-11-26"), "4768": ("refunded", "2026-09-10")}
    report = import_shop(
        db, write_shop(tmp_path / "shop", changed), notice_rules=parse_rules("all")
    )
    assert report.counts["notices"] == 2
    with db.session() as session:
        assert session.get(Order, "7002").status == "out_for_delivery"  # one stored spelling
    assert sorted((n.kind, n.event_key, n.state) for n in notices(db)) == [
        ("order_out_for_delivery", "order:7002:out_for_delivery", "pending"),
        ("return_refunded", "order:4768:refunded", "pending"),
    ]
    again = import_shop(db, write_shop(tmp_path / "shop", changed), notice_rules=parse_rules("all"))
    assert again.counts["notices"] == 0  # decided once

    sent = sender_for(db, notice_settings).run_once(now=NOON)
    assert {(o.event, o.action, o.channel) for o in sent} == {
        ("order_out_for_delivery", "sent", "sms"),  # James: texts first
        ("return_refunded", "sent", "whatsapp"),  # Aisha: WhatsApp first
    }
    bodies = {m["To"]: m["Body"] for m in api.messages()}
    assert "your order ending 02" in bodies["+15550100102"]
    assert "your return for the order ending 68" in bodies["whatsapp:+15550100105"]
    for body in bodies.values():  # nothing a stranger holding the phone shouldn't read
        assert "7002" not in body and "4768" not in body and "refund" not in body.lower()
        assert "James" not in body and "Aisha" not in body and "STOP" in body


def test_the_order_api_takes_the_new_statuses(make_app, live_server, settings) -> None:
    used = settings.model_copy(
        update={
            "admin_keys": SecretStr(ADMIN),
            "notices": "order_out_for_delivery,return_refunded",
        }
    )
    server = live_server(make_app(used))
    headers = {"Authorization": f"Bearer {ADMIN}"}
    with httpx.Client(base_url=server.url, timeout=30, headers=headers) as http:
        order = {"customer_id": "C002", "placed_at": "2026-11-20", "eta": "2026-11-26"}
        out = http.put("/v1/admin/orders/7002", json={**order, "status": "out-for-delivery"})
        assert out.status_code == 200, out.text
        [notice] = out.json()["notices"]
        assert notice["event"] == "order_out_for_delivery" and notice["state"] == "pending"
        refund = {"customer_id": "C005", "placed_at": "2026-09-05", "status": "refunded"}
        [refunded] = http.put("/v1/admin/orders/4768", json=refund).json()["notices"]
        assert refunded["event"] == "return_refunded"
        bad = http.put("/v1/admin/orders/7002", json={**order, "status": "teleported"})
        assert bad.status_code == 422
        only = http.get("/v1/admin/notices", params={"event": "return_refunded"}).json()
        assert [n["order_id"] for n in only["notices"]] == ["4768"]


def test_a_known_customer_who_asked_hears_the_product_is_back(
    db, tmp_path, notice_settings, api, sender_for
) -> None:
    import_shop(db, write_shop(tmp_path / "shop"))  # James agreed to texts
    dialogue = DialogueManager(db, notice_settings)
    james, _ = dialogue.start_conversation("sms", "C002")  # claimed: his number is on file
    reply = dialogue.turn(james, "is the milk frother available?")
    assert "out of stock" in reply.text
    dialogue.turn(james, "how much is the milk frother?")  # asked again: still one watch
    stranger, _ = dialogue.start_conversation("web")  # anonymous: leaves nothing behind
    assert "out of stock" in dialogue.turn(stranger, "is the milk frother available?").text
    emily, _ = dialogue.start_conversation("web", "C007", identity=Identity.VERIFIED)
    dialogue.turn(emily, "is the folding camp chair in stock?")
    assert watches(db) == [("C002", FROTHER, False), ("C007", "OUT-4007", False)]

    shop = write_products(tmp_path / "shop", {FROTHER: 12})
    report = import_shop(db, shop, notice_rules=parse_rules("back_in_stock"))
    assert report.counts["notices"] == 1  # the frother is back; the chair is not
    [notice] = notices(db)
    assert (notice.kind, notice.customer_id, notice.state) == ("back_in_stock", "C002", "pending")
    assert notice.facts == {"sku": FROTHER} and notice.event_key.startswith(
        f"stock:{FROTHER}:C002:"
    )
    assert watches(db) == [("C002", FROTHER, True), ("C007", "OUT-4007", False)]
    assert import_shop(db, shop, notice_rules=parse_rules("back_in_stock")).counts["notices"] == 0

    [sent] = sender_for(db, notice_settings).run_once(now=NOON)
    assert (sent.event, sent.action, sent.channel) == ("back_in_stock", "sent", "sms")
    [text] = api.messages()
    assert "an item you asked about is back in stock" in text["Body"]
    assert "frother" not in text["Body"].lower()  # which item is his to hear, not the phone's

    # sold out and asked about again: the next restock is news again
    import_shop(db, write_products(shop, {FROTHER: 0}))
    dialogue.turn(james, "is the milk frother available?")
    back = import_shop(db, write_products(shop, {FROTHER: 3}), notice_rules=parse_rules("all"))
    assert back.counts["notices"] == 1 and len(notices(db)) == 2

    exported = export_customer(db, "C007")
    assert [w["sku"] for w in exported["stock_watches"]] == ["OUT-4007"]
    erase_customer(db, "C007")
    assert [w for w in watches(db) if w[0] == "C007"] == []


def test_a_restock_nobody_asked_about_and_a_rule_off(db, tmp_path, notice_settings) -> None:
    dialogue = DialogueManager(db, notice_settings)
    maria, _ = dialogue.start_conversation("web", "C001", identity=Identity.VERIFIED)
    dialogue.turn(maria, "add the handheld milk frother to my cart")
    assert watches(db) == [("C001", FROTHER, False)]
    shop = write_products(tmp_path / "shop", {FROTHER: 5, "PER-6004": 2})
    import_shop(db, shop, notice_rules=parse_rules("order_delayed"))  # back_in_stock off
    [kept] = notices(db)
    assert kept.kind == "back_in_stock" and kept.outcome == "suppressed"
    assert "rule off" in kept.reason


def test_nothing_is_kept_while_the_rule_is_off(db, notice_settings) -> None:
    off = notice_settings.model_copy(update={"notices": "order_delayed"})
    dialogue = DialogueManager(db, off)
    james, _ = dialogue.start_conversation("sms", "C002")
    assert "out of stock" in dialogue.turn(james, "is the milk frother available?").text
    assert watches(db) == []
