"""Codecs (PCM16, G.711 μ-law), WAV reading/writing and resampling."""

from __future__ import annotations

import shutil
import struct
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

from hark.voice.audio import codecs as audio
from hark.voice.audio.resample import StreamingResampler, resample
from hark.voice.audio.wav import parse_wav, read_wav, write_wav
from hark.voice.errors import AudioFormatError

ALL_INT16 = np.arange(-32768, 32768, dtype=np.int16)


def tone(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return audio.float32_to_int16((amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32))


def peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(np.float64) * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[np.argmax(spectrum)])


# --------------------------------------------------------------------------- μ-law
def test_mulaw_decode_table_matches_g711_reference_values() -> None:
    table = audio.MULAW_TO_INT16
    assert table[0xFF] == 0 and table[0x7F] == 0  # positive and negative zero
    assert table[0x80] == 32124 and table[0x00] == -32124  # the extremes
    assert table[0xFE] == 8 and table[0x7E] == -8  # first step above zero
    assert table[0xEF] == 132 and table[0xDF] == 396  # segment edges (0x84 bias shows)
    assert np.all(table[0x80:] == -table[:0x80])  # sign symmetry


def test_mulaw_every_code_survives_decode_then_encode() -> None:
    codes = bytes(range(256))
    again = audio.mulaw_encode(audio.mulaw_decode(codes))
    expected = bytearray(codes)
    expected[0x7F] = 0xFF  # negative zero decodes to 0, which encodes as positive zero
    assert again == bytes(expected)


def test_mulaw_encode_matches_audioop_on_every_16_bit_value() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        audioop = pytest.importorskip("audioop", reason="audioop was removed in Python 3.13")
    assert audio.mulaw_encode(ALL_INT16) == audioop.lin2ulaw(ALL_INT16.tobytes(), 2)
    codes = bytes(range(256))
    assert audio.mulaw_decode(codes).tobytes() == audioop.ulaw2lin(codes, 2)


def test_mulaw_is_monotonic_with_bounded_logarithmic_error() -> None:
    decoded = audio.mulaw_decode(audio.mulaw_encode(ALL_INT16)).astype(np.int64)
    assert np.all(np.diff(decoded) >= 0)
    error = np.abs(decoded - ALL_INT16.astype(np.int64))
    assert np.all(error <= 8 + np.abs(ALL_INT16.astype(np.int64)) * 0.1)
    assert audio.mulaw_encode(np.array([32767, -32768, 0], np.int16)) == b"\x80\x00\xff"


def test_mulaw_round_trip_of_speech_level_tone_has_telephone_snr() -> None:
    signal = tone(440, 8000, 1.0, amplitude=0.3)
    decoded = audio.mulaw_decode(audio.mulaw_encode(signal))
    noise = decoded.astype(np.float64) - signal
    snr_db = 10 * np.log10(np.sum(signal.astype(np.float64) ** 2) / np.sum(noise**2))
    assert snr_db > 35  # G.711 gives ~38 dB over a wide range of levels


def test_mulaw_accepts_float_audio() -> None:
    floats = np.array([0.0, 0.5, -0.5, 1.5], np.float32)
    assert audio.mulaw_encode(floats) == audio.mulaw_encode(audio.float32_to_int16(floats))


# --------------------------------------------------------------------------- PCM16 / floats
def test_pcm16_round_trip_is_little_endian_and_exact() -> None:
    data = audio.int16_to_pcm16(ALL_INT16)
    assert data[:4] == struct.pack("<hh", -32768, -32767)
    assert np.array_equal(audio.pcm16_to_int16(data), ALL_INT16)
    assert np.array_equal(audio.pcm16_to_int16(memoryview(data)), ALL_INT16)


def test_pcm16_odd_length_is_rejected() -> None:
    with pytest.raises(AudioFormatError, match="odd length"):
        audio.pcm16_to_int16(b"\x00\x01\x02")


def test_float_conversion_round_trip_is_exact_and_clips() -> None:
    assert np.array_equal(audio.float32_to_int16(audio.int16_to_float32(ALL_INT16)), ALL_INT16)
    clipped = audio.float32_to_int16(np.array([2.0, -2.0, np.nan, 1.0], np.float32))
    assert clipped.tolist() == [32767, -32768, 0, 32767]
    assert audio.int16_to_float32(np.array([-32768], np.int16))[0] == -1.0


@pytest.mark.parametrize("bad", [np.zeros((2, 10), np.int16), np.zeros(10, np.int32)])
def test_ambiguous_arrays_are_rejected(bad: np.ndarray) -> None:
    with pytest.raises(AudioFormatError):
        audio.as_int16(bad)
    with pytest.raises(AudioFormatError):
        audio.as_float32(bad)


def test_wire_encoding_dispatch() -> None:
    samples = tone(300, 8000, 0.1)
    for encoding, width in (("pcm_s16le", 2), ("mulaw", 1)):
        wire = audio.encode(samples, encoding)
        assert len(wire) == samples.size * audio.bytes_per_sample(encoding) == samples.size * width
        assert audio.decode(wire, encoding).size == samples.size
    with pytest.raises(AudioFormatError, match="unsupported encoding"):
        audio.decode(b"\x00\x00", "opus")
    with pytest.raises(AudioFormatError):
        audio.encode(samples, "alaw")


