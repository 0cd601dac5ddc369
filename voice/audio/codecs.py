"""Sample formats on the wire and in memory: PCM16 little-endian and G.711 μ-law.

Everything inside Hark's voice pipeline is mono ``int16`` numpy arrays (what
webrtcvad, the wire and WAV files use) or ``float32`` in [-1, 1] (what Whisper
wants). This module converts between those and the two wire encodings of the
``/v1/voice`` protocol: ``pcm_s16le`` and ``mulaw`` (8-bit G.711 μ-law, the
telephone network's format, e.g. Twilio Media Streams).

Python's ``audioop`` module was removed in 3.13, so μ-law is implemented here,
vectorised with numpy (a 20 ms frame costs a few microseconds). The encoder
follows the reference ``g711.c`` that ``audioop`` used: the 16-bit sample is
reduced to 14 bits, the bias 0x84 (0x21 at 14 bits) is added to the
magnitude, the segment (exponent) and 4-bit mantissa are taken, and the byte
is inverted (XOR 0xFF for positive, 0x7F for negative samples, which also sets
the sign bit). The decoder is an exact 256-entry table of the G.711 values.

All functions are pure and thread-safe.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np

from hark.voice.errors import AudioFormatError

Encoding = Literal["pcm_s16le", "mulaw"]
ENCODINGS: Final[tuple[str, ...]] = ("pcm_s16le", "mulaw")

_BIAS: Final = 0x84  # added to the 16-bit magnitude (0x84 >> 2 == 33 at 14 bits)
_CLIP_14: Final = 8159  # largest 14-bit magnitude before the bias (32635 >> 2)
# Upper ends of the eight μ-law segments, 14-bit magnitude after the bias.
_SEG_END_14: Final = np.array([0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF], np.int32)


def _build_mulaw_table() -> np.ndarray:
    """The 256 G.711 μ-law code words decoded to 16-bit linear PCM."""
    inverted = ~np.arange(256, dtype=np.int32) & 0xFF
    exponent = (inverted >> 4) & 0x07
    mantissa = inverted & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(inverted & 0x80, -magnitude, magnitude).astype(np.int16)


MULAW_TO_INT16: Final[np.ndarray] = _build_mulaw_table()
"""Lookup table: ``MULAW_TO_INT16[code]`` is the linear value of a μ-law byte."""


def pcm16_to_int16(data: bytes | bytearray | memoryview) -> np.ndarray:
    """Decode little-endian signed 16-bit PCM bytes to a (copied) ``int16`` array.

    An odd byte count cannot be PCM16 and raises ``AudioFormatError``: silently
    dropping the last byte would shift every later sample by one byte and turn
    the rest of the stream into noise.
    """
    if len(data) % 2:
        raise AudioFormatError(f"pcm_s16le payload has an odd length ({len(data)} bytes)")
    return np.frombuffer(bytes(data), dtype="<i2").astype(np.int16)


def int16_to_pcm16(samples: np.ndarray) -> bytes:
    """Encode samples as little-endian PCM16 bytes (float input is converted first)."""
    return as_int16(samples).astype("<i2", copy=False).tobytes()


def int16_to_float32(samples: np.ndarray) -> np.ndarray:
    """``int16`` to ``float32`` in [-1, 1), the scale Whisper's feature extractor expects."""
    return np.asarray(samples, dtype=np.int16).astype(np.float32) / 32768.0


