"""The kiosk's HTTP side on a real server: the page, its files, product views, QR codes,
shop media, and the cart on the voice protocol's ``reply`` event."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from voice_client import VoiceClient

from hark.integrations.kiosk.assets import model_viewer_installed


@pytest.fixture
def server(make_app, live_server):
    return live_server(make_app())


def test_kiosk_page_has_its_config_and_a_strict_policy(server) -> None:
    response = httpx.get(f"{server.url}/kiosk")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self' 'wasm-unsafe-eval'" in policy and "frame-ancestors 'none'" in policy
    match = re.search(
        r'<script type="application/json" id="kiosk-config">(.*?)</script>', response.text
    )
    config = json.loads(match.group(1))
    assert config["shop_name"] == "Hark Store" and config["currency"] == "USD"
    assert config["idle_seconds"] == 60
    assert config["model_viewer"] is model_viewer_installed()


def test_static_files_are_served_with_module_types_and_nothing_else(server) -> None:
    js = httpx.get(f"{server.url}/kiosk/static/js/main.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    css = httpx.get(f"{server.url}/kiosk/static/kiosk.css")
    assert css.headers["content-type"].startswith("text/css")
    for bad in ("../assets.py", "js/../../qr.py", "%2e%2e/assets.py", "vendor/x.txt", "nope.js"):
        assert httpx.get(f"{server.url}/kiosk/static/{bad}").status_code == 404, bad
    if model_viewer_installed():
        viewer = httpx.get(f"{server.url}/kiosk/static/vendor/model-viewer.min.js")
        assert viewer.status_code == 200 and len(viewer.content) > 100_000


def test_product_json_phone_view_and_qr(server) -> None:
    product = httpx.get(f"{server.url}/kiosk/products/KIT-1001").json()
    assert product["name"] == "Vacuum-Insulated Travel Mug 16 oz" and product["price"] == 24.99
    assert product["model_url"] == "/shop-media/media/KIT-1001.glb"
    assert httpx.get(f"{server.url}/kiosk/products/NOPE").status_code == 404
    assert httpx.get(f"{server.url}/kiosk/products/{'x' * 65}").status_code == 404
    phone = httpx.get(f"{server.url}/kiosk/p/KIT-1001")
    assert phone.status_code == 200 and '"sku":"KIT-1001"' in phone.text
    assert httpx.get(f"{server.url}/kiosk/p/NOPE").status_code == 404
    qr = httpx.get(f"{server.url}/kiosk/qr/KIT-1001.svg")
    assert qr.status_code == 200 and qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.startswith("<svg") and "<script" not in qr.text
    assert qr.headers["x-qr-url"] == f"{server.url}/kiosk/p/KIT-1001"


def test_qr_uses_the_public_url_when_configured(make_app, live_server, settings) -> None:
    app = make_app(settings.model_copy(update={"public_url": "https://shop.example.com"}))
    server = live_server(app)
    qr = httpx.get(f"{server.url}/kiosk/qr/AUD-3002.svg")
    assert qr.headers["x-qr-url"] == "https://shop.example.com/kiosk/p/AUD-3002"


def test_shop_media_serves_pictures_and_models_only_from_the_shop(server) -> None:
    png = httpx.get(f"{server.url}/shop-media/media/KIT-1001.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(b"\x89PNG")
    glb = httpx.get(f"{server.url}/shop-media/media/KIT-1001.glb")
    assert glb.headers["content-type"] == "model/gltf-binary" and glb.content[:4] == b"glTF"
    for bad in ("products.csv", "README.md", "../products.csv", "media/../products.csv",
                "media/%2e%2e/products.csv", "media/none.png", "/etc/passwd"):  # fmt: skip
        assert httpx.get(f"{server.url}/shop-media/{bad}").status_code == 404, bad


async def test_reply_events_carry_the_cart(server) -> None:
    async with VoiceClient.connect(f"{server.ws_url}/v1/voice") as client:
        await client.start()
        greeting = (await client.wait_for("reply")).event
        assert greeting["cart"] is None
        mark = client.mark()
        await client.send_json({"type": "text", "text": "add the chef's knife to my cart"})
        reply = (await client.wait_for("reply", since=mark)).event
        assert reply["cart"]["total"] == 49.99
        assert [line["sku"] for line in reply["cart"]["lines"]] == ["KIT-1003"]
        assert reply["cards"][0]["image_url"] == "/shop-media/media/KIT-1003.png"
