"""Proving who you are inside the conversation: an order number the caller names, then the
phone number or e-mail address on file; or, for a caller-ID claim, the e-mail on file
(the claimed number itself proves nothing: a spoofer knows it too).

The answer is personal data, so it is read from the caller's raw words once,
compared, and dropped: :func:`check_answer` returns only whether it matched
and which kinds of contact were given, and the turn is stored as the
placeholders (``[phone]``, ``[email]``), never the value. Nothing here logs.

A wrong answer is the same wrong answer whether or not the order exists, so
the question can't be used to learn which order numbers are real. After
:data:`~hark.skills.identity.MAX_VERIFY_ATTEMPTS` wrong answers Hark stops
asking in that conversation and offers a person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hark.language.speech import digits
from hark.privacy.contact import (
    email_addresses,
    mentions_contact,
    normalize_email,
    normalize_phone,
    phone_numbers,
)
from hark.skills.cart_store import merge_guest_cart
from hark.skills.context import SkillReply, TurnContext
from hark.skills.identity import MAX_VERIFY_ATTEMPTS, Identity
from hark.skills.state import ConversationState, Pending
from hark.store.models import Customer, Order

VERIFY = "verify"  # the Pending kind of the question
PURPOSES = ("status", "return", "checkout")
VERIFY_QUESTION = "What's the phone number or email address on the account?"
# A claim comes from the caller's own number (caller ID, a text's sender), which a
# spoofer knows: without an order number they named, only the e-mail proves it.
CLAIMED_QUESTION = "What's the email address on the account? Or tell me one of your order numbers."


@dataclass
class AnswerCheck:
    """What a turn answered to "the phone or e-mail on the account?", without the value."""

    attempted: bool  # the caller gave something that reads as a phone number or e-mail
    matched_customer_id: str | None = None
    kinds: list[str] = field(default_factory=list)  # "phone", "email": what was given

    @property
    def stored_text(self) -> str:
        """What the transcript keeps of this turn: the kinds of answer, never the answer."""
        return " ".join(f"[{kind}]" for kind in self.kinds) or "[phone]"


def check_answer(
    session: Session,
    pending: Pending,
    raw_text: str,
    region: str,
    claimed_customer_id: str | None,
) -> AnswerCheck:
    """Compare the caller's raw answer with the target customer's phone and e-mail on file.

    The target is the owner of the order the caller named (phone or e-mail
    proves it), else the claimed customer (only the e-mail does). With no
    target (an order that doesn't exist) nothing can match, and the caller
    hears the same "that doesn't match" as for a wrong answer.
    """
    phones = phone_numbers(raw_text, region)
    emails = email_addresses(raw_text)
    if not (phones or emails or mentions_contact(raw_text, region)):
        return AnswerCheck(False)
    order_named = bool(pending.data.get("order_id"))
    kinds = [k for k, found in (("phone", phones), ("email", emails)) if found]
    if not kinds:
        kinds = ["email"] if re.search(r"@|\bat\b", raw_text.lower()) else ["phone"]
    target = _target(session, pending, claimed_customer_id)
    if target is None:
        return AnswerCheck(True, None, kinds)
    on_file_phone = normalize_phone(target.phone, region)
    on_file_email = normalize_email(target.email)
    phone_counts = order_named  # a caller-ID claim is never proved by that same number
    matched = (phone_counts and on_file_phone is not None and on_file_phone in phones) or (
        on_file_email is not None and on_file_email in emails
    )
    return AnswerCheck(True, target.customer_id if matched else None, kinds)


def _target(session: Session, pending: Pending, claimed_customer_id: str | None) -> Customer | None:
    order_ref = pending.data.get("order_id")
    if isinstance(order_ref, str) and order_ref:
        order = find_order_in(session, order_ref)
        return order.customer if order is not None else None
    if claimed_customer_id:
        return session.get(Customer, claimed_customer_id)
    return None


def find_order_in(session: Session, raw_id: str) -> Order | None:
    """The order by id as said: exact, case-insensitive, or by its digits ("A-1001" ~ "1001")."""
    raw_id = raw_id.strip().lstrip("#")
    order = session.get(Order, raw_id)
    if order is not None:
        return order
    cleaned = re.sub(r"[^0-9A-Za-z]", "", raw_id)
    if not cleaned:
        return None
    order = session.scalars(
        select(Order).where(func.upper(Order.order_id) == cleaned.upper())
    ).first()
    if order is not None:
        return order
    # "a102" or "102" for "A-102": compare letters and digits only, or digits alone if unique.
    digits_only = re.sub(r"\D", "", cleaned)
    if not digits_only:
        return None
    candidates = session.scalars(select(Order).where(Order.order_id.like(f"%{digits_only}"))).all()
    same = [o for o in candidates if _alnum(o.order_id) == cleaned.upper()]
    if same:
        return same[0]
    if cleaned.isdigit():
        matches = [o for o in candidates if re.sub(r"\D", "", o.order_id) == cleaned]
        return matches[0] if len(matches) == 1 else None
    return None


def _alnum(order_id: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", order_id.upper())


# --- what the caller hears -----------------------------------------------------------
def locked(state: ConversationState) -> bool:
    """Too many wrong answers: no more attempts in this conversation."""
    return state.verify_failures >= MAX_VERIFY_ATTEMPTS


def verify_pending(purpose: str, order_ref: str | None = None) -> Pending:
    """The open question "phone or e-mail on file?", remembering what to do once answered."""
    data = {"purpose": purpose if purpose in PURPOSES else "status"}
    if order_ref:
        data["order_id"] = order_ref
    return Pending(VERIFY, data)


def ask_to_verify(
    ctx: TurnContext, purpose: str, order_ref: str | None = None, *, intent: str = "verify"
) -> SkillReply:
    """ "First I need to make sure it's you": ask for the phone number or e-mail on file."""
    if locked(ctx.state):
        return offer_person(intent)
    reply = SkillReply(intent=intent, handled=False)
    if order_ref:
        reply.say.say("I can help with order ", digits(order_ref), ".")
    reply.say.say("First I need to make sure it's you.")
    reply.say.say(verify_question(bool(order_ref)))
    reply.pending = verify_pending(purpose, order_ref)
    return reply


def verify_question(order_named: bool) -> str:
    """With an order number the caller named, its phone or e-mail proves it; without one
    (a caller-ID claim), only the e-mail on file does."""
    return VERIFY_QUESTION if order_named else CLAIMED_QUESTION


def ask_again(ctx: TurnContext, pending: Pending) -> SkillReply:
    """The caller said something that isn't a phone number or e-mail: ask once more."""
    what = "phone number or email address" if pending.data.get("order_id") else "email address"
    return SkillReply.of(
        "verify",
        f"To check it's you, I need the {what} on the account.",
        "You can also say cancel.",
        pending=pending,
        handled=False,
    )


def wrong_answer(ctx: TurnContext, pending: Pending) -> SkillReply:
    """A phone number or e-mail that doesn't match (or an order that doesn't exist)."""
    ctx.state.verify_failures += 1
    if locked(ctx.state):
        reply = offer_person("verify")
        reply.say.prepend("Sorry, that doesn't match what we have on file.")
        return reply
    what = "phone number or the email address" if pending.data.get("order_id") else "email address"
    return SkillReply.of(
        "verify",
        "Sorry, that doesn't match what we have on file.",
        f"Could you try again? The {what} on the account.",
        pending=pending,
        handled=False,
    )


def offer_person(intent: str) -> SkillReply:
    return SkillReply.of(
        intent,
        "I'm not able to confirm who you are in this conversation, "
        "so I can't share or change order details here.",
        "Would you like me to connect you with a person?",
        pending=Pending("handoff", {"reason": "identity not verified"}),
        handled=False,
    )


def become_verified(ctx: TurnContext, customer_id: str) -> None:
    """The caller proved it: the conversation is theirs now, and a guest cart joins theirs."""
    customer = ctx.session.get(Customer, customer_id)
    if customer is None:  # deleted between the check and now: stay as we were
        return
    conversation = ctx.conversation
    conversation.customer_id = customer.customer_id
    conversation.identity = Identity.VERIFIED.value
    ctx.state.customer_id = customer.customer_id
    ctx.state.cart_id = None
    ctx.state.verify_failures = 0
    merge_guest_cart(ctx.session, conversation.id, customer.customer_id)
    ctx.customer, ctx.claimed, ctx.identity = customer, None, Identity.VERIFIED
