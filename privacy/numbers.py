"""Which digits in a run are a card number, its expiry or code, a phone, an SSN, an account.

A run can hold several things at once ("4111 1111 1111 1111, 09 29, 123";
"202 555 0111, 202 555 0112"), so each run is split at its group edges into
the segments that explain the most digits (a small dynamic programme over the
groups). Each segment is judged by what it is, not how it was written:

* a payment card: 13-19 digits passing the Luhn check (``stdnum.luhn``); 8-19
  digits with card talk around them; what follows a card in the same breath
  (an expiry date, a security code); the next digits while a card is being read
  out across turns (:mod:`hark.privacy.memory`); 13-19 digits nothing else
  explains (a card misheard by one digit fails Luhn but is still one);
* a phone number (:mod:`hark.privacy.phones`);
* an SSN: "123-45-6789" grouping, or 9 digits after "social security"/"ssn";
* a security code: 3-4 digits after "code", "cvv", "pin", "on the back", ...;
* an expiry date: a month and year after "expires", "exp", "valid thru", ...;
* a bank account or routing number after "account number", "routing", ...

Everything else (order numbers, prices, quantities, years) stays as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from stdnum import ean, luhn

from hark.privacy.kinds import BANK_ACCOUNT, CARD, EXPIRY, PHONE, SECURITY_CODE, SSN
from hark.privacy.memory import RedactionMemory
from hark.privacy.phones import is_phone
from hark.privacy.scan import Group, Run

CARD_WORDS = re.compile(
    r"\b(?:card|credit|debit|visa|master\s?card|amex|american express|discover|maestro|jcb|"
    r"diners|cc)\b",
    re.IGNORECASE,
)
#: Talk of paying by card (not "memory card"): the next turns may read one out.
PAYMENT_CARD_TALK = re.compile(
    r"\b(?:credit|debit|visa|master\s?card|amex|american express|maestro|jcb|diners)\b"
    r"|\bcard\s+(?:number|no|details|digits|ending|ends|starts|begins|expires)\b"
    r"|\b(?:my|the|your|this)\s+card\s+(?:is|number|ends|starts)\b"
    r"|\b(?:pay|paying|payment|charge|use|give|read|tell|take|here's|here\s+is)\b"
    r"[\w\s']{0,20}\bcard\b",
    re.IGNORECASE,
)
CODE_WORDS = re.compile(
    r"\b(?:cvv2?|cvc2?|csc|cid|cv2|pin|security\s+(?:code|number|digits)|"
    r"verification\s+(?:code|number|value)|on\s+the\s+back|back\s+of\s+(?:the|my)\s+card|"
    r"(?:three|four|3|4)[\s-]+(?:digits?|numbers?)|"
    r"(?<!area\s)(?<!zip\s)(?<!postal\s)(?<!promo\s)(?<!discount\s)(?<!coupon\s)(?<!gift\s)"
    r"(?<!voucher\s)(?<!tracking\s)(?<!order\s)code)\b",
    re.IGNORECASE,
)
EXPIRY_WORDS = re.compile(
    r"\b(?:exp|expiry|expires|expiring|expired|expiration|valid\s+(?:thru|through|until|till|to)|"
    r"good\s+(?:thru|through|until|till)|runs\s+out)\b",
    re.IGNORECASE,
)
SSN_WORDS = re.compile(
    r"\b(?:social\s+security|social|ssn|s\s?s\s?n|tax\s?id|taxpayer)\b", re.IGNORECASE
)
PHONE_WORDS = re.compile(
    r"\b(?:phone|call|calling|cell|mobile|telephone|tel|reach|text|ring|landline|fax|whatsapp|"
    r"number|numbers|number's)\b",
    re.IGNORECASE,
)
BANK_WORDS = re.compile(
    r"\b(?:account\s+(?:number|no|#)|routing(?:\s+number)?|sort\s+code|bank\s+account|iban|aba)\b",
    re.IGNORECASE,
)
#: Issuer prefixes of the payment card networks (Visa 4; Mastercard 51-55, 2221-2720;
#: Amex 34, 37; Diners 300-305, 36, 38-39; JCB 3528-3589; Discover, UnionPay, Maestro 6x, 50).
CARD_PREFIX = re.compile(
    r"4|5[0-5]|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720|3[47]|30[0-5]|3[689]|35[2-8]|6"
)
#: An order number announced as one is never a piece of a card.
ORDER_BEFORE = re.compile(r"\border\s*(?:number|no|#)?\s*(?:is\s*)?[#:]?\s*$", re.IGNORECASE)

_BEFORE_CHARS = 60
_AFTER_CHARS = 25


@dataclass(frozen=True)
class Segment:
    start: int
    end: int
    kind: str


@dataclass
class _Context:
    card: bool
    code: bool
    expiry: bool
    ssn: bool
    phone: bool
    bank: bool
    order: bool


class _ContextCache:
    """Context words before each segment start and after each segment end, each read once
    (the programme asks about many segments sharing the same edges)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._before: dict[int, tuple[bool, ...]] = {}
        self._after: dict[int, tuple[bool, ...]] = {}

    def __call__(self, start: int, end: int) -> _Context:
        before = self._before.get(start)
        if before is None:
            window = self.text[max(0, start - _BEFORE_CHARS) : start]
            before = self._before[start] = tuple(
                bool(pattern.search(window))
                for pattern in (
                    CARD_WORDS, CODE_WORDS, EXPIRY_WORDS, SSN_WORDS, PHONE_WORDS, BANK_WORDS,
                    ORDER_BEFORE,
                )
            )  # fmt: skip
        after = self._after.get(end)
        if after is None:
            window = self.text[end : end + _AFTER_CHARS]
            after = self._after[end] = tuple(
                bool(pattern.search(window)) for pattern in (CARD_WORDS, SSN_WORDS, PHONE_WORDS)
            )
        card, code, expiry, ssn, phone, bank, order = before
        return _Context(
            card=card or after[0],
            code=code,
            expiry=expiry,
            ssn=ssn or after[1],
            phone=phone or after[2],
            bank=bank,
            order=order,
        )


