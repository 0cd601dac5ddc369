"""Is this run of digits a phone number? Asked of Google's libphonenumber (``phonenumbers``).

The library knows every country's number lengths, prefixes and allocated
ranges, which no regex can keep up with. Hark asks it in the order a person
would judge a number said to a shop in ``HARK_REGION``:

1. dialled internationally ("+44 ...", "0044 ...", "011 44 ..."): possible there;
2. a valid number of the home region ("202 555 0143" in the US);
3. a full-length possible home number (fictional ranges such as 555-01xx are
   possible, not valid, and still somebody's number in a transcript);
4. another country's national format ("07700 900462": trunk prefix 0, a length
   possible in a country that dials it that way);
5. an international number said without its "+" (11 digits or more);
6. with "phone", "call me", ... around it, any possible number, local ones too.

Order numbers (4-6 digits), prices and quantities pass none of these.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, ValidationResult

DEFAULT_REGION = "US"
_IDD_PREFIXES = ("011", "00")  # North America's, and most of the world's
_region = DEFAULT_REGION


def set_region(region: str) -> None:
    """The shop's home region (``HARK_REGION``), used for numbers said without a country."""
    global _region
    _region = check_region(region)


def current_region() -> str:
    return _region


def check_region(region: str) -> str:
    """A CLDR region code libphonenumber knows ("US", "GB", ...), upper-cased; else ValueError."""
    code = (region or "").strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"unknown region {region!r}: use a two-letter CLDR code such as US or GB")
    return code


@lru_cache(maxsize=1)
def _trunk_zero_lengths() -> frozenset[int]:
    """National number lengths of the countries dialled with a trunk "0" (UK, DE, FR, ...)."""
    lengths: set[int] = set()
    for code in phonenumbers.SUPPORTED_REGIONS:
        meta = PhoneMetadata.metadata_for_region(code)
        if meta is not None and meta.national_prefix == "0" and meta.general_desc is not None:
            lengths.update(meta.general_desc.possible_length or ())
    return frozenset(lengths)


def _parse(number: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(number, region)
    except NumberParseException:
        return None


def _possible(number: phonenumbers.PhoneNumber | None) -> bool:
    return number is not None and phonenumbers.is_possible_number(number)


@lru_cache(maxsize=4096)
def is_phone(
    digits: str, *, plus: bool = False, context: bool = False, region: str | None = None
) -> bool:
    """Whether ``digits`` (a phone number's digits, no separators) is one; see the module doc."""
    n = len(digits)
    if n < 7 or n > 17:
        return False
    region = region or _region
    if plus:
        return _possible(_parse("+" + digits, None))
    for idd in _IDD_PREFIXES:
        if (
            digits.startswith(idd)
            and n - len(idd) >= 8
            and _possible(_parse("+" + digits[len(idd) :], None))
        ):
            return True
    home = _parse(digits, region)
    if home is not None:
        if phonenumbers.is_valid_number(home):
            return True
        reason = phonenumbers.is_possible_number_with_reason(home)
        if reason == ValidationResult.IS_POSSIBLE and n >= 10:
            return True
        if context and reason in (
            ValidationResult.IS_POSSIBLE,
            ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
        ):
            return True
    if digits[0] == "0" and 9 <= n <= 12 and n - 1 in _trunk_zero_lengths():
        return True
    return digits[0] != "0" and n >= 11 and _possible(_parse("+" + digits, None))
