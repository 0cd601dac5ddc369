"""The ASGI application: one FastAPI app, routers from each feature."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from hark import __version__
from hark.privacy.redact import set_region
from hark.runtime.settings import Settings
from hark.server.guards import install_guards
from hark.server.handoff_outbox import HandoffOutbox
from hark.server.node_registry import start_node_registry
from hark.server.notice_sender import NoticeSender
from hark.server.request_context import RequestContextMiddleware
from hark.server.retention import RetentionWorker
from hark.server.routes_health import router as health_router
from hark.server.routes_metrics import router as metrics_router
from hark.server.services import Services, build_services

log = logging.getLogger("hark.http")


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    """Build the app; with ``services`` given (tests), nothing is loaded at start."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = services or build_services(settings)
        log.info(
            "hark ready",
            extra={
                "version": __version__,
                "engines": {k: v.loaded for k, v in app.state.services.engines.items()},
            },
        )
        security = app.state.security
        (log.warning if security.mode == "open" else log.info)(security.describe())
        retention = RetentionWorker(app.state.services.db, settings.retention_days)
        app.state.retention = retention
        retention.start()
        outbox = HandoffOutbox(app.state.services.db, settings)
        app.state.handoff_outbox = outbox
        outbox.start()
        registry = start_node_registry(app, settings)
        notices = NoticeSender(app.state.services.db, settings, app.state.services.dialogue)
        app.state.notice_sender = notices
        notices.start()
        try:
            yield
        finally:
            await notices.stop()
            if registry is not None:
                await registry.stop()
            await outbox.stop()
            await retention.stop()
            if owned:
                app.state.services.close()

    set_region(settings.region)  # phone numbers in log lines are read as the shop's region
    app = FastAPI(
        title="Hark",
        version=__version__,
        description="Self-hosted voice assistant server for customer service and sales.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    # Added first, so they run inside the request logging below (refusals get a request id).
    install_guards(app, settings)

    # Added last, so it runs outermost: every response (refusals too) carries the request id.
    app.add_middleware(RequestContextMiddleware)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return JSONResponse({"error": "invalid request", "detail": errors}, status_code=422)

    app.include_router(health_router)
    app.include_router(metrics_router)
    # --- feature routers (each feature adds its line here) -------------------
    from hark.integrations.alexa.routes import router as alexa_router

    app.include_router(alexa_router)
    from hark.integrations.twilio.routes import router as twilio_router

    app.include_router(twilio_router)
    from hark.server.routes_voice import router as voice_router

    app.include_router(voice_router)
    from hark.server.routes_conversations import router as conversations_router

    app.include_router(conversations_router)
    from hark.server.routes_privacy import router as privacy_router

    app.include_router(privacy_router)
    from hark.server.routes_admin_handoffs import router as admin_handoffs_router

    app.include_router(admin_handoffs_router)
    from hark.server.routes_admin_lockouts import router as admin_lockouts_router

    app.include_router(admin_lockouts_router)
    from hark.server.routes_admin_insights import router as admin_insights_router

    app.include_router(admin_insights_router)
    from hark.server.routes_admin_notices import router as admin_notices_router

    app.include_router(admin_notices_router)
    from hark.server.routes_notice_calls import router as notice_calls_router

    app.include_router(notice_calls_router)
    from hark.server.admin.pages import install as install_admin_pages

    install_admin_pages(app)
    from hark.server.admin.notices_page import router as admin_notices_page

    app.include_router(admin_notices_page)
    from hark.server.routes_kiosk import router as kiosk_router

    app.include_router(kiosk_router)
    from hark.server.routes_kiosk_enrol import router as kiosk_enrol_router

    app.include_router(kiosk_enrol_router)
    from hark.server.routes_widget import router as widget_router

    app.include_router(widget_router)
    from hark.server.routes_nodes import router as nodes_router

    app.include_router(nodes_router)
    # --- end feature routers ---------------------------------------------------
    return app
