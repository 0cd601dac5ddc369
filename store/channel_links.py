"""Who a channel's own id belongs to: rows that tie an outside identity to a customer.

An Alexa account, an account-linking token's digest, later a phone number:
each channel has ids it can't prove on its own, and the shop decides (through
its own software or an operator command) which customer such an id belongs
to. The rows are plain data; what they are worth (claimed or verified) is
decided by the brain's identity policy, not here.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from hark.store.db import Database
from hark.store.models import ChannelLink, Customer


def find_linked_customer(db: Database, lookups: Iterable[tuple[str, str | None]]) -> str | None:
    """The customer of the first ``(channel, external_id)`` that is linked, in the given order."""
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


def link_customer(db: Database, channel: str, external_id: str, customer_id: str) -> bool:
    """Tie ``external_id`` on ``channel`` to a customer; True if the link is new.

    Re-linking an id that already points elsewhere moves it: the newest
    decision of the shop is the right one.
    """
    if not external_id.strip():
        raise ValueError("the external id must not be empty")
    with db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None or customer.erased_at is not None:  # erased: no new links
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
