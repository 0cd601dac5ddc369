"""Proving who you are inside the conversation, and what a failed proof costs.

Two ways in: an order number the caller names, then the phone number or
e-mail on file for that order's customer; or, for a customer the channel
asserts (caller ID, a text's sender, a customer id a client can't vouch
for), the *other* detail on file, never the one the channel gave: the e-mail
(or a one-time code texted to the phone on file, :mod:`hark.skills.verify_code`).
A customer with nothing else on file is offered a person instead.

The answer is personal data, so it is read from the caller's raw words once,
compared, and dropped: :func:`check_answer` returns only whether it matched
and which kinds of contact were given, and the turn is stored as the
placeholders (``[phone]``, ``[email]``, ``[code]``), never the value. An
answer holding more than one phone number or e-mail is refused as a failed
attempt: one answer is one guess. Nothing here logs.

A wrong answer is the same wrong answer whether or not the order exists, so
the question can't be used to learn which order numbers are real. Every
failure counts in the conversation (after
:data:`~hark.skills.identity.MAX_VERIFY_ATTEMPTS` Hark offers a person) and
in the database (:mod:`hark.skills.verify_budget`), where a customer or order
number past ``HARK_VERIFY_LOCKOUT`` gets no self-service in any conversation.
"""

from __future__ import annotations

import re
import time
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
from hark.skills import verify_budget, verify_code
from hark.skills.cart_store import merge_guest_cart
from hark.skills.context import SkillReply, TurnContext
from hark.skills.identity import MAX_VERIFY_ATTEMPTS, SENDER_KEYED_CHANNELS, Identity
from hark.skills.intent import Intent
from hark.skills.state import ConversationState, Pending
from hark.store.models import Customer, Order

VERIFY = "verify"  # the Pending kind of the question
PURPOSES = ("status", "return", "checkout")
VERIFY_QUESTION = "What's the phone number or email address on the account?"
EMAIL_QUESTION = "What's the email address on the account?"
CODE_OFFER = "say send a code, and I'll text a code to the phone number on the account."
NO_MATCH = "Sorry, that doesn't match what we have on file."


@dataclass
class AnswerCheck:
    """What a turn answered to "the phone or e-mail on the account?", without the value."""

    attempted: bool  # the caller gave something that reads as a phone number, e-mail or code
    matched_customer_id: str | None = None
    kinds: list[str] = field(default_factory=list)  # "phone", "email", "code": what was given
    target_customer_id: str | None = None  # who the answer was checked against (for counting)
    order_key: str | None = None  # the order number named, as counted
    too_many: bool = False  # more than one phone number or e-mail: refused
    code: str | None = field(default=None, repr=False)  # a code said (compared, then dropped)

    @property
    def stored_text(self) -> str:
        """What the transcript keeps of this turn: the kinds of answer, never the answer."""
        return " ".join(f"[{kind}]" for kind in self.kinds) or "[phone]"


def check_answer(
    session: Session, pending: Pending, raw_text: str, region: str, asserted: str | None
) -> AnswerCheck:
    """Compare the caller's raw answer with the target customer's phone and e-mail on file.

    The target is the customer the question was asked for (``claim``), else
    the owner of the order the caller named. A phone number never proves the
    customer the channel ``asserted`` (it is the caller ID itself). With no
    target (an order that doesn't exist) nothing can match, and the caller
    hears the same "that doesn't match" as for a wrong answer.
    """
    phones = phone_numbers(raw_text, region)
    emails = email_addresses(raw_text)
    if not (phones or emails or mentions_contact(raw_text, region)):
        return AnswerCheck(False)
    kinds = [k for k, found in (("phone", phones), ("email", emails)) if found]
    if not kinds:
        kinds = ["email"] if re.search(r"@|\bat\b", raw_text.lower()) else ["phone"]
    target, key = _target(session, pending)
    check = AnswerCheck(True, None, kinds, target.customer_id if target else None, key)
    if len(phones) + len(emails) > 1:
        check.too_many = True
        return check
    if target is None:
        return check
    on_file_phone = normalize_phone(target.phone, region)
    on_file_email = normalize_email(target.email)
    phone_counts = target.customer_id != asserted  # a claim never proves itself
    matched = (phone_counts and on_file_phone is not None and on_file_phone in phones) or (
        on_file_email is not None and on_file_email in emails
    )
    check.matched_customer_id = target.customer_id if matched else None
    return check


def code_answer(pending: Pending, code: str) -> AnswerCheck:
    """A one-time code said in answer (compared with the live code by :func:`settle`)."""
    claim = pending.data.get("claim")
    return AnswerCheck(True, None, ["code"], claim if isinstance(claim, str) else None, code=code)


