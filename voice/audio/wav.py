"""Read any common WAV file as mono ``int16``; write mono PCM16 WAV files.

``hark transcribe`` must accept whatever a user records: 8/16/24/32-bit
integer PCM, 32/64-bit IEEE float, any rate, any number of channels, plain or
WAVE_FORMAT_EXTENSIBLE headers. The standard ``wave`` module rejects float
and extensible files, so the RIFF chunks are parsed here (it is a small,
fixed format); channels are averaged to mono.
"""

from __future__ import annotations

import struct
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hark.voice.audio.codecs import as_int16, float32_to_int16
from hark.voice.errors import AudioFormatError

_PCM = 0x0001
_IEEE_FLOAT = 0x0003
_EXTENSIBLE = 0xFFFE


@dataclass(frozen=True)
class WavAudio:
    """Decoded WAV contents: mono samples and what the file declared."""

    samples: np.ndarray  # mono int16
    sample_rate: int
    channels: int
    bits_per_sample: int
    float_format: bool

    @property
    def duration_s(self) -> float:
        return len(self.samples) / float(self.sample_rate)


def read_wav(path: str | Path) -> WavAudio:
    """Read a WAV file and mix it down to mono ``int16``.

    Raises ``AudioFormatError`` with a one-line reason for anything that is
    not a readable PCM/float WAV (so the CLI can print it instead of a trace).
    """
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AudioFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return parse_wav(data, name=str(path))


def parse_wav(data: bytes, *, name: str = "WAV data") -> WavAudio:
    """Parse WAV bytes (see ``read_wav``)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioFormatError(f"{name} is not a WAV file (no RIFF/WAVE header)")
    fmt: bytes | None = None
    payload: bytes | None = None
    offset = 12
    while offset + 8 <= len(data):
        chunk_id = data[offset : offset + 4]
        (size,) = struct.unpack_from("<I", data, offset + 4)
        body = data[offset + 8 : offset + 8 + size]
        if chunk_id == b"fmt ":
            fmt = body
        elif chunk_id == b"data":
            payload = body  # a truncated final chunk is read as far as it goes
            if fmt is not None:
                break
        offset += 8 + size + (size & 1)  # chunks are padded to even sizes
    if fmt is None or len(fmt) < 16:
        raise AudioFormatError(f"{name} has no valid 'fmt ' chunk")
    if payload is None:
        raise AudioFormatError(f"{name} has no 'data' chunk")
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        (tag,) = struct.unpack_from("<H", fmt, 24)  # first two bytes of the SubFormat GUID
    if channels < 1 or rate < 1 or bits < 1:
        raise AudioFormatError(f"{name} declares {channels} channels at {rate} Hz, {bits} bits")
    width = bits // 8 if bits % 8 == 0 else 0
    if block_align != channels * width or width == 0:
        raise AudioFormatError(
            f"{name}: unsupported sample layout ({bits} bits, block {block_align})"
        )
    usable = len(payload) - len(payload) % block_align
    raw = payload[:usable]
    if tag == _PCM and width == 2 and channels == 1:
        samples = np.frombuffer(raw, dtype="<i2").astype(np.int16)  # the common case, exact
    elif tag == _PCM:
        samples = float32_to_int16(_mix(_decode_int(raw, width), channels))
    elif tag == _IEEE_FLOAT and width in (4, 8):
        values = np.frombuffer(raw, dtype="<f4" if width == 4 else "<f8").astype(np.float32)
        samples = float32_to_int16(_mix(values, channels))
    else:
        raise AudioFormatError(
            f"{name}: unsupported WAV encoding (format tag {tag:#06x}, {bits} bits)"
        )
    return WavAudio(samples, int(rate), int(channels), int(bits), tag == _IEEE_FLOAT)


def _decode_int(raw: bytes, width: int) -> np.ndarray:
    """Integer PCM of any byte width to float32 in [-1, 1)."""
    if width == 1:  # 8-bit WAV is unsigned
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if width == 4:
        return (np.frombuffer(raw, dtype="<i4").astype(np.float64) / 2147483648.0).astype(
            np.float32
        )
    # 24-bit (or other odd widths): sign-extend the top three bytes of each sample.
    bytes_ = np.frombuffer(raw, dtype=np.uint8).reshape(-1, width)[:, -3:].astype(np.int32)
    value = bytes_[:, 0] | (bytes_[:, 1] << 8) | (bytes_[:, 2] << 16)
    value = np.where(value & 0x800000, value - 0x1000000, value)
    return value.astype(np.float32) / 8388608.0


def _mix(values: np.ndarray, channels: int) -> np.ndarray:
    if channels == 1:
        return values
    return values.reshape(-1, channels).mean(axis=1, dtype=np.float32)


def write_wav(path: str | Path, samples: np.ndarray, sample_rate: int) -> None:
    """Write mono 16-bit PCM (float input is converted) with the standard ``wave`` module."""
    pcm = as_int16(samples)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(int(sample_rate))
        out.writeframes(pcm.astype("<i2", copy=False).tobytes())
