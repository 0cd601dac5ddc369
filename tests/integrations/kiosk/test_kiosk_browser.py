"""The kiosk page in real headless Chromium, against a real server with real speech models.

Debian's ``/usr/bin/chromium`` is driven by Playwright's Python package; the
microphone is Chromium's fake capture device playing a WAV of espeak-ng speech
once (``%noloop``); the server is the real app on loopback with Whisper base
and piper ``en_US-joe-medium`` (``tests/fixtures_browser.py``). Screenshots of
the start screen, a conversation with cards, the 3D view and the error state
go to ``artifacts/kiosk/``.

What the page itself knows is read from the DOM and from ``window.harkKiosk``
(its diagnostics: state, events received, the player's counters).
"""

from __future__ import annotations

import re
import time

import httpx
import pytest

pytestmark = pytest.mark.real_models

VIEWPORT = {"width": 1280, "height": 860}
_PAGES: list = []


@pytest.fixture(autouse=True)
def _close_pages(kiosk_server):
    """Each test's pages close after it, so their conversations end (no session leaks
    into the next test's counts)."""
    yield
    while _PAGES:
        _PAGES.pop().close()
    app = kiosk_server.server.config.app
    from hark.server.routes_voice import active_sessions

    deadline = time.monotonic() + 10
    while active_sessions(app) and time.monotonic() < deadline:
        time.sleep(0.05)


def kiosk_state(page) -> dict:
    return page.evaluate(
        """() => ({state: harkKiosk.state, screen: harkKiosk.screen,
                   sessionId: harkKiosk.sessionId, events: harkKiosk.events.slice(),
                   stats: harkKiosk.player ? {...harkKiosk.player.stats} : null})"""
    )


