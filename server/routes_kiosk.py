"""The kiosk page and what it shows: ``/kiosk``, its static files, product views,
QR codes, and the shop's own product pictures and 3D models.

Everything here is public on purpose and read-only: the page itself, and the
shop's catalogue (names, prices, stock, pictures, models) that any shop
window shows. Nothing about a customer or a conversation is served here; the
conversation runs over ``/v1/voice`` with its own rules. The phone view
behind a QR code must open on a customer's own phone, which is not enrolled.

Kiosk enrolment and the page's voice tickets (``POST /kiosk/enrol``,
``/kiosk/ticket``, ``/kiosk/leave``) live in ``hark.server.routes_kiosk_enrol``.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from hark.integrations.kiosk.assets import (
    MEDIA_TYPES,
    model_viewer_installed,
    render_page,
    static_file,
)
from hark.integrations.kiosk.qr import qr_svg
from hark.runtime.settings import SAMPLE_SHOP_DIR, Settings
from hark.server.openapi_docs import file_response, text_response
from hark.store.media import MEDIA_ROUTE, MediaError, public_url, resolve_file
from hark.store.media import MEDIA_TYPES as SHOP_MEDIA_TYPES
from hark.store.models import Product

router = APIRouter(tags=["kiosk"])

MAX_SKU = 64
# The page loads only its own scripts (model-viewer compiles WebAssembly: wasm-unsafe-eval, not eval); pictures may come from a shop's CDN;
# the WebSocket goes back to this server; model-viewer decodes in blob workers.
PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; media-src 'self' blob:; "
    "connect-src 'self' ws: wss: blob: data: https:; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PAGE_HEADERS = {
    "content-security-policy": PAGE_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "cache-control": "no-cache",
}


_PAGE = "<!doctype html><html lang=en><head><title>Hark</title>...</head><body>...</body></html>"


class KioskProduct(BaseModel):
    """A product's public catalogue facts, as the kiosk and the phone view show them."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "sku": "KIT-1003",
                    "name": "Chef's Knife 8 Inch",
                    "category": "kitchen",
                    "price": 49.99,
                    "stock": 8,
                    "description": "High-carbon stainless steel chef's knife.",
                    "image_url": "/shop-media/media/KIT-1003.png",
                    "model_url": "/shop-media/media/KIT-1003.glb",
                    "currency": "USD",
                }
            ]
        }
    )
    sku: str
    name: str
    category: str | None
    price: float
    stock: int
    description: str
    image_url: str | None = Field(description="An absolute URL or a path on this server.")
    model_url: str | None = Field(description="A glTF/GLB 3D model, where there is one.")
    currency: str


def _settings(request: Request) -> Settings:
    return request.app.state.services.settings


def _page_config(request: Request) -> dict[str, Any]:
    settings = _settings(request)
    return {
        "shop_name": settings.shop_name,
        "assistant_name": settings.assistant_name,
        "currency": settings.currency,
        "idle_seconds": settings.kiosk_idle_s,
        "model_viewer": model_viewer_installed(),
    }


@router.get(
    "/kiosk",
    response_class=HTMLResponse,
    summary="The hands-free kiosk page",
    responses=text_response("The page", "text/html", _PAGE),
)
async def kiosk_page(request: Request) -> HTMLResponse:
    return HTMLResponse(render_page("index.html", _page_config(request)), headers=PAGE_HEADERS)


@router.get(
    "/kiosk/p/{sku}",
    response_class=HTMLResponse,
    summary="A product's view for a phone (3D, AR)",
    responses={
        **text_response("The page", "text/html", _PAGE),
        404: {"description": "No such product"},
    },
)
async def phone_view(request: Request, sku: str) -> HTMLResponse:
    product = await _product(request, sku)
    config = {**_page_config(request), "sku": product["sku"]}
    return HTMLResponse(render_page("product.html", config), headers=PAGE_HEADERS)


