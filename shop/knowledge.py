"""What the brain knows about the shop, built once and reused for every turn.

Indexing the catalog and the FAQ takes far longer than a turn is allowed
to, so it is built once per catalog and cached in the process
(keyed by the database and a content signature). Each turn costs one tiny
aggregate query to notice a re-import: changed names, descriptions, prices
or FAQ rebuild everything; changed stock (after a checkout) or new orders
only refresh the cheap parts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select, true
from sqlalchemy.orm import Session

from hark.shop.faq import FaqEntry, FaqIndex
from hark.shop.product_words import ProductDoc
from hark.shop.search import ProductSearch
from hark.store.db import Database
from hark.store.media import public_url
from hark.store.models import Faq, NluExample, NluModel, Order, OrderLine, Product

log = logging.getLogger("hark.dialogue")


@dataclass(frozen=True)
class Signature:
    catalog: tuple[Any, ...]  # names, descriptions, tags, prices, FAQ: a change rebuilds all
    stock: tuple[Any, ...]
    orders: tuple[Any, ...]
    nlu: tuple[Any, ...] = ()  # the newest retraining (``nlu_models``): its id


@dataclass
class Knowledge:
    """An immutable-ish snapshot of the shop for the dialogue skills."""

    signature: Signature
    products: dict[str, ProductDoc]
    search: ProductSearch
    faq: FaqIndex
    categories: list[str]
    #: Hash of what language models of this shop depend on (names, descriptions, FAQ):
    #: equal keys mean an NLU trained on one snapshot fits the other.
    content_key: str = ""
    co_purchase: dict[str, Counter[str]] = field(default_factory=dict)
    popularity: Counter[str] = field(default_factory=Counter)
    built_s: float = 0.0
    #: ``(text, intent)`` examples reviewers labelled, as of the newest ``hark nlu train``.
    reviewed: tuple[tuple[str, str], ...] = ()
    #: How many digits the shop's order ids have: the shape a spoken id is read into.
    order_id_lengths: frozenset[int] = frozenset()

    @property
    def nlu_key(self) -> str:
        """What a trained NLU of this snapshot depends on: the shop's words and the reviews."""
        if not self.reviewed:
            return self.content_key
        digest = hashlib.sha256(repr(self.reviewed).encode()).hexdigest()[:16]
        return f"{self.content_key}+{digest}"

    def product(self, sku: str | None) -> ProductDoc | None:
        return self.products.get(sku) if sku else None


def _signature_query() -> Select[Any]:
    """The signature's aggregates as one statement: one round trip to the database."""
    text_len = (
        func.length(Product.name)
        + func.length(Product.description)
        + func.length(Product.tags)
        + func.length(Product.category)
        + func.coalesce(func.length(Product.image_url), 0)
        + func.coalesce(func.length(Product.model_url), 0)
    )
    products = select(
        func.count().label("products"),
        func.coalesce(func.sum(text_len), 0).label("text_len"),
        func.coalesce(func.sum(Product.price), 0).label("prices"),
        func.coalesce(func.sum(Product.stock), 0).label("stock"),
        func.max(Product.sku).label("last_sku"),
    ).subquery()
    faqs = select(
        func.count().label("faqs"),
        func.coalesce(func.sum(func.length(Faq.question) + func.length(Faq.answer)), 0).label(
            "faq_len"
        ),
    ).subquery()
    orders = select(
        func.count().label("order_lines"),
        func.coalesce(func.max(OrderLine.id), 0).label("last_line"),
    ).subquery()
    nlu = select(func.max(NluModel.id).label("nlu")).subquery()
    joined = products.join(faqs, true()).join(orders, true()).join(nlu, true())
    return select(products, faqs, orders, nlu).select_from(joined)


# Built once: building the expression (and its cache key) cost more than running it.
_SIGNATURE = _signature_query()


def read_signature(session: Session) -> Signature:
    """One query of four single-row aggregates: cheap enough for every turn on any
    realistic catalog."""
    r = session.execute(_SIGNATURE).one()
    return Signature(
        catalog=(
            int(r.products),
            int(r.text_len),
            str(r.prices),
            r.last_sku,
            int(r.faqs),
            int(r.faq_len),
        ),
        stock=(int(r.stock),),
        orders=(int(r.order_lines), int(r.last_line)),
        nlu=(r.nlu,),
    )


def load_products(session: Session) -> list[ProductDoc]:
    """Every product of the shop, by SKU."""
    rows = session.scalars(select(Product).order_by(Product.sku))
    return [
        ProductDoc(
            sku=r.sku,
            name=r.name,
            category=r.category,
            price=float(r.price),
            description=r.description or "",
            tags=tuple(r.tag_list),
            stock=int(r.stock or 0),
            image_url=public_url(r.image_url),
            model_url=public_url(r.model_url),
        )
        for r in rows
    ]


