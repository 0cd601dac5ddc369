"""QR codes that open a product's 3D view on the customer's phone (server-side SVG).

Drawn on the server with ``segno`` so the kiosk page needs no QR library and
the code is exactly the URL the server vouches for.
"""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, *, title: str = "") -> bytes:
    """A scalable black-on-white SVG QR code for ``url`` (error correction M, quiet zone 4)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=6,
        border=4,
        xmldecl=False,
        svgns=True,
        title=title or None,
        dark="#000000",
        light="#ffffff",
        svgclass="qr",
        lineclass=None,
    )
    return out.getvalue()
