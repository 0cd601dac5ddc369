"""Answers to ``CanFulfillIntentRequest``: could this skill handle that, without doing it?

Alexa asks before routing a name-free request ("Alexa, do you have a
travel mug?") to a skill. The answer must have no side effects: no
conversation row, no cart, no turn — only a read of the catalog to judge
whether the words are about something the shop sells.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from hark.integrations.alexa.envelope import (
    BUILTIN_UTTERANCES,
    CATCH_ALL_INTENT,
    PRODUCT_INTENT,
    STOP_INTENTS,
    Intent,
)
from hark.shop.product_words import ProductDoc

_WORD = re.compile(r"[a-z0-9']+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "any",
        "are",
        "at",
        "be",
        "can",
        "do",
        "does",
        "for",
        "from",
        "have",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "please",
        "set",
        "the",
        "to",
        "with",
        "you",
        "your",
        "what",
        "how",
        "much",
    ]
)


def _words(text: str) -> set[str]:
    words = {w for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOPWORDS}
    return words | {w[:-1] for w in words if w.endswith("s") and len(w) > 3}


def catalog_words(products: Iterable[ProductDoc]) -> set[str]:
    """Every meaningful word of product names, categories and tags."""
    words: set[str] = set()
    for p in products:
        words |= _words(f"{p.name} {p.category} {' '.join(p.tags)}")
    return words


def _verdict(yes: bool, maybe: bool = False) -> str:
    return "YES" if yes else ("MAYBE" if maybe else "NO")


def can_fulfill(products: Iterable[ProductDoc], intent: Intent | None) -> dict[str, Any]:
    """The ``canFulfillIntent`` object for an intent (read-only)."""
    if intent is None:
        return {"canFulfill": "NO", "slots": {}}
    name = intent.name
    slots: dict[str, dict[str, str]] = {}
    if name in (CATCH_ALL_INTENT, PRODUCT_INTENT):
        catalog = catalog_words(products)
        overall = "NO"
        for slot_name, slot in intent.slots.items():
            value = (slot.value or "").strip()
            if not value:
                slots[slot_name] = {"canUnderstand": "NO", "canFulfill": "NO"}
                continue
            known = bool(_words(value) & catalog)
            if name == CATCH_ALL_INTENT:
                # Free speech may be an order question or FAQ too: understood, maybe fulfilled.
                slots[slot_name] = {"canUnderstand": "YES", "canFulfill": _verdict(known, True)}
                overall = _verdict(known, True)
            else:
                slots[slot_name] = {
                    "canUnderstand": _verdict(known, True),
                    "canFulfill": _verdict(known),
                }
                overall = _verdict(known)
        return {"canFulfill": overall, "slots": slots}
    if name in BUILTIN_UTTERANCES or name in STOP_INTENTS:
        return {"canFulfill": "YES", "slots": {}}
    return {"canFulfill": "NO", "slots": {}}
