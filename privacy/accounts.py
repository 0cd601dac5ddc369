"""IBANs, checked with ``stdnum.iban`` (country format and the mod-97 check digits).

A regex alone would take any two letters and digits ("AB12 ..."); the check
digits make a typed IBAN unambiguous, and the longest valid prefix of a match
is taken so the words after it are not swallowed.
"""

from __future__ import annotations

import re

from stdnum import iban

from hark.privacy.kinds import BANK_ACCOUNT

_CANDIDATE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,32}", re.IGNORECASE)


def find(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for match in _CANDIDATE.finditer(text):
        raw = match.group()
        # try the longest prefix ending on an alphanumeric, shortest last
        for cut in range(len(raw), 14, -1):
            if not raw[cut - 1].isalnum():
                continue
            if iban.is_valid(raw[:cut]):
                spans.append((match.start(), match.start() + cut, BANK_ACCOUNT))
                break
    return spans