@router.get(
    "/kiosk/static/{path:path}",
    summary="The kiosk page's scripts and styles",
    response_class=Response,
    responses={
        **file_response(
            "The file", list(MEDIA_TYPES.values()), "export function start() { /* ... */ }"
        ),
        404: {"description": "No such file"},
    },
)
async def kiosk_static(path: str) -> FileResponse:
    file = static_file(path)
    if file is None:
        if path.startswith("vendor/"):
            raise HTTPException(404, "kiosk libraries are not installed: run `make kiosk-assets`")
        raise HTTPException(404, "no such file")
    return FileResponse(
        file,
        media_type=MEDIA_TYPES[file.suffix.lower()],
        headers={"x-content-type-options": "nosniff", "cache-control": "no-cache"},
    )


@router.get(
    "/kiosk/products/{sku}",
    summary="One product as the kiosk shows it (public data)",
    response_model=None,
    responses={200: {"model": KioskProduct}, 404: {"description": "No such product"}},
)
async def product_json(request: Request, sku: str) -> JSONResponse:
    return JSONResponse(await _product(request, sku))


@router.get(
    "/kiosk/qr/{sku}.svg",
    summary="QR code opening the product's phone view",
    response_class=Response,
    responses={
        **text_response(
            "An SVG picture; the x-qr-url header says what it opens",
            "image/svg+xml",
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 29 29">...</svg>',
        ),
        404: {"description": "No such product"},
    },
)
async def product_qr(request: Request, sku: str) -> Response:
    product = await _product(request, sku)
    settings = _settings(request)
    base = settings.public_url or str(request.base_url).rstrip("/")
    url = f"{base}/kiosk/p/{quote(product['sku'], safe='')}"
    return Response(
        qr_svg(url, title=f"Open {product['name']} on your phone"),
        media_type="image/svg+xml",
        headers={"x-content-type-options": "nosniff", "x-qr-url": url},
    )


@router.get(
    MEDIA_ROUTE + "/{path:path}",
    summary="The shop's product pictures and 3D models",
    response_class=Response,
    responses={
        **file_response("The picture or model", list(SHOP_MEDIA_TYPES.values()), "(binary)"),
        404: {"description": "No such media file"},
    },
)
async def shop_media(request: Request, path: str) -> FileResponse:
    settings = _settings(request)
    folder = settings.shop_dir or (SAMPLE_SHOP_DIR if settings.load_sample_shop else None)
    if folder is None:
        raise HTTPException(404, "no shop folder is configured (HARK_SHOP_DIR)")
    try:
        file = resolve_file(path, None, folder)
    except MediaError:
        raise HTTPException(404, "no such media file") from None
    return FileResponse(
        file,
        media_type=SHOP_MEDIA_TYPES[file.suffix.lower()],
        # Public catalogue media: a shop's own pages on another origin (the website
        # widget's 3D view fetches models) may read them.
        headers={
            "x-content-type-options": "nosniff",
            "cache-control": "public, max-age=300",
            "access-control-allow-origin": "*",
            "cross-origin-resource-policy": "cross-origin",
        },
    )


async def _product(request: Request, sku: str) -> dict[str, Any]:
    """Public catalogue facts for one SKU, or 404 (also for values no SKU can have)."""
    if not sku or len(sku) > MAX_SKU or "\x00" in sku:
        raise HTTPException(404, "no such product")
    services = request.app.state.services

    def load() -> dict[str, Any] | None:
        with services.db.session() as session:
            row = session.get(Product, sku)
            if row is None:
                return None
            return {
                "sku": row.sku,
                "name": row.name,
                "category": row.category,
                "price": float(row.price),
                "stock": int(row.stock or 0),
                "description": row.description or "",
                "image_url": public_url(row.image_url),
                "model_url": public_url(row.model_url),
                "currency": services.settings.currency,
            }

    product = await asyncio.to_thread(load)
    if product is None:
        raise HTTPException(404, "no such product")
    return product
