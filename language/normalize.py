"""Turn raw ASR or typed text into one canonical form the NLU can rely on.

Speech recognisers give lowercase-ish text with no punctuation, numbers as
words ("three one eight six", "seven thousand and two", "twenty nine ninety
nine dollars") and fillers ("um", "uh", "like"). Typed text gives "$29.99",
"#3186" and "50-80". Both must end up the same, so every later stage (intent
classifier, entity extractors, redaction of spoken card numbers) sees
``"3186"``, ``"29.99 dollars"`` and ``"50 to 80"`` whatever the channel.

The rules are deliberately conservative: a lone "one" stays a word in
"that one" / "the first one" (a pronoun, not a quantity), "and" only joins
numbers after "hundred"/"thousand" (so "between fifty and eighty" stays a
range), and digit pairs become a price only next to a money word or a price
word ("under", "costs", ...), otherwise they are an id ("thirty one eighty
six" -> 3186).
"""

from __future__ import annotations

import re
from functools import partial

from hark.language.characters import fold_text
from hark.language.spoken_numbers import (
    SCALES,
    TEENS,
    TENS,
    UNITS,
    parse_run,
    render_run,
)

FILLERS: frozenset[str] = frozenset(
    {"um", "umm", "ummm", "uh", "uhh", "uhm", "erm", "er", "err", "hmm", "hm", "mm", "mmm", "ah"}
)
#: "like" is kept after these words ("i'd like", "i don't like", "looks like").
_LIKE_KEEPERS: frozenset[str] = frozenset(
    {
        "i", "id", "you", "youd", "we", "wed", "they", "theyd", "would", "dont", "do", "does",
        "doesnt", "didnt", "really", "also", "just", "might", "may", "look", "looks", "sounds",
        "feel", "feels", "sound", "seem", "seems", "not", "wouldnt", "shed", "hed", "she", "he", "much", "more", "lot",
        "thing", "things", "something", "anything"
    }
)  # fmt: skip

#: Canonical money words; the value is what appears in normalised text.
MONEY_WORDS: dict[str, str] = {
    "dollar": "dollars",
    "dollars": "dollars",
    "buck": "dollars",
    "bucks": "dollars",
    "usd": "dollars",
    "euro": "euros",
    "euros": "euros",
    "eur": "euros",
    "quid": "pounds",
    "cent": "cents",
    "cents": "cents",
}
_CURRENCY_SYMBOLS = {"$": "dollars", "€": "euros", "£": "pounds"}

#: Words right before a number that make "twenty nine ninety nine" a price (29.99).
PRICE_CUES: frozenset[str] = frozenset(
    {
        "under", "below", "over", "above", "than", "between", "around", "about", "budget", "cost",
        "costs", "price", "priced", "pay", "spend", "max", "maximum", "minimum", "least", "most",
        "upto", "within", "only", "just", "for", "is", "was", "to"
    }
)  # fmt: skip

# A lone "one" becomes 1 only in a clearly numeric spot ("just one", "add one",
# "one of those"); elsewhere it is a pronoun ("that one", "the cheaper one").
_ONE_NUMERIC_PREV: frozenset[str] = frozenset(
    {
        "just", "only", "add", "buy", "take", "get", "want", "need", "order", "it", "to",
        "quantity", "x", "times", "than", "number", "option", "item", "plus", "minus", "me", "us",
        "like", "make", "of", "with", "remove", "ill", "im", "have", "had", "id", "under", "over",
        "below", "above", "exactly", "buying", "getting", "ordering"
    }
)  # fmt: skip
_ONE_NUMERIC_NEXT: frozenset[str] = frozenset(
    {
        "of", "more", "less", "dollars", "cents", "euros", "pounds", "unit", "units", "piece",
        "pieces", "item", "items", "pack", "packs", "only", "thousand", "hundred", "each", "box",
        "boxes", "pair", "pairs", "set", "sets", "bottle", "bottles", "bag", "bags", "extra"
    }
)  # fmt: skip

_DETERMINERS: frozenset[str] = frozenset(
    {"the", "that", "this", "a", "an", "another", "which", "any", "each", "every", "other"}
)
_NUMBER_WORDS = set(UNITS) | set(TEENS) | set(TENS) | set(SCALES) | {"dozen"}
_DIGITS_RE = re.compile(r"^\d+(?:\.\d+)?$")


_ORDINAL_WORDS = [
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
    "ninth", "tenth", "eleventh", "twelfth"
]  # fmt: skip


def _ordinal_word(m: re.Match[str]) -> str:
    n = int(m.group(1))
    return _ORDINAL_WORDS[n] if n < len(_ORDINAL_WORDS) else m.group(1)


