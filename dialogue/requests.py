"""One breath, several requests: find each of them in the turn.

"Can I pay with PayPal and do you do gift wrapping", "when's my blender
showing up and how much is shipping", "how much is the sloth and the
kaleidoscope": a caller asks two things at once and expects both answered.
The turn is cut at clause boundaries (punctuation, "and", "also", "plus")
and each clause is kept only if it is a request on its own: the NLU gives
it a clear intent, or it names an order, a product or an FAQ topic.

What is not a request is not answered: a story around the request ("my
nephew's birthday is Saturday"), or a request the caller withdrew in the
same breath ("ok never mind the toaster, do you have a rice cooker"). A
bare noun phrase after a product question borrows that question ("how much
is the sloth | and the kaleidoscope" -> "how much is the kaleidoscope").

A cut is never made inside a catalog phrase ("salt and pepper") or a range
("between 50 and 80").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hark.dialogue.nlu import Nlu
from hark.language.spoken_numbers import SCALES, TEENS, TENS, UNITS
from hark.shop.catalog_match import STOPWORDS, stem
from hark.shop.knowledge import Knowledge
from hark.skills.context import SkillReply
from hark.skills.intent import Intent
from hark.skills.understanding import NluResult

_BOUNDARY = re.compile(r"\s*[,.;!?]+\s*|\s+(?:and also|and then|and|also|plus|oh and)\s+", re.I)
_WITHDRAWN = re.compile(
    r"^(?:\W*(?:ok|okay|oh|so|well|um|uh|actually|wait|sorry|no)\W+)*"
    r"(?:never ?mind|forget|scratch|ignore|not|skip)\b",
    re.I,
)
#: Intents that are a request in their own right (not just an answer or a pleasantry).
_REQUEST_INTENTS = frozenset(
    {
        Intent.ORDER_STATUS, Intent.RETURN_POLICY, Intent.START_RETURN, Intent.FAQ, Intent.PRODUCT_SEARCH, Intent.PRODUCT_INFO,
        Intent.PRODUCT_PRICE, Intent.ADD_TO_CART, Intent.REMOVE_FROM_CART, Intent.VIEW_CART, Intent.CHECKOUT,
        Intent.HUMAN_AGENT, Intent.CHANGE_QUANTITY,
    }
)  # fmt: skip
_DETERMINERS = frozenset({"a", "an", "the", "some", "any", "those", "these", "my", "your"})
#: Below this classifier confidence a clause needs a named thing to count as a request.
CLEAR_INTENT = 0.55


@dataclass
class Request:
    """One request of the turn: its words as said, and the NLU's reading of them."""

    text: str
    nlu: NluResult


def split(text: str, nlu: Nlu, knowledge: Knowledge) -> list[Request]:
    """The requests in one turn, in the order said; ``[]`` when there is only one (or none)."""
    clauses = _clauses(text, knowledge)
    if len(clauses) < 2:
        return []
    parsed = [(c, nlu.parse(c)) for c in clauses]
    requests: list[Request] = []
    withdrawn = False  # a clause was taken back, or was only talk around the request
    for i, (clause, result) in enumerate(parsed):
        later = any(_is_request(r, c, knowledge) for c, r in parsed[i + 1 :])
        if later and _WITHDRAWN.match(clause):
            withdrawn = True
            continue  # "never mind the toaster, ...": the caller took it back
        if requests and _only_constraints(result):
            # "I need a skillet, | nothing over fifty bucks": a limit on the last request
            merged = f"{requests[-1].text} {clause}"
            requests[-1] = Request(merged, nlu.parse(merged))
            continue
        if requests and _refers_back(result) and not _faq_alone(result, clause, knowledge):
            previous = requests[-1]
            if not _clear(previous.nlu):
                # "I love this kettle, | do you have another one in stock": one request
                merged = f"{previous.text} {clause}"
                requests[-1] = Request(merged, nlu.parse(merged))
                continue
            # "how much is shipping | and how long does it take": "it" is the last request's topic
            topic = [w for w in previous.nlu.request.split() if w not in STOPWORDS]
            clause = f"{' '.join(topic)} {clause}"
            result = nlu.parse(clause)
        if _is_request(result, clause, knowledge):
            if requests and _bare_noun_phrase(result) and _frame(requests[-1], nlu):
                clause = f"{_frame(requests[-1], nlu)} {clause}"
                result = nlu.parse(clause)
            requests.append(Request(clause, result))
        else:
            withdrawn = True  # "ugh, I've been on hold forever": talk, not a request
    if len(requests) == 1 and not withdrawn:
        return []  # one request said in several pieces: read the turn as it was said
    return requests


def clauses(text: str, knowledge: Knowledge) -> list[str]:
    """The turn cut at its clause boundaries (never inside a catalog phrase or a range)."""
    return _clauses(text, knowledge)


def _clauses(text: str, knowledge: Knowledge) -> list[str]:
    pieces: list[str] = []
    pos = 0
    for m in _BOUNDARY.finditer(text):
        left, right = text[pos : m.start()], text[m.end() :]
        if _keep_together(left, m.group(0), right, knowledge):
            continue
        pieces.append(text[pos : m.start()])
        pos = m.end()
    pieces.append(text[pos:])
    return [p.strip() for p in pieces if re.search(r"\w", p)]


