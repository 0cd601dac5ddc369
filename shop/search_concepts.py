"""What a product request asks for: the caller's words as concepts a product must cover.

Product search needs to know, before ranking anything, which of the words
said name the thing wanted, which only say what it goes with ("a lock | for
my bike"), which are measures ("50 ft") and which are slips of the ear
("hedlamp", "blue tooth"). That reading depends only on the catalog's
vocabulary, so it lives here, apart from the ranking in
:mod:`hark.shop.search`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process

from hark.shop.product_words import EXPANSIONS, UNIT_WORDS, glue_models
from hark.shop.search_words import drop_prices, one_vowel_apart
from hark.shop.text_index import STOPWORDS, BM25Index, sound_key, stem, term, terms, words

EXPANSION_WEIGHT = 0.45
FUZZY_WEIGHT = 0.85

_STOP = frozenset(
    {
        "something",
        "anything",
        "nothing",
        "everything",
        "thing",
        "stuff",
        "one",
        "ones",
        "it",
        "them",
    }
)
_CLAUSE_WORDS = frozenset(
    """
    for to that which with without under over below above between in on at from by so who
    because if when where like here is are was and or but
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# How callers ask whether the shop has a thing ("do you stock violins"): never the thing asked.
_SHOP_VERBS = frozenset({"stock", "stocks", "carry", "carries", "sell", "sells", "offer", "offers"})
# Words after which the caller says what a product goes with: "a lock for my bike".
_CONTEXT_WORDS = frozenset({"for", "fit", "fits", "on"})
# Words that shape a wish but rarely name a product: matched if possible, never required.
_SOFT = frozenset({"gift", "present", "home", "quality", "durable", "light", "easy"})
# Nouns that stand for "products" in general (the hypernyms callers put before a need: "gear
# for a first camping trip", "a present for a coffee lover"): never the thing asked for.
_GENERIC = frozenset(
    {"gear", "equipment", "supplies", "essentials", "gift", "gifts", "present", "presents",
     "ideas", "idea", "accessory", "accessories"}
)  # fmt: skip
#: Words that stand in for the thing wanted, which the caller then describes.
_PLACEHOLDERS = frozenset({"something", "anything", "somewhere", "somethin"})
_WH = frozenset({"what", "which"})
_AUX = frozenset({"should", "can", "could", "would", "do", "shall", "will", "might"})
_SUBJECTS = frozenset({"i", "we", "you", "they", "he", "she"})
#: A yes/no question about a thing pointed at ("does the violin ...", "is this kettle ...").
_ASKS_ABOUT = frozenset({"does", "do", "is", "are", "can", "will", "would", "could", "was"})
_POINTERS = frozenset({"the", "this", "that", "these", "those", "your"})
#: Whose situation a sentence tells ("I keep getting blisters", "my legs are sore"): a word
#: right after one of these, other than a request's verb (a stopword: "I need", "I want"),
#: starts a clause about the caller, not a noun phrase naming a thing.
_SPEAKERS = frozenset({"i", "we", "my", "our", "he", "she", "they", "his", "her", "their"})
#: A request names a thing in a short noun phrase ("car tyres", "a cast iron skillet"); more
#: content words before the first clause word are a situation or a purpose ("what would keep
#: my coffee hot", "the mosquitoes ate me alive last summer"), whose last word is no product.
NOUN_PHRASE_MAX = 2


@dataclass
class Concept:
    """One thing the caller asked for, and the catalog terms that would show it."""

    word: str
    terms: dict[str, float]  # term -> weight (said, fuzzy-repaired or expanded)
    idf: float
    soft: bool = False  # "gift": helps a product that has it, never required
    measure: tuple[str, str] | None = None  # ("4", "person"): the number must carry that unit