def _prepare(text: str) -> str:
    """Lowercase and strip punctuation while keeping the meaning of symbols."""
    text = fold_text(text).lower()  # NFKC, and "➇", "٣" as ASCII digits
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    # "$29.99" -> "29.99 dollars"; "$ 5" too.
    for sym, word in _CURRENCY_SYMBOLS.items():
        if sym in text:
            text = re.sub(
                re.escape(sym) + r"\s*(\d[\d,]*(?:\.\d+)?)(k\b)?",
                partial(_money_words, word=word),
                text,
            )
            text = text.replace(sym, f" {word} ")
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)  # 3,186 -> 3186
    text = re.sub(r"\b([a-z]{1,4})-(\d{3,})\b", r"\1\2", text)  # ids and SKUs: ord-1001 -> ord1001
    text = re.sub(r"\b(\d{1,2})(?:st|nd|rd|th)\b", _ordinal_word, text)
    # "50-80" is a range; longer dashed digit groups (phones, SSNs) just split.
    text = re.sub(
        r"(?<![\d-])(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)(?![\d-])",
        r"\1 to \2",
        text,
    )
    text = text.replace("#", " number ").replace("%", " percent ").replace("&", " and ")
    text = text.replace("@", " at ").replace("+", " plus ")
    text = text.replace("'", "")  # i'm -> im, don't -> dont: typed and spoken agree
    # keep decimal points inside numbers, drop every other punctuation mark
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)
    text = re.sub(r"[^\w.\s]|_", " ", text)
    return text


