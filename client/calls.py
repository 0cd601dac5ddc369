"""Each API call once, as data: method, path, body and how its answer is read.

:class:`~hark.client.sync.HarkClient` and
:class:`~hark.client.aio.AsyncHarkClient` only differ in how they send a
:class:`Call` (blocking or awaited), so the paths, parameters and decoding
live here and can't drift apart between the two.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter

from hark.client import models as m
from hark.client import models_ops as ops
from hark.client.errors import HarkError, error_for

T = TypeVar("T")


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request and how to read its answer (``decode`` turns the body into ``T``)."""

    method: str
    path: str
    decode: Callable[[httpx.Response], T]
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    admin: bool = False

    def read(self, response: httpx.Response) -> T:
        """The decoded answer, or the :class:`~hark.client.errors.HarkError` for a refusal."""
        if response.status_code >= 400:
            raise error_for(response.status_code, _body(response), dict(response.headers))
        return _decoded(self.decode, response)


def _decoded(decode: Callable[[httpx.Response], T], response: httpx.Response) -> T:
    """A 2xx body that is not what the API promises (a proxy's page, an older server) is a
    :class:`HarkError` too, not a parsing exception from deep inside pydantic."""
    try:
        return decode(response)
    except (ValueError, KeyError) as exc:  # pydantic's ValidationError is a ValueError
        raise HarkError(
            response.status_code, "unexpected_response", f"not the expected answer: {exc}"
        ) from exc


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}


def _adapter(kind: Any) -> TypeAdapter[Any]:
    """One validator per type, built on first use (building one costs more than a call)."""
    found = _ADAPTERS.get(kind)
    if found is None:
        found = _ADAPTERS[kind] = TypeAdapter(kind)
    return found


def _json(kind: type[T]) -> Callable[[httpx.Response], T]:
    return lambda response: _adapter(kind).validate_python(response.json())


def _listed(key: str, item: type[T]) -> Callable[[httpx.Response], list[T]]:
    """A list the server wraps in one key (``{"handoffs": [...]}``), unwrapped."""
    return lambda response: _adapter(list[item]).validate_python(response.json()[key])  # type: ignore[valid-type]


def _text(response: httpx.Response) -> str:
    return response.text


def _seg(value: str | int) -> str:
    """One path segment, escaped, so an id can never reach another route."""
    return quote(str(value), safe="")


# --- health ----------------------------------------------------------------------------------
def health() -> Call[m.Health]:
    return Call("GET", "/healthz", _json(m.Health))


def readiness() -> Call[m.Readiness]:
    """``/readyz`` answers 503 with the same body when not ready: read it either way."""
    return _Readiness("GET", "/readyz", _json(m.Readiness))


@dataclass(frozen=True)
class _Readiness(Call[m.Readiness]):
    def read(self, response: httpx.Response) -> m.Readiness:
        if response.status_code == 503:
            return _decoded(self.decode, response)
        return super().read(response)


# --- conversations ---------------------------------------------------------------------------
def start_conversation(channel: str | None, customer_id: str | None) -> Call[m.Started]:
    body = {k: v for k, v in (("channel", channel), ("customer_id", customer_id)) if v}
    return Call("POST", "/v1/conversations", _json(m.Started), json=body)


def turn(conversation_id: str, text: str) -> Call[m.Turn]:
    path = f"/v1/conversations/{_seg(conversation_id)}/turns"
    return Call("POST", path, _json(m.Turn), json={"text": text})


def transcript(conversation_id: str) -> Call[m.Transcript]:
    return Call("GET", f"/v1/conversations/{_seg(conversation_id)}", _json(m.Transcript))


def cart(conversation_id: str) -> Call[ops.ConversationCart]:
    path = f"/v1/conversations/{_seg(conversation_id)}/cart"
    return Call("GET", path, _json(ops.ConversationCart))


def ticket(customer_id: str | None) -> Call[m.Ticket]:
    body = {"customer_id": customer_id} if customer_id else {}
    return Call("POST", "/v1/voice/tickets", _json(m.Ticket), json=body)


# --- admin: handoffs -------------------------------------------------------------------------
HandoffStatus = Literal["open", "claimed", "resolved"]


def handoffs(status: HandoffStatus | None, limit: int) -> Call[list[m.Handoff]]:
    params = {"limit": str(limit)} | ({"status": status} if status else {})
    return Call(
        "GET", "/v1/admin/handoffs", _listed("handoffs", m.Handoff), params=params, admin=True
    )


def handoff(handoff_id: str) -> Call[m.Handoff]:
    return Call("GET", f"/v1/admin/handoffs/{_seg(handoff_id)}", _json(m.Handoff), admin=True)


def claim_handoff(handoff_id: str) -> Call[m.Handoff]:
    path = f"/v1/admin/handoffs/{_seg(handoff_id)}/claim"
    return Call("POST", path, _json(m.Handoff), admin=True)


def resolve_handoff(handoff_id: str, note: str) -> Call[m.Handoff]:
    path = f"/v1/admin/handoffs/{_seg(handoff_id)}/resolve"
    return Call("POST", path, _json(m.Handoff), json={"note": note}, admin=True)


