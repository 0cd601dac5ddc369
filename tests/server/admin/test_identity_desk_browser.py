"""An identity lockout on the handoff desk, in real headless Chromium (issue 21).

Someone sweeps order numbers from James Carter's caller ID until his budget
(``HARK_VERIFY_LOCKOUT``, 5/hour) is spent; the operator sees the lockout on
``/admin/handoffs``, helps, and clears it; self-service opens again.
Screenshots go to ``artifacts/admin/``.
"""

from __future__ import annotations

from conftest import REPO
from pydantic import SecretStr

ADMIN_KEY = "operator-key-lockouts-0123456789"
ARTIFACTS = REPO / "artifacts" / "admin"


def test_an_operator_sees_and_clears_a_lockout(
    make_app, live_server, settings, dialogue, launch_chromium
) -> None:
    for number in ("1111", "2222", "3333", "4444", "5555"):
        conversation_id, _ = dialogue.start_conversation("phone", "C002")  # caller ID
        dialogue.turn(conversation_id, f"where is order {number}")
    locked, _ = dialogue.start_conversation("phone", "C002")
    assert "connect you with a person" in dialogue.turn(locked, "where is my order").text

    server = live_server(make_app(settings.model_copy(update={"admin_keys": SecretStr(ADMIN_KEY)})))
    browser = launch_chromium(None, mic="none")
    page = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/admin")
    page.fill("#key", ADMIN_KEY)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/handoffs")
    lockout = page.locator("li.lockout")
    assert lockout.count() == 1
    assert "customer C002" in lockout.inner_text() and "5 failed checks" in lockout.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "10-identity-lockout.png"), full_page=True)
    lockout.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("li.lockout").count() == 0
    assert not errors

    again, _ = dialogue.start_conversation("phone", "C002")
    assert "on its way" in dialogue.turn(again, "where is my order").text
