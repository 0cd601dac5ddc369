"""Where the widget's one file is, and what it weighs on the wire.

The widget is a single self-contained script (no build step, no imports), so a
shop's page loads exactly one file from Hark; the 3D viewer (``<model-viewer>``,
installed for the kiosk by ``make kiosk-assets``) is fetched only when a visitor
opens a 3D view.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from pathlib import Path
from typing import Final

from hark.integrations.kiosk.assets import MODEL_VIEWER

WIDGET_JS: Final = Path(__file__).resolve().parent / "static" / "widget.js"
SIZE_BUDGET_GZIP: Final = 60 * 1024
"""The widget without the 3D viewer must stay under this many bytes gzipped."""

__all__ = ["MODEL_VIEWER", "SIZE_BUDGET_GZIP", "WIDGET_JS", "gzipped_size", "widget_source"]


@lru_cache(maxsize=1)
def widget_source() -> bytes:
    return WIDGET_JS.read_bytes()


def gzipped_size() -> int:
    """Bytes of ``widget.js`` as a server compressing at level 9 sends it."""
    return len(gzip.compress(widget_source(), compresslevel=9))
