"""Where the kiosk page's files are, and the one piece of it filled in per request.

The page is plain ES modules served as they are (no build step); the only
third-party file, ``<model-viewer>``, is installed from npm by ``make
kiosk-assets`` into ``static/vendor/``. The HTML carries a small JSON
configuration block (shop name, currency, idle timeout) so the page needs no
extra request before it can draw its first screen.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
VENDOR_DIR: Final = STATIC_DIR / "vendor"
MODEL_VIEWER: Final = VENDOR_DIR / "model-viewer.min.js"
CONFIG_MARKER: Final = "{}<!--kiosk-config-->"

# Only these kinds of file are served from STATIC_DIR, with these types
# (JavaScript modules must be served as JavaScript or the browser refuses them).
MEDIA_TYPES: Final[dict[str, str]] = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


def static_file(relative: str) -> Path | None:
    """The file under ``STATIC_DIR`` that ``relative`` names, or None (also for
    anything outside the folder or of a type the page does not use)."""
    if "\x00" in relative or "\\" in relative or relative.startswith("/"):
        return None  # a NUL can't name a file (and would make the path check raise)
    if ".." in relative.split("/"):
        return None
    root = STATIC_DIR.resolve()
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    if path.suffix.lower() not in MEDIA_TYPES:
        return None
    return path


@lru_cache(maxsize=4)
def _template(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def render_page(name: str, config: dict[str, Any]) -> str:
    """An HTML page of the kiosk with its configuration block filled in.

    ``<`` is escaped inside the JSON so no value can close the script element.
    """
    payload = json.dumps(config, separators=(",", ":")).replace("<", "\\u003c")
    return _template(name).replace(CONFIG_MARKER, payload, 1)


def model_viewer_installed() -> bool:
    return MODEL_VIEWER.is_file()
