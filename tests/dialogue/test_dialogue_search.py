"""Product retrieval on the sample catalog: purpose, attributes, bounds, honesty, size."""

from __future__ import annotations

import csv

import pytest

from hark.runtime.settings import SAMPLE_SHOP_DIR
from hark.shop.product_words import ProductDoc, compare_size, head_noun, size_of
from hark.shop.search import ProductSearch, SearchQuery


@pytest.fixture(scope="module")
def catalog() -> ProductSearch:
    with (SAMPLE_SHOP_DIR / "products.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    docs = [
        ProductDoc(
            r["sku"],
            r["name"],
            r["category"],
            float(r["price"]),
            r["description"],
            tuple(t for t in r["tags"].split(";") if t),
            int(r["stock"]),
        )
        for r in rows
    ]
    return ProductSearch(docs)


def top(catalog: ProductSearch, text: str, **kw) -> list[str]:
    return [h.product.sku for h in catalog.search(SearchQuery(text=text, **kw)).hits]


def test_purpose_queries(catalog: ProductSearch) -> None:
    assert top(catalog, "something to keep coffee hot")[0] in ("KIT-1001", "KIT-1002")
    assert top(catalog, "a speaker for the shower")[0] == "AUD-3001"
    assert (
        top(catalog, "coffee filters")[0] == "COF-2005"
    )  # the filters, not a dripper that uses them


def test_spoken_compounds_and_misspellings(catalog: ProductSearch) -> None:
    assert top(catalog, "blue tooth head phones")[0] == "AUD-3006"
    assert top(catalog, "ear buds")[0] == "AUD-3008"
    assert top(catalog, "a hedlamp")[0] == "OUT-4004"


def test_price_bounds_and_nearest_outside(catalog: ProductSearch) -> None:
    outcome = catalog.search(SearchQuery(text="headphones", price_max=100))
    assert outcome.hits and all(h.product.price <= 100 for h in outcome.hits)
    assert "AUD-3007" not in [h.product.sku for h in outcome.hits]  # a case is not headphones
    none = catalog.search(SearchQuery(text="espresso machine", price_max=50))
    assert not none.hits and none.outside_price[0].product.sku == "COF-2008"
    between = catalog.search(SearchQuery(text="bluetooth speaker", price_min=50, price_max=80))
    assert [h.product.sku for h in between.hits] == ["AUD-3003"]


def test_out_of_stock_is_reported_not_offered(catalog: ProductSearch) -> None:
    outcome = catalog.search(SearchQuery(text="milk frother"))
    assert not outcome.hits and outcome.out_of_stock[0].product.sku == "COF-2010"


def test_nothing_fits_is_said_honestly(catalog: ProductSearch) -> None:
    for text in ("lawn mower", "a trampoline for the kids", "car tires"):
        outcome = catalog.search(SearchQuery(text=text))
        assert not outcome.hits, text
    partial = catalog.search(SearchQuery(text="speakers for my teenage son"))
    assert partial.hits and not partial.exact  # closest, flagged as not exact


def test_category_only_and_reasons(catalog: ProductSearch) -> None:
    outcome = catalog.search(SearchQuery(text="", category="pet supplies"))
    assert outcome.hits and all(h.product.category == "pet supplies" for h in outcome.hits)
    hit = catalog.search(SearchQuery(text="a speaker for the shower")).hits[0]
    assert "shower" in hit.reason.lower() and len(hit.reason.split()) <= 21


def test_head_nouns_and_sizes() -> None:
    assert head_noun("Hard Shell Headphone Carrying Case") == "case"
    assert head_noun("Water Filter Cartridges 3-Pack") == "cartridge"
    assert head_noun("Sports Bluetooth Earbuds with Ear Hooks") == "earbud"
    mug = ProductDoc("a", "Travel Mug 16 oz", "k", 1)
    flask = ProductDoc("b", "Thermos Flask 1 Liter", "k", 1)
    mini = ProductDoc("c", "Mini Speaker", "a", 1, "A compact 3-inch speaker")
    party = ProductDoc("d", "Party Speaker", "a", 1, "A big loud speaker")
    assert compare_size(mug, flask) < 0 < compare_size(flask, mug)
    assert size_of(ProductDoc("e", "Coffee 2 lb", "c", 1)).dimension == "weight"
    assert compare_size(mini, party) < 0
    assert compare_size(ProductDoc("f", "Chair", "x", 1), mug) is None
