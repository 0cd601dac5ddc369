"""How many failed identity checks a customer or an order number may take (``HARK_VERIFY_LOCKOUT``).

A failed check is a wrong answer to "the phone or e-mail on the account?",
an answer holding more than one value, a wrong code, or an order number a
claimed caller names that isn't theirs (or doesn't exist). Each one is a row
(:mod:`hark.store.verify_attempts`) against the customer it was aimed at and
the order number named, so the count spans conversations, channels and
server processes. Past the budget, self-service stops for that customer and
that order number until the window passes or a person clears it on the desk;
a person can always still be reached.

An order number is counted by its id when the order exists, else by the
number as said, so a lockout looks the same for a real and a made-up number.
"""

from __future__ import annotations

import re

from hark.skills.context import TurnContext
from hark.store import verify_attempts
from hark.store.models import Order


def order_key(order: Order | None, said: str | None) -> str | None:
    """The key an order number is counted under (None when nothing was named)."""
    if order is not None:
        return order.order_id
    if not said:
        return None
    return re.sub(r"[^0-9A-Za-z]", "", said).upper()[:64] or None


def record_failure(
    ctx: TurnContext, *, customer_id: str | None, order_ref: str | None = None
) -> None:
    """One failed check: in this conversation's count and in the database's."""
    ctx.state.verify_failures += 1
    if customer_id is None and order_ref is None:
        return
    _record(ctx, verify_attempts.FAILURE, customer_id, order_ref)


def locked_out(
    ctx: TurnContext, *, customer_id: str | None = None, order_ref: str | None = None
) -> bool:
    """Has this customer or order number spent its budget within the window?"""
    allowed, window_s = ctx.settings.verify_lockout_window
    failures = verify_attempts.count(
        ctx.session,
        verify_attempts.FAILURE,
        window_s,
        customer_id=customer_id,
        order_key=order_ref,
    )
    return failures >= allowed


def may_send_code(ctx: TurnContext, customer_id: str) -> bool:
    """Codes texted to one customer share the same budget: no flood of texts to their phone."""
    allowed, window_s = ctx.settings.verify_lockout_window
    sent = verify_attempts.count(
        ctx.session, verify_attempts.CODE_SENT, window_s, customer_id=customer_id
    )
    return sent < allowed


def record_code_sent(ctx: TurnContext, customer_id: str) -> None:
    _record(ctx, verify_attempts.CODE_SENT, customer_id, None)


def _record(ctx: TurnContext, kind: str, customer_id: str | None, order_ref: str | None) -> None:
    verify_attempts.record(
        ctx.session,
        kind,
        customer_id=customer_id,
        order_key=order_ref,
        channel=ctx.conversation.channel,
        window_s=ctx.settings.verify_lockout_window[1],
    )
