"""Where speech models live on disk, and how names resolve to files.

Layout under ``settings.models_dir`` (``<data_dir>/models``)::

    whisper/<name>/        model.bin, config.json, tokenizer.json, vocabulary.*
    piper/<name>.onnx      plus <name>.onnx.json

The server, tests and every command only *resolve* names to files and raise
``ModelNotFound`` (one line, with the fetch command) when they are missing;
fetching lives in :mod:`hark.models.hub`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from hark.models.errors import ModelNotFound

WHISPER_REQUIRED: Final[tuple[str, ...]] = ("config.json", "model.bin", "tokenizer.json")
WHISPER_VOCABULARIES: Final[tuple[str, ...]] = ("vocabulary.txt", "vocabulary.json")
WHISPER_OPTIONAL: Final[tuple[str, ...]] = ("preprocessor_config.json",)  # large-v3: 128 mels


# --------------------------------------------------------------------------- layout
def whisper_dir(models_dir: Path, name: str) -> Path:
    return Path(models_dir) / "whisper" / name


def piper_voice_path(models_dir: Path, name: str) -> Path:
    return Path(models_dir) / "piper" / f"{name}.onnx"


def _looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.startswith(("~", "."))


def missing_whisper_files(folder: Path) -> list[str]:
    """Files a complete faster-whisper folder lacks (empty list: loadable offline)."""
    missing = [f for f in WHISPER_REQUIRED if not (folder / f).is_file()]
    if not any((folder / f).is_file() for f in WHISPER_VOCABULARIES):
        missing.append(WHISPER_VOCABULARIES[0])
    return missing


def resolve_whisper_model(name_or_path: str | Path, models_dir: Path) -> Path:
    """The folder for a Whisper model name (``<models_dir>/whisper/<name>``) or path.

    Raises ``ModelNotFound`` naming the folder (or the missing file in it) and
    ``hark models download --asr NAME``. ``tokenizer.json`` is required: without
    it faster-whisper would try to fetch one from the internet at load time.
    """
    text = str(name_or_path)
    given = Path(text).expanduser()
    if isinstance(name_or_path, Path) or _looks_like_path(text) or given.is_dir():
        folder, name = given, given.name or text
    else:
        folder, name = whisper_dir(models_dir, text), text
    command = f"hark models download --asr {name}"
    if not folder.is_dir():
        raise ModelNotFound(
            f"Whisper model '{name}' not found: no folder {folder} (fetch it with: {command})",
            path=str(folder),
            command=command,
        )
    missing = missing_whisper_files(folder)
    if missing:
        raise ModelNotFound(
            f"Whisper model '{name}' is incomplete: {folder / missing[0]} is missing "
            f"(fetch it with: {command})",
            path=str(folder / missing[0]),
            command=command,
        )
    return folder


def resolve_piper_voice(name_or_path: str | Path, models_dir: Path) -> Path:
    """The ``.onnx`` file for a piper voice name (``<models_dir>/piper/<name>.onnx``) or path.

    Both the ``.onnx`` and its ``.onnx.json`` must exist; ``ModelNotFound``
    names the missing one and ``hark models download --voice NAME``.
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or _looks_like_path(text) or text.endswith(".onnx"):
        path = Path(text).expanduser()
        name = path.name.removesuffix(".onnx")
    else:
        path, name = piper_voice_path(models_dir, text), text
    command = f"hark models download --voice {name}"
    for needed in (path, Path(f"{path}.json")):
        if not needed.is_file():
            raise ModelNotFound(
                f"piper voice '{name}' not found: no file {needed} (fetch it with: {command})",
                path=str(needed),
                command=command,
            )
    return path


# --------------------------------------------------------------------------- listing
@dataclass(frozen=True)
class InstalledModel:
    """A model found under the models folder."""

    kind: str  # "asr" or "voice"
    name: str
    path: Path
    size_bytes: int
    missing: tuple[str, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return not self.missing


def list_models(models_dir: Path) -> list[InstalledModel]:
    """Every Whisper folder and piper voice on disk, with sizes and completeness."""
    found: list[InstalledModel] = []
    root = Path(models_dir)
    whisper_root = root / "whisper"
    if whisper_root.is_dir():
        for folder in sorted(p for p in whisper_root.iterdir() if p.is_dir()):
            if folder.name.startswith("."):
                continue  # staging folders of running or interrupted downloads
            size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
            found.append(
                InstalledModel(
                    "asr", folder.name, folder, size, tuple(missing_whisper_files(folder))
                )
            )
    piper_root = root / "piper"
    if piper_root.is_dir():
        for onnx in sorted(piper_root.glob("*.onnx")):
            config = Path(f"{onnx}.json")
            size = onnx.stat().st_size + (config.stat().st_size if config.is_file() else 0)
            missing = () if config.is_file() else (config.name,)
            found.append(InstalledModel("voice", onnx.stem, onnx, size, missing))
    return found
