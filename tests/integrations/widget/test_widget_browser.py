"""The website widget in real headless Chromium, on a shop's page on another origin.

Two real servers on loopback: Hark (with API keys, the shop's page origin in
HARK_ALLOWED_ORIGINS) and a small "shop" site on another port whose page
embeds the widget with one script tag and whose back end mints tickets with
its API key at ``POST /hark-ticket``, passing Hark's answer through (a
visitor "logged in" by a cookie gets a ticket for their customer id). The
shop page records every ``hark:*`` event it receives. Screenshots at desktop
and phone widths go to ``artifacts/widget/``.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from conftest import REPO
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse
from playwright.sync_api import expect
from support.live_server import LiveServer

from hark.integrations.widget.assets import SIZE_BUDGET_GZIP, WIDGET_JS, gzipped_size

KEY = "shop-backend-key-0123456789abcdef"
AXE = REPO / "tests" / "browser" / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 780}
HOSTILE_CSS = "* { all: unset; } button { color: red !important; font-size: 30px; }"


def shop_site(hark_url: str) -> FastAPI:
    """The shop's own site: a product page embedding the widget, and the ticket endpoint."""
    shop = FastAPI()

    @shop.get("/", response_class=HTMLResponse)
    async def page(request: Request) -> str:
        hostile = f"<style>{HOSTILE_CSS}</style>" if request.query_params.get("hostile") else ""
        return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Outdoor & Audio shop</title>{hostile}
<script>window.shopEvents = [];
for (const name of ["open", "close", "cart", "handoff", "product"])
  document.addEventListener("hark:" + name, (e) => shopEvents.push({{name, detail: e.detail}}));
