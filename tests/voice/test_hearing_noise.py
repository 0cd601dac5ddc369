"""The endpointer in shop noise: no turn from the noise alone, and speech in it starts and ends.

Real webrtcvad and espeak-ng speech; the noise is made here (pink noise by
filtering white noise; babble as a sum of six espeak-ng voices at once).
"""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_voice import espeak_speech
from hearing_sim import at_dbfs, babble, pink

from hark.voice.listen.vad import Endpointer
from hark.voice.listen.vad_events import VadEventType

RATE = 16000


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
