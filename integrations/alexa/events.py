"""Alexa Proactive Events for notices: ``AMAZON.OrderStatus.Updated``, unicast to the
Alexa user linked to the customer.

A Login with Amazon token is fetched with the skill's client credentials
(scope ``alexa::proactive_events``) and reused until shortly before it
expires. The event says only the order's state and the shop (Alexa shows a
notification and chimes); the details are heard when the customer opens the
skill, where the account link makes the conversation ``verified``. Events
that the schema has no state for (a cart reminder, a return) are not sent on
Alexa: the notice goes to the customer's next channel.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from typing import Any

import httpx

from hark.runtime.settings import Settings
from hark.skills.notices.channels import ALEXA_KINDS, Sent

TIMEOUT_S = 15.0
SCOPE = "alexa::proactive_events"
#: The schema's order states for the notice events it can carry.
STATES = {
    "order_shipped": "ORDER_SHIPPED",
    "order_delayed": "ORDER_SHIPPED",  # still on its way, with the new expected arrival
    "order_eta_moved": "ORDER_SHIPPED",
    "order_delivered": "ORDER_DELIVERED",
}


def alexa_configured(settings: Settings) -> bool:
    secret = settings.alexa_client_secret
    return bool(settings.alexa_client_id and secret is not None and secret.get_secret_value())


def event_body(
    settings: Settings, user_id: str, kind: str, facts: dict, now: dt.datetime
) -> dict[str, Any]:
    """The Proactive Events API request for one notice."""
    state: dict[str, Any] = {"status": STATES[kind]}
    if facts.get("eta") and kind != "order_delivered":
        arrival = dt.datetime.combine(dt.date.fromisoformat(facts["eta"]), dt.time(12, 0))
        state["deliveryDetails"] = {"expectedArrival": arrival.isoformat() + "Z"}
    expiry = now + dt.timedelta(minutes=settings.alexa_event_expiry_min)
    return {
        "timestamp": now.isoformat(timespec="seconds") + "Z",
        "referenceId": uuid.uuid4().hex,
        "expiryTime": expiry.isoformat(timespec="seconds") + "Z",
        "event": {
            "name": "AMAZON.OrderStatus.Updated",
            "payload": {
                "state": state,
                "order": {"seller": {"name": "localizedattribute:sellerName"}},
            },
        },
        "localizedAttributes": [{"locale": "en-US", "sellerName": settings.shop_name}],
        "relevantAudience": {"type": "Unicast", "payload": {"user": user_id}},
    }


class AlexaEvents:
    """Implements the notice channel ``AlexaAnnouncer``."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self._client = client or httpx.Client(timeout=TIMEOUT_S, follow_redirects=False)
        self._token: tuple[str, float] | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self._client.close()

    def announce(self, user_id: str, kind: str, facts: dict) -> Sent:
        if kind not in STATES or kind not in ALEXA_KINDS:
            return Sent(False, error=f"Alexa has no order state for {kind}")
        token, error = self._access_token()
        if token is None:
            return Sent(False, error=error)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
        body = event_body(self.settings, user_id, kind, facts, now)
        try:
            response = self._client.post(
                self.settings.alexa_events_url,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as exc:
            return Sent(False, error=f"{type(exc).__name__}: could not reach Alexa")
        if response.status_code == 202 or 200 <= response.status_code < 300:
            return Sent(True, provider_id=body["referenceId"])
        if response.status_code == 401:
            self._token = None  # fetched again next time
        return Sent(False, error=f"Alexa Proactive Events HTTP {response.status_code}")

    def _access_token(self) -> tuple[str | None, str]:
        with self._lock:
            if self._token is not None and self._token[1] > time.monotonic():
                return self._token[0], ""
            secret = self.settings.alexa_client_secret
            form = {
                "grant_type": "client_credentials",
                "client_id": self.settings.alexa_client_id or "",
                "client_secret": secret.get_secret_value() if secret else "",
                "scope": SCOPE,
            }
            try:
                response = self._client.post(self.settings.lwa_token_url, data=form)
                body = response.json() if response.status_code == 200 else {}
            except (httpx.HTTPError, ValueError):
                return None, "could not get a Login with Amazon token"
            token = body.get("access_token") if isinstance(body, dict) else None
            if not isinstance(token, str):
                return None, f"Login with Amazon refused the token (HTTP {response.status_code})"
            lifetime = float(body.get("expires_in") or 3600)
            self._token = (token, time.monotonic() + max(60.0, lifetime - 60.0))
            return token, ""
