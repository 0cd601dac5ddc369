"""Caller ID: which customer a phone number belongs to.

A phone channel knows the number calling, not who holds the phone: the
customer found here starts the conversation ``claimed``, never verified
(caller ID can be spoofed). Shops write phone numbers in every format, so
candidates are narrowed in SQL by the number's last seven digits (common
separators stripped, which works the same on SQLite and PostgreSQL), then
compared as E.164 with the ``phonenumbers`` library in the shop's region.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select

from hark.privacy.contact import normalize_phone
from hark.store.db import Database
from hark.store.models import Customer

_SEPARATORS = (" ", "-", "(", ")", ".", "+", "/")


def customer_for_phone(db: Database, number: str, region: str) -> str | None:
    """The one customer whose phone on file is ``number``; None when none or several match."""
    wanted = normalize_phone(number, region) if isinstance(number, str) else None
    if wanted is None:
        return None
    digits_only: ColumnElement[str | None] = Customer.phone.expression
    for separator in _SEPARATORS:
        digits_only = func.replace(digits_only, separator, "")
    with db.session() as session:
        rows = session.execute(
            select(Customer.customer_id, Customer.phone)
            .where(Customer.phone.is_not(None), digits_only.like(f"%{wanted[-7:]}"))
            .order_by(Customer.customer_id)
        ).all()
    matches = [cid for cid, phone in rows if normalize_phone(phone, region) == wanted]
    return matches[0] if len(matches) == 1 else None
