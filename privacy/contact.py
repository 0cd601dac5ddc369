"""Phone numbers and e-mail addresses in what a caller said or typed, in one canonical form.

Callers answer "what's the phone number on the account?" as "five five five,
one two three, zero zero zero one", "(555) 123-0001" or "+1 555 123 0001",
and e-mail as "maria dot lopez at example dot com" or "Maria.Lopez@Example.com".
Verification compares canonical forms: phones as E.164 (the ``phonenumbers``
library, read in the shop's region), e-mail addresses lower-cased.

These functions return raw personal data. Callers compare and drop it: it
is never stored, logged or sent on (see ``hark.skills.verification``). They
live beside the redactor so both read contact details the same way.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, ValidationResult

from hark.language.normalize import normalize_tokens
from hark.privacy import emails

_REPEAT = re.compile(r"\b(double|triple)\s+([a-z]+|\d)\b", re.IGNORECASE)
_PLUS = re.compile(r"\bplus\s+(?=\d)")


def normalize_phone(value: str | None, region: str) -> str | None:
    """A phone number as stored in the shop (any format) -> E.164, or None if it can't be one."""
    if not value or not value.strip():
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return _e164(number)


def phone_lengths(region: str) -> frozenset[int]:
    """How many digits a full phone number of ``region`` has as people say it: the national
    number, with its trunk prefix ("0 20 ..."), or with the country code ("1 555 ...").
    For the voice endpointer, which waits while fewer digits than that have been said."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return frozenset()
    national = [n for n in metadata.general_desc.possible_length if n > 0]
    prefixes = {len(str(metadata.country_code or ""))} | {len(metadata.national_prefix or "")}
    return frozenset(n + extra for n in national for extra in prefixes | {0})


def phone_numbers(text: str, region: str) -> list[str]:
    """Every full phone number in ``text`` (digits typed or said as words), as E.164.

    A number that could only be a local one (seven digits with no area code in
    the US) is not a full number: it could belong to anyone in the country.
    """
    found: list[str] = []
    spoken = _REPEAT.sub(lambda m: " ".join([m.group(2)] * _times(m.group(1))), text)
    digits = _PLUS.sub("+", " ".join(normalize_tokens(spoken)))
    for candidate in (text, digits):
        for match in PhoneNumberMatcher(candidate, region, leniency=Leniency.POSSIBLE):
            e164 = _e164(match.number)
            if e164 and e164 not in found:
                found.append(e164)
    return found


def digit_count(text: str) -> int:
    """How many digits ``text`` holds once number words are read as digits (a partial number)."""
    spoken = _REPEAT.sub(lambda m: " ".join([m.group(2)] * _times(m.group(1))), text)
    longest = run = 0
    for token in normalize_tokens(spoken):
        run = run + len(token) if token.isdigit() else 0
        longest = max(longest, run)
    return longest


def _times(word: str) -> int:
    return 2 if word.lower() == "double" else 3


def _e164(number: phonenumbers.PhoneNumber) -> str | None:
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


# --- e-mail ---------------------------------------------------------------------------
_EMAIL_TOKEN = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?|[@._+\-]")
_SPOKEN_SYMBOL = {
    "at": "@",
    "dot": ".",
    "period": ".",
    "underscore": "_",
    "dash": "-",
    "hyphen": "-",
}
_EMAIL = re.compile(r"[a-z0-9](?:[a-z0-9._+\-]{0,63})@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){1,4}")
_GLUE = frozenset("@._+-")


def normalize_email(value: str | None) -> str | None:
    """An e-mail address on file -> the form callers' answers are compared in."""
    if not value or "@" not in value:
        return None
    return value.strip().lower()


def email_addresses(text: str) -> list[str]:
    """Every e-mail address in ``text``, typed or spoken ("j dot carter at example dot com").

    The addresses are found by the redactor's own recogniser (:mod:`hark.privacy.emails`),
    so what verification compares is exactly what redaction hides; each is then read
    into its written form here.
    """
    found: list[str] = []
    for start, end, _ in emails.find(text):
        for address in _written_addresses(text[start:end]):
            if address not in found:
                found.append(address)
    return found


def _written_addresses(text: str) -> list[str]:
    """Spoken symbols as symbols, spelled letters joined: the addresses ``text`` reads as."""
    tokens = [_SPOKEN_SYMBOL.get(t, t) for t in _EMAIL_TOKEN.findall(text.lower())]
    if "@" not in tokens:
        return []
    glued: list[str] = []
    for i, token in enumerate(tokens):
        previous = tokens[i - 1] if i else ""
        joins = token in _GLUE or previous in _GLUE
        spelled = len(token) == 1 and len(previous) == 1 and previous not in _GLUE
        if glued and (joins or spelled):
            glued[-1] += token
        else:
            glued.append(token)
    found: list[str] = []
    for word in glued:
        for address in _EMAIL.findall(word.strip(".")):
            address = address.strip(".")
            if address not in found:
                found.append(address)
    return found


def mentions_contact(text: str, region: str) -> bool:
    """Does ``text`` hold something that reads as a phone number or e-mail, even a partial one?"""
    return bool(
        phone_numbers(text, region)
        or email_addresses(text)
        or digit_count(text) >= 5
        or re.search(r"@|\bat\b.*\bdot\b", text.lower())
    )
