"""Product pictures and 3D models: the optional ``image_url``/``model_url`` columns,
their validation, the migration, and the cards and cart the brain hands to screens."""

from __future__ import annotations

import csv
import struct
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, text

from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.store.db import Database, open_database
from hark.store.media import public_url
from hark.store.models import Product
from hark.store.shop_import import ShopImportError, import_shop

HEADER = ["sku", "name", "category", "price", "description", "tags", "stock"]


def write_products(folder: Path, rows: list[list[str]], media: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    header = HEADER + (["image_url", "model_url"] if media else [])
    with (folder / "products.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return folder


@pytest.fixture
def empty_db(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'shop.db'}")
    yield database
    database.dispose()


def test_media_columns_are_optional_and_stored(empty_db: Database, tmp_path: Path) -> None:
    old = write_products(tmp_path / "old", [["A1", "Lamp", "home", "10", "", "", "3"]], media=False)
    import_shop(empty_db, old)  # a file from before the columns still imports
    shop = tmp_path / "shop"
    (shop / "media").mkdir(parents=True)
    (shop / "media" / "lamp.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (shop / "media" / "lamp.glb").write_bytes(b"glTF")
    rows = [
        ["A1", "Lamp", "home", "10", "", "", "3", "media/lamp.png", "media/lamp.glb"],
        ["A2", "Rug", "home", "20", "", "", "1", "https://cdn.example.com/rug.jpg?v=2", ""],
        ["A3", "Vase", "home", "5", "", "", "0", "", ""],
    ]
    import_shop(empty_db, write_products(shop, rows))
    with empty_db.session() as session:
        lamp, rug, vase = (session.get(Product, s) for s in ("A1", "A2", "A3"))
        assert (lamp.image_url, lamp.model_url) == ("media/lamp.png", "media/lamp.glb")
        assert rug.image_url == "https://cdn.example.com/rug.jpg?v=2" and rug.model_url is None
        assert vase.image_url is None and vase.model_url is None
    assert public_url("media/lamp.png") == "/shop-media/media/lamp.png"
    assert public_url("https://cdn.example.com/a.png") == "https://cdn.example.com/a.png"
    assert public_url(None) is None


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("image_url", "javascript:alert(1)", "http(s) URL or a path"),
        ("image_url", "file:///etc/passwd", "http(s) URL or a path"),
        ("image_url", "../secret.png", "'..'"),
        ("image_url", "/etc/passwd.png", "letters, digits"),
        ("image_url", "media/missing.png", "no file"),
        ("image_url", "media/lamp.glb", "expected one of"),
        ("image_url", "media/evil.svg", "expected one of"),
        ("model_url", "media/lamp.png.exe", "expected one of"),
        ("image_url", "https://user:pw@cdn.example.com/a.png", "passwords"),
        ("image_url", "https:///nohost.png", "no host"),
        ("image_url", "https://cdn.example.com/a b.png", "spaces"),
        ("model_url", "media/link.glb", "outside the shop folder"),
    ],
)
def test_bad_media_references_fail_the_import_naming_the_cell(
    empty_db: Database, tmp_path: Path, column: str, value: str, problem: str
) -> None:
    shop = tmp_path / "shop"
    (shop / "media").mkdir(parents=True)
    (shop / "media" / "lamp.png").write_bytes(b"png")
    (shop / "media" / "lamp.glb").write_bytes(b"glb")
    (shop / "media" / "evil.svg").write_text("<svg onload='x'/>")
    outside = tmp_path / "outside.glb"
    outside.write_bytes(b"glb")
    (shop / "media" / "link.glb").symlink_to(outside)
    row = ["A1", "Lamp", "home", "10", "", "", "3", "", ""]
    row[7 if column == "image_url" else 8] = value
    with pytest.raises(ShopImportError) as caught:
        import_shop(empty_db, write_products(shop, [row]))
    assert caught.value.column == column and caught.value.line == 2
    assert problem in str(caught.value)
    with empty_db.session() as session:
        assert session.get(Product, "A1") is None  # nothing was written


def test_migration_adds_the_columns_to_an_existing_database(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from hark.store.db import MIGRATIONS_DIR

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = Database(url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url)
    with old.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0001")
        connection.execute(
            text(
                "INSERT INTO products (sku, name, category, price, description, tags, stock) "
                "VALUES ('P1', 'Old', 'x', 1.5, '', '', 2)"
            )
        )
    old.dispose()
    db = open_database(url)  # migrates to head, as every start does
    columns = {c["name"] for c in inspect(db.engine).get_columns("products")}
    assert {"image_url", "model_url"} <= columns
    with db.session() as session:
        product = session.get(Product, "P1")
        assert product.name == "Old" and product.image_url is None
    db.dispose()


def test_sample_shop_has_pictures_and_small_glb_models(db: Database) -> None:
    with db.session() as session:
        products = session.query(Product).all()
    assert products and all(p.image_url for p in products)
    models = [p for p in products if p.model_url]
    assert len(models) >= 3
    for product in models:
        data = (SAMPLE_SHOP_DIR / product.model_url).read_bytes()
        magic, version, length = struct.unpack("<4sII", data[:12])
        assert magic == b"glTF" and version == 2 and length == len(data)
        assert len(data) < 64 * 1024  # small, committed files


def test_cards_and_the_cart_reach_the_http_turn(make_app, live_server) -> None:
    server = live_server(make_app())
    started = httpx.post(f"{server.url}/v1/conversations", json={"channel": "kiosk"}).json()
    url = f"{server.url}/v1/conversations/{started['conversation_id']}/turns"
    first = httpx.post(url, json={"text": "do you have a travel mug"}).json()
    mug = next(c for c in first["cards"] if c["sku"] == "KIT-1001")
    assert mug["image_url"] == "/shop-media/media/KIT-1001.png"
    assert mug["model_url"] == "/shop-media/media/KIT-1001.glb"
    assert first["cart"] is None  # nothing added yet
    added = httpx.post(url, json={"text": "add it to my cart"}).json()
    assert added["cart"]["total"] == 24.99 and added["cart"]["currency"] == "USD"
    assert added["cart"]["lines"] == [
        {
            "sku": "KIT-1001",
            "name": "Vacuum-Insulated Travel Mug 16 oz",
            "price": 24.99,
            "quantity": 1,
            "image_url": "/shop-media/media/KIT-1001.png",
        }
    ]
    more = httpx.post(url, json={"text": "make it two"}).json()
    assert more["cart"]["total"] == 49.98 and more["cart"]["lines"][0]["quantity"] == 2
