"""The speech-synthesis interface every TTS engine (and test double) implements.

A reply is spoken sentence by sentence so the first sentence is on the wire
while later ones are still being made; that is what keeps time-to-first-audio
low for long answers. The contract therefore is a *lazy* iterator:

* ``synthesize(text)`` yields one mono ``int16`` array per sentence of
  ``split_sentences(text)`` (``hark.voice.tts.chunking``), in order, and does
  the work for sentence *n+1* only when asked for it. Because the split is
  that public function, ``zip(split_sentences(text), synth.synthesize(text))``
  pairs every chunk with its words, which is how a session knows which part
  of a reply was actually played when the caller barges in. A sentence the
  engine cannot voice yields an empty array, so the pairing never shifts.
* ``sample_rate`` is the rate of those arrays; the session resamples each
  chunk to the client's rate (``hark.voice.audio.resample.resample``).

``synthesize`` is synchronous and CPU-bound: async callers pull each chunk
with ``await asyncio.to_thread(next, iterator, None)`` so the loop stays free,
and simply stop pulling (and drop the iterator) on barge-in.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Synthesizer(Protocol):
    """Anything that turns text into sentence-sized ``int16`` chunks."""

    @property
    def sample_rate(self) -> int:
        """Rate (Hz) of every chunk ``synthesize`` yields."""
        ...

    def synthesize(self, text: str) -> Iterator[np.ndarray]:
        """Yield one mono ``int16`` chunk per sentence of ``split_sentences(text)``, lazily."""
        ...
