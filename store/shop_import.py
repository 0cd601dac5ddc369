"""Load a shop from a folder of CSV files, all or nothing.

The CSV schema is a public contract (see README). Every row is validated
before anything is written, and the whole import runs in one transaction, so
a shop is never left half-imported. Re-importing the same files is a no-op
(rows are upserted by their natural keys).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hark.runtime.notice_rules import CHANNELS
from hark.store import consent
from hark.store.db import Database
from hark.store.media import MediaError, MediaKind, check_reference
from hark.store.models import (
    ORDER_STATUSES,
    Base,
    Customer,
    Faq,
    Order,
    OrderLine,
    Product,
    order_status,
)
from hark.store.notice_events import OrderSnapshot, order_events, record_events
from hark.store.stock_watch import restocked_events

COLUMNS: dict[str, tuple[str, ...]] = {
    "customers.csv": ("customer_id", "name", "phone", "email", "contact_consent", "timezone"),
    "products.csv": (
        "sku",
        "name",
        "category",
        "price",
        "description",
        "tags",
        "stock",
        "image_url",
        "model_url",
    ),
    "orders.csv": ("order_id", "customer_id", "sku", "quantity", "status", "placed_at", "eta"),
    "faq.csv": ("question", "answer"),
}
OPTIONAL_COLUMNS = {
    "customers.csv": {"phone", "email", "contact_consent", "timezone"},
    "products.csv": {"description", "tags", "image_url", "model_url"},
    "orders.csv": {"eta"},
}
# The tables each file fills, so values are checked against the real column limits.
# SQLite ignores VARCHAR lengths and stores any integer; PostgreSQL rejects them with a
# bare DataError. Checking here gives the same clear error on both databases.
_MODELS: dict[str, tuple[type[Base], ...]] = {
    "customers.csv": (Customer,),
    "products.csv": (Product,),
    "orders.csv": (Order, OrderLine),
    "faq.csv": (Faq,),
}
MAX_INTEGER = 2**31 - 1  # SQL INTEGER (stock, quantity)
MAX_PRICE = Decimal("9999999999.99")  # NUMERIC(12, 2)
# Faq.question is unique; PostgreSQL's btree index rows hold at most ~2700 bytes, and
# 500 characters stay under that even in 4-byte UTF-8.
MAX_FAQ_QUESTION_CHARS = 500


def _max_length(file: str, column: str) -> int | None:
    for model in _MODELS.get(file, ()):
        col = model.__table__.columns.get(column)
        if col is not None:
            return getattr(col.type, "length", None)
    return None


class ShopImportError(ValueError):
    """A bad file or row; the message names the file, line and column."""

    def __init__(self, file: str, line: int | None, column: str | None, problem: str) -> None:
        self.file, self.line, self.column, self.problem = file, line, column, problem
        where = file
        if line is not None:
            where += f", line {line}"
        if column:
            where += f", column '{column}'"
        super().__init__(f"{where}: {problem}")


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return ", ".join(f"{n} {name}" for name, n in self.counts.items())


@dataclass
class _Row:
    file: str
    line: int
    values: dict[str, str]

    def text(self, column: str, required: bool = True) -> str:
        value = (self.values.get(column) or "").strip()
        if required and not value:
            raise ShopImportError(self.file, self.line, column, "value is required")
        if "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise ShopImportError(self.file, self.line, column, "contains a NUL character")
        limit = _max_length(self.file, column)
        if limit is not None and len(value) > limit:
            raise ShopImportError(
                self.file, self.line, column, f"longer than {limit} characters ({len(value)})"
            )
        return value

    def integer(self, column: str, minimum: int = 0) -> int:
        raw = self.text(column)
        try:
            value = int(raw)
        except ValueError:
            raise ShopImportError(
                self.file, self.line, column, f"not a whole number: {raw!r}"
            ) from None
        if value < minimum:
            raise ShopImportError(
                self.file, self.line, column, f"must be at least {minimum}, got {value}"
            )
        if value > MAX_INTEGER:
            raise ShopImportError(
                self.file, self.line, column, f"must be at most {MAX_INTEGER}, got {value}"
            )
        return value

    def money(self, column: str) -> Decimal:
        raw = self.text(column).lstrip("$").replace(",", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            raise ShopImportError(self.file, self.line, column, f"not a price: {raw!r}") from None
        if not value.is_finite() or value < 0:
            raise ShopImportError(self.file, self.line, column, f"not a valid price: {raw!r}")
        # Product.price is NUMERIC(12, 2); checked before quantize too, which fails on 1e30.
        too_large = f"too large (at most {MAX_PRICE}): {raw!r}"
        if value > MAX_PRICE:
            raise ShopImportError(self.file, self.line, column, too_large)
        value = value.quantize(Decimal("0.01"))
        if value > MAX_PRICE:
            raise ShopImportError(self.file, self.line, column, too_large)
        return value

    def date(self, column: str, required: bool = True) -> dt.date | None:
        raw = self.text(column, required)
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw[:10]) if "T" in raw else dt.date.fromisoformat(raw)
        except ValueError:
            raise ShopImportError(
                self.file, self.line, column, f"not an ISO date (YYYY-MM-DD): {raw!r}"
            ) from None

    def media(self, column: str, kind: MediaKind, shop_dir: Path) -> str | None:
        """An optional picture or 3D model: an http(s) URL or a file in the shop folder."""
        raw = self.text(column, required=False)
        if not raw:
            return None
        try:
            return check_reference(raw, kind, shop_dir)
        except MediaError as exc:
            raise ShopImportError(self.file, self.line, column, str(exc)) from None

    def fail(self, column: str | None, problem: str) -> ShopImportError:
        return ShopImportError(self.file, self.line, column, problem)


def _read(folder: Path, name: str) -> list[_Row]:
    """Every non-blank row of one file, read whole so the file is closed at once (a bad
    row raises while the caller is still looking at rows; a half-read generator would
    keep the file open until the garbage collector found it)."""
    return list(_rows(folder, name))


def _rows(folder: Path, name: str) -> Iterator[_Row]:
    path = folder / name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except FileNotFoundError:
        return
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        missing = [
            c
            for c in COLUMNS[name]
            if c not in header and c not in OPTIONAL_COLUMNS.get(name, set())
        ]
        if missing:
            raise ShopImportError(name, 1, missing[0], "missing column in header")
        try:
            for row in reader:
                if None in row:
                    raise ShopImportError(
                        name, reader.line_num, None, "more fields than the header has"
                    )
                if not any((v or "").strip() for v in row.values()):
                    continue  # blank line
                yield _Row(name, reader.line_num, row)
        except csv.Error as exc:
            raise ShopImportError(name, reader.line_num, None, f"malformed CSV: {exc}") from None
        except UnicodeDecodeError:
            raise ShopImportError(name, None, None, "not UTF-8 text") from None


def import_shop(
    db: Database, folder: str | Path, *, notice_rules: frozenset[str] = frozenset()
) -> ImportReport:
    """Validate and upsert a shop folder in a single transaction.

    Each order that changed becomes events (delayed, shipped, ...) decided into
    notices in the same transaction, switched on by ``notice_rules``; so does each
    product whose stock rose from 0, for the customers who asked about it."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ShopImportError(str(folder), None, None, "shop folder not found")
    if not any((folder / name).is_file() for name in COLUMNS):
        raise ShopImportError(
            str(folder), None, None, "no shop CSV files (" + ", ".join(COLUMNS) + ")"
        )
    report = ImportReport()
    with db.session() as session:
        report.counts["customers"] = _import_customers(session, folder)
        report.counts["products"], restocked = _import_products(session, folder)
        back = record_events(session, restocked_events(session, restocked), notice_rules)
        report.counts["orders"], report.counts["notices"] = _import_orders(
            session, folder, notice_rules
        )
        report.counts["notices"] += len(back)
        report.counts["faqs"] = _import_faq(session, folder)
    return report


