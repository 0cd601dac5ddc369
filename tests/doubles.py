"""Test doubles at the voice engines' interfaces (``Transcriber``, ``Synthesizer``).

Random-weight models exercise the real engine code but say nothing
meaningful, so behaviour tests that need a known transcript or predictable
audio use these instead, and say so. They implement the same protocols as
``WhisperTranscriber``/``PiperSynthesizer`` and are thread-safe like them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from hark.voice.asr.base import ASR_SAMPLE_RATE, Segment, Transcript, check_audio
from hark.voice.tts.chunking import split_sentences


class ScriptedTranscriber:
    """TEST DOUBLE ``Transcriber``: returns scripted texts in order, ignoring the audio.

    ``script`` is a list of texts (one per call; the last one repeats when it
    runs out) or a function ``audio -> text``. ``delay_s`` simulates model
    time. ``calls`` records the durations of the audio received, so tests can
    check what the endpointer handed over.
    """

    def __init__(
        self,
        script: Iterable[str] | Callable[[np.ndarray], str],
        *,
        delay_s: float = 0.0,
        language: str = "en",
    ) -> None:
        self._func = script if callable(script) else None
        self._texts = [] if callable(script) else list(script)
        self.delay_s = delay_s
        self.language = language
        self.calls: list[float] = []
        self.vocabulary: list[str] = []
        self._lock = threading.Lock()

    def set_vocabulary(self, names: Iterable[str]) -> None:
        self.vocabulary = list(names)

    def transcribe(self, audio_16k_float32: np.ndarray) -> Transcript:
        audio = check_audio(audio_16k_float32)
        started = time.perf_counter()
        if self.delay_s:
            time.sleep(self.delay_s)
        with self._lock:
            index = len(self.calls)
            self.calls.append(audio.size / ASR_SAMPLE_RATE)
            if self._func is not None:
                text = self._func(audio)
            elif self._texts:
                text = self._texts[min(index, len(self._texts) - 1)]
            else:
                text = ""
        duration = audio.size / ASR_SAMPLE_RATE
        segments = (Segment(0.0, duration, text),) if text else ()
        return Transcript(text, self.language, duration, segments, time.perf_counter() - started)


class ToneSynthesizer:
    """TEST DOUBLE ``Synthesizer``: one sine tone per sentence, length from its word count.

    ``seconds_per_word`` sets how long each chunk plays (so barge-in tests
    can make replies long); ``delay_s`` simulates synthesis time per
    sentence. ``spoken`` records the sentences actually synthesised, which
    shows that synthesis is lazy.
    """

    def __init__(
        self,
        *,
        sample_rate: int = 16000,
        seconds_per_word: float = 0.3,
        delay_s: float = 0.0,
        frequency_hz: float = 440.0,
    ) -> None:
        self._rate = sample_rate
        self.seconds_per_word = seconds_per_word
        self.delay_s = delay_s
        self.frequency_hz = frequency_hz
        self.spoken: list[str] = []

    @property
    def sample_rate(self) -> int:
        return self._rate

    def synthesize(self, text: str) -> Iterator[np.ndarray]:
        for sentence in split_sentences(text):
            if self.delay_s:
                time.sleep(self.delay_s)
            self.spoken.append(sentence)
            seconds = max(1, len(sentence.split())) * self.seconds_per_word
            t = np.arange(int(seconds * self._rate), dtype=np.float32) / self._rate
            yield (np.sin(2 * np.pi * self.frequency_hz * t) * 12000).astype(np.int16)


class UtteranceScript:
    """TEST DOUBLE helper: a ``ScriptedTranscriber`` script with one text per *utterance*.

    The voice session may transcribe the same utterance twice (early ASR at
    the first silence, then the final call on identical audio), so a plain
    call-indexed script would drift. Used as ``ScriptedTranscriber(UtteranceScript([...]))``,
    identical audio always gets the same text and every new audio takes the
    next line (the last one repeats). ``texts_given`` lists the answers in order.
    """

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = list(texts)
        self._seen: dict[bytes, str] = {}
        self.texts_given: list[str] = []

    def __call__(self, audio: np.ndarray) -> str:
        key = audio.tobytes()
        if key not in self._seen:
            index = min(len(self._seen), len(self._texts) - 1)
            self._seen[key] = self._texts[index] if self._texts else ""
        text = self._seen[key]
        self.texts_given.append(text)
        return text


class ScriptedDialogue:
    """TEST/BENCH DOUBLE ``DialogueManager``: a fixed greeting and reply, nothing stored.

    For measuring the voice pipeline without the brain's cost (the concurrency
    benchmark's "protocol only" rows) and for tests that need a predictable
    reply. Implements the calls a voice session makes; ``turns`` records the
    texts it was given. ``greeting_expects``/``expects_digits``: the greeting asks
    for a number of that many digits (``Reply.expects``), as the real brain's
    "What's your order number?" does.
    """

    def __init__(
        self,
        reply: str = "Sure. What's your order number?",
        greeting: str = "Hi, I'm Hark, an automated assistant. How can I help?",
        *,
        greeting_expects: Any = None,
        expects_digits: frozenset[int] = frozenset(),
    ) -> None:
        from hark.skills.reply import Reply

        self._reply_type = Reply
        self.reply = reply
        self.greeting = greeting
        self.greeting_expects = greeting_expects
        self.expects_digits = expects_digits
        self.code_sender = None  # the server wires its text sender here, as on the real one
        self.turns: list[str] = []
        self.interrupted: list[tuple[int, str]] = []
        self._count = 0
        self._lock = threading.Lock()

    streams_replies = False  # like a DialogueManager without an LLM

    def start_conversation(
        self,
        channel: str,
        customer_id: str | None = None,
        *,
        identity: Any = None,
        owner: str | None = None,
    ):
        with self._lock:
            self._count += 1
            conversation_id = f"scripted-{self._count}"
        greeting = self._reply_type(
            text=self.greeting,
            intent="greet",
            expects=self.greeting_expects,
            expects_digits=self.expects_digits,
        )
        return conversation_id, greeting

    def turn(self, conversation_id: str, text: str, metrics: dict | None = None):
        with self._lock:
            self.turns.append(text)
        return self._reply_type(text=self.reply, intent="order_status")

    def speculate(self, conversation_id: str, text: str):
        from hark.dialogue.speculation import Speculation

        return Speculation(conversation_id, text, self._reply_type(text=self.reply))

    def commit(self, speculation, metrics: dict | None = None):
        from hark.dialogue.speculation import Committed

        reply = self.turn(speculation.conversation_id, speculation.text, metrics)
        return Committed(reply=reply, matched=reply.text == speculation.reply.text)

    def mark_interrupted(self, conversation_id: str, turn_id: int, played_text: str) -> None:
        with self._lock:
            self.interrupted.append((turn_id, played_text))

    def record_metrics(self, conversation_id: str, turn_id: int, metrics: dict) -> None:
        return None

    def end_conversation(self, conversation_id: str) -> None:
        return None


class HashingEmbedderDouble:
    """A test double for :class:`hark.language.embedding.Embedder`: each word hashed to one
    of 256 dimensions, so texts sharing words are similar and nothing else is. It knows no
    meaning: unit tests of the plumbing (loading, caching, thresholds applied) use it;
    behaviour tests use the real model."""

    name = "hashing embedder (test double)"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.calls = 0

    def embed(self, texts: Iterable[str]) -> np.ndarray:
        import zlib

        rows = []
        for text in texts:
            self.calls += 1
            row = np.zeros(self.dim, dtype=np.float32)
            for word in text.lower().split():
                row[zlib.crc32(word.encode()) % self.dim] += 1.0
            norm = float(np.linalg.norm(row))
            rows.append(row / norm if norm else row)
        return np.stack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)
