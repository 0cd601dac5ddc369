"""The database schema: the shop's data and every conversation Hark has had.

Money is stored as Numeric so totals read back exactly; dates the shop gives
are plain dates (no time zone guessing); conversation state is JSON so any
server process (or a later Alexa request) can pick a conversation up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

ORDER_STATUSES = (
    "processing",
    "shipped",
    "out_for_delivery",
    "delivered",
    "delayed",
    "cancelled",
    "returned",
    "refunded",
)


def order_status(value: str) -> str:
    """A status as the shop writes it ("Out for delivery", "out-for-delivery") in the one
    spelling Hark stores and compares (``out_for_delivery``)."""
    return "_".join(value.strip().lower().replace("-", " ").split())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"

    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    # Set by `hark privacy erase`: name, phone and e-mail are gone and stay gone
    # (a later shop import does not bring them back).
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # customers.csv ``timezone`` (IANA) and ``contact_consent`` (the channels in the
    # customer's order of preference; what they agreed to is in ``contact_consents``).
    timezone: Mapped[str | None] = mapped_column(String(64))
    contact_channels: Mapped[str] = mapped_column(String(100), default="")

    orders: Mapped[list[Order]] = relationship(back_populates="customer")


class ChannelLink(Base):
    """Ties a channel's own user id (Alexa userId, a phone number) to a customer."""

    __tablename__ = "channel_links"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(512))
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"))


class Product(Base):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(100), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")  # ';'-separated, as in products.csv
    stock: Mapped[int] = mapped_column(Integer, default=0)
    # Optional media for screens (products.csv ``image_url``, ``model_url``): an
    # http(s) URL, or a path relative to the shop folder (see hark.shop.media).
    image_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    model_url: Mapped[str | None] = mapped_column(String(500), nullable=True)

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(";") if t.strip()]


class Order(Base):
    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    # None once the customer is erased: the order stays for the shop's accounts.
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    placed_at: Mapped[dt.date] = mapped_column(Date)
    eta: Mapped[dt.date | None] = mapped_column(Date)

    customer: Mapped[Customer | None] = relationship(back_populates="orders")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    quantity: Mapped[int] = mapped_column(Integer)

    order: Mapped[Order] = relationship(back_populates="lines")
    product: Mapped[Product] = relationship()


class ReturnRequest(Base):
    __tablename__ = "returns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")


