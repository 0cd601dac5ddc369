"""Offline language understanding: what the caller wants, and the facts they gave.

``Nlu.train(catalog, categories)`` builds everything at start-up from the
shop's own catalog and the example utterances in ``data/intents.json`` (no
model download, no LLM); ``Nlu.parse(text)`` then costs about a millisecond.

Pipeline for one utterance:

1. :func:`hark.language.normalize.normalize_tokens` - lowercase, no fillers,
   spoken numbers as digits, money canonical ("29.99 dollars").
2. :func:`hark.dialogue.entities.extract` - order id, price bounds,
   quantity, ordinal, comparative, products and category (fuzzy), keywords.
3. :func:`hark.dialogue.intents.rule_intent` for the certain cases
   (a person requested, bare yes/no, bare order number), else the
   TF-IDF + logistic-regression classifier; below
   :data:`CONFIDENCE_THRESHOLD` the nearest examples in meaning
   (:mod:`hark.dialogue.meaning`, when the embedding model is there) may
   still name it, else the intent is ``out_of_scope``.

Context (what the assistant just asked) is the DialogueManager's job: the NLU
reports what this one utterance says on its own.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hark.dialogue.entities import content_words, extract
from hark.dialogue.intents import (
    FILLS_PER_TEMPLATE,
    IntentClassifier,
    expand_templates,
    load_training_data,
    rule_intent,
)
from hark.dialogue.meaning import Reading, meaning_index, neutral
from hark.language.chatter import strip_chatter
from hark.language.normalize import normalize_tokens
from hark.privacy.kinds import PLACEHOLDER_RE
from hark.shop.catalog_match import CatalogMatcher, simple_tokens
from hark.shop.knowledge import Knowledge
from hark.skills.intent import UNDERSTOOD, Intent
from hark.skills.understanding import NluResult

__all__ = ["CONFIDENCE_THRESHOLD", "INTENTS", "Nlu", "ProductInfo", "nlu_for", "train_for"]

#: What the NLU can read from a caller's words (the labels of ``data/intents.json``).
INTENTS: tuple[Intent, ...] = UNDERSTOOD

#: Below this classifier probability the intent is reported as ``out_of_scope``.
CONFIDENCE_THRESHOLD = 0.35
#: An unclear utterance that names a product this well is a ``product_search``.
PRODUCT_MENTION_SCORE = 0.75
#: The request without its wrapping is preferred only when the classifier is this sure of it,
#: and the turn as said was read with less than :data:`SURE_AS_SAID`.
BARE_REQUEST_TRUST = 0.5
SURE_AS_SAID = 0.6
#: Copies of a reviewed example in training: as many as a template line's catalog fills.
REVIEWED_WEIGHT = FILLS_PER_TEMPLATE
#: Longest input parsed; a spoken turn is far shorter, this only bounds the cost.
MAX_INPUT_CHARS = 1000

# Placeholders left by hark.privacy.redact: not words the caller said.
_PLACEHOLDER_RE = PLACEHOLDER_RE
_PRODUCT_INTENTS = frozenset(
    {Intent.PRODUCT_SEARCH, Intent.PRODUCT_INFO, Intent.PRODUCT_PRICE, Intent.SELECT_ITEM}
)
_SHORT_ANSWERS = frozenset(
    {Intent.AFFIRM, Intent.DENY, Intent.GREET, Intent.THANKS, Intent.GOODBYE}
)
_BARE_WORDS = frozenset({"a", "an", "the", "some", "please", "any", "those", "these", "um", "uh"})


@dataclass
class ProductInfo:
    """The catalog facts the NLU learns from (the manager builds it from ``products``)."""

    sku: str
    name: str
    category: str = ""
    tags: list[str] = field(default_factory=list)
    description: str = ""


def _product_phrases(catalog: Sequence[ProductInfo]) -> list[str]:
    """How people name this shop's products: full names, short names, tags."""
    phrases: list[str] = []
    for p in catalog:
        words = [w for w in simple_tokens(p.name) if not re.search(r"\d", w)]
        if words:
            phrases.append(" ".join(words))
            phrases.append(" ".join(words[-2:]))
        phrases.extend(t.strip().lower() for t in p.tags[:3] if t.strip())
    return phrases