def test_rms_dbfs() -> None:
    assert audio.rms_dbfs(np.zeros(100, np.int16)) == float("-inf")
    full_sine = tone(100, 8000, 1.0, amplitude=1.0)
    assert audio.rms_dbfs(full_sine) == pytest.approx(-3.01, abs=0.05)


# --------------------------------------------------------------------------- WAV
def test_write_then_read_wav(tmp_path: Path) -> None:
    samples = tone(440, 16000, 0.25)
    write_wav(tmp_path / "a.wav", samples, 16000)
    wav = read_wav(tmp_path / "a.wav")
    assert wav.sample_rate == 16000 and wav.channels == 1 and wav.bits_per_sample == 16
    assert np.array_equal(wav.samples, samples)
    assert wav.duration_s == pytest.approx(0.25)


@pytest.mark.parametrize(
    ("bits", "encoding", "channels"),
    [(8, "unsigned-integer", 1), (16, "signed-integer", 2), (24, "signed-integer", 2),
     (32, "signed-integer", 1), (32, "floating-point", 2), (64, "floating-point", 1)],
)  # fmt: skip
def test_read_wav_formats_written_by_sox(
    tmp_path: Path, bits: int, encoding: str, channels: int
) -> None:
    sox = shutil.which("sox")
    assert sox, "sox is part of the project's set-up (Debian package sox)"
    path = tmp_path / "t.wav"
    subprocess.run(
        [sox, "-n", "-r", "44100", "-c", str(channels), "-b", str(bits), "-e", encoding,
         str(path), "synth", "0.5", "sine", "1000", "vol", "0.5"],
        check=True, capture_output=True,
    )  # fmt: skip
    wav = read_wav(path)
    assert wav.sample_rate == 44100 and wav.channels == channels
    assert wav.bits_per_sample == bits and wav.float_format == (encoding == "floating-point")
    assert wav.samples.dtype == np.int16 and wav.samples.size == 22050
    assert np.abs(wav.samples).max() == pytest.approx(16384, rel=0.02)
    assert peak_hz(wav.samples, 44100) == pytest.approx(1000, abs=5)


def test_stereo_channels_are_averaged() -> None:
    left = np.full(100, 1000, np.int16)
    right = np.full(100, 3000, np.int16)
    frames = np.stack([left, right], axis=1).astype("<i2").tobytes()
    header = struct.pack("<4sI4s4sIHHIIHH", b"RIFF", 36 + len(frames), b"WAVE", b"fmt ", 16,
                         1, 2, 8000, 8000 * 4, 4, 16)  # fmt: skip
    wav = parse_wav(header + struct.pack("<4sI", b"data", len(frames)) + frames)
    assert wav.samples.tolist() == [2000] * 100


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "not a WAV"), (b"RIFF\x00\x00\x00\x00WAVEjunk", "fmt"),
     (b"ID3 not a wav at all........", "not a WAV")],
)  # fmt: skip
def test_unreadable_wav_gives_one_line_error(data: bytes, message: str) -> None:
    with pytest.raises(AudioFormatError, match=message):
        parse_wav(data)


def test_missing_wav_file(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="cannot read"):
        read_wav(tmp_path / "nope.wav")


# --------------------------------------------------------------------------- resampling
@pytest.mark.parametrize(
    ("src", "dst"), [(48000, 16000), (8000, 16000), (24000, 16000), (22050, 8000)]
)
def test_one_shot_resample_keeps_pitch_length_and_dtype(src: int, dst: int) -> None:
    samples = tone(700, src, 1.0)
    out = resample(samples, src, dst)
    assert out.dtype == np.int16 and out.size == dst
    assert peak_hz(out, dst) == pytest.approx(700, abs=3)
    floats = resample(audio.int16_to_float32(samples), src, dst)
    assert floats.dtype == np.float32


def test_resample_same_rate_is_identity_and_bad_rates_fail() -> None:
    samples = tone(100, 16000, 0.1)
    assert resample(samples, 16000, 16000) is samples
    with pytest.raises(AudioFormatError):
        resample(samples, 0, 16000)
    with pytest.raises(AudioFormatError):
        resample(np.zeros((2, 2), np.int16), 8000, 16000)


def test_streaming_resampler_matches_one_shot_across_odd_chunks() -> None:
    samples = tone(440, 48000, 1.0)
    stream = StreamingResampler(48000, 16000)
    rng = np.random.default_rng(1)
    pieces, pos = [], 0
    while pos < samples.size:
        size = int(rng.integers(1, 2000))
        pieces.append(stream.process(samples[pos : pos + size]))
        pos += size
    pieces.append(stream.flush())
    streamed = np.concatenate(pieces)
    assert abs(streamed.size - 16000) <= 1
    reference = resample(samples, 48000, 16000)
    middle = slice(800, 15000)  # away from the edges, both are the same filter
    assert np.max(np.abs(streamed[middle].astype(int) - reference[middle].astype(int))) <= 2
    assert stream.samples_in == 0  # flush() made it ready for a new stream


def test_streaming_resampler_passthrough_and_dtype_check() -> None:
    stream = StreamingResampler(16000, 16000)
    chunk = tone(100, 16000, 0.02)
    assert stream.passthrough and stream.process(chunk) is chunk
    assert stream.flush().size == 0
    with pytest.raises(AudioFormatError, match="int16"):
        StreamingResampler(8000, 16000).process(np.zeros(10, np.float32))