def float32_to_int16(samples: np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] to ``int16``, clipping (not wrapping) out-of-range peaks.

    The scale is 32768, the inverse of ``int16_to_float32``, so an
    int16 -> float -> int16 round trip is exact. NaN becomes silence rather
    than an arbitrary integer, so one bad sample from a model cannot turn into
    a full-scale click.
    """
    values = np.nan_to_num(np.asarray(samples, dtype=np.float32), nan=0.0)
    return np.clip(np.rint(values * 32768.0), -32768, 32767).astype(np.int16)


def as_int16(samples: np.ndarray) -> np.ndarray:
    """Return ``samples`` as a 1-D ``int16`` array, converting float audio.

    Accepting both dtypes at every boundary means callers never guess which
    scale a function wants; other dtypes (int32, uint8, ...) are ambiguous and
    rejected.
    """
    array = np.asarray(samples)
    if array.ndim != 1:
        raise AudioFormatError(f"expected mono 1-D audio, got shape {array.shape}")
    if array.dtype == np.int16:
        return array
    if np.issubdtype(array.dtype, np.floating):
        return float32_to_int16(array)
    raise AudioFormatError(f"expected int16 or float audio, got dtype {array.dtype}")


def as_float32(samples: np.ndarray) -> np.ndarray:
    """Return ``samples`` as a 1-D ``float32`` array in [-1, 1], converting ``int16``."""
    array = np.asarray(samples)
    if array.ndim != 1:
        raise AudioFormatError(f"expected mono 1-D audio, got shape {array.shape}")
    if array.dtype == np.int16:
        return int16_to_float32(array)
    if np.issubdtype(array.dtype, np.floating):
        return np.nan_to_num(array.astype(np.float32, copy=False), nan=0.0)
    raise AudioFormatError(f"expected int16 or float audio, got dtype {array.dtype}")


def mulaw_encode(samples: np.ndarray) -> bytes:
    """Encode 16-bit linear samples (or float audio) to G.711 μ-law bytes."""
    pcm14 = as_int16(samples).astype(np.int32) >> 2
    negative = pcm14 < 0
    mask = np.where(negative, 0x7F, 0xFF)
    magnitude = np.minimum(np.where(negative, -pcm14, pcm14), _CLIP_14) + (_BIAS >> 2)
    segment = np.searchsorted(_SEG_END_14, magnitude, side="left")
    in_range = segment < 8
    safe_segment = np.minimum(segment, 7)
    code = (safe_segment << 4) | ((magnitude >> (safe_segment + 1)) & 0x0F)
    code = np.where(in_range, code, 0x7F)
    return (code ^ mask).astype(np.uint8).tobytes()


def mulaw_decode(data: bytes | bytearray | memoryview) -> np.ndarray:
    """Decode G.711 μ-law bytes to 16-bit linear samples (exact table lookup)."""
    return MULAW_TO_INT16[np.frombuffer(bytes(data), dtype=np.uint8)]


def decode(data: bytes | bytearray | memoryview, encoding: str) -> np.ndarray:
    """Wire bytes in ``encoding`` (``pcm_s16le`` or ``mulaw``) to ``int16`` samples."""
    if encoding == "pcm_s16le":
        return pcm16_to_int16(data)
    if encoding == "mulaw":
        return mulaw_decode(data)
    raise AudioFormatError(f"unsupported encoding {encoding!r} (use one of {', '.join(ENCODINGS)})")


def encode(samples: np.ndarray, encoding: str) -> bytes:
    """``int16`` (or float) samples to wire bytes in ``encoding``."""
    if encoding == "pcm_s16le":
        return int16_to_pcm16(samples)
    if encoding == "mulaw":
        return mulaw_encode(samples)
    raise AudioFormatError(f"unsupported encoding {encoding!r} (use one of {', '.join(ENCODINGS)})")


def bytes_per_sample(encoding: str) -> int:
    """Wire bytes per sample: 2 for PCM16, 1 for μ-law (used to size frames)."""
    if encoding == "pcm_s16le":
        return 2
    if encoding == "mulaw":
        return 1
    raise AudioFormatError(f"unsupported encoding {encoding!r} (use one of {', '.join(ENCODINGS)})")


def duration_s(num_samples: int, sample_rate: int) -> float:
    """Seconds of audio in ``num_samples`` at ``sample_rate``."""
    return num_samples / float(sample_rate)


def rms_dbfs(samples: np.ndarray) -> float:
    """Loudness in dBFS (0 = full-scale square wave, -inf for digital silence).

    Handy for tests and logs; the endpointer itself relies on webrtcvad.
    """
    values = as_float32(samples)
    if values.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(np.square(values, dtype=np.float64))))
    return 20.0 * float(np.log10(rms)) if rms > 0 else float("-inf")
