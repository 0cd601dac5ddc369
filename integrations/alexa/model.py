"""The Alexa skill package (manifest + interaction model) generated from the shop.

Alexa does its own speech recognition, and it recognises best what the
interaction model tells it to expect. So the model is built from the same
sources as the brain: the NLU training phrases (``dialogue/data/intents.json``)
give the carrier phrases, and the shop's catalog gives a custom slot type
of product names and categories, so "the thermos flask" is heard right.

Alexa's rules shape the output: a sample made only of an
``AMAZON.SearchQuery`` slot is rejected at build time, so ``{utterance}``
alone is a *slot* sample (used when Alexa elicits the slot) and the intent's
samples carry meaning-neutral openings ("i want", "can you", "please"),
because Alexa forwards only the slot value, never the carrier words.
Samples hold only lowercase letters, spaces, apostrophes and periods.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hark.integrations.alexa.envelope import (
    CATCH_ALL_INTENT,
    PRODUCT_INTENT,
    PRODUCT_SLOT,
    UTTERANCE_SLOT,
)
from hark.shop.product_words import ProductDoc

log = logging.getLogger("hark.alexa.model")

INTENTS_FILE = Path(__file__).resolve().parents[2] / "dialogue" / "data" / "intents.json"
PRODUCT_TYPE = "SHOP_PRODUCT"
LOCALE = "en-US"
ENDPOINT_PLACEHOLDER = "https://your-hark-host.example.com/alexa"
BUILTIN_INTENTS = (
    "AMAZON.HelpIntent",
    "AMAZON.StopIntent",
    "AMAZON.CancelIntent",
    "AMAZON.FallbackIntent",
    "AMAZON.YesIntent",
    "AMAZON.NoIntent",
    "AMAZON.NavigateHomeIntent",
)


def _split(words: str) -> tuple[str, ...]:
    """A word list written as prose: easier to read and edit than quoted items."""
    return tuple(words.split())


def _words(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Openings that carry no meaning of their own: dropping them (as Alexa does) loses nothing.
NEUTRAL_WORDS = _words(
    "i i'd i'm im want wanna to would like need can could you please me tell let let's "
    "lets so and okay ok well um uh also now just actually hey oh hmm then alright show "
    "get help find"
)
DEFAULT_CARRIERS = (
    "i want",
    "i want to",
    "i'd like",
    "i would like",
    "i need",
    "can you",
    "can i",
    "please",
    "tell me",
    "show me",
    "i said",
    "okay",
    "well",
    "and",
    "so",
    "um",
)
DEFAULT_PRODUCT_SAMPLES = (
    "do you have {product}",
    "do you sell {product}",
    "i'm looking for {product}",
    "show me {product}",
    "search for {product}",
)
SEARCH_WORDS = NEUTRAL_WORDS | _words(
    "a an the some any do does have sell carry got what whats you in stock am shopping "
    "buy recommend after looking for search it stuff"
)
SKIP_INTENTS = frozenset({"affirm", "deny", "greet", "goodbye", "thanks", "cancel", "out_of_scope"})
MAX_SAMPLES = 200
_SAMPLE_OK = re.compile(r"^[a-z' .{}]+$")
_ONES = _split(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
)
_TENS = _split("_ _ twenty thirty forty fifty sixty seventy eighty ninety")


def number_words(n: int) -> str:
    """Spell 0–999 out ("sixteen"): Alexa samples and slot values are words, not digits."""
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f" {_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" {number_words(rest)}" if rest else "")


def spoken(text: str) -> str:
    """Text as Alexa expects it spoken: words only, numbers spelled, symbols dropped."""
    text = text.lower().replace("&", " and ").replace("-", " ").replace("/", " ")

    def spell(match: re.Match[str]) -> str:
        value = int(match.group(0))
        return f" {number_words(value)} " if value < 1000 else " "

    text = re.sub(r"\d+", spell, text)
    text = re.sub(r"[^a-z' .]", " ", text)
    return re.sub(r"\s+", " ", text).strip(" .")


def load_training_phrases(path: Path = INTENTS_FILE) -> dict[str, list[str]]:
    """NLU examples by intent; ``{}`` (with a log line) when the file is missing or broken.

    Accepts both ``{"intents": {name: [...]}}`` and a bare ``{name: [...]}``.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        log.info("no NLU examples at %s; using default carrier phrases", path)
        return {}
    except (OSError, ValueError) as exc:
        log.warning("NLU examples unreadable (%s); using default carrier phrases", exc)
        return {}
    table = raw.get("intents") if isinstance(raw, dict) and "intents" in raw else raw
    if not isinstance(table, dict):
        return {}
    return {
        str(name): [str(e) for e in examples if isinstance(e, str)]
        for name, examples in table.items()
        if isinstance(examples, list)
    }


