"""A one-time code texted to the phone number on file (``HARK_VERIFY_BY_CODE``).

A caller whose claim comes from a phone number (caller ID, a text's sender)
can't prove it with that number: a spoofer knows it too. A code sent to the
number on file reaches the real customer's phone, not the spoofer's. The
code is six random digits, kept only as a salted hash in the conversation's
state, valid for :data:`CODE_TTL_S`, used once, and each wrong code is a
failed check like a wrong answer.

Skills don't talk to Twilio: the server hands the brain a :class:`CodeSender`
(the Twilio REST one lives in ``hark.integrations.twilio.codes``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import time

from hark.language.normalize import normalize_tokens
from hark.privacy.contact import normalize_phone
from hark.skills.context import TurnContext
from hark.store.models import Customer

log = logging.getLogger("hark.dialogue")

CODE_DIGITS = 6
CODE_TTL_S = 300
MAX_CODE_TRIES = 3
_WANTS_CODE = re.compile(r"\b(code|text me|send me a text)\b")


def available(ctx: TurnContext, customer: Customer) -> bool:
    """Can this customer be sent a code? (the setting, a sender, a phone on file)"""
    return bool(ctx.settings.verify_by_code and ctx.codes is not None and customer.phone)


def asks_for_code(text: str) -> bool:
    """ "Send me a code", "text me the code": the caller wants one."""
    return bool(_WANTS_CODE.search(text.lower())) and said_code(text) is None


def said_code(text: str) -> str | None:
    """The six digits of a code in what was said or typed ("4 8 2, 9 1 3" too), or None."""
    numbers = [t for t in normalize_tokens(text) if t.isdigit()]
    whole = [t for t in numbers if len(t) == CODE_DIGITS]
    if len(whole) == 1:
        return whole[0]  # "482913 for order 7002"
    joined = "".join(numbers)  # "4 8 2, 9 1 3", "482 913"
    return joined if len(joined) == CODE_DIGITS else None


def pending_code(ctx: TurnContext) -> dict | None:
    """The code this conversation is waiting for, if one is live."""
    code = ctx.state.verify_code
    if not code or float(code.get("expires", 0)) < time.time():
        return None
    return code


def send(ctx: TurnContext, customer: Customer) -> bool:
    """Text a fresh code to the customer's phone on file; False if it could not be sent."""
    to = normalize_phone(customer.phone, ctx.settings.region)
    if ctx.codes is None or to is None:
        return False
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    salt = secrets.token_hex(8)
    body = (
        f"{ctx.settings.shop_name} verification code: {code}. It expires in 5 minutes. "
        "If you didn't ask for it, ignore this message."
    )
    try:
        ctx.codes.send_text(to, body)
    except Exception:
        log.warning("verification code could not be sent", exc_info=True)
        return False
    ctx.state.verify_code = {
        "customer_id": customer.customer_id,
        "salt": salt,
        "hash": _digest(salt, code),
        "expires": time.time() + CODE_TTL_S,
        "tries": 0,
    }
    return True


def matches(ctx: TurnContext, said: str) -> str | None:
    """The customer the live code was sent for if ``said`` is it (the code is then used up)."""
    code = pending_code(ctx)
    if code is None:
        return None
    code["tries"] = int(code.get("tries", 0)) + 1
    if hmac.compare_digest(_digest(str(code["salt"]), said), str(code["hash"])):
        ctx.state.verify_code = {}
        return str(code["customer_id"])
    if code["tries"] >= MAX_CODE_TRIES:
        ctx.state.verify_code = {}
    return None


def _digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()
