"""Street addresses, PO boxes, ZIP codes and postcodes, written or spoken.

An address is found the way a person spots one: a house number (typed,
"221B", or spoken, "three oh eight"), one to four name words, then a street
type ("Street", "Ave", "Lane", ... from the USPS suffix table, plus the
British ones). Street types that are also everyday words ("drive", "way",
"court", "place", "park") count only when the turn talks of an address
("ship to", "I live at", "my address", an apartment number) or the street
is written as a name ("12 Grimmauld Place"), so "a 2 TB hard drive" stays
a product. A unit ("apt 5", "flat 4")
before or after, and a ZIP code or postcode within the next few words (with
the city and state between) join the span. "PO Box 4471", a US state
followed by a ZIP ("OK 74101", "new mexico eight seven one oh four"), a
British postcode ("NW1 6XE") and a ZIP after "zip" are addresses on their
own. The city alone is not redacted: it names thousands of people.
"""

from __future__ import annotations

import re

from hark.privacy.kinds import ADDRESS
from hark.privacy.scan import Run, Token

STRONG_SUFFIXES = frozenset(
    ["street", "st", "avenue", "ave", "av", "boulevard", "blvd", "road", "rd", "lane", "ln", "terrace", "ter", "terr", "crescent", "cres", "highway", "hwy", "parkway", "pkwy", "expressway", "expy", "freeway", "fwy", "turnpike", "tpke", "alley", "aly"]
)  # fmt: skip
WEAK_SUFFIXES = frozenset(
    ["drive", "dr", "way", "court", "ct", "place", "pl", "circle", "cir", "square", "sq", "park", "row", "walk", "trail", "trl", "close", "grove", "gardens", "gdns", "mews", "hill", "heights", "hts", "point", "pt", "pike", "run", "loop", "path", "plaza", "plz", "crossing", "xing", "green", "view", "ridge", "creek", "commons", "cove", "glen", "hollow", "bend", "landing", "estates", "manor", "meadow", "meadows"]
)  # fmt: skip
DIRECTIONS = frozenset(
    [
        "n",
        "s",
        "e",
        "w",
        "ne",
        "nw",
        "se",
        "sw",
        "north",
        "south",
        "east",
        "west",
        "northeast",
        "northwest",
    ]
)
UNIT_WORDS = frozenset(
    [
        "apt",
        "apartment",
        "unit",
        "suite",
        "ste",
        "flat",
        "floor",
        "fl",
        "room",
        "rm",
        "bldg",
        "building",
    ]
)
US_STATES = frozenset(
    ["al", "ak", "az", "ar", "ca", "co", "ct", "de", "dc", "fl", "ga", "hi", "id", "il", "in", "ia", "ks", "ky", "la", "me", "md", "ma", "mi", "mn", "ms", "mo", "mt", "ne", "nv", "nh", "nj", "nm", "ny", "nc", "nd", "oh", "ok", "or", "pa", "ri", "sc", "sd", "tn", "tx", "ut", "vt", "va", "wa", "wv", "wi", "wy"]
)  # fmt: skip
US_STATE_NAMES = re.compile(
    r"\b(?:alabama|alaska|arizona|arkansas|california|colorado|connecticut|delaware|florida|"
    r"georgia|hawaii|idaho|illinois|indiana|iowa|kansas|kentucky|louisiana|maine|maryland|"
    r"massachusetts|michigan|minnesota|mississippi|missouri|montana|nebraska|nevada|"
    r"new\s+hampshire|new\s+jersey|new\s+mexico|new\s+york|north\s+carolina|north\s+dakota|ohio|"
    r"oklahoma|oregon|pennsylvania|rhode\s+island|south\s+carolina|south\s+dakota|tennessee|"
    r"texas|utah|vermont|virginia|washington|west\s+virginia|wisconsin|wyoming)$",
    re.IGNORECASE,
)
ADDRESS_TALK = re.compile(
    r"\b(?:address|live|living|lives|ship|shipping|send|deliver|delivery|located|moved|move|"
    r"house|home|residence|apartment|apt|flat|unit|suite|billing|mailing|postal|street|"
    r"zip|postcode|post\s+code)\b",
    re.IGNORECASE,
)
PO_BOX = re.compile(
    r"\b(?:p\.?\s?o\.?\s?box|post\s+office\s+box)\s*(?:number\s*|no\.?\s*|#\s*)?", re.IGNORECASE
)
UK_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
ZIP_TALK = re.compile(
    r"\b(?:zip|zip\s+code|postal\s+code|postcode|post\s+code)\s*(?:is\s*)?:?\s*$", re.IGNORECASE
)
_STATE_CODE_BEFORE = re.compile(r"\b([A-Z]{2})[\s,]*$")  # upper case as written: "OK 74101"
_MAX_NAME_WORDS = 4
_ZIP_LOOKAHEAD_CHARS = 60