def _import_customers(session: Session, folder: Path) -> int:
    seen: set[str] = set()
    for row in _read(folder, "customers.csv"):
        cid = row.text("customer_id")
        if cid in seen:
            raise row.fail("customer_id", f"duplicate customer_id {cid!r}")
        seen.add(cid)
        email = row.text("email", required=False) or None
        if email and "@" not in email:
            raise row.fail("email", f"not an email address: {email!r}")
        existing = session.get(Customer, cid)
        if existing is not None and existing.erased_at is not None:
            continue  # erased at the customer's request: the shop's files don't bring it back
        channels = _channels(row) if "contact_consent" in row.values else None
        values = {
            "customer_id": cid,
            "name": row.text("name"),
            "phone": row.text("phone", required=False) or None,
            "email": email,
        }
        if "timezone" in row.values:
            values["timezone"] = _timezone(row)
        if channels is not None:
            values["contact_channels"] = ";".join(channels)
        customer = session.merge(Customer(**values))
        session.flush()
        if channels is not None:
            consent.sync_from_shop(session, customer, channels)
    session.flush()
    return len(seen)


def _import_products(session: Session, folder: Path) -> tuple[int, list[str]]:
    """Upsert the products; also returns the skus whose stock rose from 0 (back in stock)."""
    seen: set[str] = set()
    restocked: list[str] = []
    for row in _read(folder, "products.csv"):
        sku = row.text("sku")
        if sku in seen:
            raise row.fail("sku", f"duplicate sku {sku!r}")
        seen.add(sku)
        stored = session.get(Product, sku)
        stock = row.integer("stock")
        if stored is not None and stored.stock <= 0 < stock:
            restocked.append(sku)
        tags = ";".join(t.strip() for t in row.text("tags", required=False).split(";") if t.strip())
        session.merge(
            Product(
                sku=sku,
                name=row.text("name"),
                category=row.text("category"),
                price=row.money("price"),
                description=row.text("description", required=False),
                tags=tags,
                stock=stock,
                image_url=row.media("image_url", "image", folder),
                model_url=row.media("model_url", "model", folder),
            )
        )
    session.flush()
    return len(seen), restocked


