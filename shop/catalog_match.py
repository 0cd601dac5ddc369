"""Find which of the shop's products and categories an utterance mentions.

Callers mishear and shorten product names: "blue tooth head phones", "the
thermos", "that shower speaker". Matching is therefore done per word with
rapidfuzz against the words of every product's name and tags, after gluing
adjacent spoken words ("blue tooth" -> "bluetooth") and folding plurals. A
product's score is the share of its name it got, weighted by how rare each
word is in the catalog (IDF) and doubled for the head noun, so "headphones"
scores well for "Wireless Bluetooth Headphones" while "coffee" alone does
not claim the "Coffee Grinder". Tags count as a strong mention, a rare word
only found in descriptions as a weaker one.

Nothing here knows the sample shop: the index is built from whatever catalog
the manager passes in at start-up.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rapidfuzz import fuzz, process

from hark.shop import misheard
from hark.shop.phonetic import PhoneticIndex

#: Product scores at or above this are reported as mentions.
MIN_PRODUCT_SCORE = 0.45
#: Minimum rapidfuzz ratio (0..100) for two words to count as the same word.
WORD_MATCH_CUTOFF = 84.0
#: Minimum category match score (0..1).
MIN_CATEGORY_SCORE = 0.85

#: Common words that never identify a product on their own.
STOPWORDS: frozenset[str] = frozenset(
    {
        "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "by", "for",
        "with", "from", "about", "as", "into", "like", "through", "over", "under", "between",
        "after", "before", "above", "below", "up", "down", "out", "off", "again", "then", "once",
        "here", "there", "when", "where", "why", "how", "all", "any", "both", "each", "few", "more",
        "most", "other", "some", "such", "no", "nor", "not", "only", "own", "same", "so", "than",
        "too", "very", "can", "will", "just", "dont", "should", "now", "i", "me", "my", "myself",
        "we", "our", "ours", "you", "your", "yours", "he", "him", "his", "she", "her", "it", "its",
        "they", "them", "their", "what", "which", "who", "whom", "this", "that", "these", "those",
        "am", "is", "are", "was", "were", "be", "been", "being", "have", "has", "had", "having",
        "do", "does", "did", "doing", "would", "could", "ought", "im", "youre", "hes", "shes",
        "theyre", "ive", "youve", "weve", "theyve", "id", "youd", "hed", "wed", "theyd", "ill",
        "youll", "well", "theyll", "isnt", "arent", "wasnt", "werent", "hasnt", "havent", "hadnt",
        "doesnt", "didnt", "wont", "wouldnt", "shant", "shouldnt", "cant", "cannot", "couldnt",
        "mustnt", "lets", "thats", "whos", "whats", "heres", "theres", "whens", "wheres", "whys",
        "hows", "ok", "okay", "yes", "yeah", "please", "thanks", "thank", "hi", "hello", "hey",
        "um", "uh", "oh", "also", "maybe", "really", "actually", "kind", "sort", "one", "ones",
        "want", "wanted", "need", "needs", "needed", "looking", "look", "find", "show", "tell",
        "get", "got", "give", "take", "buy", "buying", "something", "anything", "thing", "things",
        "stuff", "gonna", "wanna", "let", "know", "think", "see", "say", "said", "much", "many",
        "price", "prices", "cost", "costs", "dollars", "dollar", "bucks", "euros", "pounds",
        "cents", "cheap", "cheaper", "cheapest", "expensive", "less", "least", "around", "budget",
        "good", "best", "better", "nice", "great", "recommend", "suggest", "sell", "carry", "go",
        "going", "item", "items", "product", "products", "order", "orders", "cart", "basket",
        "return", "returns", "status", "add", "remove", "first", "second", "third", "last", "next",
        "previous", "another", "instead", "different", "use", "using", "used", "uses"
    }
)  # fmt: skip

# Words in product names that describe size/packaging rather than what it is.
_WEAK_NAME_WORDS: frozenset[str] = frozenset(
    {
        "set", "pack", "count", "pair", "oz", "ounce", "ounces", "lb", "lbs", "pound", "pounds",
        "ft", "foot", "feet", "inch", "inches", "in", "liter", "liters", "litre", "l", "ml",
        "gallon", "piece", "pieces", "with", "and", "of", "for", "the", "a", "x", "mm", "cm", "kg",
        "g"
    }
)  # fmt: skip


class ProductLike(Protocol):
    """What the matcher needs from a product (``hark.dialogue.nlu.ProductInfo`` fits)."""

    sku: str
    name: str
    category: str
    tags: list[str]
    description: str


def simple_tokens(text: str) -> list[str]:
    """Lowercase word tokens of catalog text (no number conversion: names keep "16 oz")."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", text)


