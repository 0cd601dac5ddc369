"""Words made to be heard: dates, prices, order numbers, lists, and SSML.

Reply text goes straight to a TTS engine (piper reads "$24.99" as "dollar
twenty four point nine nine"), so the plain text already says prices and
dates the way a person would. The SSML twin adds what only SSML can carry:
order numbers read digit by digit, units spelled out, sentence breaks.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

_CURRENCY_WORDS = {
    "USD": ("dollar", "dollars", "cent", "cents"),
    "CAD": ("dollar", "dollars", "cent", "cents"),
    "AUD": ("dollar", "dollars", "cent", "cents"),
    "NZD": ("dollar", "dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"),
}
_SMALL = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_UNITS = {
    "oz": "ounce",
    "fl oz": "fluid ounce",
    "lb": "pound",
    "lbs": "pounds",
    "ft": "foot",
    "ml": "milliliter",
    "l": "liter",
    "kg": "kilogram",
    "g": "gram",
    "cm": "centimeter",
    "mm": "millimeter",
    "qt": "quart",
    "gal": "gallon",
    "mah": "milliamp hour",
    "gb": "gigabyte",
    "tb": "terabyte",
}
_PLURAL = {"foot": "feet", "inch": "inches", "fluid ounce": "fluid ounces"}
_UNIT_RE = re.compile(
    r"(?<![\d.])(\d+(?:\.\d+)?)\s?("
    + "|".join(sorted((re.escape(u) for u in _UNITS), key=len, reverse=True))
    + r")\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def ordinal(n: int) -> str:
    """3 -> "3rd", 11 -> "11th", 22 -> "22nd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def spoken_date(day: dt.date, today: dt.date | None = None) -> str:
    """ "Thursday, December 3rd"; the year only when it isn't obvious from today."""
    text = f"{day.strftime('%A')}, {day.strftime('%B')} {ordinal(day.day)}"
    if today is not None and day.year != today.year and abs((day - today).days) > 60:
        text += f", {day.year}"
    return text


