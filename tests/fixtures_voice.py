"""Pytest plugin with the voice fixtures (registered by ``tests/conftest.py``).

* ``tiny_whisper_dir``: a random-weight faster-whisper folder (built once per session).
* ``tiny_piper_voice``: a tiny single-speaker piper voice ``.onnx`` (16 kHz), with ``.onnx.json``.
* ``tiny_piper_voice_multi``: the same with 3 speakers.
* ``voice_settings``: the ``settings`` fixture pointing ``asr_model``/``tts_voice`` at those.
* ``speech``: ``speech(text, sample_rate=16000) -> int16 array`` of real speech from espeak-ng.
* ``asr_audio``: two seconds of espeak-ng speech at 16 kHz, float32.

Real speech comes from espeak-ng (Debian package ``espeak-ng``, installed by
the project's set-up). The helpers are plain functions too
(``espeak_speech``), for benchmarks.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from modelfactory import build_piper_voice, build_whisper

from hark.voice.audio.codecs import int16_to_float32
from hark.voice.audio.resample import resample
from hark.voice.audio.wav import parse_wav


@functools.lru_cache(maxsize=64)
def _espeak_cached(text: str, voice: str, wpm: int) -> tuple[bytes, int]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise RuntimeError("espeak-ng is not installed (Debian: apt-get install espeak-ng)")
    result = subprocess.run(
        [exe, "--stdout", "-v", voice, "-s", str(wpm), text],
        check=True,
        capture_output=True,
        timeout=30,
    )
    wav = parse_wav(result.stdout, name="espeak-ng output")
    return wav.samples.tobytes(), wav.sample_rate


def espeak_speech(
    text: str, sample_rate: int = 16000, *, voice: str = "en-us", wpm: int = 165
) -> np.ndarray:
    """Real synthetic speech (mono ``int16`` at ``sample_rate``), trimmed of leading/trailing silence."""
    raw, rate = _espeak_cached(text, voice, wpm)
    samples = np.frombuffer(raw, dtype=np.int16)
    loud = np.nonzero(np.abs(samples) > 200)[0]
    if loud.size:
        samples = samples[loud[0] : loud[-1] + 1]
    return resample(samples.copy(), rate, sample_rate)


@pytest.fixture(scope="session")
def tiny_whisper_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_whisper(tmp_path_factory.mktemp("models") / "whisper" / "tiny-test")


@pytest.fixture(scope="session")
def tiny_piper_voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_piper_voice(tmp_path_factory.mktemp("models") / "piper" / "en_US-test-medium.onnx")


@pytest.fixture(scope="session")
def tiny_piper_voice_multi(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("models") / "piper"
    return build_piper_voice(folder / "en_US-testmulti-medium.onnx", num_speakers=3)


@pytest.fixture
def voice_settings(settings, tiny_whisper_dir: Path, tiny_piper_voice: Path):
    """``settings`` with the tiny models configured by path (engines load without downloads)."""
    return settings.model_copy(
        update={"asr_model": str(tiny_whisper_dir), "tts_voice": str(tiny_piper_voice)}
    )


@pytest.fixture(scope="session")
def speech():
    return espeak_speech


@pytest.fixture(scope="session")
def asr_audio() -> np.ndarray:
    """About two seconds of speech at 16 kHz as float32 (what ``Transcriber`` takes)."""
    audio = espeak_speech("Do you have the blue running shoes in size nine?", 16000)
    return int16_to_float32(audio[:32000])
