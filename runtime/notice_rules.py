"""The shop's notice rules as typed values: which events, which hours, how many per channel.

Parsed from ``HARK_NOTICES``, ``HARK_NOTICE_HOURS`` and ``HARK_NOTICE_CAPS``
when the settings load (so a typo stops the server with one clear line), and
again wherever they are used.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

#: Every event kind Hark derives from the shop's data.
EVENT_KINDS = (
    "order_delayed",
    "order_eta_moved",
    "order_shipped",
    "order_out_for_delivery",
    "order_delivered",
    "return_received",
    "return_refunded",
    "back_in_stock",
    "cart_reminder",
)
#: Every channel a notice can go out on, and the names ``contact_consent`` uses.
CHANNELS = ("sms", "whatsapp", "call", "alexa", "email")
#: The widest contact window the law allows (8 a.m. to 9 p.m. in the callee's time).
WIDEST_HOURS = (dt.time(8, 0), dt.time(21, 0))
PERIODS = {"day": dt.timedelta(days=1), "week": dt.timedelta(days=7)}


def parse_rules(value: str) -> frozenset[str]:
    """``off`` | ``all`` | ``kind,kind`` -> the enabled kinds; anything else is an error."""
    text = value.strip().lower()
    if text in ("", "off", "none"):
        return frozenset()
    if text == "all":
        return frozenset(EVENT_KINDS)
    kinds = {k.strip() for k in text.split(",") if k.strip()}
    unknown = sorted(kinds - set(EVENT_KINDS))
    if unknown:
        raise ValueError(
            f"unknown notice kind {unknown[0]!r}; use off, all or some of {', '.join(EVENT_KINDS)}"
        )
    return frozenset(kinds)


def parse_hours(value: str) -> tuple[dt.time, dt.time]:
    """``HH:MM-HH:MM`` inside 08:00-21:00 (the shop may only be stricter)."""
    try:
        start_text, end_text = (part.strip() for part in value.split("-"))
        start, end = dt.time.fromisoformat(start_text), dt.time.fromisoformat(end_text)
    except ValueError:
        raise ValueError("expected HH:MM-HH:MM, e.g. 08:00-21:00") from None
    low, high = WIDEST_HOURS
    if not (low <= start < end <= high):
        raise ValueError("contact hours must lie within 08:00-21:00 (start before end)")
    return start, end


@dataclass(frozen=True)
class Cap:
    channel: str
    most: int
    period: dt.timedelta


def parse_caps(value: str) -> dict[str, Cap]:
    """``call=1/day;sms=3/week`` -> one cap per channel."""
    caps: dict[str, Cap] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        try:
            channel, rate = (p.strip() for p in part.split("="))
            count, period = (p.strip() for p in rate.split("/"))
            most = int(count)
        except ValueError:
            raise ValueError(f"expected channel=N/day or channel=N/week, got {part!r}") from None
        if channel not in CHANNELS or period not in PERIODS or not 0 <= most <= 100:
            raise ValueError(
                f"bad cap {part!r}: channel one of {', '.join(CHANNELS)}, "
                "N from 0 to 100, per day or week"
            )
        caps[channel] = Cap(channel, most, PERIODS[period])
    return caps
