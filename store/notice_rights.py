"""A customer's notices, consent ledger and stock watches under their data rights: exported,
and deleted when they are erased (an erased customer has no phone or e-mail left and is never
contacted again, so neither the ledger nor the consent proves anything any more)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hark.store import consent, stock_watch
from hark.store.models import ContactConsent, Notice, NoticeSend
from hark.store.notice_outbox import as_dict


def consents(session: Session, customer_id: str) -> list[dict[str, Any]]:
    return [
        {
            "channel": row.channel,
            "granted": row.granted,
            "at": row.at.isoformat(),
            "source": row.source,
            "how": row.note,
        }
        for row in consent.history(session, customer_id)
    ]


def notices(session: Session, customer_id: str) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(Notice).where(Notice.customer_id == customer_id).order_by(Notice.id)
    ).all()
    return [as_dict(n) for n in rows]


def stock_watches(session: Session, customer_id: str) -> list[dict[str, Any]]:
    """The products they asked about while out of stock (what they shop for is theirs)."""
    return list(stock_watch.export(session, customer_id))


def erase(session: Session, customer_id: str) -> None:
    stock_watch.erase(session, customer_id)
    session.execute(delete(NoticeSend).where(NoticeSend.customer_id == customer_id))
    session.execute(delete(Notice).where(Notice.customer_id == customer_id))
    session.execute(delete(ContactConsent).where(ContactConsent.customer_id == customer_id))
