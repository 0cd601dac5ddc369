"""Whether a notice may go out now, on which channel, and if not, why: the one gate.

Checked just before each send (never when the event is decided, since
consent can change in between), in this order: the customer still exists
and has not opted out; they agreed to at least one channel; it is within
contact hours in *their* time zone (else the shop's); then their channels in
their order of preference, skipping one the shop has no sender for, the
customer has no address on, or that is over its cap. ``hark notify run``
prints the same decisions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from hark.privacy.contact import normalize_phone
from hark.runtime.notice_rules import CHANNELS, parse_caps, parse_hours
from hark.runtime.settings import Settings
from hark.skills.notices.channels import ALEXA_KINDS
from hark.store import consent
from hark.store.models import ChannelLink, Customer, Notice
from hark.store.notice_outbox import sends_since

PHONE_CHANNELS = ("sms", "whatsapp", "call")
CAP_RETRY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Decision:
    """``send`` (on ``channel`` to ``address``), ``defer`` (until ``until``) or ``suppress``."""

    action: str
    reason: str
    channel: str | None = None
    address: str | None = None
    until: dt.datetime | None = None


def zone_for(customer: Customer | None, settings: Settings) -> ZoneInfo:
    name = (customer.timezone if customer is not None else None) or settings.timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.timezone)


def quiet_until(now: dt.datetime, zone: ZoneInfo, hours: str) -> dt.datetime | None:
    """None inside contact hours; else the next start of contact hours (naive UTC)."""
    start, end = parse_hours(hours)
    local = now.replace(tzinfo=dt.UTC).astimezone(zone)
    if start <= local.time() < end:
        return None
    day = local.date() if local.time() < start else local.date() + dt.timedelta(days=1)
    opens = dt.datetime.combine(day, start, tzinfo=zone)
    return opens.astimezone(dt.UTC).replace(tzinfo=None)


def address_for(session: Session, customer: Customer, channel: str, region: str) -> str | None:
    if channel in PHONE_CHANNELS:
        number = normalize_phone(customer.phone, region)
        if number is None:
            return None
        return f"whatsapp:{number}" if channel == "whatsapp" else number
    if channel == "email":
        return customer.email or None
    if channel == "alexa":
        return session.scalar(
            select(ChannelLink.external_id)
            .where(ChannelLink.channel == "alexa", ChannelLink.customer_id == customer.customer_id)
            .limit(1)
        )
    return None


def preference(customer: Customer, granted: frozenset[str]) -> list[str]:
    """The customer's channels in their order, then any other they agreed to."""
    listed = [c for c in (customer.contact_channels or "").split(";") if c in granted]
    return listed + sorted(c for c in granted if c not in listed and c in CHANNELS)


def decide(
    session: Session,
    notice: Notice,
    settings: Settings,
    available: frozenset[str],
    now: dt.datetime,
    *,
    exclude: frozenset[str] = frozenset(),
) -> Decision:
    """The decision for ``notice`` at ``now`` given the channels this server can send on."""
    customer = session.get(Customer, notice.customer_id) if notice.customer_id else None
    if customer is None or customer.erased_at is not None:
        return Decision("suppress", "no customer to notify (unknown or erased)")
    view = consent.view(session, customer.customer_id)
    if view.stopped:
        return Decision("suppress", f"opted out ({view.stop_source}) on every channel")
    if not view.granted:
        return Decision("suppress", "no consent: the customer agreed to no channel")
    zone = zone_for(customer, settings)
    until = quiet_until(now, zone, settings.notice_hours)
    if until is not None:
        local = until.replace(tzinfo=dt.UTC).astimezone(zone)
        return Decision(
            "defer", f"quiet hours in {zone.key}; deferred to {local:%H:%M} local", until=until
        )
    caps = parse_caps(settings.notice_caps)
    skipped: list[str] = []
    capped = False
    for channel in preference(customer, view.granted):
        if channel in exclude:
            continue
        if channel not in available:
            skipped.append(f"{channel}: not configured")
            continue
        if channel == "alexa" and notice.kind not in ALEXA_KINDS:
            skipped.append(f"alexa: no Alexa event for {notice.kind}")
            continue
        address = address_for(session, customer, channel, settings.region)
        if address is None:
            skipped.append(f"{channel}: no address on file")
            continue
        cap = caps.get(channel)
        if (
            cap is not None
            and sends_since(session, customer.customer_id, channel, now - cap.period) >= cap.most
        ):
            skipped.append(f"{channel}: cap of {cap.most} reached")
            capped = True
            continue
        why = f"consent for {channel}" + (f" (skipped {'; '.join(skipped)})" if skipped else "")
        return Decision("send", why, channel=channel, address=address)
    reason = "no usable channel: " + "; ".join(skipped or ["none left to try"])
    if capped:
        return Decision("defer", reason, until=now + CAP_RETRY)
    return Decision("suppress", reason)