class Cart(Base):
    """A customer's open cart; anonymous callers get one tied to the conversation."""

    __tablename__ = "carts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | ordered
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list[CartItem]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(Base):
    __tablename__ = "cart_items"
    __table_args__ = (UniqueConstraint("cart_id", "sku"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("carts.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(ForeignKey("products.sku"))
    quantity: Mapped[int] = mapped_column(Integer)

    cart: Mapped[Cart] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()


class Faq(Base):
    __tablename__ = "faqs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question: Mapped[str] = mapped_column(Text, unique=True)
    answer: Mapped[str] = mapped_column(Text)


class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    state: Mapped[dict] = mapped_column(JSON, default=dict)
    resolved: Mapped[bool] = mapped_column(Boolean, default=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # How sure Hark is of the caller (hark.skills.identity.Identity): anonymous | claimed | verified.
    identity: Mapped[str] = mapped_column(
        String(16), default="anonymous", server_default="anonymous"
    )
    # Who created it (an opaque name derived from the API key or ticket, never the key): only
    # the same owner may read or continue it over the API. None: created by an in-process channel.
    owner: Mapped[str | None] = mapped_column(String(64))

    turns: Mapped[list[Turn]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Turn.seq"
    )


class Turn(Base):
    """One utterance, already redacted: raw PII never reaches this table."""

    __tablename__ = "turns"
    __table_args__ = (UniqueConstraint("conversation_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # user | assistant
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64))
    sentiment: Mapped[float | None] = mapped_column(Float)
    interrupted: Mapped[bool] = mapped_column(Boolean, default=False)
    metrics: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # User turns only: how sure the NLU was of ``intent``, and whether the brain could
    # act on the turn (False: "sorry, I didn't understand"). The review queue reads both.
    confidence: Mapped[float | None] = mapped_column(Float)
    understood: Mapped[bool | None] = mapped_column(Boolean)

    conversation: Mapped[Conversation] = relationship(back_populates="turns")


class PhoneCall(Base):
    """One telephone call as its platform (Twilio) knows it, for what spans webhooks.

    A call's webhooks may reach any server process, and the platform retries
    them: ``turn`` and ``last_response`` make a retried webhook replay its
    answer instead of running the turn twice. The handoff columns record a
    transfer's outcome and an accepted callback. ``callback_number`` is the
    only phone number kept, and only when the caller asked to be called back. The caller
    is known only by a keyed digest of their number (``caller_key``,
    :mod:`hark.privacy.caller_keys`), so erasure finds every call of a customer.
    """

    __tablename__ = "phone_calls"

    call_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. Twilio CallSid
    platform: Mapped[str] = mapped_column(String(16), default="twilio")
    mode: Mapped[str] = mapped_column(String(16))  # stream | gather
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    caller_key: Mapped[str | None] = mapped_column(String(80), index=True)  # issue 21
    status: Mapped[str] = mapped_column(String(20), default="in-progress")
    turn: Mapped[int] = mapped_column(Integer, default=0)  # last webhook turn handled
    last_response: Mapped[str] = mapped_column(Text, default="")  # its answer, for retries
    misses: Mapped[int] = mapped_column(Integer, default=0)  # turns in a row not understood
    menu: Mapped[bool] = mapped_column(Boolean, default=False)  # the keypad menu is offered
    transfer_status: Mapped[str | None] = mapped_column(String(20))
    handoff_note: Mapped[str] = mapped_column(Text, default="")  # what the agent hears
    callback_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    callback_number: Mapped[str | None] = mapped_column(String(40))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    duration_s: Mapped[int | None] = mapped_column(Integer)


class TextMessage(Base):
    """One inbound text message (SMS, WhatsApp) and the reply it got.

    The sender is kept only as a keyed digest (``sender_key``): enough to find
    that number's ongoing conversation, not to read the number back.
    """

    __tablename__ = "text_messages"

    message_id: Mapped[str] = mapped_column(String(64), primary_key=True)  # e.g. MessageSid
    platform: Mapped[str] = mapped_column(String(16), default="twilio")
    channel: Mapped[str] = mapped_column(String(16))  # sms | whatsapp
    sender_key: Mapped[str] = mapped_column(String(80), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    reply: Mapped[str] = mapped_column(Text, default="")
    answered: Mapped[bool] = mapped_column(Boolean, default=False)


class OrderRemedy(Base):
    """What a caller was promised for a late order ("free shipping on your next order"), so a
    person can honour it; written only when ``HARK_DELAY_REMEDY`` is set and the promise spoken."""

    __tablename__ = "order_remedies"
    __table_args__ = (UniqueConstraint("order_id", "remedy"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), index=True)
    remedy: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default="promised")  # promised | honoured
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


HANDOFF_STATUSES = ("open", "claimed", "resolved")


class Handoff(Base):
    """A caller handed to a person: the desk's record, and its delivery outbox.

    Written by the brain in the same transaction as the turn that handed off.
    ``summary`` is built from redacted text only. ``callback_contact`` is the one
    place a callback number (or ``account:<customer_id>``) is kept, and only when
    the caller accepted a callback. The ``delivery_*`` columns are the persisted
    outbox for ``HARK_HANDOFF_WEBHOOK_URL``: a worker in any server process leases
    a due row (``lease_until``), posts it, and records the outcome, so a restart
    loses nothing and one handoff is delivered once (``id`` is the idempotency key).
    """

    __tablename__ = "handoffs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # uuid4 hex
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    turn_id: Mapped[int | None] = mapped_column(Integer)  # the user turn that led to it
    channel: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.customer_id"))
    identity: Mapped[str] = mapped_column(String(16), default="anonymous")
    reason: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    sentiment_trend: Mapped[str] = mapped_column(String(16), default="steady")
    sentiment_last: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution: Mapped[str] = mapped_column(Text, default="")  # redacted note
    # How the channel reached a person: a phone transfer's outcome, a callback.
    transfer_status: Mapped[str | None] = mapped_column(String(20))
    callback: Mapped[str | None] = mapped_column(String(16))  # offered | accepted | declined
    callback_contact: Mapped[str | None] = mapped_column(String(80))
    # The outbox: off (no webhook configured) | pending | delivered | failed.
    delivery_state: Mapped[str] = mapped_column(String(16), default="off", index=True)
    delivery_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(40))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    payload: Mapped[str] = mapped_column(Text, default="")  # the exact body, once built


class AssistedOrder(Base):
    """An order Hark placed in a conversation: what analytics count as sales through Hark."""

    __tablename__ = "assisted_orders"

    order_id: Mapped[str] = mapped_column(ForeignKey("orders.order_id"), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    total: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class NluExample(Base):
    """A turn a reviewer labelled: the intent it should have had (or ``out_of_scope``).

    Kept apart from the shipped training data (``dialogue/data/intents.json``);
    ``hark nlu train`` adds them. ``text`` is the stored turn's text, redacted.
    ``heldout_delta`` is what adding this one example does to held-out accuracy;
    a negative one is ``flagged`` and left out of training until ``confirmed``.
    """

    __tablename__ = "nlu_examples"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True)
    text: Mapped[str] = mapped_column(Text)
    chosen_intent: Mapped[str | None] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(64))
    reviewer: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    heldout_delta: Mapped[float | None] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)


class NluModel(Base):
    """One retraining: which reviewed examples the classifier is built with, and how it scored.

    Every server process rebuilds the same classifier from the shipped data plus
    ``example_ids`` (training is deterministic), so the newest row is the model in use
    everywhere, without shipping pickles through the database.
    """

    __tablename__ = "nlu_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    example_ids: Mapped[list] = mapped_column(JSON, default=list)
    examples: Mapped[int] = mapped_column(Integer, default=0)
    heldout_before: Mapped[float | None] = mapped_column(Float)
    heldout_after: Mapped[float | None] = mapped_column(Float)
    reviewed_before: Mapped[float | None] = mapped_column(Float)
    reviewed_after: Mapped[float | None] = mapped_column(Float)
    trained_by: Mapped[str] = mapped_column(String(64), default="")


class AdminSession(Base):
    """A signed-in operator of the ``/admin`` pages; the cookie holds a token, this its digest."""

    __tablename__ = "admin_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 of the token
    owner: Mapped[str] = mapped_column(String(64))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)