def _load_orders(session: Session) -> tuple[dict[str, Counter[str]], Counter[str]]:
    baskets: dict[str, set[str]] = defaultdict(set)
    # Sorted, so "often bought together" ties break the same way on every start.
    rows = session.execute(
        select(OrderLine.order_id, OrderLine.sku).order_by(OrderLine.order_id, OrderLine.sku)
    )
    for order_id, sku in rows:
        baskets[order_id].add(sku)
    co: dict[str, Counter[str]] = defaultdict(Counter)
    popularity: Counter[str] = Counter()
    for basket in baskets.values():
        skus = sorted(basket)
        for a in skus:
            popularity[a] += 1
            for b in skus:
                if a != b:
                    co[a][b] += 1
    return dict(co), popularity


def _order_id_lengths(session: Session) -> frozenset[int]:
    """The lengths of the shop's numeric order ids (one aggregate query)."""
    rows = session.execute(select(func.length(Order.order_id)).distinct()).scalars()
    return frozenset(int(n) for n in rows if n)


_CACHE: dict[str, FaqIndex] = {}
_CACHE_LOCK = threading.Lock()
_MAX_CACHED = 8


def build(db: Database, signature: Signature | None = None) -> Knowledge:
    """A fresh snapshot; the FAQ index is shared with any earlier snapshot of the same shop."""
    started = time.perf_counter()
    with db.session() as session:
        signature = signature or read_signature(session)
        products = load_products(session)
        faq_entries = [
            FaqEntry(q, a)
            for q, a in session.execute(select(Faq.question, Faq.answer).order_by(Faq.id))
        ]
        co, popularity = _load_orders(session)
        reviewed = load_reviewed(session)
        id_lengths = _order_id_lengths(session)
    categories = sorted({p.category for p in products})
    key = _content_key(products, faq_entries)
    with _CACHE_LOCK:
        faq = _CACHE.get(key)
        if faq is None:
            faq = FaqIndex(faq_entries, products=products)
            if len(_CACHE) >= _MAX_CACHED:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = faq
    knowledge = Knowledge(
        signature=signature,
        products={p.sku: p for p in products},
        search=ProductSearch(products, popularity),
        faq=faq,
        categories=categories,
        content_key=key,
        co_purchase=co,
        popularity=popularity,
        reviewed=reviewed,
        order_id_lengths=id_lengths,
    )
    knowledge.built_s = time.perf_counter() - started
    log.info(
        "shop knowledge built",
        extra={
            "products": len(products),
            "faqs": len(faq_entries),
            "seconds": round(knowledge.built_s, 3),
        },
    )
    return knowledge


def refresh(db: Database, current: Knowledge, session: Session) -> Knowledge:
    """The same snapshot if nothing changed, else the cheapest update that is correct."""
    signature = read_signature(session)
    if signature == current.signature:
        return current
    if signature.catalog != current.signature.catalog:
        return build(db, signature)
    updated = dataclasses.replace(current, signature=signature)
    if signature.stock != current.signature.stock:
        stock = dict(session.execute(select(Product.sku, Product.stock)).all())
        products = {
            sku: dataclasses.replace(p, stock=int(stock.get(sku, p.stock) or 0))
            for sku, p in current.products.items()
        }
        updated.products = products
        updated.search = ProductSearch(list(products.values()), current.popularity)
    if signature.orders != current.signature.orders:
        updated.co_purchase, updated.popularity = _load_orders(session)
        updated.search.popularity = updated.popularity
        updated.order_id_lengths = _order_id_lengths(session)
    if signature.nlu != current.signature.nlu:  # `hark nlu train` ran: the next parse uses it
        updated.reviewed = load_reviewed(session)
    return updated


def load_reviewed(session: Session) -> tuple[tuple[str, str], ...]:
    """The reviewed examples the newest retraining used (none before the first)."""
    model = session.scalars(select(NluModel).order_by(NluModel.id.desc()).limit(1)).first()
    if model is None or not model.example_ids:
        return ()
    ids = [int(i) for i in model.example_ids if isinstance(i, int)]
    rows = session.execute(
        select(NluExample.text, NluExample.intent)
        .where(NluExample.id.in_(ids))
        .order_by(NluExample.id)
    ).all()
    return tuple((str(text), str(intent)) for text, intent in rows)


def _content_key(products: list[ProductDoc], faq: list[FaqEntry]) -> str:
    """What the FAQ index and the NLU depend on, hashed: equal shops share one trained model."""
    digest = hashlib.sha256()
    for p in products:
        digest.update("\x1f".join((p.sku, p.name, p.category, p.description, *p.tags)).encode())
        digest.update(b"\x1e")
    for e in faq:
        digest.update(f"{e.question}\x1f{e.answer}\x1e".encode())
    return digest.hexdigest()
