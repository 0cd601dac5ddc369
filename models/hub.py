"""The one place that downloads speech models, from Hugging Face or a mirror.

The hub source of :mod:`hark.models.fetch` (used by ``hark models
download`` and by ``hark serve`` when the configured models are missing and
``HARK_MODELS_AUTO_DOWNLOAD`` is on, see ``hark.server.model_autoload``); the
package registry is the other source (:mod:`hark.models.registry`).
Whisper from ``Systran/faster-whisper-<name>`` (CTranslate2 conversions),
piper voices from ``rhasspy/piper-voices``. The endpoint is overridable
(``HARK_HF_ENDPOINT``, then ``HF_ENDPOINT``, or the ``endpoint`` argument) for
mirrors, air-gapped proxies and the tests' loopback server.

Each file streams to a temporary file next to its destination and is renamed
into place only when complete (size checked, and SHA-256 when the hub
announces it), so an interrupted download never leaves a half model that
would later fail to load with a confusing error.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final, Protocol

from hark.models.files import (
    WHISPER_OPTIONAL,
    WHISPER_REQUIRED,
    WHISPER_VOCABULARIES,
    missing_whisper_files,
    piper_voice_path,
    whisper_dir,
)

if TYPE_CHECKING:
    import httpx

DEFAULT_HF_ENDPOINT: Final = "https://huggingface.co"
PIPER_REPO: Final = "rhasspy/piper-voices"
WHISPER_REPOS: Final[dict[str, str]] = {
    **{
        name: f"Systran/faster-whisper-{name}"
        for name in (
            "tiny", "tiny.en", "base", "base.en", "small", "small.en", "medium", "medium.en",
            "large-v1", "large-v2", "large-v3",
        )
    },
    "distil-small.en": "Systran/faster-distil-whisper-small.en",
    "distil-medium.en": "Systran/faster-distil-whisper-medium.en",
    "distil-large-v2": "Systran/faster-distil-whisper-large-v2",
    "distil-large-v3": "Systran/faster-distil-whisper-large-v3",
    "large-v3-turbo": "mobiuslabsgmbh/faster-whisper-large-v3-turbo",
}  # fmt: skip
"""Known Whisper names; any other plain name maps to ``Systran/faster-whisper-<name>``."""
_WHISPER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_PIPER_NAME = re.compile(r"^([a-z]{2,3})_([A-Z]{2})-([A-Za-z0-9_]+)-(x_low|low|medium|high)$")
_CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """A download that could not complete; ``str(exc)`` is one line for the operator.

    ``cause`` is a short phrase without paths or URLs ("unreachable", "not
    found", "cut short", ...) for places anyone can read, such as ``/readyz``.
    """

    def __init__(self, message: str, cause: str = "failed") -> None:
        super().__init__(message)
        self.cause = cause


# --------------------------------------------------------------------------- download
def hf_endpoint(endpoint: str | None = None) -> str:
    """The hub base URL: the argument, ``HARK_HF_ENDPOINT``, ``HF_ENDPOINT`` or huggingface.co."""
    value = endpoint or os.environ.get("HARK_HF_ENDPOINT") or os.environ.get("HF_ENDPOINT")
    return (value or DEFAULT_HF_ENDPOINT).rstrip("/")


def hf_file_url(endpoint: str, repo: str, path: str, revision: str = "main") -> str:
    return f"{endpoint}/{repo}/resolve/{revision}/{path}"


def whisper_repo(name: str) -> tuple[str, str]:
    """(local folder name, hub repo) for ``--asr NAME`` (a known name or ``owner/repo``)."""
    if "/" in name:
        owner, _, repo = name.partition("/")
        if not (_WHISPER_NAME.match(owner) and _WHISPER_NAME.match(repo)):
            raise DownloadError(f"invalid Whisper repository id {name!r}", "invalid name")
        return repo, name
    if not _WHISPER_NAME.match(name):
        raise DownloadError(f"invalid Whisper model name {name!r}", "invalid name")
    return name, WHISPER_REPOS.get(name, f"Systran/faster-whisper-{name}")


def piper_repo_path(name: str) -> str:
    """Path of a voice's ``.onnx`` in rhasspy/piper-voices, e.g. ``en/en_US/joe/medium/...``."""
    match = _PIPER_NAME.match(name)
    if not match:
        raise DownloadError(
            f"invalid piper voice name {name!r} (expected LANG_REGION-NAME-QUALITY, "
            "e.g. en_US-joe-medium)",
            "invalid name",
        )
    lang, region, speaker, quality = match.groups()
    return f"{lang}/{lang}_{region}/{speaker}/{quality}/{name}.onnx"


class ProgressSink(Protocol):
    """Told about each block written; closed when the file is done (or failed)."""

    def update(self, count: int) -> None: ...

    def close(self) -> None: ...


ProgressFactory = Callable[[str, int | None], ProgressSink]
"""``(label, total bytes or None) -> sink``: progress reporting other than a bar
(the server's background download reports to its log and ``/readyz``)."""


class Progress:
    """Minimal progress sink; the default draws a tqdm bar on stderr."""

    def __init__(self, label: str, total: int | None, enabled: bool = True) -> None:
        from tqdm import tqdm

        self._bar = tqdm(
            total=total,
            desc=label,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stderr,
            disable=not enabled,
            leave=True,
        )

    def update(self, count: int) -> None:
        self._bar.update(count)

    def close(self) -> None:
        self._bar.close()


def _announced_sha256(response: httpx.Response) -> str | None:
    """The SHA-256 the hub announces for an LFS file (``X-Linked-Etag``), if any."""
    for candidate in (response, *response.history):
        etag = candidate.headers.get("x-linked-etag", "").strip('"').removeprefix("W/").strip('"')
        if re.fullmatch(r"[0-9a-f]{64}", etag):
            return etag
    return None


def fetch_file(
    client: httpx.Client,
    url: str,
    dest: Path,
    *,
    label: str,
    progress: bool | ProgressFactory = True,
    optional: bool = False,
) -> int | None:
    """Stream ``url`` to ``dest`` atomically; return bytes written (``None``: optional and 404)."""
    import httpx

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, client.stream("GET", url) as response:
            if response.status_code == 404:
                if optional:
                    return None
                raise DownloadError(f"not found on the hub: {url}", "not found")
            if response.status_code >= 400:
                raise DownloadError(
                    f"HTTP {response.status_code} while fetching {url}",
                    f"HTTP {response.status_code}",
                )
            length = response.headers.get("content-length")
            total = int(length) if length and length.isdigit() else None
            expected_sha = _announced_sha256(response)
            digest = hashlib.sha256()
            written = 0
            bar = (
                progress(label, total)
                if callable(progress)
                else Progress(label, total, enabled=progress)
            )
            try:
                for block in response.iter_bytes(_CHUNK):
                    out.write(block)
                    digest.update(block)
                    written += len(block)
                    bar.update(len(block))
            finally:
                bar.close()
            out.flush()
            os.fsync(out.fileno())
        if total is not None and written != total:
            raise DownloadError(
                f"download of {url} was cut short ({written} of {total} bytes)", "cut short"
            )
        if expected_sha and digest.hexdigest() != expected_sha:
            raise DownloadError(f"checksum mismatch for {url} (corrupted download)", "corrupted")
        os.replace(tmp, dest)
        return written
    except httpx.HTTPError as exc:
        cause = (
            "unreachable"
            if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
            else "failed"
        )
        raise DownloadError(
            f"cannot download {url}: {exc.__class__.__name__}: {exc}", cause
        ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _client(client: httpx.Client | None) -> httpx.Client:
    import httpx

    from hark import __version__

    return client or httpx.Client(
        follow_redirects=True,
        timeout=httpx.Timeout(60.0, connect=15.0),
        headers={"user-agent": f"hark/{__version__}"},
    )


def download_whisper(
    name: str,
    models_dir: Path,
    *,
    endpoint: str | None = None,
    force: bool = False,
    progress: bool | ProgressFactory = True,
    client: httpx.Client | None = None,
) -> Path:
    """Fetch a faster-whisper model into ``<models_dir>/whisper/<name>``; return the folder.

    Files land in a hidden staging folder that is renamed into place only
    when every file is complete, so the model folder is all-or-nothing. An
    already complete folder is kept unless ``force``.
    """
    local, repo = whisper_repo(name)
    target = whisper_dir(models_dir, local)
    if target.is_dir() and not missing_whisper_files(target) and not force:
        return target
    base = hf_endpoint(endpoint)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{local}.", suffix=".partial", dir=target.parent))
    http = _client(client)

    def fetch(file: str, optional: bool = False) -> bool:
        url = hf_file_url(base, repo, file)
        label = f"{local}/{file}"
        got = fetch_file(
            http, url, staging / file, label=label, progress=progress, optional=optional
        )
        return got is not None

    try:
        for file in WHISPER_REQUIRED:
            fetch(file)
        if not [f for f in WHISPER_VOCABULARIES if fetch(f, optional=True)]:
            raise DownloadError(f"{repo} has no vocabulary.txt or vocabulary.json", "incomplete")
        for file in WHISPER_OPTIONAL:
            fetch(file, optional=True)
        old = None
        if target.exists():
            old = target.with_name(f".{local}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(staging, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return target
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if client is None:
            http.close()


def download_piper_voice(
    name: str,
    models_dir: Path,
    *,
    endpoint: str | None = None,
    force: bool = False,
    progress: bool | ProgressFactory = True,
    client: httpx.Client | None = None,
) -> Path:
    """Fetch a piper voice into ``<models_dir>/piper/<name>.onnx`` (+ ``.onnx.json``).

    Both files land in a staging folder first; the config is renamed into
    place before the model, so a present ``.onnx`` always has its config.
    """
    repo_path = piper_repo_path(name)
    target = piper_voice_path(models_dir, name)
    config = Path(f"{target}.json")
    if target.is_file() and config.is_file() and not force:
        return target
    base = hf_endpoint(endpoint)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=target.parent))
    http = _client(client)
    try:
        for dest, path in ((config, f"{repo_path}.json"), (target, repo_path)):
            url = hf_file_url(base, PIPER_REPO, path)
            fetch_file(http, url, staging / dest.name, label=dest.name, progress=progress)
        os.replace(staging / config.name, config)
        os.replace(staging / target.name, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if client is None:
            http.close()
    return target