def _target(session: Session, pending: Pending) -> tuple[Customer | None, str | None]:
    order_ref = pending.data.get("order_id")
    order = None
    if isinstance(order_ref, str) and order_ref:
        order = find_order_in(session, order_ref)
    key = verify_budget.order_key(order, order_ref if isinstance(order_ref, str) else None)
    claim = pending.data.get("claim")
    if isinstance(claim, str) and claim:
        return session.get(Customer, claim), key
    return (order.customer if order is not None else None), key


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


# --- who a proof is for ----------------------------------------------------------
def locked(state: ConversationState) -> bool:
    """Too many failed checks: no more attempts in this conversation."""
    return state.verify_failures >= MAX_VERIFY_ATTEMPTS


def proof_subject(ctx: TurnContext) -> Customer | None:
    """The customer a proof without an order number would be for: the claimed one, or in
    a text thread the verified one (an action there needs a proof of its own)."""
    if ctx.claimed is not None:
        return ctx.claimed
    if ctx.customer is not None and ctx.conversation.channel in SENDER_KEYED_CHANNELS:
        return ctx.customer
    return None


def shut(ctx: TurnContext, customer_id: str | None) -> bool:
    """No self-service for this caller now: this conversation's attempts or the customer's
    budget across conversations (``HARK_VERIFY_LOCKOUT``) are spent."""
    if locked(ctx.state):
        return True
    return customer_id is not None and verify_budget.locked_out(ctx, customer_id=customer_id)


def own_order(ctx: TurnContext, claim: Customer, order_ref: str) -> Order | None:
    """The claimed customer's order by that number; any other number (someone else's, or
    none at all) is a failed check, counted the same either way."""
    order = find_order_in(ctx.session, order_ref)
    if order is not None and order.customer_id == claim.customer_id:
        return order
    verify_budget.record_failure(
        ctx,
        customer_id=claim.customer_id,
        order_ref=verify_budget.order_key(order, order_ref),
    )
    return None


def claim_question(ctx: TurnContext, customer: Customer) -> str | None:
    """How ``customer`` can prove a claim: the e-mail on file and/or a code texted to the
    phone on file; None when neither is possible (a person must help)."""
    by_code = verify_code.available(ctx, customer)
    if customer.email and by_code:
        return f"{EMAIL_QUESTION} Or {CODE_OFFER}"
    if customer.email:
        return EMAIL_QUESTION
    if by_code:
        return CODE_OFFER[0].upper() + CODE_OFFER[1:]
    return None


def verify_pending(purpose: str, order_ref: str | None = None, claim: str | None = None) -> Pending:
    """The open question "phone or e-mail on file?", remembering what to do once answered."""
    data = {"purpose": purpose if purpose in PURPOSES else "status"}
    if order_ref:
        data["order_id"] = order_ref
    if claim:
        data["claim"] = claim
    return Pending(VERIFY, data)


# --- what the caller hears -----------------------------------------------------------
def ask_to_verify(
    ctx: TurnContext, purpose: str, order_ref: str | None = None, *, intent: Intent = Intent.VERIFY
) -> SkillReply:
    """ "First I need to make sure it's you": ask for the proof this caller can give."""
    said = order_ref
    claim = proof_subject(ctx)
    if claim is not None and order_ref and own_order(ctx, claim, order_ref) is None:
        order_ref = None  # not theirs: counted, and asked the same question as for their own
    if shut(ctx, claim.customer_id if claim else None):
        return offer_person(intent)
    if claim is None:
        order = find_order_in(ctx.session, order_ref) if order_ref else None
        key = verify_budget.order_key(order, order_ref)
        if key is not None and verify_budget.locked_out(ctx, order_ref=key):
            return offer_person(intent)  # keyed by the number: the same for a made-up one
    reply = SkillReply(intent=intent, handled=False)
    if said:
        reply.say.say("I can help with order ", digits(said), ".")
    if claim is None and not order_ref:
        reply.say.say("First I need to make sure it's you. What's the order number?")
        reply.pending = Pending("order_number", {"purpose": purpose})
        return reply
    question = claim_question(ctx, claim) if claim is not None else VERIFY_QUESTION
    if question is None:
        return no_other_detail(intent)
    reply.say.say("First I need to make sure it's you.")
    reply.say.say(question)
    reply.pending = verify_pending(purpose, order_ref, claim.customer_id if claim else None)
    return reply


def ask_again(ctx: TurnContext, pending: Pending) -> SkillReply:
    """The caller said something that isn't a phone number, e-mail or code: ask once more."""
    return SkillReply.of(
        Intent.VERIFY,
        f"To check it's you, I need {_wanted(ctx, pending)}.",
        "You can also say cancel.",
        pending=pending,
        handled=False,
    )


