"""``hark serve``: run the HTTP/WebSocket server."""

from __future__ import annotations

import argparse
import gc
import logging

from hark.cli.common import add_config_argument, fail, settings_from_args
from hark.runtime.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve", help="start the server", description="Start the Hark HTTP and WebSocket server."
    )
    add_config_argument(parser)
    parser.add_argument("--host", help="bind address (HARK_HOST, default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (HARK_PORT, default 8080)")
    parser.add_argument("--shop", metavar="DIR", help="import this CSV shop folder on start")
    parser.add_argument("--db", metavar="URL", help="database URL (HARK_DATABASE_URL)")
    parser.add_argument("--asr-model", metavar="NAME_OR_DIR", help="faster-whisper model")
    parser.add_argument("--tts-voice", metavar="FILE.onnx", help="piper voice")
    parser.set_defaults(func=run)


def open_api_refusal(settings: Settings) -> str | None:
    """Why not to start: bound beyond this machine with no API keys (and no explicit opt-in).

    Without keys the API trusts loopback clients only; on a public interface
    that would leave every remote caller refused (or, misconfigured behind a
    proxy, trusted), so the operator must choose: keys, loopback, or open.
    """
    if settings.api_key_list or settings.allow_open_api:
        return None
    from hark.server.auth import is_loopback_host

    if is_loopback_host(settings.host):
        return None
    return (
        f"refusing to serve on {settings.host} without API keys: set HARK_API_KEYS "
        "(see docs/security.md), bind 127.0.0.1, or set HARK_ALLOW_OPEN_API=true to serve "
        "anyone without a key"
    )


def run(args: argparse.Namespace) -> int:
    from hark.server.app import create_app
    from hark.server.logs import configure_logging
    from hark.store.shop_import import ShopImportError

    settings = settings_from_args(
        args,
        host=args.host,
        port=args.port,
        shop_dir=args.shop,
        database_url=args.db,
        asr_model=args.asr_model,
        tts_voice=args.tts_voice,
    )
    configure_logging(settings.log_level, settings.log_format)
    refusal = open_api_refusal(settings)
    if refusal:
        fail(refusal)
    from hark.server.serving import run_workers, serve_app, shared_state_warning

    warning = shared_state_warning(settings)
    if warning:
        logging.getLogger("hark").warning(warning)
    logging.getLogger("hark").info("listening on http://%s:%s", settings.host, settings.port)
    if settings.workers > 1:
        try:
            return run_workers(settings)
        except ShopImportError as exc:
            fail(f"shop import failed: {exc}")
    from hark.server.services import build_services

    try:
        services = build_services(settings)
    except ShopImportError as exc:
        fail(f"shop import failed: {exc}")
    from hark.server.model_autoload import start_model_downloads

    downloads = start_model_downloads(services)  # missing default models, in the background
    app = create_app(settings, services)
    # Everything loaded so far (models, NLU, indexes) lives for the whole process:
    # keep it out of the garbage collector's way so collections stay short mid-call.
    gc.collect()
    gc.freeze()
    try:
        serve_app(app, settings)
    finally:
        if downloads is not None:
            downloads.stop()
        services.close()
    return 0
