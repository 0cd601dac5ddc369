"""A stream's recent samples, addressed by absolute sample index.

The endpointer cuts utterances out of the caller's own audio and the
listener re-reads the current utterance for partial transcripts; both keep
a window of the stream and drop its head as it ages.
"""

from __future__ import annotations

import numpy as np


class StreamBuffer:
    """Samples indexed by absolute position in the stream, with a droppable head."""

    def __init__(self) -> None:
        self._chunks: list[np.ndarray] = []
        self.start = 0  # absolute index of the first kept sample
        self.end = 0  # absolute index one past the last sample

    def append(self, samples: np.ndarray) -> None:
        if samples.size:
            self._chunks.append(samples)
            self.end += samples.size

    def drop_before(self, index: int) -> None:
        """Forget whole chunks that end at or before ``index``."""
        while self._chunks and self.start + self._chunks[0].size <= index:
            self.start += self._chunks.pop(0).size

    def slice(self, begin: int, stop: int) -> np.ndarray:
        """A copy of samples ``[begin, stop)`` that are still kept (empty if none)."""
        begin, stop = max(begin, self.start), min(stop, self.end)
        if stop <= begin:
            return np.zeros(0, dtype=np.int16)
        joined = np.concatenate(self._chunks) if len(self._chunks) > 1 else self._chunks[0]
        self._chunks = [joined]
        return joined[begin - self.start : stop - self.start].copy()
