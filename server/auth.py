"""Admin authentication for the ``/v1/admin/...`` endpoints.

PLACEHOLDER: this minimal ``require_admin`` stands in until the API-key work
(``hark.server.auth`` with ``HARK_ADMIN_KEYS``) is merged, which replaces this
file; routes depend only on ``Depends(require_admin)``.

A request is an admin's when it carries ``Authorization: Bearer KEY`` with a
key from ``HARK_ADMIN_KEYS`` (comma-separated). Keys are compared in constant
time, and every configured key is compared, so timing tells nothing about
which key or how much of it matched. No keys configured: every request is
refused (secure by default).
"""

from __future__ import annotations

import hmac

from fastapi import HTTPException, Request

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="hark-admin"'}


def require_admin(request: Request) -> None:
    """FastAPI dependency: 401 unless the request carries a valid admin key."""
    header = request.headers.get("authorization", "")
    scheme, _, offered = header.partition(" ")
    offered = offered.strip()
    keys = request.app.state.settings.admin_key_list()
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(offered.encode(), key.encode())
    if scheme.lower() != "bearer" or not offered or not matched:
        raise HTTPException(401, "admin key required", headers=_CHALLENGE)
