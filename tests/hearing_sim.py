"""A caller on a loudspeaker, for tests and ``bench/hearing.py``: what the microphone hears
is the caller's own voice plus Hark's reply as the room sends it back, and shop noise.

``LoudspeakerCaller`` runs a real-time, full-duplex ``/v1/voice`` client: every
reply frame the server sends goes into a model of the client's player (it plays
frames back to back from their arrival, and drops what is queued on
``interrupted``), and each 20 ms microphone chunk sent is the player's output
``echo_delay_s`` earlier, ``echo_db`` quieter, through a synthetic room
(exponentially decaying noise, ``reverb_s`` long), plus the caller's scheduled
speech and any background noise. Times are sample counts of the microphone
stream, so a schedule is exact whatever the machine's load.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import numpy as np
from fixtures_voice import espeak_speech
from scipy.signal import fftconvolve
from voice_client import VoiceClient

from hark.voice.tts.chunking import split_sentences

CHUNK_S = 0.02
NOISE_RATE = 16000

SENTENCES = (  # what the six voices of ``babble`` say at once
    "Do you have the blue running shoes in size nine?",
    "I would like to return my headphones please.",
    "What time do you open on Saturday?",
    "Can you tell me where my order is?",
    "Is the coffee grinder in stock today?",
    "How much is shipping to Canada?",
)


def pink(seconds: float, seed: int = 1) -> np.ndarray:
    """Pink noise (1/f power, like a ventilated shop floor) at 16 kHz, any level."""
    rng = np.random.default_rng(seed)
    n = int(seconds * NOISE_RATE)
    spectrum = np.fft.rfft(rng.normal(0, 1, n))
    spectrum /= np.sqrt(np.maximum(np.arange(spectrum.size), 1))
    return np.fft.irfft(spectrum, n)


def babble(seconds: float) -> np.ndarray:
    """Six espeak-ng voices talking at once (shoppers nearby) at 16 kHz, any level."""
    n = int(seconds * NOISE_RATE)
    out = np.zeros(n)
    for k, text in enumerate(SENTENCES):
        voice = ("en-us", "en-gb", "en-us+f3", "en-gb+m3", "en-us+m5", "en-gb+f2")[k]
        talk = np.resize(espeak_speech(text, NOISE_RATE, voice=voice).astype(float), n + k * 3000)
        out += talk[k * 3000 : k * 3000 + n]
    return out


def at_dbfs(noise: np.ndarray, db: float) -> np.ndarray:
    """``noise`` scaled to an RMS of ``db`` dBFS (int16 full scale)."""
    rms = np.sqrt(np.mean(noise**2))
    return noise * (32768 * 10 ** (db / 20) / rms)


def read_out(words: list[str], gap_s: float, tail_s: float = 2.0) -> np.ndarray:
    """A caller reading ``words`` (digits) one at a time with ``gap_s`` pauses (espeak-ng
    en-gb, slowly), after 0.3 s of silence and before ``tail_s`` of it; 16 kHz int16."""
    pause = np.zeros(int(gap_s * NOISE_RATE), np.int16)
    parts = [np.zeros(int(0.3 * NOISE_RATE), np.int16)]
    for word in words:
        parts += [espeak_speech(word, NOISE_RATE, voice="en-gb", wpm=120), pause]
    parts.append(np.zeros(int(tail_s * NOISE_RATE), np.int16))
    return np.concatenate(parts)


def room_response(rate: int, reverb_s: float, seed: int = 3) -> np.ndarray:
    """A synthetic room impulse response (unit energy): direct path plus a decaying tail."""
    if reverb_s <= 0:
        return np.ones(1)
    n = int(reverb_s * rate)
    rng = np.random.default_rng(seed)
    tail = rng.normal(0, 1, n) * np.exp(-6.9 * np.arange(n) / n)  # -60 dB at the end
    tail[0] = 4.0
    return tail / np.sqrt(np.sum(tail**2))


class EspeakSynthesizer:
    """TEST DOUBLE ``Synthesizer``: Hark's replies spoken by espeak-ng (real speech, so echo
    looks like speech to the endpointer, unlike a tone), one chunk per sentence."""

    def __init__(self, sample_rate: int = 16000, voice: str = "en-us", wpm: int = 150) -> None:
        self.sample_rate = sample_rate
        self.voice = voice
        self.wpm = wpm

    def synthesize(self, text: str):
        for sentence in split_sentences(text):
            yield espeak_speech(sentence, self.sample_rate, voice=self.voice, wpm=self.wpm)


@dataclass
class LoudspeakerCaller:
    """See the module docstring. ``speech`` is a list of (start second, int16 samples)."""

    client: VoiceClient
    rate: int = 16000
    echo_delay_s: float = 0.1
    echo_db: float = -10.0
    reverb_s: float = 0.3
    noise: np.ndarray | None = None  # background, looped, already at its level
    speech: list[tuple[float, np.ndarray]] = field(default_factory=list)
    speaker: list[np.ndarray] = field(default_factory=list)  # what the loudspeaker played

    def __post_init__(self) -> None:
        self._queue = np.zeros(0, dtype=np.int16)
        self._seen = 0  # received items already moved into the player
        self._room = room_response(self.rate, self.reverb_s)
        self._gain = 10 ** (self.echo_db / 20)
        self._chunk = int(self.rate * CHUNK_S)
        self.started_at = 0.0  # perf_counter when the microphone started (stream time 0)

    def _fill_player(self) -> None:
        received = self.client.received
        while self._seen < len(received):
            item = received[self._seen]
            self._seen += 1
            if item.audio is not None:
                frame = np.frombuffer(item.audio, dtype="<i2")
                self._queue = np.concatenate((self._queue, frame))
            elif item.type == "interrupted":
                self._queue = self._queue[:0]  # the client flushes its player

    def _mic(self, index: int, played: np.ndarray) -> np.ndarray:
        n = self._chunk
        start = index * n
        out = np.zeros(n, dtype=np.float64)
        delay = int(self.echo_delay_s * self.rate)
        taps = self._room.size
        lo = start - delay - taps + 1
        hi = start - delay + n
        source = np.zeros(hi - lo)
        a, b = max(lo, 0), max(min(hi, played.size), 0)
        if b > a:
            source[a - lo : b - lo] = played[a:b]
        out += fftconvolve(source, self._room, mode="valid")[:n] * self._gain
        for at_s, samples in self.speech:
            first = int(at_s * self.rate)
            a, b = max(start, first), min(start + n, first + samples.size)
            if b > a:
                out[a - start : b - start] += samples[a - first : b - first]
        if self.noise is not None:
            idx = (np.arange(start, start + n)) % self.noise.size
            out += self.noise[idx]
        return np.clip(out, -32768, 32767).astype(np.int16)

    async def run(self, seconds: float) -> None:
        """Stream ``seconds`` of microphone audio in real time."""
        n = self._chunk
        began = self.started_at = time.perf_counter()
        played = np.zeros(0, dtype=np.int16)
        for index in range(int(seconds / CHUNK_S)):
            due = began + index * CHUNK_S
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            self._fill_player()
            out, self._queue = self._queue[:n], self._queue[n:]
            if out.size < n:
                out = np.concatenate((out, np.zeros(n - out.size, dtype=np.int16)))
            played = np.concatenate((played, out))
            self.speaker.append(out)
            await self.client.ws.send(self._mic(index, played).tobytes())

    def played_s(self) -> float:
        """Seconds of reply audio the loudspeaker actually played (non-silent chunks)."""
        return sum(CHUNK_S for chunk in self.speaker if np.abs(chunk).max(initial=0) > 0)