def spoken_when(day: dt.date, today: dt.date) -> str:
    """A date relative to today when that's how people say it: "tomorrow, Wednesday, ..."."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return f"tomorrow, {spoken_date(day, today)}"
    if delta == -1:
        return f"yesterday, {spoken_date(day, today)}"
    return spoken_date(day, today)


def _money(amount: float | Decimal) -> Decimal:
    return Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def spoken_price(amount: float | Decimal, currency: str = "USD") -> str:
    """24.99 -> "24 dollars and 99 cents"; 30 -> "30 dollars"; 0.5 -> "50 cents"."""
    value = _money(amount)
    whole = int(value)
    cents = int((value - whole) * 100)
    words = _CURRENCY_WORDS.get(currency.upper())
    if words is None:
        return f"{value} {currency}"
    one, many, cent_one, cent_many = words
    unit = one if whole == 1 else many
    whole_text = f"{whole:,} {unit}"
    if cents == 0:
        return whole_text
    cent_text = f"{cents} {cent_one if cents == 1 else cent_many}"
    return cent_text if whole == 0 else f"{whole_text} and {cent_text}"


def number_words(n: int) -> str:
    """Small counts read better as words: 2 -> "two"; larger ones stay digits."""
    if 0 <= n < 20:
        return _SMALL[n]
    if 20 <= n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens - 2] + ("" if ones == 0 else f"-{_SMALL[ones]}")
    return str(n)


def join_words(items: list[str], conjunction: str = "and") -> str:
    """["a", "b", "c"] -> "a, b and c" (no serial comma: it reads as a pause)."""
    items = [i for i in items if i]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {conjunction} {items[-1]}"


_DANGLING = frozenset(
    [
        "and",
        "or",
        "with",
        "for",
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "from",
        "its",
        "their",
        "your",
    ]
)


def first_sentence(text: str, max_words: int = 22) -> str:
    """The first sentence of a description, trimmed for the ear."""
    text = " ".join(text.split())
    if not text:
        return ""
    sentence = _SENTENCE_END.split(text, maxsplit=1)[0]
    words = sentence.split()
    if len(words) > max_words:
        words = words[:max_words]
        while words and (words[-1].lower().strip(",;:") in _DANGLING or words[-1].endswith(",")):
            words.pop()
        return " ".join(words).rstrip(",;:") + "."
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def short_text(text: str, max_sentences: int = 2, max_words: int = 40) -> str:
    """At most a couple of sentences of a longer text (FAQ answers, descriptions)."""
    sentences = _SENTENCE_END.split(" ".join(text.split()))
    out: list[str] = []
    words = 0
    for sentence in sentences[:max_sentences]:
        n = len(sentence.split())
        if out and words + n > max_words:
            break
        out.append(sentence)
        words += n
    joined = " ".join(out)
    if joined and not joined.endswith((".", "!", "?")):
        joined += "."
    return joined


_PERCENT_RE = re.compile(r"(\d+(?:\.\d+)?)\s?%")
_BY_RE = re.compile(r"(?<=\d)\s?x\s?(?=\d)")
_WORD_AFTER = re.compile(r"\s+(?!of\b|each\b|per\b|and\b|or\b|to\b)[A-Za-z]")
_PREV_WORD = re.compile(r"([A-Za-z]+)\s+$")


def speakable(text: str) -> str:
    """Spell out what TTS engines stumble on: "&", "0%", "700x40" and units after numbers.

    A unit is singular where English makes it an adjective: in a name
    ("Shampoo 16 oz" -> "16 ounce") or before a noun ("a 4 oz bottle"); in
    running prose it counts ("holds 2 qt" -> "2 quarts").
    """
    text = re.sub(r"\s*&\s*", " and ", text)
    text = _PERCENT_RE.sub(r"\1 percent", text)
    text = _BY_RE.sub(" by ", text)

    def unit(match: re.Match[str]) -> str:
        word = _UNITS[match.group(2).lower()]
        before = _PREV_WORD.search(match.string, 0, match.start())
        adjective = bool(_WORD_AFTER.match(match.string, match.end())) or (
            before is not None and before.group(1)[0].isupper()
        )
        if match.group(1) != "1" and not adjective and not word.endswith("s"):
            word = _PLURAL.get(word, word + "s")
        elif word.endswith("s") and (adjective or match.group(1) == "1"):
            word = word[:-1]  # "lbs" is "pound" in "a 5 lbs bag"
        return f"{match.group(1)} {word}"

    return _UNIT_RE.sub(unit, text)


_IRREGULAR_PLURALS = {"foot": "feet", "mouse": "mice", "person": "people", "child": "children"}
_NAME_END = re.compile(r"\s+(?:with|for|and|by|in|-)\s+|,|\(")


def plural_word(word: str) -> str:
    """ "Helmet" -> "Helmets", "Leash" -> "Leashes", "Battery" -> "Batteries"."""
    lower = word.lower()
    if lower in _IRREGULAR_PLURALS:
        out = _IRREGULAR_PLURALS[lower]
        return out.capitalize() if word[:1].isupper() else out
    if lower.endswith(("s", "x", "z", "ch", "sh")):
        return word if lower.endswith("s") and not lower.endswith("ss") else word + "es"
    if lower.endswith("y") and len(lower) > 1 and lower[-2] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def counted(n: int, name: str) -> str:
    """ "the Junior Sprout Helmet" / "two Junior Sprout Helmets" (the head noun takes the plural).

    The head noun is the last word before a "with"/"for" clause or trailing
    specs ("Leash 6 ft", "Chews 30 Count"): "two Fortress U-Locks with Cable".
    """
    if n == 1:
        return f"the {name}"
    match = _NAME_END.search(name)
    core, rest = (name[: match.start()], name[match.start() :]) if match else (name, "")
    tokens = core.split(" ")
    i = len(tokens) - 1
    while i > 0 and (any(ch.isdigit() for ch in tokens[i]) or not tokens[i][:1].isalpha()):
        i -= 1
    while i > 0 and tokens[i].lower() in _SPEC_TAIL and any(ch.isdigit() for ch in tokens[i - 1]):
        i -= 2  # "30 Count", "3 Pack": the noun is before them
    if i < 0 or not tokens[i][:1].isalpha() or tokens[i].lower() in _NOT_NOUNS:
        return f"{number_words(n)} of the {name}"  # "Chain Lube Dry": no noun to inflect
    tokens[i] = plural_word(tokens[i])
    return f"{number_words(n)} {' '.join(tokens)}{rest}"


# Words that end product names without being the thing: "Chain Lube Dry", "Light Set Front & Rear".
_NOT_NOUNS = frozenset(
    """
    dry wet rear front pro plus max mini lite large medium small xl xxl standard classic original
    deluxe black white red blue green grey gray pink silver gold left right adult indoor outdoor
    edition series
    """.split()  # noqa: SIM905 - a word list reads better as text
)


_SPEC_TAIL = frozenset({"count", "pack", "ft", "oz", "lb", "in", "month", "piece", "cans"})


@dataclass(frozen=True)
class Spoken:
    """A piece whose SSML differs from its text (e.g. an order number read as digits)."""

    text: str
    ssml: str


def digits(value: str) -> Spoken:
    """An id read digit by digit in SSML ("seven zero zero two"), as-is in text."""
    return Spoken(value, f'<say-as interpret-as="digits">{escape(value)}</say-as>')


Part = str | Spoken


class Utterance:
    """A reply being built sentence by sentence, rendered as text and as SSML."""

    def __init__(self) -> None:
        self.sentences: list[tuple[Part, ...]] = []

    def say(self, *parts: Part) -> Utterance:
        """Add a sentence; plain text holding several sentences becomes several."""
        if not any(str(p.text if isinstance(p, Spoken) else p).strip() for p in parts):
            return self
        if all(isinstance(p, str) for p in parts):
            plain = "".join(p for p in parts if isinstance(p, str))
            for sentence in _SENTENCE_END.split(" ".join(plain.split())):
                if sentence:
                    self.sentences.append((sentence,))
            return self
        self.sentences.append(parts)
        return self

    def extend(self, other: Utterance) -> Utterance:
        self.sentences.extend(other.sentences)
        return self

    def prepend(self, *parts: Part) -> Utterance:
        self.sentences.insert(0, parts)
        return self

    def __bool__(self) -> bool:
        return bool(self.sentences)

    def text(self) -> str:
        rendered = (
            "".join(p.text if isinstance(p, Spoken) else p for p in s).strip()
            for s in self.sentences
        )
        return " ".join(_tidy(speakable(s), markup=False) for s in rendered if s)

    def ssml(self) -> str:
        body = []
        for sentence in self.sentences:
            inner = "".join(
                p.ssml if isinstance(p, Spoken) else escape(speakable(p), {'"': "&quot;"})
                for p in sentence
            ).strip()
            if inner:
                body.append(f"<s>{_tidy(inner, markup=True)}</s>")
        return "<speak>" + "".join(body) + "</speak>"


def _tidy(sentence: str, markup: bool) -> str:
    sentence = re.sub(r"\s+", " ", sentence).strip()
    sentence = re.sub(r"\s+([,.!?])", r"\1", sentence)
    sentence = re.sub(r"\.\.+$", ".", sentence)
    if sentence and sentence[-1] not in (".!?>" if markup else ".!?"):
        sentence += "."
    return sentence[0].upper() + sentence[1:] if sentence and sentence[0].islower() else sentence


def ssml_from_text(text: str) -> str:
    """SSML for text that came from elsewhere (an LLM answer), escaped sentence by sentence."""
    utterance = Utterance()
    for sentence in _SENTENCE_END.split(" ".join(text.split())):
        utterance.say(sentence)
    return utterance.ssml()


_MONEY_IN_TEXT = re.compile(r"([$€£])\s?(\d[\d,]*(?:\.\d{1,2})?)")
_SYMBOL_CURRENCY = {"$": "USD", "€": "EUR", "£": "GBP"}


def money_in_text(text: str, currency: str = "USD") -> str:
    """ "$5.99" inside shop text (FAQ answers) -> "5 dollars and 99 cents" for the ear."""

    def repl(match: re.Match[str]) -> str:
        code = _SYMBOL_CURRENCY.get(match.group(1), currency)
        if match.group(1) == "$" and currency in _CURRENCY_WORDS and currency != "USD":
            code = currency if _CURRENCY_WORDS[currency][0] == "dollar" else "USD"
        return spoken_price(Decimal(match.group(2).replace(",", "")), code)

    return _MONEY_IN_TEXT.sub(repl, text)
