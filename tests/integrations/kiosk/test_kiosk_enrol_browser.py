"""A kiosk on another machine than Hark, enrolled by staff in real Chromium, then talking.

The server is what a shop would run for a kiosk on its network: API keys
configured (so loopback trust is off entirely: a keyed server never asks
where a client is), bound to this machine's own network address rather than
loopback, over https (a self-signed certificate made here; the browser
context ignores certificate errors, as a shop's kiosk would trust its CA).
The browser reaches it on that address, so the server sees a non-loopback
client, which a recorder at the ASGI boundary (a TEST DOUBLE wrapper that only
records ``scope["client"]``) confirms. If this machine had no address besides
loopback, the test runs on 127.0.0.1 and relies on the keys alone.

Then: the page asks for a ticket, gets 401 and shows the enrolment screen; a
wrong key is refused; the right one gives a ``Secure``, ``HttpOnly``,
``SameSite=Strict`` cookie the page's scripts can't see, and the key is gone
from the page; a spoken conversation follows (real Whisper base and piper);
the conversation belongs to the kiosk; "Remove enrolment" ends it all.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import TODAY
from support.live_server import LiveServer

from hark.server.auth import is_loopback_host
from hark.store.models import Conversation

pytestmark = pytest.mark.real_models

KIOSK_KEY = "kiosk-key-front-door-0123456789ab"
SHOP_KEY = "shop-backend-key-abcdefghijklmnop"


def network_address() -> str:
    """This machine's own non-loopback IPv4 address (its interfaces, read with the
    SIOCGIFADDR ioctl of Linux), or 127.0.0.1 when it has none."""
    import fcntl
    import struct

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for _, name in socket.if_nameindex():
            try:
                request = struct.pack("256s", name[:15].encode())
                packed = fcntl.ioctl(probe.fileno(), 0x8915, request)  # SIOCGIFADDR
            except OSError:
                continue  # no IPv4 address on this interface
            address = socket.inet_ntoa(packed[20:24])
            if not is_loopback_host(address) and address != "0.0.0.0":
                return address
    return "127.0.0.1"


def self_signed_certificate(folder: Path, address: str) -> tuple[Path, Path]:
    """A certificate for ``address`` (and localhost), made with the ``cryptography`` package."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hark test kiosk server")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(address)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "key.pem", folder / "cert.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_file, cert_file


class ClientRecorder:
    """TEST DOUBLE at the ASGI boundary: passes everything through to the app, and records
    the client address the server saw for each kiosk and voice request."""

    def __init__(self, app) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] in ("http", "websocket") and scope["path"].startswith(
            ("/kiosk/enrol", "/kiosk/ticket", "/v1/voice")
        ):
            self.seen.append((scope["path"], scope["client"][0] if scope.get("client") else ""))
        await self.app(scope, receive, send)


@pytest.fixture(scope="module")
def remote_server(
    real_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, ClientRecorder, object]]:
    from hark.runtime.settings import load_settings
    from hark.server.app import create_app
    from hark.server.services import build_services

    address = network_address()
    data = tmp_path_factory.mktemp("remote-kiosk-data")
    key_file, cert_file = self_signed_certificate(tmp_path_factory.mktemp("tls"), address)
    settings = load_settings(
        host=address,
        data_dir=data,
        today=TODAY,
        log_format="json",
        asr_model=str(real_models["whisper_base"]),
        tts_voice=str(real_models["piper_voice"]),
        models_auto_download=False,
        api_keys=f"{SHOP_KEY},{KIOSK_KEY}",
    )
    services = build_services(settings)
    assert services.transcriber is not None and services.synthesizer is not None
    recorder = ClientRecorder(create_app(settings, services))
    server = LiveServer(
        recorder,
        host=address,
        ws_per_message_deflate=False,
        ssl_keyfile=str(key_file),
        ssl_certfile=str(cert_file),
    ).start()
    yield server, recorder, services
    server.stop()
    services.close()