class VerifyAttempt(Base):
    """A failed identity check (or a code texted), counted across conversations and channels.

    ``HARK_VERIFY_LOCKOUT`` reads these rows: too many failures for one
    customer or one order number within its window stop self-service for
    them, in every process. ``order_key`` is the order id when the order
    exists, else the number as said (normalised), so a lockout looks the same
    for real and made-up numbers. No answer, phone number or e-mail is kept.
    """

    __tablename__ = "verify_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # failure | code_sent
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    order_key: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ContactConsent(Base):
    """One entry of the consent ledger: a customer agreed (or stopped agreeing) to be
    contacted on a channel, when and how. Append-only: the latest entry per channel
    counts. ``channel = "all"`` is an opt-out (or a re-subscription) for every channel."""

    __tablename__ = "contact_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    granted: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    source: Mapped[str] = mapped_column(String(40))  # shop_import | api | sms | voice | ...
    note: Mapped[str] = mapped_column(String(300), default="")  # how, redacted


class Notice(Base):
    """An event from the shop's data, decided once (``event_key`` is unique) into a notice
    for its customer, and the notice's way out: a persisted outbox with leases, like the
    handoff webhook's, so of several processes exactly one sends it."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    order_id: Mapped[str | None] = mapped_column(String(64))
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # pending (waiting to be sent) | sending | calling (a call in progress) | done
    state: Mapped[str] = mapped_column(String(16), index=True)
    # delivered | answered | voicemail | failed | suppressed, once done
    outcome: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(300), default="")
    channel: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(40))
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    conversation_id: Mapped[str | None] = mapped_column(String(64))

    sends: Mapped[list[NoticeSend]] = relationship(
        back_populates="notice", cascade="all, delete-orphan", order_by="NoticeSend.id"
    )


class NoticeSend(Base):
    """One message or call made for a notice (the ledger's lines), written ``sending``
    before the provider is asked, so a crash mid-send is never sent again."""

    __tablename__ = "notice_sends"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # sending | delivered | answered | voicemail | no-answer | failed
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(300), default="")
    provider_id: Mapped[str | None] = mapped_column(String(64), index=True)

    notice: Mapped[Notice] = relationship(back_populates="sends")


class StockWatch(Base):
    """A customer asked about a product while it was out of stock: when the shop's stock
    for it rises above zero, they get one ``back_in_stock`` notice (``notified_at`` closes
    the watch; asking again after the next sell-out opens a new one). Only for a customer
    Hark knows (verified, or claimed with a customer id), never an anonymous caller."""

    __tablename__ = "stock_watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.customer_id"), index=True)
    sku: Mapped[str] = mapped_column(String(64), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(32), default="")
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
