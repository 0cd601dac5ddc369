"""Product media references: what ``image_url``/``model_url`` may hold, and where a
browser finds a shop's own files.

A shop names a product's picture or 3D model either by an absolute http(s)
URL (its own CDN) or by a path relative to the shop folder
(``media/KIT-1001.png``), so a shop folder with its pictures is complete on
its own and works offline. Relative files are served by Hark under
``MEDIA_ROUTE``; the same check guards the import (a bad value is an import
error naming the row) and the route (nothing outside the shop folder, and
only picture and model files, is ever served).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import Final, Literal
from urllib.parse import quote, urlsplit

MediaKind = Literal["image", "model"]

MEDIA_ROUTE: Final = "/shop-media"
"""URL prefix under which the server serves files of the shop folder."""

EXTENSIONS: Final[dict[str, frozenset[str]]] = {
    # No SVG: served from Hark's own origin, an SVG could carry script.
    "image": frozenset({".png", ".jpg", ".jpeg", ".webp", ".gif"}),
    # A .gltf may name its buffers and textures beside it, so those are served too.
    "model": frozenset({".glb", ".gltf", ".bin", ".png", ".jpg", ".jpeg", ".webp"}),
}
MEDIA_TYPES: Final[dict[str, str]] = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".glb": "model/gltf-binary",
    ".gltf": "model/gltf+json",
    ".bin": "application/octet-stream",
}
MAX_LENGTH: Final = 500  # Product.image_url / model_url column length
_SAFE_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._\-/]*$")


class MediaError(ValueError):
    """A media reference Hark will not use; the message says why in one line."""


def is_absolute_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


def check_reference(value: str, kind: MediaKind, shop_dir: Path) -> str:
    """The reference as stored (``value`` itself) if it is acceptable, else ``MediaError``.

    Absolute: ``http``/``https`` with a host, no credentials, no spaces.
    Relative: a plain path (letters, digits, ``._-/``; no ``..``, no leading
    ``/``) to an existing file inside ``shop_dir`` with a picture or model
    extension; symlinks that lead outside the folder are refused.
    """
    if len(value) > MAX_LENGTH:
        raise MediaError(f"longer than {MAX_LENGTH} characters ({len(value)})")
    if is_absolute_url(value):
        parts = urlsplit(value)
        if not parts.hostname:
            raise MediaError(f"not a usable URL (no host): {value!r}")
        if parts.username or parts.password:
            raise MediaError("URLs with user names or passwords are not allowed")
        if any(c.isspace() or ord(c) < 32 for c in value):
            raise MediaError(f"URL contains spaces or control characters: {value!r}")
        return value
    if ":" in value or "\\" in value:
        raise MediaError(
            f"must be an http(s) URL or a path relative to the shop folder, got {value!r}"
        )
    resolve_file(value, kind, shop_dir)
    return value


def resolve_file(relative: str, kind: MediaKind | None, shop_dir: Path) -> Path:
    """The file a relative reference names inside ``shop_dir``, or ``MediaError``.

    ``kind`` None accepts any media extension (the route serves both kinds).
    """
    if any(part in (".", "..") for part in relative.split("/")):
        raise MediaError(f"'..' and '.' are not allowed in media paths: {relative!r}")
    if not _SAFE_PATH.match(relative) or "//" in relative:
        raise MediaError(f"relative paths may use letters, digits and ._-/ only, got {relative!r}")
    suffix = PurePosixPath(relative).suffix.lower()
    allowed = EXTENSIONS[kind] if kind else EXTENSIONS["image"] | EXTENSIONS["model"]
    if suffix not in allowed:
        raise MediaError(f"{relative!r}: expected one of {', '.join(sorted(allowed))}")
    root = Path(shop_dir).resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root):
        raise MediaError(f"{relative!r} leads outside the shop folder")
    if not path.is_file():
        raise MediaError(f"no file {relative!r} in the shop folder {root}")
    return path


def public_url(reference: str | None) -> str | None:
    """Where a browser loads a stored reference: absolute URLs as they are, shop files
    under ``MEDIA_ROUTE``."""
    if not reference:
        return None
    if is_absolute_url(reference):
        return reference
    return f"{MEDIA_ROUTE}/{quote(reference)}"
