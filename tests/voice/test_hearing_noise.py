"""The endpointer in shop noise: no turn from the noise alone, and speech in it starts and ends.

Real webrtcvad and espeak-ng speech; the noise is made here (pink noise by
filtering white noise; babble as a sum of six espeak-ng voices at once).
"""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_voice import espeak_speech

from hark.voice.listen.vad import Endpointer
from hark.voice.listen.vad_events import VadEventType

RATE = 16000
SENTENCES = [
    "Do you have the blue running shoes in size nine?",
    "I would like to return my headphones please.",
    "What time do you open on Saturday?",
    "Can you tell me where my order is?",
    "Is the coffee grinder in stock today?",
    "How much is shipping to Canada?",
]


def pink(seconds: float, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    spectrum = np.fft.rfft(rng.normal(0, 1, n))
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1))
    return np.fft.irfft(spectrum, n)


def babble(seconds: float) -> np.ndarray:
    n = int(seconds * RATE)
    out = np.zeros(n)
    for k, text in enumerate(SENTENCES):
        voice = ("en-us", "en-gb", "en-us+f3", "en-gb+m3", "en-us+m5", "en-gb+f2")[k]
        talk = np.resize(espeak_speech(text, RATE, voice=voice).astype(float), n + k * 3000)
        out += talk[k * 3000 : k * 3000 + n]
    return out


def at_dbfs(noise: np.ndarray, db: float) -> np.ndarray:
    rms = np.sqrt(np.mean(noise**2))
    return noise * (32768 * 10 ** (db / 20) / rms)


def events(audio: np.ndarray) -> list[VadEventType]:
    endpointer = Endpointer(RATE)
    out = []
    for offset in range(0, audio.size, 320):
        chunk = np.clip(audio[offset : offset + 320], -32768, 32767).astype(np.int16)
        out += [e.type for e in endpointer.feed(chunk)]
    return out


@pytest.mark.parametrize("kind", ["pink", "babble"])
def test_noise_alone_makes_no_turn(kind: str) -> None:
    noise = at_dbfs(pink(30) if kind == "pink" else babble(30), -32.0)
    assert VadEventType.SPEECH_END not in events(noise)


@pytest.mark.parametrize("kind", ["pink", "babble"])
def test_speech_10_db_above_noise_starts_and_ends(kind: str) -> None:
    speech = espeak_speech("Where is my order?", RATE, voice="en-gb").astype(float)
    level = 20 * np.log10(np.sqrt(np.mean(speech**2)) / 32768)
    noise = at_dbfs(pink(6) if kind == "pink" else babble(6), level - 10)
    mix = noise.copy()
    mix[2 * RATE : 2 * RATE + speech.size] += speech
    found = events(mix)
    assert found.count(VadEventType.SPEECH_END) == 1, found
