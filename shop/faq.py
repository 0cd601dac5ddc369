"""FAQ answers by retrieval over paraphrases, with an honest "not sure".

Callers never say the FAQ's question word for word ("how long till my
package gets here" for "How long does shipping take?"). Both sides are
folded onto shared customer-service concepts (ship/deliver/arrive/package
-> one term), then scored two ways: how much of the caller's meaning the
entry covers, and how much of the entry's question the caller asked. Below
the threshold Hark says it isn't sure rather than reading a wrong policy.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from hark.language import embedding
from hark.shop.faq_meaning import FAQ_MIN, FaqMeaning
from hark.shop.product_words import ProductDoc
from hark.shop.text_index import STOPWORDS, BM25Index, stem, words

# Customer-service vocabulary folded onto one concept. Generic, not shop data.
_SYNONYM_GROUPS: dict[str, tuple[str, ...]] = {
    "ship": (
        "shipping",
        "ship",
        "shipped",
        "delivery",
        "deliver",
        "delivered",
        "arrive",
        "arrival",
        "package",
        "parcel",
        "post",
        "postage",
        "courier",
        "mail",
        "dispatch",
        "send",
    ),
    "return": ("return", "returns", "returning", "send back", "exchange", "swap"),
    "refund": ("refund", "refunds", "money back", "reimburse", "reimbursement", "credit back"),
    "cost": ("cost", "price", "fee", "fees", "charge", "charges", "much", "pay for", "expensive"),
    "free": ("free", "complimentary", "no charge", "without paying"),
    "hour": ("hours", "hour", "open", "opening", "close", "closing", "closed", "time", "times"),
    "pay": (
        "pay",
        "payment",
        "payments",
        "card",
        "cards",
        "credit",
        "debit",
        "paypal",
        "visa",
        "mastercard",
        "checkout method",
    ),
    "warranty": (
        "warranty",
        "guarantee",
        "guaranteed",
        "defect",
        "defective",
        "broke",
        "broken",
        "stopped working",
        "faulty",
    ),
    "service": ("repair", "repairs", "fix", "fixing", "servicing", "service", "tune up", "tuneup"),
    "finance": (
        "financing",
        "finance",
        "installments",
        "instalments",
        "installment",
        "monthly payments",
        "pay monthly",
        "pay over time",
        "payment plan",
        "spread the cost",
    ),
    "try": ("try", "test", "test ride", "test drive", "try out", "demo"),
    "damage": ("damaged", "damage", "broken", "cracked", "smashed", "arrived broken"),
    "cancel": ("cancel", "cancellation", "cancelling", "canceling", "call off"),
    "abroad": (
        "international",
        "internationally",
        "abroad",
        "overseas",
        "country",
        "countries",
        "canada",
        "uk",
        "europe",
        "outside",
    ),
    "track": ("track", "tracking", "trace", "where is", "follow"),
    "address": ("address", "location", "redirect"),
    "wrap": ("wrap", "wrapping", "wrapped", "gift wrap"),
    "loyalty": ("loyalty", "rewards", "reward", "points", "member", "membership", "program"),
    "person": ("person", "human", "agent", "representative", "someone", "staff", "support team"),
    "pickup": ("pickup", "pick up", "collect", "collection", "in store", "click and collect"),
    "stock": ("stock", "restock", "restocked", "available", "availability", "sold out", "back in"),
    "match": ("price match", "match", "cheaper elsewhere", "lower price"),
    "long": ("long", "quickly", "fast", "soon", "days", "until", "till"),
    "delay": ("delay", "delayed", "late", "overdue", "behind schedule", "running late"),
    "accept": ("accept", "accepted", "take", "takes", "taken"),
    "talk": ("talk", "speak", "chat", "call", "reach", "contact"),
    "giftcard": ("gift card", "gift cards", "voucher", "vouchers", "gift certificate"),
    "rent": ("rent", "rental", "rentals", "renting", "hire", "hiring", "borrow", "lease"),
    "lesson": (
        "class",
        "classes",
        "lesson",
        "lessons",
        "course",
        "courses",
        "workshop",
        "workshops",
        "learn",
        "learning",
        "teach",
        "teaching",
        "tuition",
        "tutor",
    ),
    "discount": ("discount", "discounts", "money off", "cheaper for", "reduction", "deal"),
    "safe": ("safe", "safety", "safely", "non-toxic", "nontoxic", "toxic", "tested", "harmful"),
    "where": ("located", "find you", "visit", "where are you", "shop", "store"),
    "clean": ("clean", "cleaning", "wash", "washing", "washable", "launder"),
    "made": ("made", "make", "manufactured", "come from", "sourced", "produced", "origin"),
}
_PHRASES: list[tuple[re.Pattern[str], str]] = []
_WORDS: dict[str, str] = {}
for _canon, _variants in _SYNONYM_GROUPS.items():
    for _v in _variants:
        if " " in _v:
            _PHRASES.append((re.compile(rf"\b{re.escape(_v)}\b"), f" xx{_canon} "))
        else:
            _WORDS[stem(_v)] = "xx" + _canon
_PHRASES.sort(key=lambda p: -len(p[0].pattern))
_SEND_BACK = re.compile(r"\b(?:send|ship|take|bring)\s+(?:\w+\s+){0,2}back\b")

DEFAULT_THRESHOLD = 0.5


def fold(text: str) -> list[str]:
    """Terms of a question or answer with synonyms folded onto shared concepts."""
    lowered = " " + text.lower().replace("'", "") + " "
    lowered = _SEND_BACK.sub(" xxreturn ", lowered)
    for pattern, repl in _PHRASES:
        lowered = pattern.sub(repl, lowered)
    out = []
    for word in words(lowered):
        if word.startswith("xx"):
            out.append(word)
            continue
        term = stem(word)
        if term in _WORDS:
            out.append(_WORDS[term])
        elif word not in STOPWORDS:
            out.append(term)
    # "how long" is a real question about time; keep it though "how" is a stopword
    if re.search(r"\bhow (long|soon|quickly|fast)\b", text.lower()):
        out.append("xxlong")
    return out


@dataclass
class FaqEntry:
    question: str
    answer: str


@dataclass
class FaqMatch:
    entry: FaqEntry
    confidence: float  # 0..1
    runner_up: float = 0.0
    by_meaning: bool = False  # found by the embedding model, not by shared words


class FaqIndex:
    """The shop's FAQ, searchable by meaning-ish (folded terms + BM25)."""

    def __init__(
        self,
        entries: list[FaqEntry],
        threshold: float = DEFAULT_THRESHOLD,
        products: Sequence[ProductDoc] = (),
    ) -> None:
        self.entries = entries
        self.threshold = threshold
        # by meaning: every view of every entry, weighed against the shop's products
        self.meaning = FaqMeaning([(e.question, e.answer) for e in entries], products)
        self.q_terms = [set(fold(e.question)) for e in entries]
        self.a_terms = [set(fold(e.answer)) for e in entries]
        bags = []
        for q, a in zip(self.q_terms, self.a_terms, strict=True):
            bag: dict[str, float] = defaultdict(float)
            for t in q:
                bag[t] += 2.0
            for t in a:
                bag[t] += 1.0
            bags.append(bag)
        self.index = BM25Index(bags)

    def best(self, text: str) -> FaqMatch | None:
        """The best entry and a confidence; None when the FAQ is empty or nothing overlaps."""
        query = set(fold(text))
        if not query or not self.entries:
            return None
        scores = self.index.scores({t: 1.0 for t in query})
        if not scores:
            return None
        ranked = sorted(scores, key=lambda i: -scores[i])[:5]
        rated = sorted(((self._confidence(query, i), i) for i in ranked), reverse=True)
        confidence, doc = rated[0]
        runner_up = rated[1][0] if len(rated) > 1 else 0.0
        return FaqMatch(self.entries[doc], round(confidence, 3), round(runner_up, 3))

    def answer(self, text: str) -> FaqMatch | None:
        """The best entry only if it clears the threshold (else the caller hears "not sure").

        Words first; when they match no entry well enough, the question nearest in
        meaning ("is there a discount for art students" for "Do you offer a student
        discount?"), if the embedding model is there and it is clearly the nearest.
        """
        match = self.best(text)
        if match is None or match.confidence < self.threshold:
            return self.by_meaning(text)
        return match

    def by_meaning(self, text: str) -> FaqMatch | None:
        """The entry whose question or answer means what ``text`` asks, when it passes the
        calibrated tests of ``shop/faq_meaning.py`` (near, clearly the nearest entry, and
        nearer than any product)."""
        embedder = embedding.current()
        if embedder is None or not self.entries or not text.strip():
            return None
        match = self.meaning.nearest(embedder, text)
        if match is None or not match.accepted:
            return None
        # the threshold reads as the FAQ's own 0.5; a near-identical question as ~0.95
        confidence = min(0.95, self.threshold + (match.similarity - FAQ_MIN))
        return FaqMatch(
            self.entries[match.index],
            round(confidence, 3),
            round(match.runner_up, 3),
            by_meaning=True,
        )

    def _confidence(self, query: set[str], doc: int) -> float:
        def idf(term: str) -> float:
            # A word no FAQ entry uses still counts against a match, but only half:
            # callers add chatter ("to my house") that no policy mentions.
            weight = self.index.term_idf(term)
            return weight if term in self.index.idf else 0.5 * weight

        q_total = sum(idf(t) for t in query) or 1.0
        covered = sum(
            idf(t) * (1.0 if t in self.q_terms[doc] else 0.6 if t in self.a_terms[doc] else 0.0)
            for t in query
        )
        question = self.q_terms[doc]
        question_total = sum(idf(t) for t in question) or 1.0
        asked = sum(idf(t) for t in question if t in query)
        return 0.6 * covered / q_total + 0.4 * asked / question_total

    def find(self, *keywords: str) -> FaqEntry | None:
        """The entry whose question mentions all these concepts (e.g. the return policy)."""
        wanted = [set(fold(k)) for k in keywords]
        best: tuple[int, FaqEntry] | None = None
        for entry, q in zip(self.entries, self.q_terms, strict=True):
            hits = sum(1 for w in wanted if w & q)
            if hits == len(wanted) and (best is None or len(q) < best[0]):
                best = (len(q), entry)
        return best[1] if best else None