def expiry_shaped(digits: str, groups: list[str]) -> bool:
    """A month and a year as written on a card: 9 29, 09 29, 0929, 09 2029, 9/2029."""
    if len(groups) >= 2 and any(len(g) > 1 for g in groups):  # "09 29", "9/2029"
        month, year = "".join(groups[:-1]), groups[-1]
    elif len(digits) in (3, 4):
        month, year = digits[:-2], digits[-2:]
    elif len(digits) in (5, 6):
        month, year = digits[:-4], digits[-4:]
    else:
        return False
    if not month or not month.isdigit() or not 1 <= int(month) <= 12 or len(month) > 2:
        return False
    return len(year) == 2 or (len(year) == 4 and year.startswith("20"))


class _Judge:
    """Classifies one candidate segment of a run, in the light of its turn and memory."""

    def __init__(self, text: str, run: Run, memory: RedactionMemory, region: str | None) -> None:
        self.text, self.run, self.memory, self.region = text, run, memory, region
        self.context = _ContextCache(text)

    def kind(self, i: int, j: int, after_card: bool) -> tuple[str, int] | None:
        """The segment's kind and how strong the evidence is (see ``_STRENGTH``)."""
        groups = self.run.groups[i:j]
        digits = "".join(g.digits for g in groups)
        n = len(digits)
        start, end = groups[0].start, groups[-1].end
        ctx = self.context(start, end)
        plus = self.run.plus and i == 0
        if 13 <= n <= 19 and luhn.is_valid(digits):
            # one digit string in ten passes Luhn by chance: a known card prefix makes it sure
            return CARD, 12 if CARD_PREFIX.match(digits) else 5
        if self.run.glued:  # part of a word: an id or a code, unless it is a card
            return None
        if plus and is_phone(digits, plus=True, region=self.region):
            return PHONE, 9
        if n == 9 and ([len(g.digits) for g in groups] == [3, 2, 4] or ctx.ssn):
            return SSN, 8
        if ctx.bank and 6 <= n <= 17:
            return BANK_ACCOUNT, 6
        shaped = expiry_shaped(digits, [g.digits for g in groups])
        if ctx.code and 3 <= n <= 4:
            return SECURITY_CODE, 6
        if ctx.expiry and 3 <= n <= 6 and shaped:
            return EXPIRY, 6
        if after_card and n <= 8 and not ctx.order:
            # what follows a card in the same breath: "09 29", "0929" or a 3-digit code
            if shaped and (len(groups) > 1 or n >= 4):
                return EXPIRY, 3
            if 3 <= n <= 4:
                return SECURITY_CODE, 3
        if ctx.card and 8 <= n <= 19:
            return CARD, 3
        if (
            self.memory.reading_card
            and not ctx.order
            and 2 <= n <= self.memory.remaining_card_digits()
        ):
            return CARD, 3
        if is_phone(digits, context=ctx.phone, region=self.region):
            return PHONE, 7
        if 13 <= n <= 19 and not (n == 13 and ean.is_valid(digits)):
            return CARD, 1  # a card number misheard by a digit; a valid EAN-13 is a barcode
        return None


