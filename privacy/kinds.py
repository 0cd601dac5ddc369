"""The kinds of personal data Hark removes, and the placeholder each becomes.

A placeholder says what was there without what it was, so a transcript
still reads ("my card is [card number]") and the NLU can tell a card turn
from an address turn. The names are a public contract: transcripts, logs
and the docs use them.
"""

from __future__ import annotations

import re

CARD = "card_number"
SECURITY_CODE = "security_code"
EXPIRY = "expiry_date"
SSN = "ssn"
EMAIL = "email"
PHONE = "phone"
ADDRESS = "address"
DATE_OF_BIRTH = "date_of_birth"
BANK_ACCOUNT = "bank_account"

PLACEHOLDERS: dict[str, str] = {
    CARD: "[card number]",
    SECURITY_CODE: "[security code]",
    EXPIRY: "[expiry date]",
    SSN: "[ssn]",
    EMAIL: "[email]",
    PHONE: "[phone]",
    ADDRESS: "[address]",
    DATE_OF_BIRTH: "[date of birth]",
    BANK_ACCOUNT: "[bank account]",
}

#: The kinds that are payment card details (a turn with one gets the "payment is on file" note).
CARD_KINDS = frozenset({CARD, SECURITY_CODE, EXPIRY})

#: Any placeholder, as it appears in redacted text.
PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
