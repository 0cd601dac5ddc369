"""Sentence embeddings: what a caller's words mean, beyond the words themselves.

Why this exists: rules and TF-IDF learn the words of the shops they were
built on; the next shop's callers say "the handle came off" or "something to
keep my coffee hot" in words no rule saw. A small sentence-embedding model
(all-MiniLM-L6-v2, 384 dimensions, int8 ONNX, Apache-2.0) maps a sentence to
a vector whose cosine with another sentence's says how close their meanings
are, for any wording. The brain uses it where meaning matters (intent
nearest-examples, product and FAQ retrieval, complaints), always beside the
rules and with thresholds calibrated on development data, so it abstains
instead of guessing.

The model runs offline with ``onnxruntime`` and a ``tokenizers`` tokenizer
(both already Hark dependencies); its two files come from the package
registry (``models/registry.py``, ``tools/fetch_real_models.py``,
``make real-models``) into the real models' cache (``models/cache.py``:
``~/.cache/hark/real-models/minilm-l6-int8``).
``HARK_EMBEDDING_MODEL`` says where to look (``auto``: that cache; ``off``;
or a folder). It is loaded once per process; when it is missing, one log
line says so and the brain runs on its rules alone, as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Final, Protocol

import numpy as np

from hark.models.cache import EMBEDDING_DIR, real_model_cache

log = logging.getLogger("hark.language")

MODEL_FILE: Final = "model.onnx"
TOKENIZER_FILE: Final = "tokenizer.json"
MAX_TOKENS: Final = 128
"""Longer texts are cut: a caller's turn or a product description fits well within."""
CACHE_SIZE: Final = 4096
"""Single texts remembered (a shop's products and FAQ, the last turns' words)."""


class Embedder(Protocol):
    """Turns texts into unit vectors whose dot products are cosine similarities."""

    name: str

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dim)`` float32, each row L2-normalised."""
        ...


def default_model_dir() -> Path:
    """Where ``make real-models`` puts the model: its folder in the real models' cache."""
    return real_model_cache() / EMBEDDING_DIR


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on onnxruntime: mean pooling over real tokens, then L2 (the
    sentence-transformers recipe for this model). Thread-safe; texts seen recently
    come from a small cache, so a shop's texts are embedded once per process."""

    def __init__(self, folder: Path) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.name = f"all-MiniLM-L6-v2 int8 ({folder})"
        self.folder = folder
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._tokenizer = tokenizer
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # a turn embeds one short text: threads cost more
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[np.ndarray | None] = []
        todo: list[str] = []
        with self._lock:
            for text in texts:
                row = self._cache.get(text)
                if row is not None:
                    self._cache.move_to_end(text)
                else:
                    todo.append(text)
                rows.append(row)
        fresh: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(todo))
        for start in range(0, len(unique), 32):
            batch = unique[start : start + 32]
            for text, vector in zip(batch, self._run(batch), strict=True):
                fresh[text] = vector
        if fresh:
            with self._lock:
                for text, vector in fresh.items():
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        out = [
            row if row is not None else fresh[text] for row, text in zip(rows, texts, strict=True)
        ]
        return np.stack(out) if out else np.zeros((0, 384), dtype=np.float32)

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch([t or " " for t in texts])
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


_lock = threading.Lock()
_current: Embedder | None = None
_configured: str | None = None


def configure(setting: str) -> Embedder | None:
    """Load the model ``HARK_EMBEDDING_MODEL`` names (once per process and value).

    ``auto`` looks in :func:`default_model_dir`; ``off`` disables it; anything
    else is a folder holding ``model.onnx`` and ``tokenizer.json``. A model
    that is missing or fails to load is logged in one line, and the brain
    goes on without it.
    """
    global _current, _configured
    value = (setting or "auto").strip()
    with _lock:
        if _configured == value:
            return _current
        _configured = value
        _current = None
        if value.lower() == "off":
            log.info("embedding model off (HARK_EMBEDDING_MODEL=off): rules only")
            return None
        folder = default_model_dir() if value.lower() == "auto" else Path(value).expanduser()
        if not (folder / MODEL_FILE).is_file() or not (folder / TOKENIZER_FILE).is_file():
            log.warning(
                "embedding model not found in %s: understanding runs on rules only "
                "(run `make real-models` to fetch it)",
                folder,
            )
            return None
        try:
            _current = OnnxEmbedder(folder)
        except Exception as exc:  # a damaged file must not stop the shop from answering
            log.warning("embedding model in %s failed to load (%s): rules only", folder, exc)
            return None
        log.info("embedding model loaded: %s", _current.name)
        return _current


def current() -> Embedder | None:
    """The process's embedder, or None (then callers keep their rule-based behaviour)."""
    return _current


def use(embedder: Embedder | None) -> None:
    """Install ``embedder`` directly (tests: the real model or a named double)."""
    global _current, _configured
    with _lock:
        _current = embedder
        _configured = None if embedder is None else f"<{embedder.name}>"


def cosine_top(matrix: np.ndarray, vector: np.ndarray, k: int = 5) -> list[tuple[int, float]]:
    """The ``k`` rows of ``matrix`` nearest ``vector`` (unit rows): (row, cosine), best first."""
    if matrix.shape[0] == 0:
        return []
    sims = matrix @ vector
    k = min(k, sims.shape[0])
    top = np.argpartition(-sims, k - 1)[:k]
    return sorted(((int(i), float(sims[i])) for i in top), key=lambda p: -p[1])


def embed_stored(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """``embedder.embed(texts)`` for a fixed set of texts (the NLU's examples), kept on disk
    beside the model so a new process reads them instead of embedding ~1,000 sentences
    (seconds on a busy machine) in its first caller's turn. Any failure just embeds."""
    folder = getattr(embedder, "folder", None)
    if not isinstance(folder, Path):
        return embedder.embed(texts)
    digest = hashlib.sha256("\n".join([embedder.name, *texts]).encode("utf-8")).hexdigest()
    path = folder / f"hark-vectors-{digest[:24]}.npy"
    try:
        stored = np.load(path, allow_pickle=False)
        if stored.shape[0] == len(texts):
            return stored.astype(np.float32, copy=False)
    except (OSError, ValueError):
        pass
    vectors = embedder.embed(texts)
    try:
        partial = path.with_suffix(f".{os.getpid()}.tmp.npy")
        np.save(partial, vectors, allow_pickle=False)
        os.replace(partial, path)  # whole or not at all, whoever writes it first
    except OSError as exc:
        log.info("embedding vectors not stored in %s (%s)", folder, exc)
    return vectors
