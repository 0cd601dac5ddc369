"""Who is talking: Alexa users and account-linking tokens mapped to shop customers.

Two kinds of channel links identify an Alexa caller:

* ``channel="alexa-token"``, ``external_id="sha256:<hex digest of the access token>"``:
  written by the shop's account-linking (OAuth) server when it issues a token
  (or by ``hark alexa link --token``), so the token Alexa forwards in
  ``context.System.user.accessToken`` names the customer. Only the digest is
  stored: a bearer token at rest is a credential, and JWTs outgrow the column.
* ``channel="alexa"``, ``external_id=<userId>``: a stored link of the Alexa
  account itself, made with ``hark alexa link USER_ID CUSTOMER_ID``.

The token wins when both exist: it is the customer's own, explicit consent.
The links are stored and read by the brain; this module only names them.
"""

from __future__ import annotations

import hashlib

USER_CHANNEL = "alexa"
TOKEN_CHANNEL = "alexa-token"


def token_key(access_token: str) -> str:
    """The stored form of an account-linking token."""
    return "sha256:" + hashlib.sha256(access_token.encode()).hexdigest()


def link_lookups(*, access_token: str | None, user_id: str | None) -> list[tuple[str, str | None]]:
    """The ``(channel, external_id)`` links that may name this caller, strongest first."""
    return [
        (TOKEN_CHANNEL, token_key(access_token) if access_token else None),
        (USER_CHANNEL, user_id),
    ]


def link_key(external_id: str, *, token: bool) -> tuple[str, str]:
    """The ``(channel, external_id)`` stored for an Alexa user id or an access token."""
    if not external_id.strip():
        raise ValueError("the Alexa id must not be empty")
    return (TOKEN_CHANNEL, token_key(external_id)) if token else (USER_CHANNEL, external_id)
