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

Thread safety: ``synthesize`` may run in several threads at once. ONNX
Runtime sessions are thread-safe and piper guards its espeak-ng phonemiser
with a global lock; each iterator holds only its own state. One iterator
must not be advanced from two threads at the same time (no generator can).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hark.models.files import resolve_piper_voice
from hark.voice.tts.chunking import split_sentences

if TYPE_CHECKING:
    from hark.runtime.settings import Settings


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
    ) -> None:
        """Load ``voice`` (a name under ``models_dir/piper`` or a ``.onnx`` path).

        ``speaker`` picks a speaker of a multi-speaker voice (``ValueError``
        if out of range; ignored by single-speaker voices' models, so it is
        rejected there too rather than silently doing nothing).
        ``length_scale`` < 1 speaks faster, > 1 slower; ``None`` keeps the
        voice's own setting. ``repeatable`` turns off the voice's random
        variation (noise), so the same text always gives the same audio:
        what a test that recognises the audio again needs.
        """
        from piper import PiperVoice, SynthesisConfig

        if length_scale is not None and length_scale <= 0:
            raise ValueError("length_scale must be positive")
        self.path = resolve_piper_voice(voice, Path(models_dir or "data/models"))
        self.name = self.path.name.removesuffix(".onnx")
        self._voice = PiperVoice.load(self.path, use_cuda=use_cuda)
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

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> PiperSynthesizer:
        """Build from ``tts_*`` settings."""
        params: dict[str, Any] = {
            "models_dir": settings.models_dir,
            "speaker": settings.tts_speaker,
            "length_scale": settings.tts_length_scale,
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
        pieces = [c.audio_int16_array for c in self._voice.synthesize(sentence, self._config)]
        if not pieces:
            return np.zeros(0, dtype=np.int16)
        return pieces[0] if len(pieces) == 1 else np.concatenate(pieces)

    def describe(self) -> str:
        """One line for ``/readyz`` and logs (no path: ``/readyz`` is public)."""
        speaker = f", speaker {self.speaker}" if self.speaker is not None else ""
        return f"piper {self.name} ({self.sample_rate} Hz{speaker})"
