"""The ``/v1/voice`` WebSocket endpoint: frames in, ``VoiceSession`` calls, close.

The receive loop does no slow work itself (the session hands inference to
worker threads), so a caller's audio is always read as it arrives. Two
things end a connection: the client (``stop``, a close, or simply vanishing)
or the session (a goodbye has been played, or the conversation is gone).
Either way ``VoiceSession.close`` runs, which cancels every task of the
session and waits for pending database writes.

The socket is authenticated before it is accepted (``hark.server.guards``):
an API key in ``Authorization``, or a single-use ``?ticket=`` that a
browser's page got from the shop's back end through ``POST /v1/voice/tickets``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from typing import Any

from fastapi import APIRouter, HTTPException, Request, WebSocket
from pydantic import BaseModel, ConfigDict, Field

from hark.runtime.metrics import ACTIVE_VOICE_SESSIONS
from hark.server.admission import BUSY, DRAINING, admission_for, load_of
from hark.server.auth import TICKET_TTL_S, Client, Denied, Principal, mint_ticket, security_for
from hark.server.node_registry import registry_for
from hark.store.models import Customer
from hark.voice.access import CallerAccess, Continuity, Resumable
from hark.voice.protocol import ErrorCode, ErrorEvent
from hark.voice.transport import SocketTransport
from hark.voice.turn.session import VoiceOptions, VoiceSession

log = logging.getLogger("hark.voice")

_REFUSALS = {
    BUSY: "too many conversations; try again soon",
    DRAINING: "this server is shutting down; reconnect to continue",
}

router = APIRouter()


class TicketRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"customer_id": "C001"}, {}]})
    customer_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        description="The customer the shop's own login identified; the socket may start only "
        "for them, verified. Omit for an anonymous caller.",
    )


class TicketOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"ticket": "eyJjIjoiQzAwMSIsImUiOjE3OTk5OX0.k2Vq0mB1xP4", "expires_in": 60}
            ]
        }
    )
    ticket: str = Field(description="Single-use: open WS /v1/voice?ticket=... with it.")
    expires_in: int = Field(TICKET_TTL_S, description="Seconds the ticket stays valid.")


@router.post(
    "/v1/voice/tickets",
    response_model=TicketOut,
    status_code=201,
    tags=["voice"],
    summary="Mint a single-use ticket for the voice socket",
    responses={
        401: {"description": "Missing or wrong API key"},
        403: {"description": "This client may not vouch for a customer"},
        404: {"description": "Unknown customer"},
    },
)
def create_ticket(
    request: Request,
    principal: Client,
    body: TicketRequest | None = None,
) -> TicketOut:
    """A ticket for a browser to open the voice socket (browsers can't send headers on it)."""
    customer_id = body.customer_id if body else None
    if customer_id is not None:
        if "\x00" in customer_id:
            raise HTTPException(404, "customer not found")
        with request.app.state.services.db.session() as session:
            row = session.get(Customer, customer_id)
            if row is None or row.erased_at is not None:  # erased: the same answer as unknown
                raise HTTPException(404, f"customer not found: {customer_id}")
    try:
        ticket = mint_ticket(request.app, principal, customer_id)
    except Denied as denied:
        raise denied.as_http() from None
    return TicketOut(ticket=ticket, expires_in=TICKET_TTL_S)


@router.websocket("/v1/voice")
async def voice_socket(websocket: WebSocket, principal: Client) -> None:
    """Protocol v1 (``docs/voice-protocol.md``)."""
    await websocket.accept()
    services = websocket.app.state.services
    load = load_of(websocket.app)
    refusal = admission_for(websocket.app).refusal(load)
    if refusal is not None:
        # Full or draining: say so in the protocol's words, then 1013 (try again later),
        # so the client opens its next socket through the balancer to another node.
        with contextlib.suppress(Exception):
            busy = ErrorEvent(code=ErrorCode.SERVER_BUSY, message=_REFUSALS[refusal])
            await websocket.send_text(busy.to_json())
            await websocket.close(code=1013)
        log.warning(
            "voice session refused: %s",
            refusal,
            extra={"limit": load.limit, "open": load.voice_sessions},
        )
        return
    options = getattr(websocket.app.state, "voice_options", None) or VoiceOptions()
    access = CallerAccess(
        owner=principal.owner,
        vouches=principal.vouches,
        customer_id=principal.customer_id,
        bound=principal.bound,
        continuity=_continuity(websocket.app, principal),
    )
    gate = security_for(websocket.app).turn_gate(websocket, principal)
    session = VoiceSession(services, SocketTransport(websocket), options, access, turn_gate=gate)
    active = active_sessions(websocket.app)
    active.add(session)
    ACTIVE_VOICE_SESSIONS.inc()
    registry, call_id = registry_for(websocket.app), uuid.uuid4().hex
    if registry is not None:  # the other nodes see which node holds this call
        await asyncio.to_thread(registry.hold, call_id, "voice")
    receiver = asyncio.create_task(_receive(websocket, session))
    finished = asyncio.create_task(session.finished.wait())
    close_code = 1000
    try:
        await asyncio.wait({receiver, finished}, return_when=asyncio.FIRST_COMPLETED)
        if receiver.done() and not receiver.cancelled() and receiver.exception() is not None:
            log.error("voice connection failed", exc_info=receiver.exception())
            close_code = 1011
    finally:
        for task in (receiver, finished):
            task.cancel()
        await asyncio.wait({receiver, finished})
        try:
            await session.close()
        finally:
            active.discard(session)
            ACTIVE_VOICE_SESSIONS.dec()
            if registry is not None:
                await asyncio.to_thread(registry.release, call_id)
        with contextlib.suppress(Exception):
            await websocket.close(code=session.close_code or close_code)


def _continuity(app: Any, principal: Principal) -> Continuity | None:
    """For ticket sockets (web pages): a token in ``ready`` that a later socket, opened
    with a fresh ticket from the same back end for the same customer, may bring back in
    ``start.resume`` to continue the conversation (``hark.server.resume``)."""
    if principal.kind != "ticket" or principal.issuer is None:
        return None
    tokens = security_for(app).resume
    issuer, customer_id, owner = principal.issuer, principal.customer_id, principal.owner

    def issue(conversation_id: str) -> str:
        return tokens.mint(
            conversation_id=conversation_id, owner=owner, issuer=issuer, customer_id=customer_id
        )

    def redeem(token: str) -> Resumable | None:
        grant = tokens.read(token)
        if grant is None or grant.issuer != issuer or grant.customer_id != customer_id:
            return None
        return Resumable(grant.conversation_id, grant.owner)

    return Continuity(issue=issue, redeem=redeem)


def active_sessions(app: Any) -> set[VoiceSession]:
    """The app's open voice sessions (for operators' gauges and for tests that check cleanup)."""
    sessions = getattr(app.state, "voice_sessions", None)
    if sessions is None:
        sessions = app.state.voice_sessions = set()
    return sessions


async def _receive(websocket: WebSocket, session: VoiceSession) -> None:
    """Feed frames to the session until the client leaves or says ``stop``."""
    while not session.finished.is_set():
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes")
        if data is not None:
            await session.on_bytes(data)
            continue
        text = message.get("text")
        if text is not None:
            await session.on_text(text)
