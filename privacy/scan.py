"""Find the numbers in what a caller said, however they said them.

Callers type "4111-1111-1111-1111" and say "four one one one, double one ...",
"oh seven seven hundred nine hundred ...", "nineteen eighty five". This
module cuts text into tokens that keep their place in the original string,
then joins the digits, number words and separators that belong together into
*runs*: one run is what a person would read as one stretch of numbers. Each
run keeps its *groups* (a typed group, or one spoken number such as "forty
one" or "seven hundred"), because a card number, its expiry date and its
security code often arrive as one run, and the group edges are where they
can be told apart.

Things that only look like numbers are left whole: a hex id (a conversation
id), a UUID, an IPv4 address, a decimal ("29.99"), and digits glued to
letters ("1080p", "C001", "221B") never join the digits around them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from hark.language.spoken_numbers import TEENS, TENS, UNITS

TOKEN_RE = re.compile(
    r"(?P<opaque>(?<![\w.])(?:\d{1,3}(?:\.\d{1,3}){3}"
    r"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|(?=[0-9a-f]{0,200}[a-f])(?=[0-9a-f]{0,200}\d)[0-9a-f]{16,})(?![\w.]))"
    r"|(?P<decimal>(?<![\d.])\d+\.\d+(?![.\d]))"
    r"|(?P<num>\d+)"
    r"|(?P<word>[^\W\d_]+(?:['\u2019][^\W\d_]+)?)"
    r"|(?P<punct>\S)",
    re.IGNORECASE,
)

ZERO_WORDS = frozenset({"zero", "oh", "o", "nought", "naught"})
SMALL: dict[str, int] = {**UNITS, **TEENS, **TENS, **dict.fromkeys(ZERO_WORDS, 0)}
SCALE_WORDS = frozenset({"hundred", "thousand"})
REPEAT_WORDS = {"double": 2, "triple": 3}
#: What a recogniser writes for a digit word it misheard, trusted only between two
#: spoken single digits ("five five five for one two", never "20 to 40").
HOMOPHONES = {"for": "four", "to": "two", "too": "two", "won": "one", "ate": "eight"}
SEPARATOR_PUNCT = frozenset("-.,/()")
SEPARATOR_WORDS = frozenset(
    {"um", "umm", "uh", "uhh", "er", "erm", "ah", "hmm", "dash", "hyphen", "slash"}
)


@dataclass(frozen=True)
class Token:
    kind: str  # opaque | decimal | num | word | punct
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower()


@dataclass
class Group:
    """One typed digit group or one spoken number, with where it is in the text."""

    digits: str
    start: int
    end: int
    spoken: bool = False


@dataclass
class Run:
    """Digits a person reads as one stretch: groups joined by separators."""

    groups: list[Group] = field(default_factory=list)
    plus: bool = False  # an international "+" (or "plus") right before the first group
    glued: bool = False  # digits inside a word ("1Z999AA10123456784", "visa4111...")
    start: int = 0  # includes the "+" or "(" before the first group
    end: int = 0

    @property
    def digits(self) -> str:
        return "".join(g.digits for g in self.groups)


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.lastgroup or "punct", m.group(), m.start(), m.end())
        for m in TOKEN_RE.finditer(text)
    ]


def _glued(tokens: list[Token], i: int) -> bool:
    """Digits touching letters ("1080p", "C001", "21st") are part of a word, not a number."""
    tok = tokens[i]
    before = i > 0 and tokens[i - 1].end == tok.start and tokens[i - 1].kind == "word"
    after = i + 1 < len(tokens) and tokens[i + 1].start == tok.end and tokens[i + 1].kind == "word"
    return before or after


def _numeric_word(low: str) -> bool:
    return low in SMALL or low in SCALE_WORDS or low in REPEAT_WORDS


def runs(text: str, tokens: list[Token] | None = None) -> list[Run]:
    """Every run of numbers in ``text``, left to right."""
    tokens = tokenize(text) if tokens is None else tokens
    found: list[Run] = []
    i, n = 0, len(tokens)

    def numeric(j: int) -> bool:
        if j >= n:
            return False
        tok = tokens[j]
        if tok.kind == "num":
            return not _glued(tokens, j)
        return tok.kind == "word" and _numeric_word(tok.low)

    def spoken_digit(j: int) -> bool:
        """A single spoken digit ("five", "oh"): the company a misheard "for" keeps."""
        return (
            j < n
            and tokens[j].kind == "word"
            and (tokens[j].low in UNITS or tokens[j].low in ZERO_WORDS)
        )

    def typed_next(j: int) -> bool:
        k = j + 1
        while k < n and tokens[k].kind == "punct" and tokens[k].text in SEPARATOR_PUNCT:
            k += 1
        return k < n and tokens[k].kind == "num"

    while i < n:
        # "OH 44101", "O 5": a letter before typed digits, not a spoken zero
        if tokens[i].kind == "word" and tokens[i].low in ZERO_WORDS and typed_next(i):
            i += 1
            continue
        if not numeric(i):
            if _glued_num(tokens, i):
                found.append(_isolated(tokens[i]))
            i += 1
            continue
        members = [i]
        j = i + 1
        while j < n:
            tok = tokens[j]
            # "5500 0000 0000 4 O": a lone letter after typed digits, not a spoken zero
            # (unless more spoken digits follow it)
            letter = (
                tok.low == "o" and tokens[members[-1]].kind == "num" and not spoken_digit(j + 1)
            )
            if numeric(j) and not letter:
                members.append(j)
                j += 1
                continue
            low = tok.low
            joiner = (tok.kind == "punct" and tok.text in SEPARATOR_PUNCT) or (
                tok.kind == "word" and low in SEPARATOR_WORDS
            )
            homophone = (
                tok.kind == "word"
                and low in HOMOPHONES
                and spoken_digit(members[-1])
                and spoken_digit(j + 1)
            )
            scale_and = (
                low == "and"
                and tokens[members[-1]].low in SCALE_WORDS
                and j + 1 < n
                and tokens[j + 1].kind == "word"
                and tokens[j + 1].low in SMALL
            )
            if homophone or scale_and:
                members.append(j)
                j += 1
                continue
            if joiner:
                k = j
                while k < n and (
                    (tokens[k].kind == "punct" and tokens[k].text in SEPARATOR_PUNCT)
                    or (tokens[k].kind == "word" and tokens[k].low in SEPARATOR_WORDS)
                ):
                    k += 1
                if numeric(k):
                    j = k
                    continue
            break
        run = _build(tokens, members, i)
        if run is not None:
            found.append(run)
        i = j
    return found


def _glued_num(tokens: list[Token], i: int) -> bool:
    return tokens[i].kind == "num" and _glued(tokens, i)


def _isolated(tok: Token) -> Run:
    return Run([Group(tok.text, tok.start, tok.end)], start=tok.start, end=tok.end, glued=True)


def _build(tokens: list[Token], members: list[int], first: int) -> Run | None:
    run = Run()
    words: list[Token] = []

    def flush() -> None:
        run.groups.extend(spoken_groups(words))
        words.clear()

    for j in members:
        tok = tokens[j]
        if tok.kind == "num":
            flush()
            run.groups.append(Group(tok.text, tok.start, tok.end))
        else:
            words.append(tok)
    flush()
    if not run.groups:  # "double" or "hundred and" with no number to go with it
        return None
    run.start, run.end = run.groups[0].start, run.groups[-1].end
    before = tokens[first - 1] if first > 0 else None
    if before is not None and (before.text == "+" or before.low == "plus"):
        run.plus, run.start = True, before.start
    elif before is not None and before.text == "(":
        run.start = before.start
    return run


def spoken_groups(words: list[Token]) -> list[Group]:
    """Spoken numbers as groups: "forty one" -> 41, "seven hundred" -> 700, "double four" -> 44.

    A scale word takes the number after it only when that number is not itself
    followed by a scale ("three hundred twelve" is 312, but "seven hundred nine
    hundred" is 700 then 900, as people read phone numbers), and a single digit
    only when it ends the run or follows "and".
    """
    groups: list[Group] = []
    lows = [HOMOPHONES.get(w.low, w.low) for w in words]
    i, n = 0, len(words)
    while i < n:
        low = lows[i]
        start = words[i].start
        if low in REPEAT_WORDS and i + 1 < n and lows[i + 1] in SMALL:
            digits = str(SMALL[lows[i + 1]]) * REPEAT_WORDS[low]
            groups.append(Group(digits, start, words[i + 1].end, True))
            i += 2
            continue
        if low not in SMALL and low not in SCALE_WORDS:
            i += 1  # "and" or a stray repeat word
            continue
        value, j = _small_at(lows, i)
        if value is None:  # a bare scale word: "hundred" alone reads as 100
            value, j = 1, i
        while j < n and lows[j] in SCALE_WORDS:
            value *= 100 if lows[j] == "hundred" else 1000
            j += 1
            k = j + 1 if j < n and lows[j] == "and" else j
            rest, after = _small_at(lows, k)
            # "nine hundred four six five" is 900 4 6 5 (digit by digit), but
            # "three hundred five" and "nine hundred and four" are one number.
            digit_by_digit = (
                k < n and lows[k] in UNITS and after < n and lows[after] in SMALL and k == j
            )
            if (
                rest is not None
                and not (after < n and lows[after] in SCALE_WORDS)
                and not digit_by_digit
            ):
                value += rest
                j = after
            elif k != j and rest is None:
                break
        digits = str(value)
        if j == i + 1 and low in ZERO_WORDS:
            digits = "0"
        groups.append(Group(digits, start, words[j - 1].end, True))
        i = j
    return groups


def _small_at(lows: list[str], i: int) -> tuple[int | None, int]:
    """The number below a hundred starting at ``i`` ("forty one" -> 41) and where it ends."""
    if i >= len(lows) or lows[i] not in SMALL:
        return None, i
    value = SMALL[lows[i]]
    if lows[i] in TENS and i + 1 < len(lows) and lows[i + 1] in UNITS and UNITS[lows[i + 1]]:
        return value + UNITS[lows[i + 1]], i + 2
    return value, i + 1
