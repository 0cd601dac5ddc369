"""``GET /widget.js``: the website widget, loaded by the shop's own pages on any origin.

The script and the 3D viewer it loads on demand are public code (no shop or
customer data), so they carry ``Access-Control-Allow-Origin: *`` and
``Cross-Origin-Resource-Policy: cross-origin``: a shop page on another origin,
even one that isolates itself (COEP), may load them. The conversation itself
runs over ``/v1/voice`` with a ticket the shop's back end mints, and that socket
checks the page's origin against ``HARK_ALLOWED_ORIGINS``.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, Response

from hark.integrations.widget.assets import MODEL_VIEWER, widget_source
from hark.server.openapi_docs import text_response

router = APIRouter(tags=["widget"])

PUBLIC_SCRIPT_HEADERS = {
    "access-control-allow-origin": "*",
    "cross-origin-resource-policy": "cross-origin",
    "x-content-type-options": "nosniff",
    "cache-control": "public, max-age=300",
}
JS = "text/javascript; charset=utf-8"
WIDGET_DOC = text_response(
    "The widget's script (JavaScript)",
    "text/javascript",
    "/*\n * Hark's website widget: one line of HTML puts the shop's assistant on any page.\n"
    ' *   <script src="https://hark.example.com/widget.js"\n'
    ' *           data-hark-ticket-url="/my-backend/hark-ticket" async></script>\n */ ...',
)
VIEWER_DOC = text_response(
    "The 3D viewer's script (JavaScript, an ES module)",
    "text/javascript",
    "/* <model-viewer> (Google, Apache-2.0): the web component that shows a glTF model */ ...",
)


@router.get(
    "/widget.js",
    summary="The website widget (one script tag; docs/widget.md)",
    response_class=Response,
    responses=WIDGET_DOC,
)
async def widget_js() -> Response:
    return Response(widget_source(), media_type=JS, headers=PUBLIC_SCRIPT_HEADERS)


@router.get(
    "/widget/model-viewer.js",
    summary="The widget's 3D viewer, loaded when opened",
    response_class=Response,
    responses={**VIEWER_DOC, 404: {"description": "Not installed (`make kiosk-assets`)"}},
)
async def widget_model_viewer() -> FileResponse:
    if not MODEL_VIEWER.is_file():
        raise HTTPException(404, "the 3D viewer is not installed: run `make kiosk-assets`")
    return FileResponse(MODEL_VIEWER, media_type=JS, headers=PUBLIC_SCRIPT_HEADERS)
