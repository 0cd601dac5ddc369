"""The consent ledger: who agreed to be contacted on which channel, when and how.

Entries are only ever added. A channel's latest entry says whether the
customer agreed to it; an ``all`` entry is an opt-out ("STOP", "don't
contact me again") or its reversal ("START"), and an opt-out beats every
channel's consent until it is reversed: the shop's CSV granting a channel
again does not lift it. Read just before each send, never cached.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hark.store.models import ContactConsent, Customer, utcnow

ALL = "all"
MAX_NOTE_CHARS = 300


@dataclass(frozen=True)
class ConsentView:
    """A customer's consent as it stands: the channels agreed to, and an opt-out."""

    granted: frozenset[str]
    stopped: bool
    stopped_at: dt.datetime | None
    stop_source: str


def record(
    session: Session,
    customer_id: str,
    channel: str,
    granted: bool,
    *,
    source: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> ContactConsent:
    """Add one ledger entry (``note`` must already be redacted)."""
    row = ContactConsent(
        customer_id=customer_id,
        channel=channel,
        granted=granted,
        at=at or utcnow(),
        source=source[:40],
        note=note[:MAX_NOTE_CHARS],
    )
    session.add(row)
    session.flush()
    return row


def view(session: Session, customer_id: str) -> ConsentView:
    """The effective consent now: each channel's latest entry, and the latest ``all`` one."""
    latest: dict[str, ContactConsent] = {}
    for row in session.scalars(
        select(ContactConsent)
        .where(ContactConsent.customer_id == customer_id)
        .order_by(ContactConsent.at, ContactConsent.id)
    ):
        latest[row.channel] = row
    stop = latest.pop(ALL, None)
    stopped = stop is not None and not stop.granted
    return ConsentView(
        granted=frozenset(c for c, row in latest.items() if row.granted),
        stopped=stopped,
        stopped_at=stop.at if stop is not None and stopped else None,
        stop_source=stop.source if stop is not None and stopped else "",
    )


def opt_out(session: Session, customer_id: str, *, source: str, note: str = "") -> bool:
    """Stop every channel for this customer; False when they had already opted out."""
    if view(session, customer_id).stopped:
        return False
    record(session, customer_id, ALL, False, source=source, note=note)
    return True


def opt_in(session: Session, customer_id: str, *, source: str, note: str = "") -> bool:
    """Lift an opt-out (START): the channels agreed to before count again."""
    if not view(session, customer_id).stopped:
        return False
    record(session, customer_id, ALL, True, source=source, note=note)
    return True


def sync_from_shop(session: Session, customer: Customer, channels: list[str]) -> int:
    """Make the ledger agree with customers.csv ``contact_consent``: an entry for each channel
    the file grants, or granted before and no longer does (never touching an opt-out, nor
    consent recorded through the API). Returns the entries added."""
    latest = {row.channel: row for row in history(session, customer.customer_id)}
    current = {c for c, row in latest.items() if row.granted and c != ALL}
    # consent the customer gave another way (the API, a kiosk) is not the file's to withdraw
    from_file = {c for c in current if latest[c].source == "shop_import"}
    wanted = set(channels)
    added = 0
    for channel in sorted(wanted - current):
        record(session, customer.customer_id, channel, True, source="shop_import")
        added += 1
    for channel in sorted(from_file - wanted):
        record(session, customer.customer_id, channel, False, source="shop_import")
        added += 1
    return added


def history(session: Session, customer_id: str) -> list[ContactConsent]:
    return list(
        session.scalars(
            select(ContactConsent)
            .where(ContactConsent.customer_id == customer_id)
            .order_by(ContactConsent.at, ContactConsent.id)
        )
    )
