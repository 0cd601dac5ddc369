"""Keyed digests of the phone numbers channels see: how a caller's rows are found again
without the number being stored.

A call's ``From`` and a text's sender are kept only as ``hmac:<hex>``, an HMAC-SHA256
keyed with the Twilio auth token (a plain hash of a phone number is reversed by trying
every number). The same digest of a customer's phone on file (as E.164, and as
``whatsapp:`` + E.164, the forms Twilio sends) lets ``hark privacy erase`` reach every
call and text row of that customer, also those that never joined a conversation.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from hark.privacy.contact import normalize_phone

WHATSAPP = "whatsapp:"


def address_key(secret: str, address: str) -> str:
    """The keyed digest of a channel address as the platform sends it (``+1555…``,
    ``whatsapp:+1555…``): finds that sender's rows, can't be read back."""
    digest = hmac.new(secret.encode(), address.strip().lower().encode(), hashlib.sha256)
    return "hmac:" + digest.hexdigest()


@dataclass(frozen=True)
class CallerKeys:
    """The secret and region digests are made with (one per server configuration)."""

    secret: str
    region: str

    @classmethod
    def of(cls, settings: Any) -> CallerKeys:
        token = settings.twilio_auth_token
        return cls(token.get_secret_value() if token else "", settings.region)

    def of_address(self, address: str) -> str:
        return address_key(self.secret, address)

    def of_phone(self, phone: str | None) -> list[str]:
        """Every digest a channel may have stored for the phone number ``phone`` (any format,
        read in the shop's region); none when it is not a phone number."""
        e164 = normalize_phone(phone, self.region)
        if e164 is None:
            return []
        return [self.of_address(e164), self.of_address(WHATSAPP + e164)]
