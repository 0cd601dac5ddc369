"""Who the caller is, and what Hark may say or do for them: the one policy table.

Every conversation carries an :class:`Identity`. Skills (and, later, LLM
tools) never decide on their own whether an order may be read out or a
return started: they ask :func:`allowed` with a :class:`Permission`, so a
change to the policy is a change to :data:`POLICY` and nothing else.

* ``anonymous``: nobody in particular (a kiosk, an unknown number).
* ``claimed``: the channel asserts a customer it can't prove (a phone's
  caller ID, a customer id sent by a client that may not vouch).
* ``verified``: the customer proved it in the conversation (an order number,
  then the phone number or e-mail on file; for a caller-ID claim, the e-mail
  on file), or an authenticated
  channel vouches (an API key holder, a ticket minted for that customer, an
  Alexa linked account).

The table is documented in ``docs/security.md``; keep the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class Identity(StrEnum):
    """How sure Hark is of who is talking; stored with each conversation."""

    ANONYMOUS = "anonymous"
    CLAIMED = "claimed"
    VERIFIED = "verified"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Identity.ANONYMOUS: 0, Identity.CLAIMED: 1, Identity.VERIFIED: 2}


class Permission(StrEnum):
    """Something a caller may hear or have done, at the level :data:`POLICY` names."""

    BROWSE = "browse"  # products, prices, stock, the FAQ, a guest cart
    ORDER_EXISTS = "order_exists"  # that an order of the claimed customer exists, its status word
    ORDER_DETAILS = "order_details"  # dates, items, the order's full story
    START_RETURN = "start_return"
    CHECKOUT = "checkout"  # order with the payment method on file
    CUSTOMER_DATA = "customer_data"  # name, contact details, the customer's own cart and history


POLICY: dict[Permission, Identity] = {
    Permission.BROWSE: Identity.ANONYMOUS,
    Permission.ORDER_EXISTS: Identity.CLAIMED,
    Permission.ORDER_DETAILS: Identity.VERIFIED,
    Permission.START_RETURN: Identity.VERIFIED,
    Permission.CHECKOUT: Identity.VERIFIED,
    Permission.CUSTOMER_DATA: Identity.VERIFIED,
}

#: Failed answers to "what's the phone number or e-mail on the account?" before
#: Hark stops trying in that conversation and offers a person. (Across conversations,
#: ``HARK_VERIFY_LOCKOUT`` counts them per customer and per order number.)
MAX_VERIFY_ATTEMPTS = 3

#: Channels whose messages join a conversation by the sender's address (a text's number),
#: which anyone can send as: a proof there holds for ``HARK_TEXT_VERIFIED_S`` only, and
#: an action needs a proof given for it. (A phone call is one Twilio call, signed, with its
#: own CallSid: nobody else's message can join it.)
SENDER_KEYED_CHANNELS = frozenset({"sms", "whatsapp"})

#: Actions that need a proof given for that action in a sender-keyed channel.
ACTION_PURPOSES = {Permission.START_RETURN: "return", Permission.CHECKOUT: "checkout"}


def allowed(identity: Identity | str | None, permission: Permission) -> bool:
    """May a caller at ``identity`` have ``permission``? Unknown levels are anonymous."""
    return level(identity).rank >= POLICY[permission].rank


def level(identity: Identity | str | None) -> Identity:
    """The stored or given level as an :class:`Identity` (anything unknown: anonymous)."""
    try:
        return Identity(identity) if identity is not None else Identity.ANONYMOUS
    except ValueError:
        return Identity.ANONYMOUS


def conversation_level(customer_id: str | None, identity: Identity | None) -> Identity:
    """The level a conversation is stored with: no customer is anonymous; a customer
    without an explicit level is only claimed (the safe default)."""
    if customer_id is None:
        if identity not in (None, Identity.ANONYMOUS):
            raise ValueError(f"a {identity} conversation needs a customer")
        return Identity.ANONYMOUS
    if identity is None:
        return Identity.CLAIMED
    if Identity(identity) is Identity.ANONYMOUS:
        raise ValueError("a conversation with a customer is claimed or verified")
    return Identity(identity)


class CustomerNotAllowed(ValueError):
    """A client named a customer it may not start a conversation for."""


def starting_identity(
    requested: str | None,
    *,
    vouches: bool,
    bound_customer: str | None = None,
    bound: bool = False,
) -> tuple[str | None, Identity]:
    """The customer and level a new conversation starts with, from what the client proved.

    ``vouches``: the client is the shop's own software (an API key, a loopback
    client when no keys are configured), so a customer id it sends is
    ``verified``; otherwise it is only ``claimed``. ``bound``: the connection
    was opened with a ticket minted for ``bound_customer`` (or for nobody):
    it may name that customer (or none) and no other; the ticket vouches.
    """
    if bound:
        if requested is not None and requested != bound_customer:
            raise CustomerNotAllowed(requested)
        if bound_customer is None:
            return None, Identity.ANONYMOUS
        return bound_customer, Identity.VERIFIED
    if requested is None:
        return None, Identity.ANONYMOUS
    return requested, Identity.VERIFIED if vouches else Identity.CLAIMED
