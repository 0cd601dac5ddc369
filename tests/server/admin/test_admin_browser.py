"""The operator pages in real headless Chromium: sign in, the dashboard's plots, claiming a
handoff, reviewing a turn and retraining, signing out.

Debian's ``/usr/bin/chromium`` driven by Playwright's Python package (the kiosk's
``launch_chromium`` fixture, no microphone); the real app under uvicorn on loopback
with admin keys, on a SQLite file holding ``admin_data``'s conversations. Screenshots
go to ``artifacts/admin/`` (git-ignored).
"""

from __future__ import annotations

import pytest
from admin_data import build_conversations
from conftest import REPO
from pydantic import SecretStr

ADMIN_KEY = "operator-key-0123456789abcdef"
ARTIFACTS = REPO / "artifacts" / "admin"
LAPTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}  # an iPad Air, upright


@pytest.fixture
def operator_site(make_app, live_server, settings, db, dialogue):
    used = settings.model_copy(update={"admin_keys": SecretStr(ADMIN_KEY)})
    ids = build_conversations(dialogue, db)
    return live_server(make_app(used)), ids


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def drawn_pixels(page, canvas_id: str) -> int:
    """Non-transparent pixels on a canvas: a plot was really drawn."""
    return page.evaluate(
        """(id) => { const c = document.getElementById(id);
                     const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                     let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""",
        canvas_id,
    )


def test_sign_in_dashboard_claim_review_and_sign_out(operator_site, launch_chromium) -> None:
    server, ids = operator_site
    browser = launch_chromium(None, mic="none")
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Sign in: a form, never a key in a URL; a wrong key is refused.
    page.goto(f"{server.url}/admin")
    assert page.url.endswith("/admin/login")
    page.fill("#key", "not-the-key-0000000000")
    page.click("button[type=submit]")
    assert "not valid" in page.locator(".error").inner_text()
    shot(page, "01-login-refused.png")
    page.fill("#key", ADMIN_KEY)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/handoffs")
    (cookie,) = context.cookies()
    assert cookie["httpOnly"] and cookie["secure"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/admin" and ADMIN_KEY not in cookie["value"]
    assert all(ADMIN_KEY not in url for url in [page.url])

    # The desk: open handoffs first.
    cards = page.locator("li.handoff")
    assert cards.count() == 3
    assert all("open" in cards.nth(i).get_attribute("class") for i in range(3))
    shot(page, "02-handoffs.png")

    # The dashboard for today: figures as the test built them, five plots drawn by Chart.js.
    page.goto(f"{server.url}/admin/dashboard")
    page.wait_for_function("window.harkDashboard && window.harkDashboard.charts === 5")
    assert page.locator("#kpi-conversations").inner_text() == "5"
    assert page.locator("#kpi-containment").inner_text() == "60.0%"
    assert page.locator("#kpi-handoff-rate").inner_text() == "40.0%"
    assert page.locator("#kpi-orders").inner_text() == "1"
    assert page.locator("#kpi-revenue").inner_text() == "129.99 USD"
    assert page.locator("#kpi-cart").inner_text() == "50.0%"
    for canvas in (
        "chart-days",
        "chart-sentiment",
        "chart-reasons",
        "chart-intents",
        "chart-latency",
    ):
        assert drawn_pixels(page, canvas) > 500, canvas
    assert "blorp the flurb" in page.locator("#misunderstood").inner_text()
    shot(page, "03-dashboard-laptop.png")
    today = page.evaluate("window.harkDashboard.figures.period.to")
    page.goto(f"{server.url}/admin/dashboard?from={today}&to={today}&channel=")
    page.wait_for_function("window.harkDashboard && window.harkDashboard.charts === 5")
    assert page.evaluate("window.harkDashboard.figures.sentiment.by_hour.length") >= 1
    assert drawn_pixels(page, "chart-sentiment") > 500
    shot(page, "03b-dashboard-one-day.png")
    page.set_viewport_size(TABLET)
    page.reload()
    page.wait_for_function("window.harkDashboard && window.harkDashboard.charts === 5")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= TABLET["width"]  # nothing runs off a tablet's screen sideways
    shot(page, "04-dashboard-tablet.png")
    page.set_viewport_size(LAPTOP)

    # Claim the phone caller's handoff, then resolve it.
    page.goto(f"{server.url}/admin/handoffs")
    page.locator("li.handoff", has_text="phone").first.locator("a").click()
    assert "I want to talk to an agent" in page.locator(".transcript").inner_text()
    page.click("#claim")
    page.wait_for_selector(".badge.claimed")
    assert "claimed by admin:" in page.locator(".facts").inner_text()
    shot(page, "05-handoff-claimed.png")
    page.fill("#note", "Called the customer back; all sorted.")
    page.click("#resolve")
    page.wait_for_selector(".badge.resolved")

    # Review: the turn nobody understood gets its right intent, then a retrain.
    page.goto(f"{server.url}/admin/review")
    item = page.locator("li.review", has_text="blorp the flurb")
    assert "not understood" in item.inner_text()
    item.locator("select[name=intent]").select_option("out_of_scope")
    item.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("li.review", has_text="blorp the flurb").count() == 0
    assert "blorp the flurb" in page.locator("table.list").inner_text()
    page.click("#retrain")
    page.wait_for_load_state()
    assert page.locator("#model-figures").inner_text().startswith("Model 1")
    shot(page, "06-review-retrained.png")

    # Conversations: filter by handoff, read a redacted transcript.
    page.goto(f"{server.url}/admin/conversations?handoff=yes")
    assert page.locator("table.list tbody tr").count() == 2
    shot(page, "07-conversations.png")

    # Sign out: the session is gone, the pages send the browser back to the form.
    page.click(".logout button")
    page.wait_for_url("**/admin/login")
    page.goto(f"{server.url}/admin/handoffs")
    assert page.url.endswith("/admin/login")
    assert errors == []
    context.close()
    assert ids["phone"]


def test_forms_need_the_session_token(operator_site) -> None:
    """A form posted without this session's CSRF token (another site's form, say) is refused."""
    import httpx

    server, _ids = operator_site
    with httpx.Client(base_url=server.url) as http:
        login = http.post("/admin/login", data={"key": ADMIN_KEY}, follow_redirects=False)
        token = login.cookies["hark_admin"]
        listed = http.get(
            "/v1/admin/handoffs", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
        ).json()
        target = listed["handoffs"][0]["id"]
        cookie = {"Cookie": f"hark_admin={token}"}
        forged = http.post(
            f"/admin/handoffs/{target}/claim", data={"csrf": "guess"}, headers=cookie
        )
        assert forged.status_code == 403
        cross = http.post(
            f"/admin/handoffs/{target}/claim",
            data={"csrf": "guess"},
            headers={**cookie, "Origin": "https://evil.example"},
        )
        assert cross.status_code == 403
        assert (
            http.get("/admin/handoffs", follow_redirects=False).headers["location"]
            == "/admin/login"
        )