def _zip_run(run: Run) -> bool:
    digits = run.digits
    return len(digits) == 5 or (len(digits) == 9 and len(run.groups[-1].digits) == 4)


def find(text: str, tokens: list[Token], runs: list[Run]) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    talk = bool(ADDRESS_TALK.search(text))
    index = {t.start: i for i, t in enumerate(tokens)}
    zips = [r for r in runs if _zip_run(r)]
    for run in runs:
        i = index.get(run.groups[-1].start)
        if i is None or len(run.digits) > 6:
            continue
        j = i + 1
        while j < len(tokens) and tokens[j].end <= run.end:
            j += 1
        # "221B": a letter glued to the house number
        if j < len(tokens) and tokens[j].start == run.end and len(tokens[j].text) == 1:
            j += 1
        end = _street_end(tokens, j, talk)
        if end is None:
            continue
        start = _unit_before(text, tokens, index.get(run.groups[0].start, i), run.start)
        end = _extend_to_zip(text, end, zips)
        spans.append((start, end, ADDRESS))
    for match in PO_BOX.finditer(text):
        after = [r for r in runs if match.end() <= r.start <= match.end() + 2]
        if after:
            spans.append((match.start(), _extend_to_zip(text, after[0].end, zips), ADDRESS))
    for run in zips:
        before = text[max(0, run.start - 40) : run.start]
        state = _STATE_CODE_BEFORE.search(before)
        if state and state.group(1).lower() in US_STATES:
            spans.append((run.start - len(state.group(0)), run.end, ADDRESS))
        elif ZIP_TALK.search(before) or _state_name_before(before):
            spans.append((run.start, run.end, ADDRESS))
    for match in UK_POSTCODE.finditer(text):
        if match.group().isupper() or talk:  # "NW1 6XE"; "x00sk" in running text is not one
            spans.append((match.start(), match.end(), ADDRESS))
    return spans


def _state_name_before(before: str) -> bool:
    return bool(US_STATE_NAMES.search(before.rstrip(" ,")))


def _street_end(tokens: list[Token], j: int, talk: bool) -> int | None:
    """Where the street ends if name words and a street type follow position ``j``."""
    names = 0
    k = j
    while k < len(tokens) and names <= _MAX_NAME_WORDS:
        tok = tokens[k]
        if tok.kind != "word":
            return None
        low = tok.low
        titled = tok.text[:1].isupper() and tokens[k - 1].text[:1].isupper()
        if names >= 1 and (low in STRONG_SUFFIXES or (low in WEAK_SUFFIXES and (talk or titled))):
            end = tok.end
            k += 1
            if k < len(tokens) and tokens[k].text == "." and tokens[k].start == end:
                end = tokens[k].end
                k += 1
            if k < len(tokens) and tokens[k].low in DIRECTIONS:
                end = tokens[k].end
                k += 1
            return _unit_after(tokens, k, end)
        names += 1
        k += 1
    return None


def _unit_after(tokens: list[Token], k: int, end: int) -> int:
    """ "..., Apt 5" / "# 12" after the street joins the address."""
    while k < len(tokens) and tokens[k].text in (",", "."):
        k += 1
    if k + 1 < len(tokens) and (tokens[k].low in UNIT_WORDS or tokens[k].text == "#"):
        nxt = tokens[k + 1]
        if nxt.text == "." and k + 2 < len(tokens):
            nxt = tokens[k + 2]
        if nxt.kind in ("num", "word") and len(nxt.text) <= 6:
            return nxt.end
    return end


def _unit_before(text: str, tokens: list[Token], i: int, start: int) -> int:
    """ "apartment 3B, 455 ..." / "flat 4, 15 ...": a unit said before the house number."""
    k = i - 1
    while k >= 0 and tokens[k].text == ",":
        k -= 1
    steps = 0
    while (
        k >= 0
        and steps < 3
        and tokens[k].kind in ("num", "word")
        and tokens[k].low not in UNIT_WORDS
    ):
        k -= 1
        steps += 1
    if k >= 0 and tokens[k].low in UNIT_WORDS and steps >= 1:
        return tokens[k].start
    return start


def _extend_to_zip(text: str, end: int, zips: list[Run]) -> int:
    """A ZIP code or postcode shortly after the street takes the city and state with it."""
    for run in zips:
        if end <= run.start <= end + _ZIP_LOOKAHEAD_CHARS and "\n" not in text[end : run.start]:
            return run.end
    postcode = UK_POSTCODE.search(text, end, min(len(text), end + _ZIP_LOOKAHEAD_CHARS))
    if postcode and "\n" not in text[end : postcode.start()]:
        return postcode.end()
    return end