</script></head><body><main><h1>Welcome to our shop</h1>
<button id="shop-button" type="button">Shop's own button</button></main>
<script src="{hark_url}/widget.js" data-hark-ticket-url="/hark-ticket"
        data-hark-checkout-url="/checkout" async></script></body></html>"""

    @shop.post("/hark-ticket")
    async def ticket(request: Request) -> JSONResponse:
        customer = request.cookies.get("customer")  # the shop's own login
        body = {"customer_id": customer} if customer else {}
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"{hark_url}/v1/voice/tickets",
                json=body,
                headers={"Authorization": f"Bearer {KEY}"},
            )
        return JSONResponse(answer.json(), status_code=answer.status_code)

    return shop


def _start_sites(folder: Path, **engines):
    """(hark, shop, services): Hark with a key and the shop page's origin allowed, and the
    shop site (its port is reserved first, so Hark can allow its origin)."""
    from conftest import TODAY

    from hark.runtime.settings import load_settings
    from hark.server.app import create_app
    from hark.server.services import build_services

    holder: dict[str, FastAPI] = {}

    async def shop_asgi(scope, receive, send):  # the shop app is built once Hark's URL is known
        await holder["app"](scope, receive, send)

    shop = LiveServer(shop_asgi)
    settings = load_settings(
        data_dir=folder,
        today=TODAY,
        log_format="json",
        api_keys=KEY,
        allowed_origins=shop.url,
        models_auto_download=False,
        **engines,
    )
    services = build_services(settings, load_engines=bool(engines))
    hark = LiveServer(create_app(settings, services), ws_per_message_deflate=False).start()
    holder["app"] = shop_site(hark.url)
    shop.start()
    return hark, shop, services


def _stop_sites(hark: LiveServer, shop: LiveServer, services) -> None:
    shop.stop()
    hark.stop()
    services.close()


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory):
    """Text only: no speech models loaded."""
    hark, shop, services = _start_sites(tmp_path_factory.mktemp("widget-data"))
    yield hark, shop
    _stop_sites(hark, shop, services)


@pytest.fixture(scope="module")
def browser(launch_chromium):
    return launch_chromium(None, mic="none")


@pytest.fixture
def artifact_dir() -> Path:
    folder = REPO / "artifacts" / "widget"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_shop(browser, shop: LiveServer, *, viewport=DESKTOP, query: str = "", customer=None):
    context = browser.new_context(viewport=viewport)
    if customer:
        context.add_cookies([{"name": "customer", "value": customer, "url": shop.url}])
    page = context.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{shop.url}/{query}")
    page.wait_for_function("() => window.HarkWidget && document.querySelector('hark-widget')")
    return page


def widget_state(page) -> dict:
    return page.evaluate("() => HarkWidget.state")


def assistant_lines(page) -> list[str]:
    return page.locator("hark-widget .msg.assistant").all_inner_texts()


def wait_replies(page, count: int, timeout_ms: int = 15000) -> list[str]:
    page.wait_for_function(
        f"() => document.querySelector('hark-widget').shadowRoot"
        f".querySelectorAll('.msg.assistant').length >= {count}",
        timeout=timeout_ms,
    )
    return assistant_lines(page)


def test_one_script_tag_chat_cards_cart_and_events(sites, browser, artifact_dir) -> None:
    hark, shop = sites
    page = open_shop(browser, shop)
    launcher = page.get_by_role("button", name="Chat with our assistant")
    assert launcher.get_attribute("aria-expanded") == "false"
    launcher.click()
    assert launcher.get_attribute("aria-expanded") == "true"
    greeting = wait_replies(page, 1)[0]
    assert "automated assistant" in greeting  # Hark says it is an AI

    textbox = page.get_by_role("textbox", name="Type your question")
    assert textbox.evaluate("el => el === el.getRootNode().activeElement")  # focus moved in
    textbox.fill("do you have true wireless earbuds")
    textbox.press("Enter")
    reply = wait_replies(page, 2)[-1]
    assert "earbuds" in reply.lower()
    add = page.get_by_role("button", name="Add to cart: True Wireless Earbuds")
    add.click()
    page.wait_for_function("() => shopEvents.some((e) => e.name === 'cart')")
    cart_box = page.locator("hark-widget section.cart")
    cart_box.get_by_text("1 × True Wireless Earbuds").wait_for()
    events = page.evaluate("() => shopEvents")
    assert [e["name"] for e in events][:1] == ["open"]
    cart_event = next(e for e in events if e["name"] == "cart")
    assert cart_event["detail"]["cart"]["lines"][0]["sku"] == "AUD-3008"
    session_id = cart_event["detail"]["conversation_id"]
    assert session_id and session_id == widget_state(page)["sessionId"]
    page.screenshot(path=artifact_dir / "desktop-chat.png")

    # The shop's back end reads the cart for its own checkout.
    cart = httpx.get(
        f"{hark.url}/v1/conversations/{session_id}/cart",
        headers={"Authorization": f"Bearer {KEY}"},
    ).json()["cart"]
    assert [(line["sku"], line["quantity"]) for line in cart["lines"]] == [("AUD-3008", 1)]

    # A product name is a link the shop may follow.
    page.locator("hark-widget .card .name").first.click()
    page.wait_for_function("() => shopEvents.some((e) => e.name === 'product')")

    # A reload continues the same conversation: history, cart and the brain's memory.
    page.reload()
    page.wait_for_function(
        f"() => window.HarkWidget && HarkWidget.sessionId === {json.dumps(session_id)}",
        timeout=15000,
    )
    lines = assistant_lines(page)
    assert greeting in lines and reply in lines
    page.locator("hark-widget section.cart").get_by_text("1 × True Wireless Earbuds").wait_for()
    textbox = page.get_by_role("textbox", name="Type your question")
    textbox.fill("make it two")
    textbox.press("Enter")
    page.locator("hark-widget section.cart").get_by_text("2 × True Wireless Earbuds").wait_for(
        timeout=15000
    )

    # Escape closes the panel and gives focus back to the launcher.
    page.keyboard.press("Escape")
    assert launcher.get_attribute("aria-expanded") == "false"
    assert page.evaluate("() => shopEvents.some((e) => e.name === 'close')")
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()


def test_a_logged_in_visitor_hears_their_order_without_questions(sites, browser) -> None:
    _, shop = sites
    page = open_shop(browser, shop, customer="C001")
    page.get_by_role("button", name="Chat with our assistant").click()
    wait_replies(page, 1)
    textbox = page.get_by_role("textbox", name="Type your question")
    textbox.fill("where's my order?")
    textbox.press("Enter")
    reply = wait_replies(page, 2)[-1]
    assert "5274" in reply and "delayed" in reply.lower()
    assert "phone number" not in reply.lower() and "email" not in reply.lower()
    page.context.close()


def test_the_shops_css_does_not_reach_the_widget_nor_the_widgets_the_shop(
    sites, browser, artifact_dir
) -> None:
    _, shop = sites
    style = """() => {
      const root = document.querySelector('hark-widget').shadowRoot;
      const pick = (el) => { const s = getComputedStyle(el);
        return [s.color, s.backgroundColor, s.width, s.height, s.fontSize, s.position, s.display]; };
      return {launcher: pick(root.querySelector('.launcher')), host: pick(root.host),
              send: pick(root.querySelector('form button[type=submit]')),
              shopButton: getComputedStyle(document.getElementById('shop-button')).color};
    }"""
    plain = open_shop(browser, shop)
    plain.get_by_role("button", name="Chat with our assistant").click()
    wait_replies(plain, 1)
    expected = plain.evaluate(style)
    hostile = open_shop(browser, shop, query="?hostile=1")
    hostile.get_by_role("button", name="Chat with our assistant").click()
    wait_replies(hostile, 1)
    got = hostile.evaluate(style)
    assert got["launcher"] == expected["launcher"]
    assert got["send"] == expected["send"]
    assert got["host"][5] == "fixed"
    assert got["shopButton"] == "rgb(255, 0, 0)"  # the shop's own style still applies to its page
    hostile.screenshot(path=artifact_dir / "desktop-hostile-css.png")
    plain.context.close()
    hostile.context.close()


def test_phone_width_accessibility_and_size(sites, browser, artifact_dir) -> None:
    _, shop = sites
    page = open_shop(browser, shop, viewport=PHONE)
    page.get_by_role("button", name="Chat with our assistant").click()
    wait_replies(page, 1)
    textbox = page.get_by_role("textbox", name="Type your question")
    textbox.fill("any headphones for running?")
    textbox.press("Enter")
    wait_replies(page, 2)
    panel = page.locator("hark-widget #hark-panel").bounding_box()
    assert panel and panel["width"] == PHONE["width"]  # full screen on a phone
    page.screenshot(path=artifact_dir / "phone-chat.png")

    assert AXE.is_file(), "axe-core is not installed: run `make browser-test-assets`"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
          const r = await axe.run(document.querySelector('hark-widget'),
                                  {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']});
          return r.violations.map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.length}));
        }"""
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, serious
    (artifact_dir / "axe.json").write_text(json.dumps(result, indent=2))

    size = gzipped_size()
    (artifact_dir / "size.txt").write_text(f"widget.js: {size} bytes gzipped\n")
    print(f"widget.js: {WIDGET_JS.stat().st_size} bytes, {size} bytes gzipped")
    assert size < SIZE_BUDGET_GZIP
    page.context.close()