def _keep_together(left: str, sep: str, right: str, knowledge: Knowledge) -> bool:
    """ "between 50 and 80", "salt and pepper", "1.5" are one thing, not two requests."""
    before = re.findall(r"[\w.$]+", left.lower())
    after = re.findall(r"[\w.$]+", right.lower())
    if not before or not after:
        return False
    a, b = before[-1], after[0]
    if _numeric(a) and _numeric(b):
        return True  # a range, a price, "seven thousand and two", an id read in groups
    if sep.strip(" ") in (",", ".") and not re.search(r"\s", sep):
        return False
    joined = f"{stem(a)} and {stem(b)}"
    return "and" in sep.lower() and joined in _and_phrases(knowledge)


_NUMBER_WORDS = frozenset(UNITS) | frozenset(TEENS) | frozenset(TENS) | frozenset(SCALES)


def _numeric(word: str) -> bool:
    return bool(re.search(r"\d", word)) or word in _NUMBER_WORDS or word in ("oh", "point")


_AND_PHRASES: dict[str, set[str]] = {}


def _and_phrases(knowledge: Knowledge) -> set[str]:
    """Every "x and y" in the catalog's names, tags and categories (stemmed), per snapshot."""
    key = knowledge.content_key or str(id(knowledge))
    phrases = _AND_PHRASES.get(key)
    if phrases is not None:
        return phrases
    phrases = set()
    texts = [p.name for p in knowledge.products.values()] + list(knowledge.categories)
    texts += [t for p in knowledge.products.values() for t in p.tags]
    for t in texts:
        words = re.findall(r"\w+", t.lower().replace("&", " and "))
        for i in range(1, len(words) - 1):
            if words[i] == "and":
                phrases.add(f"{stem(words[i - 1])} and {stem(words[i + 1])}")
    if len(_AND_PHRASES) > 8:
        _AND_PHRASES.clear()
    _AND_PHRASES[key] = phrases
    return phrases


def _is_request(result: NluResult, clause: str, knowledge: Knowledge) -> bool:
    e = result.entities
    if e.order_id or any(score >= 0.5 for _, score in e.products) or e.category:
        return True
    if result.intent in _REQUEST_INTENTS and result.confidence >= CLEAR_INTENT:
        return True
    match = knowledge.faq.answer(result.request or clause)
    return match is not None and match.confidence >= 0.6


#: An FAQ entry the clause's own words find this surely is the clause's topic, whatever
#: "them" or "it" points back to ("where are my seat covers | and do you fit them").
FAQ_ALONE = 0.9


def _faq_alone(result: NluResult, clause: str, knowledge: Knowledge) -> bool:
    """The clause is a shop question the FAQ answers on its own words: not a remark about the
    last request's thing, and needs none of its words to be understood."""
    match = knowledge.faq.answer(result.request or clause)
    return match is not None and not match.by_meaning and match.confidence >= FAQ_ALONE


def _only_constraints(result: NluResult) -> bool:
    e = result.entities
    bound = e.price_min is not None or e.price_max is not None
    return bound and not (e.products or e.order_id or e.category or e.pronoun_ref)


def _clear(result: NluResult) -> bool:
    """A request in its own right, not a remark that names something ("I love this kettle")."""
    return result.intent in _REQUEST_INTENTS and result.confidence >= CLEAR_INTENT


def _refers_back(result: NluResult) -> bool:
    e = result.entities
    return e.pronoun_ref and not (e.products or e.order_id or e.category)


def _bare_noun_phrase(result: NluResult) -> bool:
    """Only a thing named ("the kaleidoscope", "lavender spray"), no question of its own."""
    words = [w for w in result.text.split() if w not in _DETERMINERS]
    return bool(words) and bool(result.entities.products) and not any(w in STOPWORDS for w in words)


def _frame(previous: Request, nlu: Nlu) -> str:
    """The question part of a product request: "how much is the sloth" -> "how much is"."""
    words = previous.nlu.text.split()
    vocab = nlu.matcher.vocabulary
    for i, w in enumerate(words):
        if stem(w) in vocab:
            frame = words[:i]
            # "add 2 headlamps | and a lantern": the count was the first thing's own
            while frame and (frame[-1] in _DETERMINERS or _numeric(frame[-1])):
                frame.pop()
            return " ".join(frame)
    return ""


def combine(replies: list[SkillReply]) -> SkillReply:
    """One reply from several: the caller's own orders first, a question asked back last."""
    order = sorted(
        range(len(replies)),
        key=lambda i: (replies[i].pending is not None, replies[i].intent != Intent.ORDER_STATUS, i),
    )
    first = replies[order[0]]
    out = SkillReply(intent=first.intent, understood=False, handled=False)
    said: set[str] = set()
    for i in order:
        r = replies[i]
        text = r.say.text()
        if text in said:
            continue
        said.add(text)
        out.say.extend(r.say)
        out.cards += [c for c in r.cards if c not in out.cards]
        out.actions += r.actions
        out.end = out.end or r.end
        out.understood = out.understood or r.understood
        out.handled = out.handled or r.handled
        if r.pending is not None:
            out.pending = r.pending
        if r.resolved is not None:
            out.resolved = r.resolved if out.resolved is None else out.resolved and r.resolved
    return out