def _strip_fillers(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for tok in tokens:
        if tok in FILLERS:
            continue
        if tok == "like" and not (out and out[-1] in _LIKE_KEEPERS):
            continue
        if tok in ("oh", "o"):
            prev = out[-1] if out else ""
            if prev in _NUMBER_WORDS or prev == "zero" or prev.isdigit():
                out.append("zero")  # "seven oh oh two"
            elif tok == "o":
                out.append(tok)
            continue  # an interjection: "oh okay"
        if out and tok == out[-1] and tok not in _NUMBER_WORDS and not tok[0].isdigit():
            continue  # ASR stutter: "i i want"
        out.append(tok)
    return out


def _is_run_word(tokens: list[str], i: int, in_run: bool) -> bool:
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
    if tok in UNITS or tok in TEENS or tok in TENS or tok in SCALES or tok == "dozen":
        return True
    if tok == "a" and nxt in ("hundred", "thousand", "million", "dozen"):
        return True
    if tok == "o" and in_run and (nxt in UNITS or nxt in ("o", "zero")):
        return True
    if in_run and tok == "and" and tokens[i - 1] not in ("hundred", "thousand", "million"):
        return False  # "between fifty and eighty" is two numbers
    if in_run and tok == "and" and tokens[i - 1] == "hundred" and _hundred_follows(tokens, i + 1):
        return False  # "between two hundred and three hundred" is two numbers
    if in_run and tok in ("and", "point"):
        return nxt in UNITS or nxt in TEENS or nxt in TENS or nxt in ("o", "zero", "a")
    return False


def _hundred_follows(tokens: list[str], start: int) -> bool:
    """Does the number phrase starting here reach its own "hundred"?"""
    k = start
    while k < len(tokens) and (tokens[k] in UNITS or tokens[k] in TEENS or tokens[k] in TENS):
        k += 1
    return k > start and k < len(tokens) and tokens[k] == "hundred"


def _convert_numbers(tokens: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    n = len(tokens)
    while i < n:
        if not _is_run_word(tokens, i, False):
            out.append(tokens[i])
            i += 1
            continue
        j = i
        while j < n and _is_run_word(tokens, j, j > i):
            j += 1
        words = tokens[i:j]
        nxt = tokens[j] if j < n else ""
        if words == ["one"]:
            prev = out[-1] if out else ""
            prev2 = out[-2] if len(out) > 1 else ""
            if prev2 in _DETERMINERS or not (
                prev in _ONE_NUMERIC_PREV
                or (not prev and nxt == "please")
                or nxt in _ONE_NUMERIC_NEXT
                or nxt in MONEY_WORDS
                or (not prev and not nxt)
            ):
                out.append("one")
                i = j
                continue
        prev = out[-1] if out else ""
        price_context = nxt in MONEY_WORDS or prev in PRICE_CUES or prev in MONEY_WORDS
        pronoun_one = (
            len(words) > 1
            and words[-1] == "one"
            and (words[-2] in UNITS or words[-2] in TEENS)
            and prev in _DETERMINERS
            # "a two zero three one" is order A-2031 read digit by digit, not "a ... one"
            and not (len(words) >= 4 and all(w in UNITS or w == "o" for w in words))
        )
        if pronoun_one and nxt not in _ONE_NUMERIC_NEXT:
            # "the twenty nine ninety nine one": a price, then the pronoun "one"
            out.extend(render_run(parse_run(words[:-1]), True))
            out.append("one")
        else:
            cents_follow = nxt in ("cent", "cents")
            out.extend(render_run(parse_run(words), price_context, cents_follow))
        i = j
    return out


def _is_num(tok: str) -> bool:
    return bool(_DIGITS_RE.match(tok))


def _merge_money(tokens: list[str]) -> list[str]:
    """Canonical money words and "29 dollars (and) 99 (cents)" -> "29.99 dollars"."""
    toks = [MONEY_WORDS.get(t, t) for t in tokens]
    out: list[str] = []
    i = 0
    n = len(toks)
    while i < n:
        t = toks[i]
        if (
            _is_num(t)
            and "." not in t
            and i + 1 < n
            and toks[i + 1] in ("dollars", "euros", "pounds")
        ):
            unit = toks[i + 1]
            k = i + 2
            if k < n and toks[k] == "and":
                k += 1
                with_and = True
            else:
                with_and = False
            if k < n and _is_num(toks[k]) and "." not in toks[k] and 1 <= int(toks[k]) <= 99:
                after = toks[k + 1] if k + 1 < n else ""
                if after == "cents" or (
                    not with_and
                    and after not in MONEY_WORDS.values()
                    and after not in ("to", "and")
                ):
                    out += [f"{int(t)}.{int(toks[k]):02d}", unit]
                    i = k + (2 if after == "cents" else 1)
                    continue
        if _is_num(t) and "." not in t and i + 1 < n and toks[i + 1] == "cents" and int(t) < 100:
            out += [f"0.{int(t):02d}", "dollars"]
            i += 2
            continue
        out.append(t)
        i += 1
    return out


#: Words a recogniser writes for a digit it heard: "for 5, 7, 2" was "four five seven two".
_DIGIT_HOMOPHONES: dict[str, str] = {"for": "4", "four": "4", "to": "2", "too": "2", "ate": "8"}
#: After "went to", these show a real past trip ("I went to the store"), not "want to".
_WENT_TO_PLACES: frozenset[str] = frozenset(
    {
        "the", "a", "an", "my", "your", "his", "her", "their", "our", "this", "that", "these",
        "those", "school", "work", "bed", "church", "town", "sleep", "hospital", "college", "see",
        "visit", "it", "there", "one", "two", "pick", "collect", "get"
    }
)  # fmt: skip


def _join_digit_runs(tokens: list[str]) -> list[str]:
    """An id read out digit by digit ("4 5 7 2", "for 5 7 2", "5-7-2") becomes one number.

    Recognisers write digits said one by one as separate numbers, often with
    commas ("for 5, 7, 2"); three or more single digits in a row are one id,
    and a digit homophone right before such a run ("for", "to") is its first digit.
    """
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        j = i
        while j < n and len(tokens[j]) == 1 and tokens[j].isdigit():
            j += 1
        run = j - i
        if run >= 2 and out and out[-1] in _DIGIT_HOMOPHONES and run + 1 >= 3:
            out[-1] = _DIGIT_HOMOPHONES[out[-1]] + "".join(tokens[i:j])
            i = j
        elif run >= 3:
            out.append("".join(tokens[i:j]))
            i = j
        else:
            out.append(tokens[i])
            i += 1
    return out


def _want_not_went(tokens: list[str]) -> list[str]:
    """ "I went to buy a kite": recognisers hear "want" as "went"; a trip keeps "went"."""
    out = list(tokens)
    for i in range(len(out) - 2):
        if out[i] == "i" and out[i + 1] == "went" and out[i + 2] == "to":
            nxt = out[i + 3] if i + 3 < len(out) else ""
            if nxt and nxt not in _WENT_TO_PLACES and not nxt.isdigit():
                out[i + 1] = "want"
    return out


def _half_dozen(tokens: list[str]) -> list[str]:
    """ "Half a dozen" is six (read whole: "half" alone is no number, and "a dozen" is 12)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i : i + 3] == ["half", "a", "dozen"]:
            out.append("6")
            i += 3
            continue
        out.append(tokens[i])
        i += 1
    return out


def normalize_tokens(text: str) -> list[str]:
    """The normalised text as a token list (see :func:`normalize_spoken`)."""
    tokens = _strip_fillers(_prepare(text).split())
    tokens = _convert_numbers(_half_dozen(tokens))
    tokens = _want_not_went(_join_digit_runs(tokens))
    return _merge_money(tokens)


def normalize_spoken(text: str) -> str:
    """Canonical lowercase text: no punctuation or fillers, numbers as digits.

    >>> normalize_spoken("Um, where is order three one eight six?")
    'where is order 3186'
    >>> normalize_spoken("something under twenty nine ninety nine bucks")
    'something under 29.99 dollars'
    """
    return " ".join(normalize_tokens(text))


def parse_number(text: str) -> float | None:
    """The single number a short phrase stands for ("seven thousand and two" -> 7002).

    Returns None when the phrase is not exactly one number, so callers can
    ask again instead of guessing.
    """
    toks = [t for t in normalize_tokens(text) if t not in ("dollars", "euros", "pounds", "number")]
    if len(toks) == 1 and _is_num(toks[0]):
        return float(toks[0])
    if len(toks) == 1 and toks[0] == "one":
        return 1.0
    return None


def is_number_token(tok: str) -> bool:
    """True for a token of normalised text that is a number ("3186", "29.99")."""
    return _is_num(tok)


def _money_words(match: re.Match[str], *, word: str) -> str:
    """ "$29.99" -> " 29.99 dollars ", "$5k" -> " 5000 dollars "."""
    return f" {match.group(1)}{'000' if match.group(2) else ''} {word} "