@pytest.fixture(scope="module")
def voice_sites(real_models, tmp_path_factory: pytest.TempPathFactory):
    """As ``sites``, with Whisper base and piper joe loaded (real speech both ways)."""
    hark, shop, services = _start_sites(
        tmp_path_factory.mktemp("widget-voice-data"),
        asr_model=str(real_models["whisper_base"]),
        tts_voice=str(real_models["piper_voice"]),
    )
    assert services.transcriber is not None and services.synthesizer is not None
    yield hark, shop
    _stop_sites(hark, shop, services)


@pytest.mark.real_models
def test_a_spoken_question_is_answered_aloud_and_a_barge_in_stops_it(
    voice_sites, launch_chromium, speech_wav, artifact_dir
) -> None:
    _, shop = voice_sites
    wav = speech_wav(
        ("silence", 1.5),
        ("say", "do you have true wireless earbuds"),
        ("silence", 7.0),
        ("say", "wait, stop. what about a tent"),
        ("silence", 20.0),
    )
    page = open_shop(launch_chromium(wav), shop)
    page.get_by_role("button", name="Chat with our assistant").click()
    wait_replies(page, 1)
    talk = page.get_by_role("button", name="Talk to the assistant")
    talk.click()  # a click: hands-free (the fake microphone starts playing its file now)
    expect(talk).to_have_attribute("aria-pressed", "true", timeout=10000)
    # The caller's words appear as theirs (however Whisper spells them: "earbuds", "ear buds",
    # "air buds"), and the answer is about the earbuds, spoken aloud.
    heard = page.locator("hark-widget .msg.user").first
    heard.wait_for(timeout=30000)
    page.wait_for_function("() => HarkWidget.state.player.frames > 10", timeout=30000)
    answer = wait_replies(page, 2)[-1]
    assert "earbuds" in answer.lower(), f"heard {heard.inner_text()!r}, answered {answer!r}"
    # The caller talks over the reply: Hark stops (interrupted) and the page drops its audio.
    page.wait_for_function(
        "() => HarkWidget.state.events.lastIndexOf('interrupted')"
        " > HarkWidget.state.events.lastIndexOf('turn_metrics')",
        timeout=30000,
    )
    assert widget_state(page)["player"]["flushes"] >= 1
    page.wait_for_function(  # what the caller said over the reply is heard as their next turn
        "() => document.querySelector('hark-widget').shadowRoot"
        ".querySelectorAll('.msg.user').length >= 2",
        timeout=30000,
    )
    page.screenshot(path=artifact_dir / "desktop-voice.png")
    assert not page.errors  # type: ignore[attr-defined]
    page.context.close()
