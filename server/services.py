"""Everything a request handler needs, built once per process.

Tests build their own ``Services`` (a scripted transcriber, say) and hand it
to ``create_app``; production builds it from settings at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from hark.dialogue.channel_books import HandoffOutcomes, PhoneCallBook, TextThreadBook
from hark.dialogue.handoffs import HandoffDesk
from hark.dialogue.manager import DialogueManager
from hark.dialogue.phone_calls import PhoneCallLog
from hark.dialogue.text_threads import TextThreads
from hark.runtime.notice_rules import parse_rules
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
    """The process's parts; channels get the slice they need (``VoiceServices``, the brain,
    and the bookkeeping of ``dialogue/channel_books.py``: ``calls``, ``texts``, ``handoffs``)."""

    settings: Settings
    db: Database
    dialogue: DialogueManager
    transcriber: Transcriber | None = None
    synthesizer: Synthesizer | None = None
    engines: dict[str, EngineStatus] = field(default_factory=dict)
    calls: PhoneCallBook = field(init=False)
    texts: TextThreadBook = field(init=False)
    handoffs: HandoffOutcomes = field(init=False)

    def __post_init__(self) -> None:
        # Channel bookkeeping for webhooks that retry (calls, text threads) and handoffs'
        # outcomes, on the same database as the brain.
        self.calls = PhoneCallLog(self.db)
        self.texts = TextThreads(self.db)
        self.handoffs = HandoffDesk(self.db)

    def close(self) -> None:
        self.db.dispose()


def prepare_database(settings: Settings) -> Database:
    """Migrate, then import the configured shop (or the sample shop into an empty DB)."""
    db = open_database(
        settings.effective_database_url, migrate=False, shared_file=settings.workers > 1
    )
    try:
        with db.one_starter():
            db.migrate()
            if settings.shop_dir is not None:
                report = import_shop(
                    db, settings.shop_dir, notice_rules=parse_rules(settings.notices)
                )
                log.info(
                    "imported shop",
                    extra={"shop_dir": str(settings.shop_dir), "counts": report.counts},
                )
            elif settings.load_sample_shop and shop_is_empty(db):
                report = import_shop(db, SAMPLE_SHOP_DIR)
                log.info("loaded the sample shop", extra={"counts": report.counts})
    except BaseException:
        db.dispose()
        raise
    return db


def build_services(settings: Settings, *, load_engines: bool = True, **overrides: Any) -> Services:
    """Build the process's services; keyword overrides replace any part (tests)."""
    db = overrides.pop("db", None) or prepare_database(settings)
    dialogue = overrides.pop("dialogue", None)
    if dialogue is None:
        dialogue = DialogueManager(db, settings)
        # Train the NLU and build the indexes now, not on the first caller's turn.
        dialogue.knowledge()
    if dialogue.code_sender is None:
        from hark.integrations.twilio.codes import text_sender

        dialogue.code_sender = text_sender(settings)
    services = Services(settings=settings, db=db, dialogue=dialogue)
    for book in ("calls", "texts", "handoffs"):  # the channels' bookkeeping (channel_books.py)
        if book in overrides:
            setattr(services, book, overrides.pop(book))
    services.engines["llm"] = _llm_status(settings)
    for kind, attribute, loader in (
        ("asr", "transcriber", lambda: load_asr(settings, db)),
        ("tts", "synthesizer", lambda: load_tts(settings, db)),
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
    # No URL: /readyz is public.
    return EngineStatus(True, f"{settings.llm_model} (configured, {settings.llm_mode} mode)")


def shop_vocabulary(db: Database) -> list[str]:
    """Words that bias speech recognition towards this shop: its product names first, then
    its categories and product tags ("santoku" written as the catalog spells it, not "Santa
    Coo"). Whisper keeps what fits its prompt budget, in this order."""
    from sqlalchemy import select

    from hark.store.models import Product

    with db.session() as session:
        rows = session.execute(select(Product.name, Product.category, Product.tags)).all()
    tags = [t for _, _, raw in rows for t in _tag_list(raw)]
    return [n for n, _, _ in rows] + sorted({c for _, c, _ in rows if c}) + tags


def _tag_list(raw: object) -> list[str]:
    if isinstance(raw, list):
        return [str(t) for t in raw]
    return [t for t in str(raw or "").split(";") if t.strip()]


def load_asr(settings: Settings, db: Database) -> tuple[Transcriber | None, EngineStatus]:
    """The speech recogniser (primed with the shop's product names), or why not."""
    from hark.voice.asr.whisper import WhisperTranscriber

    def build() -> WhisperTranscriber:
        engine = WhisperTranscriber.from_settings(settings, vocabulary=shop_vocabulary(db))
        engine.background()  # start loading the low-priority twin (partials, young pauses)
        return engine

    return _load_engine("speech recognition", build)


def load_tts(
    settings: Settings, db: Database | None = None
) -> tuple[Synthesizer | None, EngineStatus]:
    """The voice, or why not (``db`` unused: the same signature as ``load_asr``)."""
    from hark.voice.tts.piper import PiperSynthesizer

    return _load_engine("speech synthesis", lambda: PiperSynthesizer.from_settings(settings))


def _load_engine(what: str, build: Callable[[], EngineT]) -> tuple[EngineT | None, EngineStatus]:
    """A missing or broken model turns its engine off, never the text channels.

    The status is shown to anyone (``/readyz``, voice clients), so it names states
    and the command to run, never a path; the log line has the full story.
    """
    from hark.models.errors import ModelNotFound

    try:
        engine = build()
    except ModelNotFound as exc:
        log.warning("%s off: %s", what, exc)
        fetch = f" (fetch it with: {exc.command})" if exc.command else ""
        return None, EngineStatus(False, f"model not on disk{fetch}")
    except Exception as exc:
        log.exception("%s failed to load", what)
        return None, EngineStatus(False, f"failed to load ({type(exc).__name__}); see the log")
    log.info("%s loaded: %s from %s", what, engine.describe(), getattr(engine, "path", "?"))
    return engine, EngineStatus(True, engine.describe())
