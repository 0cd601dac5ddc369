"""Running the server: one process, or ``HARK_WORKERS`` processes sharing one socket, and
the drain on SIGTERM.

A restart must not drop live calls. On SIGTERM a process stops taking new voice
sessions (``/readyz`` 503 ``draining``, new sockets closed 1013), keeps serving
what it has, and exits once its live calls have ended or ``HARK_DRAIN_S`` has
passed, whichever is first. A second SIGTERM, or SIGINT (Ctrl+C), stops at once
as uvicorn always did. With several workers the parent migrates the database and
imports the shop once, then passes SIGTERM on to every worker and waits for them.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import socket
import threading
import time
from types import FrameType
from typing import Any, TypedDict

import uvicorn
from pydantic import SecretStr

from hark.runtime.settings import Settings
from hark.server.admission import admission_for, load_of

log = logging.getLogger("hark")

SHUTDOWN_GRACE_S = 5  # after the drain: for HTTP requests still being answered
RESTART_PAUSE_S = 1.0  # a worker that keeps dying is not restarted in a tight loop


class DrainingServer(uvicorn.Server):
    """uvicorn's server, whose first SIGTERM drains live calls before it stops."""

    def __init__(self, config: uvicorn.Config, app: Any, drain_s: int) -> None:
        super().__init__(config)
        self.app = app
        self.drain_s = drain_s
        self._drain: threading.Thread | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if sig == signal.SIGTERM and self._drain is None and not self.should_exit:
            admission_for(self.app).start_draining()
            self._drain = threading.Thread(target=self._wait_for_calls, daemon=True)
            self._drain.start()
            return
        super().handle_exit(sig, frame)

    def _wait_for_calls(self) -> None:
        started = time.monotonic()
        load = load_of(self.app)
        log.info(
            "draining: no new voice sessions; waiting for live calls",
            extra={"live_calls": load.live_calls, "drain_s": self.drain_s},
        )
        while load.live_calls and time.monotonic() - started < self.drain_s:
            time.sleep(0.1)
            load = load_of(self.app)
        log.info(
            "drained" if not load.live_calls else "drain time over; ending the calls left",
            extra={"live_calls": load.live_calls, "s": round(time.monotonic() - started, 1)},
        )
        self.should_exit = True


class ProxyOptions(TypedDict, total=False):
    proxy_headers: bool
    forwarded_allow_ips: list[str]


def proxy_options(settings: Settings) -> ProxyOptions:
    """uvicorn's own proxy-header trust, from ``HARK_TRUSTED_PROXIES``: with none, uvicorn
    believes no ``X-Forwarded-For`` (its default believes any from 127.0.0.1, so a local
    client could name any address and escape per-address limits)."""
    trusted = list(settings.trusted_proxy_list)
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The server options ``hark serve`` always uses (tests start nodes the same way)."""
    return {
        "log_config": None,
        "ws": "websockets-sansio",
        "access_log": False,  # hark.http logs each request with its id and timing
        "ws_max_size": max(settings.max_frame_bytes * 16, 1 << 20),
        "ws_per_message_deflate": False,  # PCM audio does not compress; save the CPU
        "timeout_graceful_shutdown": SHUTDOWN_GRACE_S,
        "timeout_keep_alive": settings.keep_alive_s,
        **proxy_options(settings),
    }


def serve_app(app: Any, settings: Settings, sockets: list[socket.socket] | None = None) -> None:
    """Run ``app`` until a signal stops it (SIGTERM: after the drain)."""
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, **uvicorn_options(settings)
    )
    DrainingServer(config, app, settings.drain_s).run(sockets=sockets)


def shared_state_warning(settings: Settings) -> str | None:
    """The one line said at start when several processes keep their own tickets and limits."""
    if settings.workers > 1 and settings.redis_url is None:
        return (
            f"HARK_WORKERS={settings.workers} without HARK_REDIS_URL: used tickets and rate "
            "limits are kept per process (a limit allows up to that many times the rate; "
            "set HARK_REDIS_URL to share them)"
        )
    return None


def run_workers(settings: Settings) -> int:
    """The parent of ``HARK_WORKERS`` processes: prepare once, start them, pass signals on."""
    from hark.server.services import prepare_database

    prepare_database(settings).dispose()  # migrations and the shop import run once, here
    if settings.secret_key is None:  # one key for this node's workers, born here
        import secrets

        settings = settings.model_copy(update={"secret_key": SecretStr(secrets.token_urlsafe(48))})
    listener = socket.create_server((settings.host, settings.port), reuse_port=False)
    listener.set_inheritable(True)
    context = multiprocessing.get_context("spawn")
    stopping = threading.Event()

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(target=_worker, args=(settings, listener), daemon=False)
        process.start()
        return process

    def pass_on(sig: int, _frame: FrameType | None) -> None:
        stopping.set()
        for process in workers:
            if process.pid is not None and process.exitcode is None:
                os.kill(process.pid, sig)

    workers = [start() for _ in range(settings.workers)]
    previous = {sig: signal.signal(sig, pass_on) for sig in (signal.SIGTERM, signal.SIGINT)}
    log.info("started %d workers", settings.workers, extra={"pids": [p.pid for p in workers]})
    try:
        while not stopping.is_set():
            for index, process in enumerate(workers):
                if process.exitcode is not None and not stopping.is_set():
                    log.error(
                        "worker %s exited (%s); starting another", process.pid, process.exitcode
                    )
                    time.sleep(RESTART_PAUSE_S)
                    workers[index] = start()
            stopping.wait(0.5)
        deadline = time.monotonic() + settings.drain_s + SHUTDOWN_GRACE_S + 10
        for process in workers:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                process.kill()
                process.join()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        listener.close()
    return 0


def _worker(settings: Settings, listener: socket.socket) -> None:
    """One worker process: its own services (and models), the shared listening socket."""
    from hark.server.app import create_app
    from hark.server.logs import configure_logging
    from hark.server.services import build_services
    from hark.store.db import open_database

    configure_logging(settings.log_level, settings.log_format)
    db = open_database(settings.effective_database_url, migrate=False, shared_file=True)
    services = build_services(settings, db=db)
    app = create_app(settings, services)
    gc.collect()  # as `hark serve` does: what is loaded now lives as long as the process
    gc.freeze()
    try:
        serve_app(app, settings, sockets=[listener])
    finally:
        services.close()