def test_staff_enrol_a_remote_kiosk_then_a_customer_talks(
    remote_server, launch_chromium, speech_wav, artifact
) -> None:
    server, recorder, services = remote_server
    line = "Hello, I would like to buy an electric kettle for my kitchen please"
    wav = speech_wav(("silence", 7.0), ("say", line), ("silence", 25.0))
    browser = launch_chromium(wav)
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{server.url}/kiosk")
        assert page.evaluate("window.isSecureContext") is True

        # Not enrolled: the first tap asks for a ticket, gets 401, shows the staff screen.
        page.click("#start")
        page.locator("#enrol").wait_for(state="visible", timeout=10000)
        assert page.evaluate("harkKiosk.endedBecause") == "enrol"
        page.screenshot(path=str(artifact("5-enrolment.png")))

        page.fill("#enrol-key", "not-the-kiosk-key-0123456789")
        page.click("#enrol-form button[type=submit]")
        message = page.locator("#enrol-message")
        message.filter(has_text="not accepted").wait_for(timeout=10000)
        assert context.cookies() == []

        page.fill("#enrol-key", KIOSK_KEY)
        page.click("#enrol-form button[type=submit]")
        page.locator("#attract").wait_for(state="visible", timeout=10000)

        # The key is nowhere in the page; the session is a cookie its scripts can't read.
        [cookie] = context.cookies()
        assert cookie["name"] == "__Host-hark-kiosk"
        assert cookie["httpOnly"] is True and cookie["secure"] is True
        assert cookie["sameSite"] == "Strict" and cookie["path"] == "/"
        assert KIOSK_KEY not in cookie["value"]
        assert page.evaluate("document.cookie") == ""
        assert page.input_value("#enrol-key") == ""
        stored = page.evaluate(
            "() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])"
        )
        assert stored == "[[],[]]"
        assert KIOSK_KEY not in page.content()

        # A customer taps and talks: the transcript and the reply appear, the reply is heard.
        page.click("#start")
        session_id = _wait(page, "harkKiosk.sessionId", 30, "the conversation to open")
        you = page.locator(".caption.you").first
        you.wait_for(timeout=40000)
        said = set(re.findall(r"[a-z]+", line.lower()))
        heard = set(re.findall(r"[a-z]+", you.inner_text().lower()))
        assert len(said & heard) >= len(said) * 0.6, you.inner_text()
        page.locator(".caption.hark").nth(1).wait_for(timeout=30000)  # greeting, then reply
        assert "kettle" in page.locator(".caption.hark").nth(1).inner_text().lower()
        played = page.evaluate("harkKiosk.player.stats.playedMs")
        _wait(
            page,
            f"harkKiosk.player && harkKiosk.player.stats.playedMs > {played} + 1000",
            30,
            "the reply's audio to play",
        )
        page.screenshot(path=str(artifact("6-enrolled-conversation.png")))
        assert errors == []

        # The conversation belongs to this kiosk, anonymous: no key holder reads it.
        with services.db.session() as session:
            conversation = session.get(Conversation, session_id)
            assert conversation.owner.startswith("kiosk:")
            assert conversation.identity == "anonymous"
        # The server saw a client on the network, never on loopback (when it can be so).
        if server.host != "127.0.0.1":
            assert recorder.seen and all(not is_loopback_host(c) for _, c in recorder.seen)
        assert {"/kiosk/enrol", "/kiosk/ticket", "/v1/voice"} <= {p for p, _ in recorder.seen}

        # Staff remove the enrolment: the next tap asks for the key again.
        page.click("#end")
        page.goto(f"{server.url}/kiosk#enrol")
        page.click("#enrol-leave")
        message.filter(has_text="no longer enrolled").wait_for(timeout=10000)
        assert context.cookies() == []
        page.goto(f"{server.url}/kiosk")
        page.click("#start")
        page.locator("#enrol").wait_for(state="visible", timeout=10000)
    finally:
        context.close()


def _wait(page, expression: str, timeout: float, what: str):
    """Poll ``expression`` in the page (the page's CSP forbids wait_for_function's eval)."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(f"() => {expression}")
        if value:
            return value
        if time.monotonic() > deadline:
            state = page.evaluate("() => ({state: harkKiosk.state, events: harkKiosk.events})")
            raise AssertionError(f"timed out waiting for {what}: {state}")
        page.wait_for_timeout(100)


def test_a_keyless_server_refuses_a_kiosk_on_the_network(
    make_app, live_server, launch_chromium, speech_wav
) -> None:
    """Loopback-only mode seen from a kiosk elsewhere: no ticket (403), and the page says
    so in words and keeps retrying (the server may get keys), never a blank screen."""
    address = network_address()
    if address == "127.0.0.1":
        pytest.skip("this machine has no network address besides loopback")
    server = live_server(make_app(), host=address)
    browser = launch_chromium(speech_wav(("silence", 1.0)), mic="deny")
    page = browser.new_page(viewport={"width": 1024, "height": 800})
    try:
        page.goto(f"{server.url}/kiosk")
        page.click("#start")
        banner = page.locator("#banner-text")
        banner.filter(has_text="not allowed to connect").wait_for(timeout=10000)
        assert "Trying again in" in banner.inner_text()
        assert page.evaluate("harkKiosk.state") == "reconnecting"
        assert page.evaluate("harkKiosk.sessionId") is None
        assert page.locator("#enrol").is_hidden()  # enrolment would not help here
    finally:
        page.close()