def _import_orders(session: Session, folder: Path, notice_rules: frozenset[str]) -> tuple[int, int]:
    orders: dict[str, tuple[_Row, dict]] = {}
    lines: dict[str, dict[str, int]] = {}
    for row in _read(folder, "orders.csv"):
        order_id = row.text("order_id")
        customer_id = row.text("customer_id")
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise row.fail("customer_id", f"unknown customer {customer_id!r}")
        sku = row.text("sku")
        if session.get(Product, sku) is None:
            raise row.fail("sku", f"unknown product {sku!r}")
        status = order_status(row.text("status"))
        if status not in ORDER_STATUSES:
            raise row.fail("status", f"{status!r} is not one of {', '.join(ORDER_STATUSES)}")
        head = {
            # an erased customer's orders are kept for the accounts, tied to no one
            "customer_id": None if customer.erased_at is not None else customer_id,
            "status": status,
            "placed_at": row.date("placed_at"),
            "eta": row.date("eta", required=False),
        }
        if order_id in orders:
            first_row, first = orders[order_id]
            for key, value in head.items():
                if first[key] != value:
                    raise row.fail(
                        key,
                        f"order {order_id} has {key} {first[key]!s} on line "
                        f"{first_row.line} but {value!s} here",
                    )
        else:
            orders[order_id] = (row, head)
        quantity = row.integer("quantity", minimum=1)
        order_lines = lines.setdefault(order_id, {})
        order_lines[sku] = order_lines.get(sku, 0) + quantity
    notices = 0
    for order_id, (_row, head) in orders.items():
        notices += len(upsert_order(session, order_id, head, lines[order_id], notice_rules))
    session.flush()
    return len(orders), notices


def upsert_order(
    session: Session,
    order_id: str,
    head: dict,
    wanted: dict[str, int],
    notice_rules: frozenset[str] = frozenset(),
) -> list:
    """Write one order (head fields and ``{sku: quantity}`` lines), compared with the stored
    one: what changed becomes notices (see :mod:`hark.store.notice_events`)."""
    order = session.get(Order, order_id)
    before = _snapshot(order) if order is not None else None
    if order is None:
        order = Order(order_id=order_id, **head)
        session.add(order)
    else:
        for key, value in head.items():
            setattr(order, key, value)
    existing = {line.sku: line for line in order.lines}
    for sku, line in existing.items():
        if sku not in wanted:
            order.lines.remove(line)
    for sku, quantity in wanted.items():
        if sku in existing:
            existing[sku].quantity = quantity
        else:
            order.lines.append(OrderLine(sku=sku, quantity=quantity))
    session.flush()
    return record_events(session, order_events(before, _snapshot(order)), notice_rules)


def _snapshot(order: Order) -> OrderSnapshot:
    return OrderSnapshot(order.order_id, order.customer_id, order.status, order.eta)


def _channels(row: _Row) -> list[str]:
    """``contact_consent``: channels from sms, whatsapp, call, alexa, email, in preference order."""
    raw = row.text("contact_consent", required=False).lower()
    channels: list[str] = []
    for part in raw.replace(",", ";").split(";"):
        name = part.strip()
        if not name:
            continue
        if name not in CHANNELS:
            raise row.fail("contact_consent", f"{name!r} is not one of {', '.join(CHANNELS)}")
        if name not in channels:
            channels.append(name)
    return channels


def _timezone(row: _Row) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = row.text("timezone", required=False)
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise row.fail("timezone", f"not an IANA time zone: {name!r}") from None
    return name


def _import_faq(session: Session, folder: Path) -> int:
    seen: set[str] = set()
    for row in _read(folder, "faq.csv"):
        question = row.text("question")
        if len(question) > MAX_FAQ_QUESTION_CHARS:
            raise row.fail(
                "question", f"longer than {MAX_FAQ_QUESTION_CHARS} characters ({len(question)})"
            )
        if question in seen:
            raise row.fail("question", "duplicate question")
        seen.add(question)
        answer = row.text("answer")
        faq = session.scalars(select(Faq).where(Faq.question == question)).first()
        if faq is None:
            session.add(Faq(question=question, answer=answer))
        else:
            faq.answer = answer
    session.flush()
    return len(seen)


def shop_is_empty(db: Database) -> bool:
    with db.session() as session:
        return session.scalars(select(Product.sku).limit(1)).first() is None
