"""Who is talking: Alexa users and account-linking tokens mapped to shop customers.

Two kinds of ``ChannelLink`` rows identify an Alexa caller:

* ``channel="alexa-token"``, ``external_id="sha256:<hex digest of the access token>"``:
  written by the shop's account-linking (OAuth) server when it issues a token
  (or by ``hark alexa link --token``), so the token Alexa forwards in
  ``context.System.user.accessToken`` names the customer. Only the digest is
  stored: a bearer token at rest is a credential, and JWTs outgrow the column.
* ``channel="alexa"``, ``external_id=<userId>``: a stored link of the Alexa
  account itself, made with ``hark alexa link USER_ID CUSTOMER_ID``.

The token wins when both exist: it is the customer's own, explicit consent.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from hark.store.db import Database
from hark.store.models import ChannelLink, Customer

USER_CHANNEL = "alexa"
TOKEN_CHANNEL = "alexa-token"


def token_key(access_token: str) -> str:
    """The stored form of an account-linking token."""
    return "sha256:" + hashlib.sha256(access_token.encode()).hexdigest()


def find_customer(db: Database, *, access_token: str | None, user_id: str | None) -> str | None:
    """The customer id for this caller, or ``None`` for an anonymous shopper."""
    lookups = [
        (TOKEN_CHANNEL, token_key(access_token) if access_token else None),
        (USER_CHANNEL, user_id),
    ]
    with db.session() as session:
        for channel, external_id in lookups:
            if not external_id:
                continue
            customer_id = session.scalar(
                select(ChannelLink.customer_id).where(
                    ChannelLink.channel == channel, ChannelLink.external_id == external_id
                )
            )
            if customer_id:
                return customer_id
    return None


def link_customer(db: Database, external_id: str, customer_id: str, *, token: bool = False) -> bool:
    """Tie an Alexa userId (or an access token) to a customer; returns True if it was new.

    Re-linking an id that already points elsewhere moves it: the newest
    decision of the shop is the right one.
    """
    if not external_id.strip():
        raise ValueError("the Alexa id must not be empty")
    channel = TOKEN_CHANNEL if token else USER_CHANNEL
    if token:
        external_id = token_key(external_id)
    with db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.erased_at is not None:
            raise LookupError(f"customer not found: {customer_id}")
        link = session.scalar(
            select(ChannelLink).where(
                ChannelLink.channel == channel, ChannelLink.external_id == external_id
            )
        )
        if link is not None:
            link.customer_id = customer_id
            return False
        session.add(ChannelLink(channel=channel, external_id=external_id, customer_id=customer_id))
        return True