# --- admin: insights -------------------------------------------------------------------------
def search_filter(
    search: m.ConversationFilter | None, fields: dict[str, Any]
) -> m.ConversationFilter:
    """A filter given as a :class:`ConversationFilter` or as its fields (not both)."""
    if search is not None and fields:
        raise TypeError("pass a ConversationFilter or keyword fields, not both")
    return search or m.ConversationFilter(**fields)


def analytics(start: str | None, end: str | None, channel: str | None) -> Call[m.Analytics]:
    params = m.ConversationFilter(start=start, end=end, channel=channel).params()
    return Call("GET", "/v1/admin/analytics", _json(m.Analytics), params=params, admin=True)


def conversations(search: m.ConversationFilter, limit: int) -> Call[list[m.ConversationSummary]]:
    params = search.params() | {"limit": str(limit)}
    decode = _listed("conversations", m.ConversationSummary)
    return Call("GET", "/v1/admin/conversations", decode, params=params, admin=True)


def export_json(search: m.ConversationFilter) -> Call[list[m.ConversationSummary]]:
    params = search.params() | {"format": "json"}
    decode = _listed("conversations", m.ConversationSummary)
    return Call("GET", "/v1/admin/conversations/export", decode, params=params, admin=True)


def export_csv(search: m.ConversationFilter) -> Call[str]:
    params = search.params() | {"format": "csv"}
    return Call("GET", "/v1/admin/conversations/export", _text, params=params, admin=True)


def review_queue(reviewed: bool, limit: int) -> Call[m.ReviewQueue]:
    params = {"reviewed": str(reviewed).lower(), "limit": str(limit)}
    return Call("GET", "/v1/admin/review", _json(m.ReviewQueue), params=params, admin=True)


def label_turn(turn_id: int, intent: str, confirm: bool) -> Call[m.LabelledExample]:
    body = {"intent": intent, "confirm": confirm}
    path = f"/v1/admin/review/{_seg(turn_id)}"
    return Call("POST", path, _json(m.LabelledExample), json=body, admin=True)


def train() -> Call[m.TrainingReport]:
    return Call("POST", "/v1/admin/nlu/train", _json(m.TrainingReport), admin=True)


# --- admin: privacy --------------------------------------------------------------------------
def export_customer(customer_id: str) -> Call[m.CustomerExport]:
    path = f"/v1/admin/privacy/customers/{_seg(customer_id)}"
    return Call("GET", path, _json(m.CustomerExport), admin=True)


def erase_customer(customer_id: str) -> Call[m.Erased]:
    path = f"/v1/admin/privacy/customers/{_seg(customer_id)}/erase"
    return Call("POST", path, _json(m.Erased), admin=True)


def purge(older_than_days: int | None) -> Call[m.Purged]:
    body = {"older_than_days": older_than_days} if older_than_days else {}
    return Call("POST", "/v1/admin/privacy/purge", _json(m.Purged), json=body, admin=True)


# --- admin: lockouts, orders, notices, consent, nodes ------------------------------------------
LockoutSubject = Literal["customer", "order"]
ConsentChannel = Literal["sms", "whatsapp", "call", "alexa", "email", "all"]


def lockouts() -> Call[list[ops.Lockout]]:
    return Call("GET", "/v1/admin/lockouts", _listed("lockouts", ops.Lockout), admin=True)


def clear_lockout(subject: LockoutSubject, key: str) -> Call[ops.LockoutCleared]:
    body = {"subject": subject, "key": key}
    return Call(
        "POST", "/v1/admin/lockouts/clear", _json(ops.LockoutCleared), json=body, admin=True
    )


def put_order(
    order_id: str,
    customer_id: str,
    status: str,
    placed_at: dt.date | str,
    eta: dt.date | str | None,
    lines: Sequence[tuple[str, int]] | None,
) -> Call[ops.OrderUpserted]:
    body: dict[str, Any] = {
        "customer_id": customer_id,
        "status": status,
        "placed_at": str(placed_at),
        "eta": None if eta is None else str(eta),
    }
    if lines is not None:
        body["lines"] = [{"sku": sku, "quantity": quantity} for sku, quantity in lines]
    path = f"/v1/admin/orders/{_seg(order_id)}"
    return Call("PUT", path, _json(ops.OrderUpserted), json=body, admin=True)


def notices(
    customer_id: str | None, event: str | None, limit: int, days: int
) -> Call[ops.NoticeLedger]:
    params = {"limit": str(limit), "days": str(days)}
    params |= {k: v for k, v in (("customer_id", customer_id), ("event", event)) if v}
    return Call("GET", "/v1/admin/notices", _json(ops.NoticeLedger), params=params, admin=True)


def consent(customer_id: str) -> Call[ops.Consent]:
    path = f"/v1/admin/customers/{_seg(customer_id)}/consent"
    return Call("GET", path, _json(ops.Consent), admin=True)


def record_consent(
    customer_id: str, channel: ConsentChannel, granted: bool, how: str, at: dt.datetime | None
) -> Call[ops.Consent]:
    body: dict[str, Any] = {"channel": channel, "granted": granted, "how": how}
    if at is not None:
        body["at"] = at.isoformat()
    path = f"/v1/admin/customers/{_seg(customer_id)}/consent"
    return Call("POST", path, _json(ops.Consent), json=body, admin=True)


def nodes() -> Call[ops.Nodes]:
    return Call("GET", "/v1/admin/nodes", _json(ops.Nodes), admin=True)