def _clean_sample(sample: str) -> str | None:
    sample = re.sub(r"\s+", " ", sample.lower()).strip()
    return sample if sample and _SAMPLE_OK.match(sample) and len(sample) <= 200 else None


def carrier_samples(phrases: dict[str, list[str]]) -> list[str]:
    """CatchAllIntent samples: each example's meaning-neutral opening + ``{utterance}``."""
    openings: set[str] = set(DEFAULT_CARRIERS)
    for intent, examples in phrases.items():
        if intent in SKIP_INTENTS:
            continue
        for example in examples:
            words = example.lower().split()
            lead: list[str] = []
            for word in words[:4]:
                if word not in NEUTRAL_WORDS:
                    break
                lead.append(word)
            if lead and len(lead) < len(words):
                openings.add(" ".join(lead))
    samples = {_clean_sample(f"{opening} {{{UTTERANCE_SLOT}}}") for opening in openings}
    return sorted(s for s in samples if s)[:MAX_SAMPLES]


def product_samples(phrases: dict[str, list[str]]) -> list[str]:
    """ProductSearchIntent samples: the NLU's search templates with the catalog slot."""
    found: set[str] = set()
    for example in phrases.get("product_search", []):
        if example.count("{product}") + example.count("{category}") != 1:
            continue
        sample = example.replace("{category}", "{product}").replace(
            "{product}", f"{{{PRODUCT_SLOT}}}"
        )
        cleaned = _clean_sample(sample)
        # Alexa forwards only the slot, so a carrier that adds meaning ("a cheap ...") is lost:
        # keep only samples whose other words just say "I am looking for this".
        if cleaned and set(cleaned.replace(f"{{{PRODUCT_SLOT}}}", " ").split()) <= SEARCH_WORDS:
            found.add(cleaned)
    if not found:
        found = {s.replace("{product}", f"{{{PRODUCT_SLOT}}}") for s in DEFAULT_PRODUCT_SAMPLES}
    return sorted(found)[:MAX_SAMPLES]


def catalog_values(products: Iterable[ProductDoc]) -> list[dict[str, Any]]:
    """Custom slot values: every product name and category, in spoken form."""
    rows = [(p.sku, p.name, p.category) for p in products]
    values: dict[str, dict[str, Any]] = {}
    categories: set[str] = set()
    for sku, name, category in sorted(rows):
        value = spoken(name)
        if value and value not in values:
            synonyms = []
            short = spoken(re.split(r"\d", name, maxsplit=1)[0])
            if short and short != value and len(short.split()) >= 2:
                synonyms.append(short)
            values[value] = {"id": sku, "name": {"value": value, "synonyms": synonyms}}
        if category:
            categories.add(category)
    for category in sorted(categories):
        value = spoken(category)
        if value and value not in values:
            values[value] = {"id": f"category:{category}", "name": {"value": value, "synonyms": []}}
    return list(values.values())