class ConceptReader:
    """Reads requests against one catalog's vocabulary (the BM25 index of its products)."""

    def __init__(self, index: BM25Index) -> None:
        self.index = index
        self.vocab = sorted(index.vocabulary)
        self._vocab_set = set(self.vocab)
        self._sounds: dict[str, list[str]] = {}
        for word in self.vocab:
            if len(word) >= 4 and word.isalpha():
                self._sounds.setdefault(sound_key(word), []).append(word)

    def concepts(self, source: str) -> list[Concept]:
        """The concepts of a request, after repairing ASR splits and misspellings."""
        tokens = words(source)
        tokens = glue_models(drop_prices(tokens), self._vocab_set)
        out: list[Concept] = []
        seen: set[str] = set()
        context_from = self._context_start(tokens)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token in STOPWORDS:
                i += 1
                continue
            context = (
                i >= context_from
                and not EXPANSIONS.get(term(token), EXPANSIONS.get(token))
                and self.knows(token)
            )
            # ASR splits compounds: "blue tooth" -> "bluetooth", "head phones" -> "headphones".
            if i + 1 < len(tokens):
                joined = stem(token + tokens[i + 1])
                if joined in self._vocab_set and stem(token) not in ("a",):
                    self._add_concept(
                        out, seen, token + tokens[i + 1], {joined: 1.0}, context=context
                    )
                    i += 2
                    continue
            i += 1
            key = term(token)
            if key in _STOP or token in _STOP or token in STOPWORDS:
                continue
            if token in _SHOP_VERBS and key not in self._vocab_set:
                continue  # "do you stock violins": the verb, unless the catalog sells "stock"
            if _is_number(key) and (i >= len(tokens) or tokens[i] not in UNIT_WORDS):
                continue  # a price ("budget 2.50") is a filter the entities read, not a word
            if key.isdigit():  # a measurement ("50 ft", "2 person") is a spec the product must meet
                unit = term(tokens[i])
                self._add_concept(
                    out, seen, f"{token} {tokens[i]}", {key: 1.0}, measure=(key, unit)
                )
                i += 1  # the unit word is part of the measure
                continue
            weights = {key: 1.0}
            if key not in self._vocab_set and not key.isdigit():
                match = self._fuzzy(key)
                if match:
                    weights = {match: FUZZY_WEIGHT}
            for extra in EXPANSIONS.get(key, EXPANSIONS.get(token, ())):
                for t in terms(extra, normalise=False):
                    weights.setdefault(t, EXPANSION_WEIGHT)
            self._add_concept(out, seen, token, weights, context=context)
        return out

    def _context_start(self, tokens: list[str]) -> int:
        """Where the words about what a product is FOR begin ("a lock | for my bike").

        Once a known thing was named, "for my bike" says what it goes with, not what
        it is: such words rank, but aren't required (a lock is a lock even if its
        description never says "bike"). Only words the catalog knows count as such
        context; purpose words that call for an attribute ("for the shower" ->
        waterproof, see :data:`EXPANSIONS`) and words no product has ("for my
        teenage son") stay required, so "nothing fits exactly" stays honest.
        """
        head: str | None = None
        for i, token in enumerate(tokens):
            if token in _CONTEXT_WORDS and head is not None and self.knows(head):
                return i
            if token in _CLAUSE_WORDS:
                if head is not None:
                    return len(tokens)
                continue
            if token not in STOPWORDS and token not in _STOP and not token.isdigit():
                head = token
        return len(tokens)

    def names_a_thing(self, text: str) -> bool:
        """Does the request name a thing in a short noun phrase ("car tyres", "a kettle for
        tea"), rather than describe a purpose or a situation ("gear for a first camping
        trip", "what would keep my coffee hot")?"""
        head, content = self._head(text)
        return head is not None and content <= NOUN_PHRASE_MAX

    def head_concept(self, text: str) -> str | None:
        """The thing asked for: the last content word before "for/to/that/with/under..."

        "lawn mowers" -> "mowers"; "a speaker for the shower" -> "speaker";
        "something to keep coffee hot" -> None (a purpose, no named thing).
        """
        head, content = self._head(text)
        if content > NOUN_PHRASE_MAX and (head is None or not self.knows(head)):
            return None  # a sentence about a situation, not a thing named
        return head

    def _head(self, text: str) -> tuple[str | None, int]:
        """The last content word before the first clause word, and how many came before it."""
        tokens = glue_models(drop_prices(words(text)), self._vocab_set)
        if len(tokens) > 3 and tokens[0] in _WH and tokens[1] in _AUX and tokens[2] in _SUBJECTS:
            tokens = tokens[:3] + tokens[4:]  # "what should I bring ...": "bring" is the verb
        head = None
        content = 0
        placeholder = False  # "something we can drink": what follows describes the thing
        # "does the violin come with a case", "is the kettle cordless": a question about the
        # thing named first, whatever verb or quality follows it
        about = len(tokens) > 2 and tokens[0] in _ASKS_ABOUT and tokens[1] in _POINTERS
        known: str | None = None
        for n, token in enumerate(tokens):
            if token in _CLAUSE_WORDS:
                if content == 0 and not placeholder and _frame_verb(tokens, n):
                    continue  # "looking for | a bike helmet": the frame's word, not the clause's
                break
            if content and (_is_spec_label(tokens, n) or _is_number(tokens[n - 1])):
                continue  # "running shoes | size 9", "paint | 24 colours": a spec, not the thing
            if token in _PLACEHOLDERS:
                placeholder = True
            elif (
                token not in STOPWORDS
                and token not in _STOP
                and not _is_number(token)
                and token not in UNIT_WORDS
            ):
                if content == 0 and n and tokens[n - 1] in _SPEAKERS:
                    return None, NOUN_PHRASE_MAX + 1  # "I keep getting blisters", "my legs ache"
                content += 1
                head = None if token in _GENERIC or placeholder else token
                if about and known is None and head is not None and self.knows(head):
                    known = head
        return (known, content) if known is not None else (head, content)

    def knows(self, word: str) -> bool:
        """Does any product use this word (exactly, as a split compound, or nearly)?"""
        key = term(word)
        return key in self._vocab_set or self._fuzzy(key) is not None

    def _fuzzy(self, key: str) -> str | None:
        """A catalog word one slip away ("hedlamp" -> "headlamp"); short words must match exactly
        ("card" is not "car")."""
        if len(key) < 5:
            return self._sounds_like(key)
        cutoff = 88 if len(key) <= 6 else 84
        match = process.extractOne(key, self.vocab, scorer=fuzz.ratio, score_cutoff=cutoff)
        return match[0] if match else self._sounds_like(key)

    def _sounds_like(self, key: str) -> str | None:
        """A catalog word one vowel away that sounds the same ("flee" -> "flea", not "tier")."""
        if len(key) < 4 or not key.isalpha():
            return None
        options = [w for w in self._sounds.get(sound_key(key), ()) if one_vowel_apart(w, key)]
        return options[0] if len(options) == 1 else None

    def _add_concept(
        self,
        out: list[Concept],
        seen: set[str],
        word: str,
        weights: dict[str, float],
        measure: tuple[str, str] | None = None,
        context: bool = False,
    ) -> None:
        key = next(iter(weights)) if measure is None else " ".join(measure)
        if key in seen:
            return
        seen.add(key)
        known = [
            self.index.term_idf(t)
            for t, w in weights.items()
            if w >= FUZZY_WEIGHT and t in self._vocab_set
        ]
        # A word no product has is either a thing the shop doesn't sell or chatter;
        # it counts, but not as much as a word the catalog knows.
        idf = max(known) if known else 0.5 * self.index.max_idf
        if measure:
            idf = self.index.max_idf
        soft = key in _SOFT or (context and measure is None)
        out.append(Concept(word, weights, idf, soft=soft, measure=measure))


def _frame_verb(tokens: list[str], n: int) -> bool:
    """The clause word at ``n`` ends a request's frame ("looking for", "shopping for"): a verb
    of asking before it, not a speaker or an auxiliary ("what should I | in case ..."), in a
    request that is no question ("what do you have | for a 4 year old" asks for a purpose)."""
    before = tokens[n - 1] if n else ""
    return (
        bool(before)
        and tokens[0] not in _WH
        and before in STOPWORDS
        and before not in _SUBJECTS | _AUX | _WH
    )


def _is_spec_label(tokens: list[str], n: int) -> bool:
    """ "size 9", "model 3": a word that only labels the bare number after it, said after the
    thing it specifies (a number followed by a unit or a noun, "6 mm", "24 colours", belongs
    to the thing instead)."""
    nxt = tokens[n + 1] if n + 1 < len(tokens) else ""
    after = tokens[n + 2] if n + 2 < len(tokens) else ""
    return _is_number(nxt) and (not after or after in STOPWORDS) and after not in UNIT_WORDS


def _is_number(token: str) -> bool:
    """ "2", "2.50": a number (a price the entities read), never the thing asked for."""
    return token.replace(".", "", 1).isdigit()
