"""The operator's notices page in real headless Chromium: the chart of outcomes by day is
drawn, the ledger lists every notice with its outcome and reason, and filters by customer
and event. Screenshots go to ``artifacts/admin/`` (git-ignored)."""

from __future__ import annotations

from pydantic import SecretStr
from server.admin.test_admin_browser import ADMIN_KEY, LAPTOP, drawn_pixels, shot

from hark.store.shop_import import import_shop
from skills.notices.test_notices import LATE, NOON, write_shop


def test_the_notices_page(
    make_app, live_server, db, tmp_path, notice_settings, sender_for, launch_chromium
) -> None:
    import_shop(db, write_shop(tmp_path / "shop"))
    rules = frozenset({"order_delayed", "order_eta_moved"})
    import_shop(
        db,
        write_shop(tmp_path / "shop", {**LATE, "5274": ("delayed", "2026-12-20")}),
        notice_rules=rules,
    )
    import_shop(db, write_shop(tmp_path / "shop", {**LATE, "5274": ("delivered", "2026-12-20")}))
    sender_for(db, notice_settings).run_once(now=NOON)  # two texts; Maria: no consent
    used = notice_settings.model_copy(update={"admin_keys": SecretStr(ADMIN_KEY), "notices": "off"})
    server = live_server(make_app(used))

    browser = launch_chromium(None, mic="none")
    page = browser.new_context(viewport=LAPTOP).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/admin/login")
    page.fill("#key", ADMIN_KEY)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/handoffs")
    page.click("nav a[href='/admin/notices']")
    page.wait_for_function("() => window.harkNotices && window.harkNotices.charts === 1")
    assert drawn_pixels(page, "chart-outcomes") > 500
    rows = page.locator("#notices tr.notice")
    assert rows.count() == 4
    outcomes = sorted(rows.nth(i).locator(".outcome").inner_text() for i in range(4))
    assert outcomes == ["delivered", "delivered", "suppressed", "suppressed"]
    table = page.locator("#notices").inner_text()
    assert "no consent" in table and "rule off" in table
    shot(page, "08-notices.png")

    page.fill("#filter-customer", "C002")
    page.click("form.period button[type=submit]")
    page.wait_for_function("() => window.harkNotices && window.harkNotices.charts === 1")
    assert rows.count() == 1 and "sms: delivered" in rows.first.inner_text()
    page.fill("#filter-customer", "")
    page.select_option("#filter-event", "order_eta_moved")
    page.click("form.period button[type=submit]")
    page.wait_for_load_state()
    assert rows.count() == 1 and "C001" in rows.first.inner_text()
    shot(page, "09-notices-filtered.png")
    assert errors == []
