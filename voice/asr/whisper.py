"""The faster-whisper (CTranslate2) speech-recognition engine.

Decoding options are fixed for a live conversation, not for batch subtitles:

* ``temperature=0`` only: the fallback ladder (0.2, 0.4, ...) re-decodes a
  hard utterance up to five more times, which turns a 300 ms answer into
  seconds; a caller would rather repeat themselves.
* ``vad_filter=False``: Hark's own endpointer already cut the utterance.
* ``condition_on_previous_text=False`` and ``without_timestamps=True``: one
  short utterance per call, no window-to-window context, fewer tokens.
* The shop's product names go in as ``hotwords`` (or ``initial_prompt``):
  Whisper copies spellings from its prompt, so "Aurora desk lamp" comes out
  as the catalogue spells it and the brain's product matching works.

Models resolve by name to ``<models_dir>/whisper/<name>`` or by folder path;
a missing model raises ``ModelNotFound`` whose one-line message names the
path and ``hark models download --asr NAME``. Nothing is ever downloaded here.

Partial transcripts go to ``background()``, a second copy of the model whose
compute threads run at the lowest CPU priority (``hark.voice.asr.background``),
built on the first request, so they never delay a final transcript.

Thread safety: ``transcribe`` may be called from several threads at once.
CTranslate2 queues concurrent requests onto ``num_workers`` model replicas
(1 by default, so calls are serialised inside the model); the rest of the
call is per-call state. ``set_vocabulary`` swaps an immutable string.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from hark.models.files import resolve_whisper_model
from hark.voice.asr.background import BackgroundTwin
from hark.voice.asr.base import ASR_SAMPLE_RATE, Segment, Transcript, check_audio, normalise_text
from hark.voice.asr.window import FULL_WINDOW_S, WindowedWhisperModel, window_frames
from hark.voice.cpu import ASR_THREADS, ASR_TWIN_THREADS, LEDGER, build_named

if TYPE_CHECKING:
    from hark.runtime.settings import Settings

VocabularyMode = Literal["hotwords", "initial_prompt"]
PROMPT_TOKEN_BUDGET = 200
"""Whisper's prompt holds 223 tokens; keep a margin. Earlier names win when it is full."""