def interaction_model(
    invocation_name: str, phrases: dict[str, list[str]], products: list[dict[str, Any]]
) -> dict[str, Any]:
    """``interactionModels/custom/en-US.json``."""
    catch_all = {
        "name": CATCH_ALL_INTENT,
        "slots": [
            {"name": UTTERANCE_SLOT, "type": "AMAZON.SearchQuery", "samples": ["{utterance}"]}
        ],
        "samples": carrier_samples(phrases),
    }
    intents: list[dict[str, Any]] = [catch_all]
    types: list[dict[str, Any]] = []
    if products:
        intents.append(
            {
                "name": PRODUCT_INTENT,
                "slots": [{"name": PRODUCT_SLOT, "type": PRODUCT_TYPE}],
                "samples": product_samples(phrases),
            }
        )
        types.append({"name": PRODUCT_TYPE, "values": products})
    intents += [{"name": name, "samples": []} for name in BUILTIN_INTENTS]
    prompt_id = f"Elicit.Slot.{CATCH_ALL_INTENT}.{UTTERANCE_SLOT}"
    return {
        "interactionModel": {
            "languageModel": {
                "invocationName": invocation_name,
                "modelConfiguration": {"fallbackIntentSensitivity": {"level": "LOW"}},
                "intents": intents,
                "types": types,
            },
            "dialog": {
                "intents": [
                    {
                        "name": CATCH_ALL_INTENT,
                        "confirmationRequired": False,
                        "prompts": {},
                        "slots": [
                            {
                                "name": UTTERANCE_SLOT,
                                "type": "AMAZON.SearchQuery",
                                "confirmationRequired": False,
                                "elicitationRequired": True,
                                "prompts": {"elicitation": prompt_id},
                            }
                        ],
                    }
                ],
                "delegationStrategy": "ALWAYS",
            },
            "prompts": [
                {
                    "id": prompt_id,
                    "variations": [{"type": "PlainText", "value": "What can I help you with?"}],
                }
            ],
        }
    }


def skill_manifest(shop_name: str, invocation_name: str, endpoint: str) -> dict[str, Any]:
    """``skill.json``: publishing information, the HTTPS endpoint, and the order-status
    notifications the skill may send."""
    return {
        "manifest": {
            "manifestVersion": "1.0",
            "publishingInformation": {
                "locales": {
                    LOCALE: {
                        "name": shop_name,
                        "summary": f"Ask {shop_name} about products, orders and returns.",
                        "description": (
                            f"{shop_name}'s automated assistant finds products, fills your cart, "
                            "places orders, tracks deliveries and starts returns."
                        ),
                        "examplePhrases": [f"Alexa, open {invocation_name}"],
                        "keywords": ["shopping", "orders", "returns"],
                    }
                },
                "isAvailableWorldwide": False,
                "distributionCountries": ["US"],
                "testingInstructions": "Say: open the skill, ask for a product, add it, check out.",
                "category": "SHOPPING",
            },
            "privacyAndCompliance": {
                "allowsPurchases": True,
                "usesPersonalInfo": True,
                "isChildDirected": False,
                "isExportCompliant": True,
                "containsAds": False,
                "locales": {LOCALE: {}},
            },
            "apis": {
                "custom": {
                    "endpoint": {"uri": endpoint, "sslCertificateType": "Trusted"},
                    "interfaces": [],
                }
            },
            # proactive notices (docs/notices.md): order updates as Alexa notifications
            "permissions": [{"name": "alexa::devices:all:notifications:write"}],
            "events": {
                "publications": [{"eventName": "AMAZON.OrderStatus.Updated"}],
                "endpoint": {"uri": endpoint},
            },
        }
    }


def check_invocation_name(name: str) -> str:
    """Alexa's rules, as far as they can be checked offline; returns the name or raises."""
    if not re.fullmatch(r"[a-z][a-z' .]*[a-z.]", name):
        raise ValueError("invocation name must be lowercase letters, spaces, apostrophes, periods")
    if re.search(r"\b(alexa|amazon|echo|skill|app)\b", name):
        raise ValueError("invocation name must not contain alexa, amazon, echo, skill or app")
    return name


def write_skill_package(
    out_dir: Path,
    *,
    products: Iterable[ProductDoc],
    shop_name: str,
    invocation_name: str,
    endpoint: str = ENDPOINT_PLACEHOLDER,
    intents_file: Path = INTENTS_FILE,
) -> list[Path]:
    """Write ``skill.json`` and ``interactionModels/custom/en-US.json``; returns the paths."""
    check_invocation_name(invocation_name)
    phrases = load_training_phrases(intents_file)
    values = catalog_values(products)
    if not values:
        log.warning("no products in the database: the model has no %s slot type", PRODUCT_TYPE)
    model_path = out_dir / "interactionModels" / "custom" / f"{LOCALE}.json"
    manifest_path = out_dir / "skill.json"
    model_path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(manifest_path, skill_manifest(shop_name, invocation_name, endpoint))
    _write_json(model_path, interaction_model(invocation_name, phrases, values))
    return [manifest_path, model_path]


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def all_samples(model: dict[str, Any]) -> Iterable[str]:
    """Every sample of every intent (for checks)."""
    for intent in model["interactionModel"]["languageModel"]["intents"]:
        yield from intent.get("samples", [])
