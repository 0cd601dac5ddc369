"""Shop import: good data, each kind of bad row, idempotency, all-or-nothing."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.store.db import Database, open_database
from hark.store.models import Customer, Faq, Order, OrderLine, Product
from hark.store.shop_import import ShopImportError, import_shop


@pytest.fixture
def empty_db(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'shop.db'}")
    yield database
    database.dispose()


def write_shop(folder: Path, **files: list[list[str]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with (folder / f"{name}.csv").open("w", newline="") as handle:
            csv.writer(handle).writerows(rows)
    return folder


GOOD = {
    "customers": [
        ["customer_id", "name", "phone", "email"],
        ["K1", "Ada Park", "+15550001", "ada@example.com"],
        ["K2", "Bo Chen", "", ""],
    ],
    "products": [
        ["sku", "name", "category", "price", "description", "tags", "stock"],
        ["P1", "Trail Tent", "outdoor", "199.00", "Two person tent", "camping;tent", "4"],
        ["P2", "Sleeping Pad", "outdoor", "49.5", "Foam pad", "camping", "0"],
    ],
    "orders": [
        ["order_id", "customer_id", "sku", "quantity", "status", "placed_at", "eta"],
        ["9001", "K1", "P1", "1", "shipped", "2026-11-20", "2026-11-27"],
        ["9001", "K1", "P2", "2", "shipped", "2026-11-20", "2026-11-27"],
        ["9002", "K2", "P2", "1", "cancelled", "2026-10-01", ""],
    ],
    "faq": [["question", "answer"], ["Do you ship abroad?", "Yes, to Canada and Mexico."]],
}


def counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m))
            for m in (Customer, Product, Order, OrderLine, Faq)
        }


def test_sample_shop_imports(empty_db: Database) -> None:
    report = import_shop(empty_db, SAMPLE_SHOP_DIR)
    assert report.counts["products"] >= 30 and report.counts["orders"] >= 20
    with empty_db.session() as s:
        categories = set(s.scalars(select(Product.category)))
        statuses = set(s.scalars(select(Order.status)))
    assert len(categories) >= 6
    assert statuses == {"processing", "shipped", "delivered", "delayed", "cancelled", "returned"}


def test_good_shop_values_and_multiline_orders(empty_db: Database, tmp_path: Path) -> None:
    import_shop(empty_db, write_shop(tmp_path / "shop", **GOOD))
    with empty_db.session() as s:
        order = s.get(Order, "9001")
        assert order.status == "shipped" and str(order.eta) == "2026-11-27"
        assert sorted((line.sku, line.quantity) for line in order.lines) == [("P1", 1), ("P2", 2)]
        assert s.get(Order, "9002").eta is None
        assert str(s.get(Product, "P2").price) == "49.50"
        assert s.get(Product, "P1").tag_list == ["camping", "tent"]
        assert s.get(Customer, "K2").email is None


def test_reimport_is_idempotent_and_updates(empty_db: Database, tmp_path: Path) -> None:
    folder = write_shop(tmp_path / "shop", **GOOD)
    import_shop(empty_db, folder)
    before = counts(empty_db)
    import_shop(empty_db, folder)
    assert counts(empty_db) == before
    changed = {
        **GOOD,
        "products": [
            GOOD["products"][0],
            ["P1", "Trail Tent", "outdoor", "179.00", "Two person tent", "tent", "9"],
            GOOD["products"][2],
        ],
    }
    import_shop(empty_db, write_shop(tmp_path / "shop", **changed))
    with empty_db.session() as s:
        product = s.get(Product, "P1")
        assert (str(product.price), product.stock) == ("179.00", 9)
    assert counts(empty_db) == before


BAD_ROWS = [
    ("products", ["P3", "Lamp", "home", "cheap", "", "", "1"], "products.csv", 4, "price"),
    ("products", ["P3", "Lamp", "home", "-2", "", "", "1"], "products.csv", 4, "price"),
    ("products", ["P3", "Lamp", "home", "10", "", "", "lots"], "products.csv", 4, "stock"),
    ("products", ["P3", "", "home", "10", "", "", "1"], "products.csv", 4, "name"),
    ("products", ["P1", "Again", "home", "10", "", "", "1"], "products.csv", 4, "sku"),
    ("customers", ["K3", "Cy", "", "not-an-email"], "customers.csv", 5, "email"),
    (
        "orders",
        ["9003", "K9", "P1", "1", "shipped", "2026-11-01", ""],
        "orders.csv",
        5,
        "customer_id",
    ),
    ("orders", ["9003", "K1", "NOPE", "1", "shipped", "2026-11-01", ""], "orders.csv", 5, "sku"),
    ("orders", ["9003", "K1", "P1", "1", "lost", "2026-11-01", ""], "orders.csv", 5, "status"),
    ("orders", ["9003", "K1", "P1", "0", "shipped", "2026-11-01", ""], "orders.csv", 5, "quantity"),
    (
        "orders",
        ["9003", "K1", "P1", "1", "shipped", "11/01/2026", ""],
        "orders.csv",
        5,
        "placed_at",
    ),
    ("orders", ["9003", "K1", "P1", "1", "shipped", "2026-11-01", "soon"], "orders.csv", 5, "eta"),
    (
        "orders",
        ["9001", "K1", "P1", "1", "delivered", "2026-11-20", "2026-11-27"],
        "orders.csv",
        5,
        "status",
    ),
    ("faq", ["How?", ""], "faq.csv", 3, "answer"),
]


@pytest.mark.parametrize(("table", "row", "file", "line", "column"), BAD_ROWS)
def test_bad_row_names_file_line_column_and_changes_nothing(
    empty_db: Database,
    tmp_path: Path,
    table: str,
    row: list[str],
    file: str,
    line: int,
    column: str,
) -> None:
    import_shop(empty_db, write_shop(tmp_path / "good", **GOOD))
    before = counts(empty_db)
    # Make every other file differ too, so a partial write would be visible.
    bad = {name: [*rows] for name, rows in GOOD.items()}
    bad["customers"] = [*GOOD["customers"], ["K7", "New Person", "", ""]]
    bad[table] = [*bad[table], row]
    with pytest.raises(ShopImportError) as caught:
        import_shop(empty_db, write_shop(tmp_path / "bad", **bad))
    error = caught.value
    assert (error.file, error.line, error.column) == (file, line, column)
    assert file in str(error) and f"line {line}" in str(error) and column in str(error)
    assert counts(empty_db) == before
    with empty_db.session() as s:
        assert s.get(Customer, "K7") is None


def test_missing_column_and_missing_folder(empty_db: Database, tmp_path: Path) -> None:
    shop = write_shop(
        tmp_path / "shop", products=[["sku", "name", "price", "stock"], ["P", "N", "1", "1"]]
    )
    with pytest.raises(ShopImportError, match=r"products.csv, line 1, column 'category'"):
        import_shop(empty_db, shop)
    with pytest.raises(ShopImportError, match="not found"):
        import_shop(empty_db, tmp_path / "nowhere")


def test_extra_fields_and_bom_and_blank_lines(empty_db: Database, tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shutil.copytree(SAMPLE_SHOP_DIR, shop)
    text = (shop / "faq.csv").read_text()
    (shop / "faq.csv").write_text("\ufeff" + text + "\n\n")
    import_shop(empty_db, shop)
    with (shop / "customers.csv").open("a") as handle:
        handle.write("X9,Too,Many,Fields,here\n")
    with pytest.raises(ShopImportError, match="more fields"):
        import_shop(empty_db, shop)


def test_cli_import_reports_errors_in_one_line(tmp_path: Path) -> None:
    import subprocess
    import sys

    bad = write_shop(
        tmp_path / "bad", products=[GOOD["products"][0], ["P1", "x", "y", "abc", "", "", "1"]]
    )
    env = {"HARK_DATA_DIR": str(tmp_path / "data"), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "hark.cli", "import-shop", str(bad)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2
    assert "products.csv, line 2, column 'price'" in done.stderr
    assert "Traceback" not in done.stderr
    ok = subprocess.run(
        [sys.executable, "-m", "hark.cli", "import-shop", str(SAMPLE_SHOP_DIR)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert ok.returncode == 0 and "products" in ok.stdout