class WhisperTranscriber:
    """``Transcriber`` backed by ``faster_whisper.WhisperModel``; loads the model eagerly.

    Loading at construction (not on first use) makes a missing or broken
    model fail at server start, where the operator sees it, and keeps the
    first caller from paying the load time.
    """

    def __init__(
        self,
        model: str | Path = "base",
        *,
        models_dir: Path | None = None,
        device: str = "cpu",
        compute_type: str | None = None,
        beam_size: int = 1,
        language: str | None = "en",
        cpu_threads: int = 0,
        num_workers: int = 1,
        vocabulary: Iterable[str] = (),
        vocabulary_mode: VocabularyMode = "hotwords",
        max_new_tokens: int | None = None,
        window_s: float = 15.0,
        threads_name: str = ASR_THREADS,
    ) -> None:
        """Load ``model`` (a name under ``models_dir/whisper`` or a folder path).

        ``compute_type`` defaults to int8 on CPU (4x smaller, ~2x faster than
        float32 for a negligible accuracy cost) and CTranslate2's choice
        elsewhere. ``cpu_threads`` 0 keeps the library default.
        ``max_new_tokens`` caps decoding (benchmarks use it to fix the work
        per call; CTranslate2 decodes at most that many, about half for large limits).
        ``window_s`` is the encoder window for one utterance (``hark.voice.asr.window``;
        30 is Whisper's full window). ``threads_name`` is the OS name of the
        model's compute threads, by which ``hark.voice.cpu`` counts their CPU.
        """
        if beam_size < 1:
            raise ValueError("beam_size must be at least 1")
        if vocabulary_mode not in ("hotwords", "initial_prompt"):
            raise ValueError("vocabulary_mode must be 'hotwords' or 'initial_prompt'")
        if not 0 < window_s <= FULL_WINDOW_S:
            raise ValueError(f"window_s must be in (0, {FULL_WINDOW_S:g}]")
        self.path = resolve_whisper_model(model, Path(models_dir or "data/models"))
        self.name = self.path.name
        self.device = device
        self.compute_type = compute_type or ("int8" if device == "cpu" else "default")
        self.beam_size = beam_size
        self.cpu_threads = cpu_threads
        self.vocabulary_mode: VocabularyMode = vocabulary_mode
        self.max_new_tokens = max_new_tokens
        self.window_s = window_s
        self.threads_name = threads_name
        self._model = build_named(
            threads_name,
            lambda: WindowedWhisperModel(
                str(self.path),
                device=device,
                compute_type=self.compute_type,
                cpu_threads=cpu_threads,
                num_workers=num_workers,
                local_files_only=True,
            ),
        )
        self.multilingual = bool(self._model.model.is_multilingual)
        if language and self.multilingual and language not in self._model.supported_languages:
            raise ValueError(f"unsupported language {language!r} for Whisper")
        # English-only models (*.en) always transcribe English, whatever was asked.
        self.language = language if self.multilingual else "en"
        self._prompt: str | None = None
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()
        self.set_vocabulary(vocabulary)
        options: dict[str, Any] = {
            "device": device, "compute_type": self.compute_type, "beam_size": beam_size,
            "language": language, "cpu_threads": cpu_threads, "num_workers": 1,
            "vocabulary_mode": vocabulary_mode, "max_new_tokens": max_new_tokens,
            "window_s": window_s, "threads_name": ASR_TWIN_THREADS,
        }  # fmt: skip
        self._twin: BackgroundTwin[WhisperTranscriber] = BackgroundTwin(
            lambda: WhisperTranscriber(self.path, **options), enabled=device == "cpu"
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, *, vocabulary: Iterable[str] = (), **overrides: Any
    ) -> WhisperTranscriber:
        """Build from ``asr_*`` settings; ``vocabulary`` is usually the product names."""
        params: dict[str, Any] = {
            "models_dir": settings.models_dir,
            "device": settings.asr_device,
            "compute_type": settings.asr_compute_type,
            "beam_size": settings.asr_beam_size,
            "language": settings.asr_language,
            "cpu_threads": settings.asr_threads,
            "num_workers": settings.asr_concurrency,  # replicas: recognitions truly at once
            "window_s": settings.asr_window_s,
            "vocabulary": vocabulary,
        }
        params.update(overrides)
        return cls(settings.asr_model, **params)

    # ------------------------------------------------------------------ vocabulary
    def set_vocabulary(self, names: Iterable[str]) -> None:
        """Bias recognition towards these names (deduplicated, in order, within the prompt budget).

        Call again when the catalogue changes; takes effect on the next call.
        """
        seen: set[str] = set()
        kept: list[str] = []
        used = 0
        tokenizer = self._model.hf_tokenizer
        for raw in names:
            name = " ".join(str(raw).split())
            if not name or name.casefold() in seen:
                continue
            cost = len(tokenizer.encode(" " + name, add_special_tokens=False).ids) + 1
            if used + cost > PROMPT_TOKEN_BUDGET:
                break
            seen.add(name.casefold())
            kept.append(name)
            used += cost
        self._prompt = ", ".join(kept) + "." if kept else None

    @property
    def background_possible(self) -> bool:
        """A low-priority twin for partials exists or can be built (CPU, on Linux)."""
        return self._twin.possible

    def background_idle(self) -> bool:
        """No call is running on the twin."""
        twin = self._twin.get()
        return twin is not None and twin.in_flight == 0

    @property
    def in_flight(self) -> int:
        """Calls of ``transcribe`` running now."""
        return self._in_flight

    def background(self) -> WhisperTranscriber | None:
        """The low-priority twin (same model and options), ``None`` while it loads."""
        twin = self._twin.get()
        if twin is not None:
            twin._prompt = self._prompt  # the same vocabulary bias
        return twin

    @property
    def vocabulary_prompt(self) -> str | None:
        """The text given to Whisper as ``hotwords``/``initial_prompt`` (``None``: no bias)."""
        return self._prompt

    def transcribe_options(self) -> dict[str, Any]:
        """The exact keyword arguments passed to ``WhisperModel.transcribe``."""
        options: dict[str, Any] = {
            "language": self.language,
            "task": "transcribe",
            "beam_size": self.beam_size,
            "best_of": 1,
            "temperature": 0.0,
            "vad_filter": False,
            "condition_on_previous_text": False,
            "without_timestamps": True,
            "word_timestamps": False,
            "max_new_tokens": self.max_new_tokens,
        }
        if self._prompt:
            options[self.vocabulary_mode] = self._prompt
        return options

    # ------------------------------------------------------------------ recognition
    def transcribe(self, audio_16k_float32: np.ndarray) -> Transcript:
        """Recognise one utterance (16 kHz mono float32, or int16). Blocking; see module notes."""
        audio = check_audio(audio_16k_float32)
        duration = audio.size / ASR_SAMPLE_RATE
        if audio.size == 0:
            return Transcript("", self.language, 0.0)
        started = time.perf_counter()
        with self._in_flight_lock:
            self._in_flight += 1
        try:
            with (
                LEDGER.group(self.threads_name).call() as cpu,
                self._model.window(window_frames(duration, self.window_s)),
            ):
                segments_iter, info = self._model.transcribe(audio, **self.transcribe_options())
                segments = tuple(
                    Segment(
                        start_s=float(s.start),
                        end_s=float(s.end),
                        text=s.text.strip(),
                        avg_logprob=float(s.avg_logprob),
                        no_speech_prob=float(s.no_speech_prob),
                    )
                    for s in segments_iter  # decoding happens while iterating
                )
        finally:
            with self._in_flight_lock:
                self._in_flight -= 1
        return Transcript(
            text=normalise_text(s.text for s in segments),
            language=info.language,
            duration_s=duration,
            segments=segments,
            elapsed_s=time.perf_counter() - started,
            cpu_s=cpu[0],
        )

    def describe(self) -> str:
        """One line for ``/readyz`` and logs: which model and how it runs (no path: it's public)."""
        threads = f", {self.cpu_threads} threads" if self.cpu_threads else ""
        return (
            f"faster-whisper {self.name} ({self.device} {self.compute_type}, "
            f"beam {self.beam_size}{threads}, window {self.window_s:g} s)"
        )

    def sharing_model(
        self, *, window_s: float, max_new_tokens: int | None, vocabulary: bool = True
    ) -> WhisperTranscriber:
        """This engine with another encoder window and token cap, on the same loaded model
        (no second copy in memory). For the barge-in judge's quick looks at the first words
        (``hark.voice.listen.barge_in``): a 4 s window is ~5x faster than 15 s on a short
        clip, and the cap bounds the repetition loop a short window sometimes falls into.
        ``vocabulary`` False drops the catalogue's names (a fixed decoding cost per call)."""
        if not 0 < window_s <= FULL_WINDOW_S:
            raise ValueError(f"window_s must be in (0, {FULL_WINDOW_S:g}]")
        view = copy.copy(self)
        view.window_s, view.max_new_tokens = window_s, max_new_tokens
        view._in_flight, view._in_flight_lock = 0, threading.Lock()
        if not vocabulary:
            view._prompt = None
        return view