def wait_until(page, check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = check(kiosk_state(page))
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {kiosk_state(page)}"
        page.wait_for_timeout(100)


def open_kiosk(browser, url: str, query: str = "", viewport: dict | None = None):
    page = browser.new_page(viewport=viewport or VIEWPORT)
    _PAGES.append(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{url}/kiosk{query}")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def test_spoken_conversation_cards_cart_barge_in_and_3d(
    kiosk_server, launch_chromium, speech_wav, artifact
) -> None:
    # The caller speaks 2 s after the tap, while the greeting is still playing.
    # 5 s of speech: partial transcripts (from 2 s on, when the recogniser is free) show meanwhile.
    line = "I am looking for a good travel mug that keeps my coffee hot all morning on my long drive to work"
    wav = speech_wav(("silence", 2.0), ("say", line), ("silence", 30.0))
    page = open_kiosk(launch_chromium(wav), kiosk_server.url)
    assert page.locator("#attract").is_visible()
    assert page.locator("#start").inner_text() == "Tap to talk"
    page.screenshot(path=str(artifact("1-start.png")))

    page.evaluate(
        """() => { window.__partialsShown = [];
            new MutationObserver(() => window.__partialsShown.push(
                document.getElementById("partial").textContent))
            .observe(document.getElementById("partial"), {childList: true, characterData: true,
                                                          subtree: true}); }"""
    )
    page.click("#start")
    wait_until(page, lambda s: s["state"] == "speaking", 20, "the greeting to play")
    track = page.evaluate("harkKiosk.mic.stream.getAudioTracks()[0].getSettings()")
    assert track["echoCancellation"] is True and track["noiseSuppression"] is True
    # Barge-in: speech during the greeting stops playback at once.
    wait_until(page, lambda s: "interrupted" in s["events"], 20, "the barge-in")
    state = kiosk_state(page)
    assert state["stats"]["flushes"] >= 1
    assert state["events"].index("speech_started") < state["events"].index("interrupted")
    assert state["state"] != "speaking"  # playback stopped with the flush
    assert page.locator(".caption.hark.interrupted").count() == 1

    # The transcript and the reply appear, with the product's card.
    you = page.locator(".caption.you").first
    you.wait_for(timeout=20000)
    # Every partial transcript that arrived was shown while the caller spoke. (Partials
    # come only when the recogniser finishes one before the speech ends: on a machine
    # with free cores always, on a loaded one not every time.)
    partials = page.evaluate("harkKiosk.partials")
    shown = page.evaluate("window.__partialsShown")
    assert all(p.strip() for p in partials)
    assert [f"{p}…" for p in partials] == [t for t in shown if t]
    # Real recognition of synthetic speech: close to what was said, never word for word
    # guaranteed ("travel mug" has come back as "travel mode"): most words must be there.
    said = set(re.findall(r"[a-z]+", line.lower()))
    heard = set(re.findall(r"[a-z]+", you.inner_text().lower()))
    assert len(said & heard) >= len(said) * 0.6, you.inner_text()
    first_card = page.locator(".card").first
    try:
        first_card.wait_for(timeout=20000)
    except Exception as exc:
        captions = page.locator("#captions").inner_text()
        raise AssertionError(f"no product card; captions: {captions!r}") from exc
    assert page.locator(".caption.hark").count() == 2  # the greeting and the reply
    card = page.locator(".card:has(button.add:not([disabled]))").first
    sku = card.get_attribute("data-sku")
    name = card.locator(".name").inner_text()
    price = card.locator(".price").inner_text()
    assert re.fullmatch(r"\$\d+\.\d\d", price)
    assert card.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")

    # The reply's audio is played (the page's player counts what actually ended).
    played_before = kiosk_state(page)["stats"]["playedMs"]
    wait_until(page, lambda s: s["state"] == "speaking", 20, "the reply to be spoken")
    wait_until(
        page, lambda s: s["stats"]["playedMs"] > played_before + 1000, 20, "reply audio to play"
    )

    # "Add to cart" is a typed turn; the reply's cart updates the total.
    card.get_by_role("button", name=f"Add {name} to cart").click()
    # Tapping while Hark speaks interrupts it; the screen says it is thinking, not listening.
    assert page.evaluate("document.body.dataset.state") in ("thinking", "speaking")
    page.locator(f"#cart-lines li[data-sku='{sku}']").wait_for(timeout=20000)
    assert page.locator("#cart-total").inner_text() == price
    assert f"1 × {name}" in page.locator("#cart-lines").inner_text()
    assert page.locator(".caption.you").last.inner_text().endswith(f"Add the {name} to my cart")
    page.screenshot(path=str(artifact("2-conversation-cards.png")))

    # Typed input works alongside speech, and brings the travel mug, which has a 3D model.
    page.fill("#typed-text", "Do you have a travel mug?")
    page.press("#typed-text", "Enter")
    card = page.locator(".card[data-sku='KIT-1001']")
    card.wait_for(timeout=20000)
    assert "$24.99" in card.inner_text() and "3D view" in card.inner_text()
    assert page.locator("#cart-total").inner_text() == price  # a question leaves the cart

    # The detail view shows the 3D model, with a QR code for the customer's phone.
    card.locator("button.open").click()
    page.locator("#detail-3d[data-loaded='true']").wait_for(timeout=30000)
    assert page.locator("#detail-name").inner_text() == "Vacuum-Insulated Travel Mug 16 oz"
    viewer = page.locator("#detail-3d model-viewer")
    assert viewer.evaluate("mv => mv.loaded") is True
    assert viewer.get_attribute("src") == "/shop-media/media/KIT-1001.glb"
    assert viewer.get_attribute("camera-controls") is not None
    qr = page.locator("#detail-qr-image")
    qr.wait_for()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    page.wait_for_timeout(500)  # let the first frames render for the screenshot
    page.screenshot(path=str(artifact("3-3d-view.png")))
    page.click("#detail-close")
    assert page.locator("#detail").is_hidden()

    # A handoff is shown on screen.
    page.fill("#typed-text", "I want to talk to a real person")
    page.press("#typed-text", "Enter")
    page.locator("#handoff").wait_for(state="visible", timeout=20000)
    assert "A member of staff is coming" in page.locator("#handoff").inner_text()
    assert page.errors == []  # type: ignore[attr-defined]


def test_phone_view_loads_the_model_with_ar(kiosk_server, launch_chromium, speech_wav) -> None:
    browser = launch_chromium(speech_wav(("silence", 1.0)))
    page = browser.new_page(viewport={"width": 412, "height": 860})
    _PAGES.append(page)
    qr = httpx.get(f"{kiosk_server.url}/kiosk/qr/AUD-3002.svg")
    phone_url = qr.headers["x-qr-url"]
    assert phone_url == f"{kiosk_server.url}/kiosk/p/AUD-3002"
    page.goto(phone_url)
    page.locator("#viewer[data-loaded='true']").wait_for(timeout=30000)
    viewer = page.locator("#viewer model-viewer")
    assert viewer.get_attribute("ar-modes") == "webxr scene-viewer quick-look"
    assert page.locator("#name").inner_text() == "Mini Portable Bluetooth Speaker"


def test_denied_microphone_shows_the_error_and_typing_still_works(
    kiosk_server, launch_chromium, speech_wav, artifact
) -> None:
    browser = launch_chromium(speech_wav(("silence", 1.0)), mic="deny")
    # The narrowest screen the kiosk supports: a portrait tablet.
    page = open_kiosk(browser, kiosk_server.url, viewport={"width": 768, "height": 1024})
    page.click("#start")
    banner = page.locator("#banner")
    banner.wait_for(state="visible", timeout=10000)
    assert "microphone is blocked" in banner.inner_text()
    wait_until(page, lambda s: s["sessionId"], 20, "the conversation to open for typing")
    # The greeting may already be playing ("speaking"); when it is not, the state line says
    # the microphone is off (the state, not a race with the greeting's first audio).
    wait_until(page, lambda s: s["state"] == "error", 30, "the microphone-off state")
    assert page.evaluate("document.body.dataset.state") == "error"
    page.locator(".caption.hark").first.wait_for(timeout=20000)  # the greeting, as a caption
    page.fill("#typed-text", "Do you sell kettles?")
    page.click("#typed button[type=submit]")
    page.locator(".caption.hark").nth(1).wait_for(timeout=20000)
    assert "kettle" in page.locator(".caption.hark").nth(1).inner_text().lower()
    assert page.locator(".card").count() >= 1
    # Once the reply has been spoken, the state line is back to: microphone off, type.
    wait_until(page, lambda s: s["state"] == "error", 30, "the reply to finish")
    assert page.evaluate("document.documentElement.scrollWidth") <= 768  # no sideways scroll
    page.screenshot(path=str(artifact("4-error-mic-denied.png")))
    assert page.errors == []  # type: ignore[attr-defined]


def test_no_microphone_says_so(kiosk_server, launch_chromium) -> None:
    page = open_kiosk(launch_chromium(None, mic="none"), kiosk_server.url)
    page.click("#start")
    banner = page.locator("#banner")
    banner.wait_for(state="visible", timeout=10000)
    assert "No microphone was found" in banner.inner_text()
    assert page.evaluate("harkKiosk.micError") == "missing"
    wait_until(page, lambda s: s["sessionId"], 20, "the conversation to open for typing")


def test_connection_lost_reconnects_with_backoff_and_says_so(
    kiosk_server, launch_chromium, speech_wav
) -> None:
    page = open_kiosk(launch_chromium(speech_wav(("silence", 1.0)), mic="deny"), kiosk_server.url)
    page.click("#start")
    first = wait_until(page, lambda s: s["sessionId"], 20, "the first session")

    # The server drops every open voice session (as a restart or a network cut would).
    from hark.server.routes_voice import active_sessions

    app = kiosk_server.server.config.app
    loop = kiosk_server.server.servers[0].get_loop()  # uvicorn's event loop
    sessions = list(active_sessions(app))
    assert sessions
    for session in sessions:
        loop.call_soon_threadsafe(session.finished.set)
    page.locator("#banner-text").filter(has_text="Connection lost").wait_for(timeout=10000)
    assert "Trying again in" in page.locator("#banner-text").inner_text()
    assert page.evaluate("document.body.dataset.state") == "reconnecting"
    second = wait_until(
        page,
        lambda s: s["sessionId"] and s["sessionId"] != first and s["sessionId"],
        15,
        "reconnect",
    )
    assert second != first


def test_server_busy_is_said_and_retried(kiosk_server, launch_chromium, speech_wav) -> None:
    import websockets.sync.client

    services = kiosk_server.server.config.app.state.services
    saved = services.settings
    services.settings = saved.model_copy(update={"max_voice_sessions": 1})
    try:
        with websockets.sync.client.connect(f"{kiosk_server.ws_url}/v1/voice") as holder:
            holder.send('{"type": "start", "sample_rate": 16000, "encoding": "pcm_s16le"}')
            assert '"ready"' in holder.recv(timeout=20)  # the one place is taken
            page = open_kiosk(
                launch_chromium(speech_wav(("silence", 1.0)), mic="deny"), kiosk_server.url
            )
            page.click("#start")
            busy = page.locator("#banner-text").filter(has_text="busy helping other customers")
            busy.wait_for(timeout=15000)
            assert "Trying again in" in page.locator("#banner-text").inner_text()
            assert page.evaluate("harkKiosk.sessionId") is None
        # A place frees up: the page's next retry gets in.
        wait_until(page, lambda s: s["sessionId"], 30, "the retry to connect")
    finally:
        services.settings = saved


def test_idle_timeout_ends_the_conversation_and_returns_to_attract(
    kiosk_server, launch_chromium, speech_wav
) -> None:
    page = open_kiosk(
        launch_chromium(speech_wav(("silence", 1.0)), mic="deny"), kiosk_server.url, "?idle=3"
    )
    page.click("#start")
    session_id = wait_until(page, lambda s: s["sessionId"], 20, "the session")
    page.locator("#attract").wait_for(state="visible", timeout=20000)
    assert page.evaluate("harkKiosk.endedBecause") == "idle"
    transcript = httpx.get(f"{kiosk_server.url}/v1/conversations/{session_id}").json()
    deadline = time.monotonic() + 10
    while transcript["ended_at"] is None and time.monotonic() < deadline:
        time.sleep(0.2)
        transcript = httpx.get(f"{kiosk_server.url}/v1/conversations/{session_id}").json()
    assert transcript["ended_at"] is not None


def test_goodbye_returns_to_the_attract_screen(kiosk_server, launch_chromium, speech_wav) -> None:
    page = open_kiosk(launch_chromium(speech_wav(("silence", 1.0)), mic="deny"), kiosk_server.url)
    page.click("#start")
    wait_until(page, lambda s: s["sessionId"], 20, "the session")
    page.fill("#typed-text", "that's all, goodbye")
    page.press("#typed-text", "Enter")
    page.locator("#attract").wait_for(state="visible", timeout=30000)
    assert page.evaluate("harkKiosk.endedBecause") == "goodbye"
    assert page.locator("#start").is_visible()


def test_voice_setup_progress_is_shown_while_models_download(
    kiosk_server, launch_chromium, speech_wav
) -> None:
    from hark.server.services import EngineStatus

    services = kiosk_server.server.config.app.state.services
    saved = dict(services.engines)
    services.engines["asr"] = EngineStatus(
        False,
        "downloading base from the model hub",
        download={
            "state": "downloading",
            "model": "base",
            "file": "base/model.bin",
            "file_percent": 42.0,
            "downloaded_bytes": 31457280,
        },  # fmt: skip
    )
    try:
        page = open_kiosk(launch_chromium(speech_wav(("silence", 1.0))), kiosk_server.url)
        notice = page.locator("#voice-setup")
        notice.wait_for(state="visible", timeout=10000)
        assert "downloading base: 30.0 MB 42 %" in notice.inner_text()
        assert "You can type meanwhile" in notice.inner_text()
    finally:
        services.engines.clear()
        services.engines.update(saved)
