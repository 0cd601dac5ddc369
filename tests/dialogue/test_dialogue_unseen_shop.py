"""A second, unseen shop (a garden centre) built here: nothing in the brain may be
tailored to the sample data. Different categories, products, id format and FAQ."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from shopbuilder import ShopRows, shop_dialogue
from sqlalchemy import select

from hark.dialogue.manager import DialogueManager
from hark.runtime.settings import Settings
from hark.skills.identity import Identity
from hark.store.db import Database
from hark.store.models import Order, ReturnRequest

PRODUCTS = [
    (
        "G-1",
        "Cedar Raised Garden Bed 4x8 ft",
        "beds",
        "149.00",
        "A raised bed kit of rot-resistant cedar for growing vegetables and herbs. Tool-free assembly.",
        "raised bed;cedar;vegetables",
        "5",
    ),
    (
        "G-2",
        "Organic Potting Soil 20 qt",
        "soil",
        "14.50",
        "Peat-free organic potting mix for containers and raised beds.",
        "soil;organic;potting mix",
        "40",
    ),
    (
        "G-3",
        "Expanding Garden Hose 50 ft",
        "watering",
        "39.00",
        "A lightweight hose that stretches to 50 feet for watering big lawns and beds, then shrinks back.",
        "hose;watering;lightweight",
        "12",
    ),
    (
        "G-4",
        "Expanding Garden Hose 25 ft",
        "watering",
        "27.00",
        "A compact hose that stretches to 25 feet, good for watering balconies and small yards.",
        "hose;watering;compact",
        "9",
    ),
    (
        "G-5",
        "Solar Path Lights 6-Pack",
        "lighting",
        "32.00",
        "Stake lights that charge in the sun and glow along paths all night, with no wiring needed.",
        "solar;lights;path;outdoor",
        "20",
    ),
    (
        "G-6",
        "Hose Nozzle with 8 Spray Patterns",
        "watering",
        "12.00",
        "A metal spray nozzle that fits any standard garden hose, from mist to jet.",
        "nozzle;spray;watering",
        "30",
    ),
    (
        "G-7",
        "Squirrel-Proof Bird Feeder",
        "birds",
        "24.00",
        "A hanging bird feeder that holds two pounds of seed and keeps squirrels out.",
        "bird feeder;birds;squirrel",
        "0",
    ),
    (
        "G-8",
        "Wild Bird Seed Mix 10 lb",
        "birds",
        "18.00",
        "A no-waste blend of sunflower hearts and millet that attracts finches and cardinals.",
        "bird seed;birds",
        "25",
    ),
    (
        "G-9",
        "Bypass Pruning Shears",
        "tools",
        "22.00",
        "Sharp bypass pruners with a safety lock for stems and small branches.",
        "pruners;shears;cutting",
        "15",
    ),
]
ORDERS = [
    ("A-100", "U1", "G-8", "1", "delivered", "2026-09-01", "2026-09-05"),
    ("A-101", "U2", "G-3", "1", "delivered", "2026-11-10", "2026-11-14"),
    ("A-101", "U2", "G-6", "1", "delivered", "2026-11-10", "2026-11-14"),
    ("A-104", "U3", "G-4", "1", "delivered", "2026-10-01", "2026-10-04"),
    ("A-104", "U3", "G-6", "2", "delivered", "2026-10-01", "2026-10-04"),
    ("A-102", "U2", "G-1", "1", "shipped", "2026-11-22", "2026-11-26"),
    ("A-103", "U3", "G-9", "1", "delayed", "2026-11-12", "2026-12-01"),
]
FAQ = [
    (
        "Do you deliver live plants?",
        "No, live plants are sold in the store only. We ship tools and supplies.",
    ),
    ("What is your return policy?", "Unused items can come back within 60 days with the receipt."),
    ("Are you open on Sundays?", "Yes, on Sundays we are open from 10 AM to 4 PM."),
]

CUSTOMERS = [("U1", "Robin Park", "", ""), ("U2", "Sam Ortiz", "", ""), ("U3", "Lee Fung", "", "")]
GARDEN_CENTRE = ShopRows(CUSTOMERS, PRODUCTS, ORDERS, FAQ)


@pytest.fixture
def garden(tmp_path: Path) -> Iterator[tuple[DialogueManager, Database, Settings]]:
    with shop_dialogue(
        tmp_path, GARDEN_CENTRE, shop_name="Greenleaf", assistant_name="Ivy"
    ) as built:
        yield built


def chat(manager: DialogueManager, utterances: list[str], customer: str | None = None):
    # The customer is vouched for, as by a key holder: verified.
    identity = Identity.VERIFIED if customer else None
    conversation_id, greeting = manager.start_conversation("test", customer, identity=identity)
    return greeting, [manager.turn(conversation_id, u) for u in utterances]


def skus(reply) -> list[str]:
    return [c.sku for c in reply.cards]


def test_search_purpose_price_and_honesty(garden) -> None:
    manager, _, _ = garden
    greeting, (water, lights, cheap_hose, mower, feeder) = chat(
        manager,
        [
            "something for watering my plants",
            "lights that don't need any wiring",
            "a garden hose under 30 dollars",
            "do you sell lawn mowers",
            "a bird feeder",
        ],
    )
    assert (
        "automated assistant" in greeting.text
        and "Greenleaf" in greeting.text
        and "Ivy" in greeting.text
    )
    assert skus(water) and set(skus(water)) <= {"G-3", "G-4", "G-6"}
    assert skus(lights)[0] == "G-5"
    assert skus(cheap_hose) == ["G-4"] or (
        skus(cheap_hose)[0] == "G-4" and all(c.price <= 30 for c in cheap_hose.cards)
    )
    assert not skus(mower) and "couldn't find" in mower.text.lower()
    assert "out of stock" in feeder.text.lower()
    # the sold-out match is shown as sold out; anything in stock on screen is the offered alternative
    assert any(c.stock == 0 for c in feeder.cards)
    offered = [c for c in feeder.cards if c.stock > 0]
    assert len(offered) <= 1 and (not offered or "closest i have in stock" in feeder.text.lower())


def test_follow_ups_size_and_cross_sell(garden) -> None:
    manager, _, _ = garden
    _, (about, smaller, add, no, add_more) = chat(
        manager,
        [
            "tell me about the 50 foot garden hose",
            "do you have something smaller",
            "add it to my cart",
            "no thanks",
            "add the pruning shears",
        ],
    )
    assert skus(about) == ["G-3"]
    assert skus(smaller) == ["G-4"]  # 25 ft < 50 ft, read from the names
    assert "G-6" in skus(add) and "too?" in add.text  # bought together in past orders
    assert "too?" not in add_more.text  # never again after a no


def test_support_on_unseen_ids_and_faq(garden) -> None:
    manager, db, _ = garden
    _, (status, policy, sunday, plants, unsure) = chat(
        manager,
        [
            "where is order A-102",
            "what's your return policy",
            "are you open on sunday",
            "can you send plants to my house",
            "what's the capital of peru",
        ],
        customer="U2",
    )
    _, (by_digits,) = chat(manager, ["what about order one zero three"], customer="U3")
    assert "A-102" in status.text and "shipped" in status.text and "November 26th" in status.text
    assert (
        "A-103" in by_digits.text
        and "delayed" in by_digits.text
        and "December 1st" in by_digits.text
    )
    assert "60 days" in policy.text
    assert "10 AM to 4 PM" in sunday.text
    assert "store only" in plants.text
    assert "60 days" not in unsure.text and "Sundays" not in unsure.text


def test_return_and_checkout_keep_the_shop_id_format(garden) -> None:
    manager, db, _ = garden
    _, (ret, yes) = chat(manager, ["I want to return order A-101", "yes"], customer="U2")
    with db.session() as s:
        assert [r.order_id for r in s.scalars(select(ReturnRequest))] == ["A-101"]
    _, (add, _no, checkout, confirm) = chat(
        manager, ["add the potting soil", "no", "checkout", "yes"], customer="U1"
    )
    with db.session() as s:
        new = s.scalars(
            select(Order).where(Order.customer_id == "U1", Order.status == "processing")
        ).one()
        assert new.order_id == "A-105" and [line.sku for line in new.lines] == ["G-2"]
    assert "A-105" in confirm.text


def test_proactive_on_unseen_shop(garden) -> None:
    manager, _, _ = garden
    robin, _ = chat(manager, [], customer="U1")
    sam, _ = chat(manager, [], customer="U2")
    lee, _ = chat(manager, [], customer="U3")
    assert "Bird Seed" in robin.text  # a consumable by its own words, no "consumable" tag
    assert "A-102" in sam.text and "Thursday, November 26th" in sam.text
    assert "A-103" in lee.text and "delayed" in lee.text and "December 1st" in lee.text