def _wanted(ctx: TurnContext, pending: Pending) -> str:
    claim = pending.data.get("claim")
    if not isinstance(claim, str):
        return "the phone number or email address on the account"
    customer = ctx.session.get(Customer, claim)
    by_code = customer is not None and verify_code.available(ctx, customer)
    if customer is not None and customer.email:
        return "the email address on the account" + (", or the code I can text you" * by_code)
    return "the code I can text to the phone number on the account"


def settle(ctx: TurnContext, pending: Pending, check: AnswerCheck) -> str | None:
    """The customer this answer proves, or None (a failed check, counted)."""
    matched = check.matched_customer_id
    if check.code is not None:
        matched = verify_code.matches(ctx, check.code)
        matched = matched if matched == check.target_customer_id else None
    if check.too_many:
        matched = None
    if matched is not None and (
        verify_budget.locked_out(ctx, customer_id=matched)
        or (check.order_key and verify_budget.locked_out(ctx, order_ref=check.order_key))
    ):
        matched = None  # past the budget, even the right answer opens nothing
    if matched is None:
        verify_budget.record_failure(
            ctx, customer_id=check.target_customer_id, order_ref=check.order_key
        )
    return matched


def wrong_answer(ctx: TurnContext, pending: Pending, check: AnswerCheck) -> SkillReply:
    """A failed check (already counted): try again, or a person once the attempts are spent."""
    first = NO_MATCH
    if check.too_many:
        first = "Please give me just one answer, not a list."
    claim = pending.data.get("claim")
    if isinstance(claim, str):
        closed = shut(ctx, claim)
    else:  # by an order number: only what is the same for a real and a made-up number
        closed = locked(ctx.state) or bool(
            check.order_key and verify_budget.locked_out(ctx, order_ref=check.order_key)
        )
    if closed:
        reply = offer_person(Intent.VERIFY)
        reply.say.prepend(first)
        return reply
    return SkillReply.of(
        Intent.VERIFY,
        first,
        f"Could you try again? I need {_wanted(ctx, pending)}.",
        pending=pending,
        handled=False,
    )


def send_code(ctx: TurnContext, pending: Pending) -> SkillReply:
    """The caller asked for a code: text one to the phone on file (within the budget)."""
    claim = pending.data.get("claim")
    customer = ctx.session.get(Customer, claim) if isinstance(claim, str) else None
    if customer is None or not verify_code.available(ctx, customer):
        return ask_again(ctx, pending)
    if verify_code.pending_code(ctx) is not None:
        lead = "I've already texted you a code; it's valid for five minutes."
    elif not verify_budget.may_send_code(ctx, customer.customer_id):
        return offer_person(Intent.VERIFY)
    elif verify_code.send(ctx, customer):
        verify_budget.record_code_sent(ctx, customer.customer_id)
        lead = "I've texted a code to the phone number on the account."
    else:
        reply = offer_person(Intent.VERIFY)
        reply.say.prepend("Sorry, I couldn't send a code right now.")
        return reply
    return SkillReply.of(Intent.VERIFY, lead, "What's the code?", pending=pending, handled=False)


def offer_person(intent: Intent) -> SkillReply:
    """No (more) self-service proof here: attempts or budget spent."""
    return _to_a_person(
        intent,
        "I'm not able to confirm who you are in this conversation, "
        "so I can't share or change order details here.",
    )


def no_other_detail(intent: Intent) -> SkillReply:
    """A claim with nothing else on file to prove it: only a person can help."""
    return _to_a_person(
        intent,
        "To share or change order details I need to confirm who you are, "
        "and I can't do that here for this account.",
    )


def _to_a_person(intent: Intent, why: str) -> SkillReply:
    return SkillReply.of(
        intent,
        why,
        "Would you like me to connect you with a person?",
        pending=Pending("handoff", {"reason": "identity not verified"}),
        handled=False,
    )


def become_verified(ctx: TurnContext, customer_id: str, purpose: str | None = None) -> None:
    """The caller proved it: the conversation is theirs now, and a guest cart joins theirs.
    A proof given for an action (``return``, ``checkout``) is noted: in a text thread an
    action needs one of its own."""
    customer = ctx.session.get(Customer, customer_id)
    if customer is None:  # deleted between the check and now: stay as we were
        return
    conversation = ctx.conversation
    conversation.customer_id = customer.customer_id
    conversation.identity = Identity.VERIFIED.value
    ctx.state.customer_id = customer.customer_id
    ctx.state.cart_id = None
    ctx.state.verify_failures = 0
    ctx.state.verified_at = time.time()
    ctx.state.proof_for = purpose if purpose in ("return", "checkout") else None
    ctx.state.verify_code = {}
    merge_guest_cart(ctx.session, conversation.id, customer.customer_id)
    ctx.customer, ctx.claimed, ctx.identity = customer, None, Identity.VERIFIED