def stem(word: str) -> str:
    """Fold plurals so "headphones" meets "headphone" and "batteries" meets "battery"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass
class _Entry:
    sku: str
    name_words: list[str]  # stemmed strong words of the name
    name_weights: list[float]
    tags: list[list[str]]  # each tag as stemmed words
    desc_words: set[str] = field(default_factory=set)
    models: frozenset[str] = frozenset()  # its own model names ("x200"): as sure as a SKU


class CatalogMatcher:
    """Fuzzy index of a catalog's names, tags, descriptions and categories."""

    def __init__(self, products: Sequence[ProductLike], categories: Iterable[str]) -> None:
        self.entries: list[_Entry] = []
        name_df: dict[str, int] = defaultdict(int)
        tag_df: dict[str, int] = defaultdict(int)
        desc_df: dict[str, int] = defaultdict(int)
        raw: list[tuple[ProductLike, list[str], list[list[str]], set[str]]] = []
        #: "2 slice", "7 inch": a number and the word after it inside a name (not a count)
        self.numbered_pairs: frozenset[tuple[str, str]] = frozenset(
            (a, stem(b))
            for p in products
            for a, b in zip(simple_tokens(p.name), simple_tokens(p.name)[1:], strict=False)
            if a.isdigit()
        )
        for p in products:
            name = [stem(w) for w in simple_tokens(p.name) if w not in _WEAK_NAME_WORDS]
            name = [w for w in name if not w.isdigit() and w not in STOPWORDS] or name
            tags = [
                [stem(w) for w in simple_tokens(t) if w not in STOPWORDS]
                for t in p.tags
                if t.strip()
            ]
            tags = [t for t in tags if t]
            desc = {
                stem(w)
                for w in simple_tokens(p.description)
                if len(w) > 3 and w not in STOPWORDS and not w.isdigit()
            }
            raw.append((p, name, tags, desc))
            for w in set(name):
                name_df[w] += 1
            for tag in {" ".join(t) for t in tags}:
                tag_df[tag] += 1
            for w in desc:
                desc_df[w] += 1
        n = max(len(raw), 1)
        self._n = n
        self.sku_index: dict[str, int] = {}
        vocab: set[str] = set()
        for i, (p, name, tags, desc) in enumerate(raw):
            weights = [math.log(1 + n / name_df[w]) for w in name]
            head = self._head_index(p.name, name)
            if head is not None:
                weights[head] *= 2.0
            # "Case for X300": the X300 is what it goes with, not what it is
            tail = re.split(r"\bfor\b", p.name.lower(), maxsplit=1)[1:]
            goes_with = {stem(w) for w in simple_tokens(tail[0])} if tail else set()
            weights = [
                wt * 0.3 if w in goes_with else wt for w, wt in zip(name, weights, strict=True)
            ]
            tags = [t for t in tags if not set(t) <= goes_with] or tags
            models = frozenset(
                w for w in name if w not in goes_with and re.fullmatch(r"[a-z]+\d+", w)
            )
            self.entries.append(_Entry(p.sku, name, weights, tags, desc, models))
            self.sku_index[re.sub(r"[^a-z0-9]", "", p.sku.lower())] = i
            vocab.update(name)
            for tag_words in tags:
                vocab.update(tag_words)
        self.tag_df = dict(tag_df)
        # description words that point at one or two products only
        self.rare_desc = {w for w, c in desc_df.items() if c <= 2 and w not in vocab}
        self.vocab: list[str] = sorted(w for w in vocab if w not in STOPWORDS or len(w) > 3)
        self._vocab_set = set(self.vocab)
        # letters+digits names ("x200", "b5"): spoken as "ex two hundred", glued back
        self.model_words = frozenset(
            w for w in vocab if re.fullmatch(r"[a-z]+\d+", w) and not w.isdigit()
        )
        self.desc_vocab: list[str] = sorted(self.rare_desc)
        self._desc_set = set(self.desc_vocab)
        self._concat_vocab = {w for w in self._vocab_set if len(w) >= 6}
        # word -> entries that use it, so a turn only scores products it could mean
        self._by_word: dict[str, list[int]] = defaultdict(list)
        for i, e in enumerate(self.entries):
            words_of = set(e.name_words) | {w for t in e.tags for w in t}
            words_of |= e.desc_words & self.rare_desc
            for w in words_of:
                self._by_word[w].append(i)
        #: Words of the NLU's own training requests ("stock", "order"), set by the NLU.
        self.request_words: frozenset[str] = frozenset()
        # sound-alikes: every catalog word, and neighbouring name/tag words glued ("airfryer")
        self.phonetic = PhoneticIndex(
            self.vocab,
            [e.name_words for e in self.entries] + [t for e in self.entries for t in e.tags],
        )
        # categories: the original string plus its stemmed content words
        self.categories: list[tuple[str, list[str]]] = []
        for c in categories:
            words = [stem(w) for w in simple_tokens(c) if w not in ("and", "the", "of")]
            if words:
                self.categories.append((c, words))

    @staticmethod
    def _head_index(name: str, words: list[str]) -> int | None:
        """Index in ``words`` of the head noun: last strong word before "with"/"for"."""
        first_part = re.split(r"\b(?:with|for)\b", name.lower())[0]
        strong = [stem(w) for w in simple_tokens(first_part) if w not in _WEAK_NAME_WORDS]
        strong = [w for w in strong if not w.isdigit()]
        if not strong:
            return None
        head = strong[-1]
        for i in range(len(words) - 1, -1, -1):
            if words[i] == head:
                return i
        return None

    # -- query side ---------------------------------------------------------
    def query_units(self, content: list[str]) -> list[tuple[str, tuple[int, int]]]:
        """Stemmed words plus glued neighbours ("blue tooth" -> "bluetooth"), with spans."""
        units: list[tuple[str, tuple[int, int]]] = []
        for i, w in enumerate(content):
            units.append((stem(w), (i, i + 1)))
            for k in (2, 3):
                if i + k <= len(content):
                    glued = stem("".join(content[i : i + k]))
                    if len(glued) >= 6:
                        units.append((glued, (i, i + k)))
        return units

    def match_words(
        self, units: list[tuple[str, tuple[int, int]]]
    ) -> dict[str, tuple[float, frozenset[int]]]:
        """Catalog words heard: word -> (similarity 0..1, spoken positions it covers)."""
        found: dict[str, tuple[float, frozenset[int]]] = {}
        fuzzy: list[tuple[str, frozenset[int]]] = []
        for u, (a, b) in units:
            span = frozenset(range(a, b))
            if u in self._vocab_set or u in self._desc_set:
                found[u] = (1.0, span | found.get(u, (0.0, frozenset()))[1])
            elif len(u) >= 3 and (b - a == 1 or u not in STOPWORDS):
                fuzzy.append((u, span))
        if fuzzy and self.vocab:
            # one vectorised call instead of a Python loop per word
            mat = process.cdist(
                [u for u, _ in fuzzy],
                self.vocab,
                scorer=fuzz.ratio,
                score_cutoff=WORD_MATCH_CUTOFF,
                workers=1,
            )
            rows, cols = mat.nonzero()
            for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
                w = self.vocab[c]
                sim = float(mat[r, c]) / 100.0
                if sim > found.get(w, (0.0, frozenset()))[0]:
                    found[w] = (sim, fuzzy[r][1])
        return found

    def corrected(self, word: str) -> str:
        """The catalog's spelling of a spoken word if it is a near miss, else the word."""
        s = stem(word)
        if s in self._vocab_set or len(s) < 5 or not self.vocab:
            return word
        best = process.extractOne(s, self.vocab, scorer=fuzz.ratio, score_cutoff=88)
        return best[0] if best else word

    @property
    def vocabulary(self) -> set[str]:
        """The catalog's words (stemmed) found in names and tags (do not modify)."""
        return self._vocab_set

    def repair(self, tokens: list[str]) -> list[str]:
        """Misheard catalog words put back: "santa coo knife" -> "santoku knife"
        (see :func:`hark.shop.misheard.repair`)."""
        known = self._vocab_set
        return misheard.repair(
            tokens,
            self.phonetic,
            lambda t: stem(t) in known or t in self.sku_index,
            self.request_words,
            STOPWORDS,
            stem,
        )

    def glue_known(self, content: list[str]) -> list[str]:
        """Join neighbours that form one catalog word: ["blue","tooth"] -> ["bluetooth"]."""
        out: list[str] = []
        i = 0
        while i < len(content):
            for k in (3, 2):
                joined = stem("".join(content[i : i + k]))
                # "4 k", "1080 p": a model number said apart is the catalog's "4k", "1080p"
                numbered = k == 2 and content[i].isdigit() and joined in self._vocab_set
                if i + k <= len(content) and (joined in self._concat_vocab or numbered):
                    out.append("".join(content[i : i + k]))
                    i += k
                    break
            else:
                out.append(content[i])
                i += 1
        return out

    def products(self, content: list[str], raw_tokens: list[str]) -> list[tuple[str, float]]:
        """(sku, score) of mentioned products, best first.

        A product's name score is half how much of its name was heard
        (:attr:`_Entry.name_weights`) and half how much of what was said its
        name explains, so "bluetooth headphones" picks the headphones over
        every other bluetooth product.
        """
        scores: dict[str, float] = {}
        for i in range(len(raw_tokens)):  # a spoken or typed SKU ("kn-40", "k n 40") is certain
            for k in (1, 2, 3, 4):
                idx = self.sku_index.get("".join(raw_tokens[i : i + k]))
                if idx is not None and i + k <= len(raw_tokens):
                    scores[self.entries[idx].sku] = 1.0
        if content and self.entries:
            words = self.match_words(self.query_units(content))
            if words:
                self._score_entries(words, len(content), scores)
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return [(sku, round(s, 3)) for sku, s in ranked if s >= MIN_PRODUCT_SCORE][:5]

    def _score_entries(
        self,
        words: dict[str, tuple[float, frozenset[int]]],
        n_content: int,
        scores: dict[str, float],
    ) -> None:
        none: tuple[float, frozenset[int]] = (0.0, frozenset())
        candidates = sorted({i for w in words for i in self._by_word.get(w, ())})
        for e in (self.entries[i] for i in candidates):
            name_score = 0.0
            if e.name_words:
                got = 0.0
                heard: set[int] = set()
                for w, wt in zip(e.name_words, e.name_weights, strict=True):
                    sim, span = words.get(w, none)
                    if sim:
                        got += wt * sim
                        heard |= span
                if got:
                    coverage = got / sum(e.name_weights)
                    name_score = 0.5 * coverage + 0.5 * len(heard) / n_content
                    if any(words.get(m, none)[0] >= 0.99 for m in e.models):
                        name_score = max(name_score, 0.9)  # "the X200" names one product
            tag_score = 0.0
            for t in e.tags:
                hits = [words.get(w, none) for w in t]
                if all(sim for sim, _ in hits):
                    specific = 0.8 if self.tag_df.get(" ".join(t), 1) <= 2 else 0.35
                    said = len(frozenset().union(*(span for _, span in hits))) / n_content
                    score = specific * min(sim for sim, _ in hits) * (0.5 + 0.5 * said)
                    tag_score = max(tag_score, score)
            desc_heard: set[int] = set()
            for w in e.desc_words & self.rare_desc:
                sim, span = words.get(w, none)
                if sim >= 0.95 and len(w) >= 5:
                    desc_heard |= span
            desc_score = 0.5 * len(desc_heard) / n_content
            parts = sorted((name_score, tag_score, desc_score), reverse=True)
            score = min(1.0, parts[0] + 0.15 * parts[1] + 0.05 * parts[2])
            if score > scores.get(e.sku, 0.0):
                scores[e.sku] = score

    def category(self, content: list[str]) -> str | None:
        """The shop category the words name, if any (see :meth:`category_span`)."""
        return self.category_span(content)[0]

    def category_span(self, content: list[str]) -> tuple[str | None, set[int]]:
        """The shop category the words name (fuzzy, plural-folded) and the positions used.

        All of a category's words must be heard ("home office", "coffee and
        tea"): "coffee" alone is a product word, and claiming "coffee & tea"
        for "something to keep coffee hot" would wrongly narrow a search that
        the travel mug in "kitchen" answers. The longest full match wins.
        """
        if not self.categories or not content:
            return None, set()
        stems = [stem(w) for w in content]
        best: tuple[int, str, set[int]] | None = None
        for original, cwords in self.categories:
            used: set[int] = set()
            for cw in cwords:
                sims = [fuzz.ratio(cw, w) for w in stems]
                j = max(range(len(stems)), key=sims.__getitem__)
                if sims[j] >= MIN_CATEGORY_SCORE * 100:
                    used.add(j)
                else:
                    used = set()
                    break
            if not used and len(cwords) > 1:
                glued = "".join(cwords)
                for i in range(len(stems) - 1):
                    if fuzz.ratio(glued, stems[i] + stems[i + 1]) >= 90:
                        used = {i, i + 1}
                        break
            if used and (best is None or len(cwords) > best[0]):
                best = (len(cwords), original, used)
        return (best[1], best[2]) if best else (None, set())