class Nlu:
    """Intent classifier plus entity extractors for one shop's catalog."""

    def __init__(
        self, classifier: IntentClassifier, matcher: CatalogMatcher, threshold: float
    ) -> None:
        self.classifier = classifier
        self.matcher = matcher
        self.threshold = threshold
        #: Unsure turns may be read by their nearest examples in meaning (off where the
        #: classifier itself is judged: ``hark nlu train`` weighing reviewed examples).
        self.by_meaning = True

    @classmethod
    def train(
        cls,
        catalog: list[ProductInfo],
        categories: list[str],
        data_file: Path | None = None,
        *,
        faq_questions: Sequence[str] = (),
        threshold: float = CONFIDENCE_THRESHOLD,
        reviewed: Sequence[tuple[str, str]] = (),
    ) -> Nlu:
        """Build the NLU for this catalog (well under a second for a few hundred products).

        ``faq_questions`` (optional) adds the shop's own FAQ questions as
        ``faq`` examples, so its particular topics are recognised. ``reviewed``
        adds ``(text, intent)`` pairs a reviewer labelled (``hark nlu train``);
        each weighs as much as a template line does (:data:`REVIEWED_WEIGHT` copies).
        """
        data = load_training_data(data_file)
        examples: dict[str, list[str]] = {
            k: list(v) for k, v in data["intents"].items() if k in INTENTS
        }
        unknown = set(data["intents"]) - set(INTENTS)
        if unknown:
            raise ValueError(f"unknown intents in NLU training data: {sorted(unknown)}")
        examples.setdefault(Intent.FAQ, []).extend(q for q in faq_questions if q.strip())
        fillers = data.get("fillers", {})
        products = _product_phrases(catalog) or list(fillers.get("product", ["item"]))
        cats = [c.lower() for c in categories if c.strip()] or list(
            fillers.get("category", ["products"])
        )
        texts, labels = expand_templates(examples, products, cats)
        for text, intent in reviewed:
            if intent not in INTENTS:
                raise ValueError(f"unknown intent in a reviewed example: {intent!r}")
            words = PLACEHOLDER_RE.sub(" ", text).strip()
            if words:
                texts += [words] * REVIEWED_WEIGHT
                labels += [intent] * REVIEWED_WEIGHT
        classifier = IntentClassifier().fit(texts, labels)
        matcher = CatalogMatcher(catalog, categories)
        matcher.request_words = frozenset(
            w
            for lines in examples.values()
            for line in lines
            for w in normalize_tokens(line.replace("{product}", " ").replace("{category}", " "))
        )
        return cls(classifier, matcher, threshold)

    def parse(self, text: str) -> NluResult:
        """Intent and entities of one utterance (ASR output or typed text)."""
        text = _PLACEHOLDER_RE.sub(" ", (text or "")[:MAX_INPUT_CHARS])
        tokens = self.matcher.glue_known(normalize_tokens(text))
        tokens = self.matcher.glue_known(self.matcher.repair(tokens))  # "santa coo" -> santoku
        normalised = " ".join(tokens)
        request = " ".join(strip_chatter(tokens))
        entities = extract(tokens, self.matcher)
        if not tokens:
            return NluResult(normalised, Intent.OUT_OF_SCOPE, 0.0, entities, {}, request)
        scores = self.classifier.predict(normalised)
        if request != normalised:
            # the request without its wrapping ("right so basically ... or not") is often clearer
            unwrapped = self.classifier.predict(request)
            full = max(scores.values())
            said_as = max(scores, key=scores.__getitem__)
            best = max(unwrapped.values())
            # "right so ... do you sell kites or not" is no "no": an answer or a pleasantry
            # read from the wrapping gives way to a request found inside it
            if best > BARE_REQUEST_TRUST and (
                (full < SURE_AS_SAID and best > full) or said_as in _SHORT_ANSWERS
            ):
                scores = unwrapped
        hit = rule_intent(normalised)
        if hit is not None:
            return NluResult(normalised, hit.intent, hit.confidence, entities, scores, request)
        label = max(scores, key=scores.__getitem__)
        intent, confidence = Intent(label), scores[label]
        top = entities.products[0][1] if entities.products else 0.0
        if top >= PRODUCT_MENTION_SCORE:
            rest = [t for t in tokens if t not in _BARE_WORDS]
            bare = intent not in _PRODUCT_INTENTS and rest == content_words(rest)
            if confidence < self.threshold or bare:
                # only a product's name, no request: "blue tooth head phones", "smart watch"
                return NluResult(
                    normalised,
                    Intent.PRODUCT_SEARCH,
                    round(top * 0.8, 4),
                    entities,
                    scores,
                    request,
                )
        if confidence < self.threshold:
            # the classifier is unsure: the nearest examples in meaning may still be clear
            reading = (
                _by_meaning(request or normalised, self.matcher.vocabulary)
                if self.by_meaning
                else None
            )
            if reading is not None:
                return NluResult(
                    normalised, Intent(reading.label), self.threshold, entities, scores, request
                )
            intent = Intent.OUT_OF_SCOPE
        return NluResult(normalised, intent, round(confidence, 4), entities, scores, request)


def _by_meaning(text: str, vocabulary: set[str]) -> Reading | None:
    """The intent nearest in meaning (product words neutral), when the model is there and sure."""
    index = meaning_index()
    if index is None:
        return None
    reading = index.intent(neutral(text, vocabulary))
    return reading if reading is not None and reading.label != Intent.OUT_OF_SCOPE else None


_TRAINED: dict[str, Nlu] = {}
_TRAINED_LOCK = threading.Lock()
_MAX_TRAINED = 8


def nlu_for(knowledge: Knowledge) -> Nlu:
    """The NLU trained on this shop snapshot's catalog and FAQ.

    Training takes most of a second, so a model is shared by every snapshot
    with the same content (a stock change after a checkout keeps it) and the
    same reviewed examples (``knowledge.reviewed``, from the newest retraining).
    """
    key = knowledge.nlu_key
    with _TRAINED_LOCK:
        nlu = _TRAINED.get(key) if key else None
        if nlu is None:
            nlu = train_for(knowledge)
            if key:
                if len(_TRAINED) >= _MAX_TRAINED:
                    _TRAINED.pop(next(iter(_TRAINED)))
                _TRAINED[key] = nlu
    return nlu


def train_for(knowledge: Knowledge) -> Nlu:
    """A new NLU for this snapshot's catalog, FAQ and reviewed examples (not cached)."""
    catalog = [
        ProductInfo(p.sku, p.name, p.category, list(p.tags), p.description)
        for p in knowledge.products.values()
    ]
    return Nlu.train(
        catalog,
        knowledge.categories,
        faq_questions=[e.question for e in knowledge.faq.entries],
        reviewed=knowledge.reviewed,
    )
