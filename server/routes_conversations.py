"""HTTP API for text conversations: start, send a turn, read the transcript.

The turn object is the same one ``hark chat --json`` prints, so a test or a
channel can switch between the two. A turn touches the database, so the brain's
work runs in the thread pool (``run_in_threadpool``); the handlers themselves are
``async``, so the request's body, its principal and the reply's validation stay on
the event loop instead of taking a thread each (a typed turn made three trips to a
worker thread, one would do).

A conversation belongs to the client that created it (its ``owner``): any
other key gets 404 for it, as if it did not exist. A ``customer_id`` sent by a
client that may vouch (an API key holder, a loopback client in keyless mode)
starts the conversation ``verified``; from any other client it is ``claimed``.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from hark.dialogue.errors import ConversationNotFound, CustomerNotFound, InvalidUtterance
from hark.runtime.metrics import record_turn
from hark.server.auth import Client, may_read
from hark.server.openapi_docs import example as _example
from hark.skills.identity import CustomerNotAllowed, starting_identity

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])

_CID = "56e1a8a1b4c2443e86cc199f80412cc3"
_CARD = {
    "sku": "AUD-3006",
    "name": "Wireless Bluetooth Over-Ear Headphones",
    "price": 129.99,
    "stock": 12,
    "description": "Bluetooth over-ear headphones with active noise cancelling.",
    "image_url": "/shop-media/media/AUD-3006.png",
    "model_url": None,
}


class CardOut(BaseModel):
    model_config = _example(**_CARD)
    sku: str
    name: str
    price: float
    stock: int
    description: str = ""
    image_url: str | None = Field(None, description="Picture: an absolute URL or a path here.")
    model_url: str | None = Field(None, description="glTF/GLB 3D model, where there is one.")


class CartLineOut(BaseModel):
    sku: str
    name: str
    price: float
    quantity: int
    image_url: str | None = None


class CartOut(BaseModel):
    model_config = _example(
        lines=[{**{k: _CARD[k] for k in ("sku", "name", "price", "image_url")}, "quantity": 1}],
        total=129.99,
        currency="USD",
    )
    lines: list[CartLineOut]
    total: float
    currency: str


class StartRequest(BaseModel):
    model_config = _example(channel="web", customer_id="C001")
    channel: str = Field(
        "api", min_length=1, max_length=32, description="Channel name, e.g. kiosk."
    )
    customer_id: str | None = Field(
        None, min_length=1, max_length=64, description="A known customer, for a personal greeting."
    )


class Started(BaseModel):
    model_config = _example(
        conversation_id=_CID,
        identity="verified",
        greeting="Hi Maria, thanks for calling Hark Store. I'm Hark, an automated assistant. "
        "How can I help you today?",
        ssml="<speak>Hi Maria, thanks for calling Hark Store. ...</speak>",
        intent="greet",
        cards=[],
        actions=[],
        turn_id=1,
    )
    conversation_id: str
    identity: str = Field(description="anonymous, claimed or verified (docs/security.md).")
    greeting: str = Field(
        description="What to say first (always says it's an automated assistant)."
    )
    ssml: str
    intent: str
    cards: list[CardOut] = []
    actions: list[dict[str, Any]] = []
    turn_id: int | None = None


class TurnRequest(BaseModel):
    model_config = ConfigDict(
        str_strip_whitespace=False,
        json_schema_extra={"examples": [{"text": "do you have wireless headphones"}]},
    )
    text: str = Field(..., max_length=4000, description="What the caller said (plain text).")


class TurnOut(BaseModel):
    model_config = _example(
        event="turn",
        conversation_id=_CID,
        user="do you have wireless headphones",
        reply="I'd recommend the Wireless Bluetooth Over-Ear Headphones, for 129 dollars and "
        "99 cents. Would you like me to add it to your cart?",
        ssml="<speak>I'd recommend the Wireless Bluetooth Over-Ear Headphones, ...</speak>",
        intent="product_search",
        sentiment=0.0,
        handoff=False,
        cards=[_CARD],
        actions=[],
        cart=None,
        end=False,
        turn_id=3,
    )
    event: str = "turn"
    conversation_id: str
    user: str = Field(description="The caller's text, redacted (as stored in the transcript).")
    reply: str
    ssml: str
    intent: str
    sentiment: float
    handoff: bool
    cards: list[CardOut] = []
    actions: list[dict[str, Any]] = []
    cart: CartOut | None = Field(None, description="The caller's open cart after this turn.")
    end: bool
    turn_id: int | None = None


class TranscriptTurn(BaseModel):
    seq: int
    role: str
    text: str
    intent: str | None = None
    sentiment: float | None = None
    interrupted: bool = False
    at: str | None = None


class Transcript(BaseModel):
    model_config = _example(
        conversation_id=_CID,
        channel="web",
        customer_id="C001",
        identity="verified",
        started_at="2026-11-24T14:03:11.402118",
        ended_at=None,
        resolved=False,
        summary="",
        sentiment_trend="steady",
        turns=[
            {"seq": 0, "role": "assistant", "text": "Hi Maria, ...", "intent": "greet",
             "sentiment": None, "interrupted": False, "at": "2026-11-24T14:03:11.402118"},
            {"seq": 1, "role": "user", "text": "my card is [CARD]", "intent": "out_of_scope",
             "sentiment": 0.0, "interrupted": False, "at": "2026-11-24T14:03:15.120007"},
        ],
    )  # fmt: skip
    conversation_id: str
    channel: str
    customer_id: str | None = None
    identity: str = Field(description="anonymous, claimed or verified (docs/security.md).")
    started_at: str | None = None
    ended_at: str | None = None
    resolved: bool
    summary: str = ""
    sentiment_trend: str = "steady"
    turns: list[TranscriptTurn]


def _dialogue(request: Request):
    return request.app.state.services.dialogue


_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or wrong API key"},
    403: {"description": "Origin not allowed, or not a loopback client in keyless mode"},
    429: {"description": "Rate limit reached; see Retry-After"},
}


@router.post(
    "",
    response_model=Started,
    status_code=201,
    summary="Start a conversation",
    responses={404: {"description": "Unknown customer"}, **_UNAUTHORIZED},
)
async def start_conversation(
    request: Request,
    principal: Client,
    body: StartRequest | None = None,
) -> Started:
    """Start a conversation; the greeting is already stored as its first turn."""
    body = body or StartRequest()
    try:
        customer_id, identity = starting_identity(
            body.customer_id,
            vouches=principal.vouches,
            bound_customer=principal.customer_id,
            bound=principal.bound,
        )
        conversation_id, reply = await run_in_threadpool(
            _dialogue(request).start_conversation,
            body.channel,
            customer_id,
            identity=identity,
            owner=principal.owner,
        )
    except (CustomerNotFound, CustomerNotAllowed):
        raise HTTPException(404, f"customer not found: {body.customer_id}") from None
    except InvalidUtterance as exc:
        raise HTTPException(422, str(exc)) from None
    return Started(
        conversation_id=conversation_id,
        identity=identity.value,
        greeting=reply.text,
        ssml=reply.ssml,
        intent=reply.intent,
        cards=[c.to_dict() for c in reply.cards],
        actions=[a.to_dict() for a in reply.actions],
        turn_id=reply.turn_id,
    )


@router.post(
    "/{conversation_id}/turns",
    response_model=TurnOut,
    summary="Send one caller turn and get Hark's reply",
    responses={404: {"description": "Unknown conversation"}, **_UNAUTHORIZED},
)
async def post_turn(
    conversation_id: str,
    body: TurnRequest,
    request: Request,
    principal: Client,
) -> TurnOut:
    """One caller turn; the reply is made for speech (text and SSML) with product cards."""
    started = time.perf_counter()
    try:
        reply = await run_in_threadpool(
            _dialogue(request).turn, conversation_id, body.text, owner=principal.owner
        )
    except ConversationNotFound:
        raise HTTPException(404, f"conversation not found: {conversation_id}") from None
    except InvalidUtterance as exc:
        raise HTTPException(422, str(exc)) from None
    dialogue_ms = (time.perf_counter() - started) * 1000
    record_turn("http", reply.intent, reply.handoff, {"dialogue_ms": dialogue_ms})
    event = reply.to_turn_event(reply.user_echo(body.text))  # never echo a card number back
    return TurnOut(conversation_id=conversation_id, turn_id=reply.turn_id, **event)


@router.get(
    "/{conversation_id}",
    response_model=Transcript,
    summary="Read a conversation's transcript (redacted)",
    responses={404: {"description": "Unknown conversation"}, **_UNAUTHORIZED},
)
def get_transcript(conversation_id: str, request: Request, principal: Client) -> Transcript:
    """The stored transcript: card numbers, emails and phone numbers already redacted."""
    try:
        return Transcript(**_dialogue(request).transcript(conversation_id, owner=principal.owner))
    except ConversationNotFound:
        raise HTTPException(404, f"conversation not found: {conversation_id}") from None


class CartResponse(BaseModel):
    """The conversation's open cart (what the shop's checkout takes over)."""

    model_config = _example(
        conversation_id=_CID,
        cart={
            "lines": [
                {**{k: _CARD[k] for k in ("sku", "name", "price", "image_url")}, "quantity": 1}
            ],
            "total": 129.99,
            "currency": "USD",
        },
    )
    conversation_id: str
    cart: CartOut | None = Field(description="The open cart; null when the caller has none.")


@router.get(
    "/{conversation_id}/cart",
    response_model=CartResponse,
    summary="Read a conversation's open cart (for the shop's checkout)",
    responses={404: {"description": "Unknown conversation"}, **_UNAUTHORIZED},
)
def get_cart(conversation_id: str, request: Request, principal: Client) -> CartResponse:
    """The conversation's open cart, for the shop's own checkout: a conversation this
    client started, or one a ticket it minted opened (a website widget's visitor)."""
    try:
        cart = _dialogue(request).cart(
            conversation_id, readable_by=lambda owner: may_read(principal, owner)
        )
    except ConversationNotFound:
        raise HTTPException(404, f"conversation not found: {conversation_id}") from None
    return CartResponse(
        conversation_id=conversation_id,
        cart=CartOut(**cart.to_dict()) if cart is not None else None,
    )
