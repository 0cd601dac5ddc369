"""The piper (VITS, ONNX Runtime) speech-synthesis engine.

Text is split with Hark's own ``split_sentences`` (which knows "$24.99" and
"Dr." are not sentence ends) and each sentence is synthesised only when the
caller asks for the next chunk, so the first sentence can play while the rest
is still being made. piper may split a sentence further at clause marks; those
pieces are joined, keeping the contract of exactly one chunk per sentence.
piper peak-normalises each piece, so levels are even from chunk to chunk.

Voices resolve by name to ``<models_dir>/piper/<name>.onnx`` (+ ``.onnx.json``)
or by path; a missing voice raises ``ModelNotFound`` naming the file and
``hark models download --voice NAME``. piper bundles its own espeak-ng data,
so no system package is needed at run time.

Repeated sentences are not synthesised again: the greeting opens every call,
and "Sorry?", "Anything else?" and the shop's standing answers come back
all day. The last ``cache_sentences`` sentences (up to ``CACHED_CHARS``
characters each; longer ones rarely repeat word for word) are kept as audio,
a few seconds of int16 each (about 6 MB for 64 sentences at 22 kHz). A cached
sentence sounds the same each time instead of varying a little as piper's
noise makes it.

Thread safety: ``synthesize`` may run in several threads at once. ONNX
Runtime sessions are thread-safe and piper guards its espeak-ng phonemiser
with a global lock; each iterator holds only its own state. One iterator
must not be advanced from two threads at the same time (no generator can).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hark.models.files import resolve_piper_voice
from hark.voice.cpu import LEDGER, TTS_THREADS, build_named
from hark.voice.tts.chunking import split_sentences

if TYPE_CHECKING:
    from hark.runtime.settings import Settings

CACHED_CHARS = 160
"""Sentences longer than this are synthesised every time (they rarely repeat)."""


class PiperSynthesizer:
    """``Synthesizer`` backed by ``piper.PiperVoice``; loads the voice eagerly."""

    def __init__(
        self,
        voice: str | Path = "en_US-joe-medium",
        *,
        models_dir: Path | None = None,
        speaker: int | None = None,
        length_scale: float | None = None,
        use_cuda: bool = False,
        repeatable: bool = False,
        cache_sentences: int = 64,
        threads: int = 1,
    ) -> None:
        """Load ``voice`` (a name under ``models_dir/piper`` or a ``.onnx`` path).

        ``speaker`` picks a speaker of a multi-speaker voice (``ValueError``
        if out of range; ignored by single-speaker voices' models, so it is
        rejected there too rather than silently doing nothing).
        ``length_scale`` < 1 speaks faster, > 1 slower; ``None`` keeps the
        voice's own setting. ``repeatable`` turns off the voice's random
        variation (noise), so the same text always gives the same audio:
        what a test that recognises the audio again needs. ``cache_sentences``
        repeated sentences are kept as audio (module docstring; 0: none).
        ``threads`` is ONNX Runtime's pool per synthesis, its threads sleeping
        rather than spinning between pieces of work (``session_options``; 0:
        ONNX Runtime's own default, one spinning thread per core).
        """
        from piper import PiperVoice, SynthesisConfig

        if length_scale is not None and length_scale <= 0:
            raise ValueError("length_scale must be positive")
        self.path = resolve_piper_voice(voice, Path(models_dir or "data/models"))
        self.name = self.path.name.removesuffix(".onnx")
        if threads < 0:
            raise ValueError("threads must be 0 (the library default) or more")
        self.threads = threads
        self._voice = build_named(TTS_THREADS, lambda: self._load(PiperVoice, use_cuda))
        self.cache_sentences = max(0, cache_sentences)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.cache_hits = 0
        speakers = int(self._voice.config.num_speakers)
        if speaker is not None and not (speakers > 1 and 0 <= speaker < speakers):
            raise ValueError(
                f"voice {self.name} has {speakers} speaker(s); speaker {speaker} does not exist"
            )
        self.num_speakers = speakers
        self.speaker = speaker
        self.length_scale = length_scale
        self._config = SynthesisConfig(speaker_id=speaker, length_scale=length_scale)
        if repeatable:
            self._config.noise_scale = self._config.noise_w_scale = 0.0

    def _load(self, voice_class: Any, use_cuda: bool) -> Any:
        voice = voice_class.load(self.path, use_cuda=use_cuda)
        if self.threads and not use_cuda:
            import onnxruntime

            voice.session = onnxruntime.InferenceSession(
                str(self.path),
                sess_options=session_options(self.threads),
                providers=["CPUExecutionProvider"],
            )
        return voice

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> PiperSynthesizer:
        """Build from ``tts_*`` settings."""
        params: dict[str, Any] = {
            "models_dir": settings.models_dir,
            "speaker": settings.tts_speaker,
            "length_scale": settings.tts_length_scale,
            "threads": settings.tts_threads,
        }
        params.update(overrides)
        return cls(settings.tts_voice, **params)

    @property
    def sample_rate(self) -> int:
        """Output rate of the voice (16000 or 22050 Hz for most piper voices)."""
        return int(self._voice.config.sample_rate)

    def synthesize(self, text: str) -> Iterator[np.ndarray]:
        """Yield one mono ``int16`` chunk per sentence of ``split_sentences(text)``, lazily."""
        for sentence in split_sentences(text):
            yield self.synthesize_sentence(sentence)

    def synthesize_sentence(self, sentence: str) -> np.ndarray:
        """Speak one sentence as a single ``int16`` array (empty if there is nothing to say)."""
        cacheable = self.cache_sentences > 0 and len(sentence) <= CACHED_CHARS
        if cacheable:
            with self._cache_lock:
                audio = self._cache.get(sentence)
                if audio is not None:
                    self._cache.move_to_end(sentence)
                    self.cache_hits += 1
                    return audio.copy()  # the caller may write to its own
        with LEDGER.calling_thread("tts"):
            pieces = [c.audio_int16_array for c in self._voice.synthesize(sentence, self._config)]
        if not pieces:
            audio = np.zeros(0, dtype=np.int16)
        else:
            audio = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
        if cacheable:
            with self._cache_lock:
                self._cache[sentence] = audio.copy()
                while len(self._cache) > self.cache_sentences:
                    self._cache.popitem(last=False)
        return audio

    def describe(self) -> str:
        """One line for ``/readyz`` and logs (no path: ``/readyz`` is public)."""
        speaker = f", speaker {self.speaker}" if self.speaker is not None else ""
        return f"piper {self.name} ({self.sample_rate} Hz{speaker})"


def session_options(threads: int) -> Any:
    """ONNX Runtime options for ``threads`` compute threads that sleep when idle.

    Why: ONNX Runtime's default is one intra-op thread per core, spinning
    while it waits for work. For piper's small convolutions that spinning is
    pure cost: on this project's 2-core machine (busy), five shop replies took
    0.076 CPU seconds per second of audio by default, 0.045 on one thread that
    sleeps and 0.049 on two (docs/deploy.md, Sizing); the CPU saved is left to
    the other callers.
    """
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options
