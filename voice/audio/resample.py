"""Sample-rate conversion with libsoxr (python-soxr), one-shot and streaming.

Clients talk at 8, 16, 24 or 48 kHz, Whisper needs 16 kHz and piper voices
speak at 16 or 22.05 kHz, so audio is converted at both ends of a turn. soxr
is a real band-limited resampler; hand-written interpolation would alias.

Which one to use (measured on this machine, python-soxr 1.1, "HQ"):

* ``resample()`` (one-shot) is exact at the edges and cheap: 10 s of 48 kHz
  audio to 16 kHz takes about 1.3 ms. Use it for whole utterances going to
  ASR and for each TTS sentence chunk going to the client.
* ``StreamingResampler`` keeps filter state across chunks, so chunk borders
  leave no clicks; use it for continuous streams. soxr works in internal
  blocks and holds samples back: at 20 ms chunks it returns nothing for the
  first 20-100 ms and then output in bursts (8 kHz -> 16 kHz holds back
  ~100 ms). That is fine for throughput but adds latency to a decision path,
  which is why the endpointer runs webrtcvad on the client's own rate where
  it can and resamples the finished utterance one-shot.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import soxr

from hark.voice.errors import AudioFormatError

Quality = Literal["QQ", "LQ", "MQ", "HQ", "VHQ"]
DEFAULT_QUALITY: Final[Quality] = "HQ"


def _check_rate(rate: int, what: str) -> int:
    if not isinstance(rate, int | np.integer) or not 1000 <= int(rate) <= 384_000:
        raise AudioFormatError(
            f"{what} sample rate must be an integer in 1000-384000 Hz, got {rate!r}"
        )
    return int(rate)


def _check_samples(samples: np.ndarray) -> np.ndarray:
    array = np.asarray(samples)
    if array.ndim != 1:
        raise AudioFormatError(f"expected mono 1-D audio, got shape {array.shape}")
    if array.dtype == np.int16 or array.dtype == np.float32:
        return array
    if np.issubdtype(array.dtype, np.floating):
        return array.astype(np.float32)
    raise AudioFormatError(f"expected int16 or float32 audio, got dtype {array.dtype}")


def resample(
    samples: np.ndarray, in_rate: int, out_rate: int, *, quality: Quality = DEFAULT_QUALITY
) -> np.ndarray:
    """Convert a whole mono clip from ``in_rate`` to ``out_rate``.

    The dtype is preserved (``int16`` stays ``int16``, float becomes
    ``float32``); equal rates return the input unchanged (no copy).
    """
    array = _check_samples(samples)
    in_rate = _check_rate(in_rate, "input")
    out_rate = _check_rate(out_rate, "output")
    if in_rate == out_rate or array.size == 0:
        return array
    return soxr.resample(array, in_rate, out_rate, quality=quality)


class StreamingResampler:
    """Resample a stream arriving in chunks, keeping the filter state between them.

    ``process(chunk)`` returns whatever output is ready (possibly empty: see
    the module docstring on soxr's block latency); ``flush()`` returns the
    held-back tail at the end of the stream and makes the object ready for a
    new stream. Over a whole stream the output has ``round(n * out/in)``
    samples, aligned to the input (output sample ``k`` is at time
    ``k / out_rate``): soxr compensates its own filter delay.

    With equal rates it is a zero-cost pass-through. One instance per stream;
    not thread-safe (it is mutable state, like any stream decoder).
    """

    def __init__(
        self,
        in_rate: int,
        out_rate: int,
        *,
        dtype: type[np.int16] | type[np.float32] = np.int16,
        quality: Quality = DEFAULT_QUALITY,
    ) -> None:
        self.in_rate = _check_rate(in_rate, "input")
        self.out_rate = _check_rate(out_rate, "output")
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.dtype(np.int16), np.dtype(np.float32)):
            raise AudioFormatError(f"dtype must be int16 or float32, got {self.dtype}")
        self.quality: Quality = quality
        self.samples_in = 0
        self.samples_out = 0
        self._stream: soxr.ResampleStream | None = None
        self.reset()

    @property
    def passthrough(self) -> bool:
        """True when the rates are equal and chunks are returned as they come."""
        return self.in_rate == self.out_rate

    def reset(self) -> None:
        """Forget all state, as if no audio had been seen."""
        self.samples_in = 0
        self.samples_out = 0
        self._stream = (
            None
            if self.passthrough
            else soxr.ResampleStream(
                self.in_rate, self.out_rate, 1, dtype=self.dtype.name, quality=self.quality
            )
        )

    def process(self, chunk: np.ndarray) -> np.ndarray:
        """Feed one chunk; return the output samples that are ready now."""
        array = _check_samples(chunk)
        if array.dtype != self.dtype:
            raise AudioFormatError(f"this resampler takes {self.dtype} chunks, got {array.dtype}")
        self.samples_in += array.size
        out = array if self._stream is None else self._stream.resample_chunk(array)
        self.samples_out += out.size
        return out

    def flush(self) -> np.ndarray:
        """End the stream: return the held-back tail, then reset for a new stream."""
        if self._stream is None:
            tail = np.zeros(0, dtype=self.dtype)
        else:
            tail = self._stream.resample_chunk(np.zeros(0, dtype=self.dtype), last=True)
        self.reset()
        return tail
