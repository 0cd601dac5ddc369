"""Build a small CSV shop for a test, so the brain is tried on data it was never tuned on.

Tests that must not lean on the sample shop (a bike shop, a garden centre,
gadgets and pets) describe their shop as rows in a :class:`ShopRows` and get
a migrated database with it imported through the real ``import_shop`` path,
or a whole DialogueManager on it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hark.dialogue.manager import DialogueManager
from hark.runtime.settings import Settings, load_settings
from hark.store.db import Database, open_database
from hark.store.shop_import import import_shop

CUSTOMER_COLUMNS = ("customer_id", "name", "phone", "email")
PRODUCT_COLUMNS = ("sku", "name", "category", "price", "description", "tags", "stock")
ORDER_COLUMNS = ("order_id", "customer_id", "sku", "quantity", "status", "placed_at", "eta")
FAQ_COLUMNS = ("question", "answer")

Rows = Sequence[Sequence[str]]


@dataclass(frozen=True)
class ShopRows:
    """The four shop tables, each row in the column order above."""

    customers: Rows
    products: Rows
    orders: Rows
    faq: Rows

    def write(self, folder: Path) -> Path:
        """Write the shop's CSV files into ``folder`` (created if needed)."""
        folder.mkdir(parents=True, exist_ok=True)
        tables = {
            "customers.csv": (CUSTOMER_COLUMNS, self.customers),
            "products.csv": (PRODUCT_COLUMNS, self.products),
            "orders.csv": (ORDER_COLUMNS, self.orders),
            "faq.csv": (FAQ_COLUMNS, self.faq),
        }
        for name, (header, rows) in tables.items():
            with (folder / name).open("w", newline="") as handle:
                writer = csv.writer(handle)
                writer.writerow(header)
                writer.writerows(rows)
        return folder


def open_shop(database_url: str, folder: Path, shop: ShopRows) -> Database:
    """A migrated database at ``database_url`` with the shop (written to ``folder``) imported."""
    db = open_database(database_url)
    import_shop(db, shop.write(folder))
    return db


@contextmanager
def shop_dialogue(
    root: Path, shop: ShopRows, **settings: Any
) -> Iterator[tuple[DialogueManager, Database, Settings]]:
    """A DialogueManager on the shop, with its own data dir under ``root`` and the tests' today.

    ``settings`` overrides (e.g. ``shop_name``) go to ``load_settings``; the
    database is disposed of on exit.
    """
    loaded = load_settings(data_dir=root / "data", today="2026-11-24", **settings)
    db = open_shop(loaded.effective_database_url, root / "shop", shop)
    try:
        yield DialogueManager(db, loaded), db, loaded
    finally:
        db.dispose()