#: A segment costs this much evidence: two weak guesses never beat one strong reading
#: ("4111-1111-1111-1111, 09/29, 123" is a Luhn card, an expiry and a code, not two
#: card-ish halves), a misheard-card guess never beats two phone numbers, and a
#: guess that only costs what it earns (a trailing code) never splits a reading.
_SEGMENT_COST = 3
_MAX_SEGMENT_DIGITS = 19


#: No one reads out more digits than this in one breath (a card with expiry and code is
#: 27): a longer run is no shop talk, and it is removed whole rather than searched.
MAX_RUN_DIGITS = 64


def classify_run(
    text: str, run: Run, memory: RedactionMemory, region: str | None = None
) -> list[Segment]:
    """The segments of ``run`` that are personal data; ``memory`` learns of any card digits."""
    if len(run.digits) > MAX_RUN_DIGITS:
        return [Segment(run.start, run.end, CARD)]
    run = _split_long_groups(run)
    groups = run.groups
    count = len(groups)
    judge = _Judge(text, run, memory, region)
    # best[i][card] = (digits covered, evidence, -segments) for groups[:i]; card: the last
    # segment completed a card, so an expiry date or a code may follow in the same breath.
    Score = tuple[int, int, int]
    best: list[dict[bool, tuple[Score, tuple | None]]] = [{} for _ in range(count + 1)]
    best[0][memory.card_given] = ((0, 0, 0), None)

    def relax(j: int, card: bool, score: Score, back: tuple) -> None:
        current = best[j].get(card)
        if current is None or score > current[0]:
            best[j][card] = (score, back)

    for i in range(count):
        for card, (score, _) in list(best[i].items()):
            relax(i + 1, False, score, (i, card, None))
            digits = 0
            for j in range(i + 1, count + 1):
                digits += len(groups[j - 1].digits)
                if digits > _MAX_SEGMENT_DIGITS:
                    break
                judged = judge.kind(i, j, card)
                if judged is None:
                    continue
                kind, strength = judged
                new = (score[0] + digits, score[1] + strength - _SEGMENT_COST, score[2] - 1)
                # an expiry date or code may follow a whole card (or what completes one)
                whole = kind == CARD and digits + memory.card_digits >= 12
                after = whole or (card and kind in (EXPIRY, SECURITY_CODE))
                relax(j, after, new, (i, card, kind))
    end_state = max(best[count].items(), key=lambda item: item[1][0])
    segments: list[Segment] = []
    j, card = count, end_state[0]
    while j > 0:
        _, back = best[j][card]
        assert back is not None  # every reachable state but the start has a way back
        i, previous, kind = back
        if kind is not None:
            segments.append(Segment(groups[i].start, groups[j - 1].end, kind))
        j, card = i, previous
    segments.reverse()
    segments = _join_alike(segments)
    _remember_cards(segments, run, memory)
    if segments and segments[0].start == run.groups[0].start:
        segments[0] = Segment(run.start, segments[0].end, segments[0].kind)
    return segments


def _split_long_groups(run: Run) -> Run:
    """Digits typed without a break ("41111111111111110929") may still hold a card and its
    expiry: a group longer than a card is cut into single digits the programme can split."""
    if all(len(g.digits) <= _MAX_SEGMENT_DIGITS for g in run.groups):
        return run
    groups: list[Group] = []
    for g in run.groups:
        if len(g.digits) <= _MAX_SEGMENT_DIGITS or g.spoken:
            groups.append(g)
            continue
        groups.extend(Group(d, g.start + i, g.start + i + 1) for i, d in enumerate(g.digits))
    return replace(run, groups=groups)


def _join_alike(segments: list[Segment]) -> list[Segment]:
    """Neighbouring card segments are one card ("[card number] [card number]"); two phone
    numbers side by side stay two."""
    joined: list[Segment] = []
    for segment in segments:
        if joined and joined[-1].kind == segment.kind == CARD:
            joined[-1] = Segment(joined[-1].start, segment.end, segment.kind)
        else:
            joined.append(segment)
    return joined


def _remember_cards(segments: list[Segment], run: Run, memory: RedactionMemory) -> None:
    for segment in segments:
        if segment.kind != CARD:
            continue
        digits = "".join(
            g.digits for g in run.groups if segment.start <= g.start and g.end <= segment.end
        )
        whole = 13 <= len(digits) <= 19
        memory.heard_card_digits(len(digits), whole=whole)
