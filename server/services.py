"""Everything a request handler needs, built once per process.

Tests build their own ``Services`` (a scripted transcriber, say) and hand it
to ``create_app``; production builds it from settings at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from hark.dialogue.manager import DialogueManager
from hark.runtime.settings import SAMPLE_SHOP_DIR, Settings
from hark.store.db import Database, open_database
from hark.store.shop_import import import_shop, shop_is_empty
from hark.voice.asr.base import Transcriber
from hark.voice.services import EngineStatus
from hark.voice.tts.base import Synthesizer

log = logging.getLogger("hark.services")


class _Engine(Protocol):
    def describe(self) -> str: ...


EngineT = TypeVar("EngineT", bound=_Engine)


@dataclass
class Services:
    """The process's parts; channels get the slice they need (``VoiceServices``, the brain)."""

    settings: Settings
    db: Database
    dialogue: DialogueManager
    transcriber: Transcriber | None = None
    synthesizer: Synthesizer | None = None
    engines: dict[str, EngineStatus] = field(default_factory=dict)

    def close(self) -> None:
        self.db.dispose()


def prepare_database(settings: Settings) -> Database:
    """Migrate, then import the configured shop (or the sample shop into an empty DB)."""
    db = open_database(settings.effective_database_url)
    if settings.shop_dir is not None:
        report = import_shop(db, settings.shop_dir)
        log.info(
            "imported shop", extra={"shop_dir": str(settings.shop_dir), "counts": report.counts}
        )
    elif settings.load_sample_shop and shop_is_empty(db):
        report = import_shop(db, SAMPLE_SHOP_DIR)
        log.info("loaded the sample shop", extra={"counts": report.counts})
    return db


def build_services(settings: Settings, *, load_engines: bool = True, **overrides: Any) -> Services:
    """Build the process's services; keyword overrides replace any part (tests)."""
    db = overrides.pop("db", None) or prepare_database(settings)
    dialogue = overrides.pop("dialogue", None)
    if dialogue is None:
        dialogue = DialogueManager(db, settings)
        # Train the NLU and build the indexes now, not on the first caller's turn.
        dialogue.knowledge()
    services = Services(settings=settings, db=db, dialogue=dialogue)
    services.engines["llm"] = _llm_status(settings)
    for kind, attribute, loader in (
        ("asr", "transcriber", lambda: _load_asr(settings, db)),
        ("tts", "synthesizer", lambda: _load_tts(settings)),
    ):
        if attribute in overrides:
            engine = overrides.pop(attribute)
            status = EngineStatus(engine is not None, "provided")
        elif load_engines:
            engine, status = loader()
        else:
            engine, status = None, EngineStatus(False, "not loaded (engines disabled)")
        setattr(services, attribute, engine)
        services.engines[kind] = status
    if overrides:
        raise TypeError(f"unknown service overrides: {', '.join(overrides)}")
    return services


def _llm_status(settings: Settings) -> EngineStatus:
    if not settings.llm_base_url:
        return EngineStatus(False, "not configured (HARK_LLM_BASE_URL unset); built-in NLU answers")
    return EngineStatus(True, f"{settings.llm_model} at {settings.llm_base_url}")


def _product_names(db: Database) -> list[str]:
    from sqlalchemy import select

    from hark.store.models import Product

    with db.session() as session:
        return list(session.scalars(select(Product.name)))


def _load_asr(settings: Settings, db: Database) -> tuple[Transcriber | None, EngineStatus]:
    from hark.voice.asr.whisper import WhisperTranscriber

    def build() -> WhisperTranscriber:
        engine = WhisperTranscriber.from_settings(settings, vocabulary=_product_names(db))
        engine.background()  # start loading the low-priority twin (partials, young pauses)
        return engine

    return _load_engine("speech recognition", build)


def _load_tts(settings: Settings) -> tuple[Synthesizer | None, EngineStatus]:
    from hark.voice.tts.piper import PiperSynthesizer

    return _load_engine("speech synthesis", lambda: PiperSynthesizer.from_settings(settings))


def _load_engine(what: str, build: Callable[[], EngineT]) -> tuple[EngineT | None, EngineStatus]:
    """A missing or broken model turns its engine off, never the text channels."""
    from hark.voice.errors import ModelNotFound

    try:
        engine = build()
    except ModelNotFound as exc:
        log.warning("%s off: %s", what, exc)
        return None, EngineStatus(False, str(exc))
    except Exception as exc:
        log.exception("%s failed to load", what)
        return None, EngineStatus(False, f"failed to load: {exc}")
    return engine, EngineStatus(True, engine.describe())
