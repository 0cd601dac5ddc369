"""Speaking a reply: sentence-by-sentence synthesis, paced sending, and knowing
what the caller actually heard.

Two facts shape this module:

* The first sentence must be on the wire before later sentences are made, so
  a producer task synthesises one piece at a time (``speech_pieces``: the
  sentences, with a long first sentence's first clause on its own), each in
  a worker thread, one piece ahead of the sender. The first piece may come
  ready-made (``PreparedAudio``: synthesised during the end-of-speech
  hangover by a speculative reply), and is then not synthesised again.
* Audio sent ahead of time sits in the client's buffer, so "sent" is not
  "played". The server keeps a model of the client's player
  (``PlayoutClock``): each frame starts playing when the previous one ends,
  or now if the player ran dry, at real-time speed. When the caller barges
  in, the clock says how much of each sentence was heard, and
  ``played_text`` turns that into the words to keep in the conversation.

Sending is paced to stay ``lead_s`` ahead of the player: enough buffered
audio to ride out network jitter, little enough that a barge-in flushes
only a short tail and that a slow client cannot make the server buffer a
whole reply.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hark.voice.audio import as_int16, int16_to_pcm16
from hark.voice.resample import resample
from hark.voice.tts.chunking import speech_pieces

Clock = Callable[[], float]


@dataclass
class _Sentence:
    text: str
    duration_s: float = 0.0  # audio scheduled so far for this sentence
    spans: list[tuple[float, float]] = field(default_factory=list)  # playout intervals
    complete: bool = False  # all of its audio has been scheduled


class PlayoutClock:
    """A model of the client's speaker: which sentence plays when.

    ``schedule`` is called for every frame sent; the frame is assumed to
    start playing when the client's queue reaches it (``max(now, busy
    until)``) and to last its duration. Times are on ``clock`` (perf_counter).
    """

    def __init__(self, clock: Clock = time.perf_counter) -> None:
        self._clock = clock
        self._sentences: list[_Sentence] = []
        self._busy_until: float | None = None
        self.started_at: float | None = None

    def add_sentence(self, text: str) -> int:
        self._sentences.append(_Sentence(text))
        return len(self._sentences) - 1

    def schedule(self, index: int, seconds: float) -> None:
        """A frame of ``seconds`` of sentence ``index`` was handed to the socket now."""
        now = self._clock()
        start = now if self._busy_until is None else max(now, self._busy_until)
        if self.started_at is None:
            self.started_at = start
        end = start + seconds
        sentence = self._sentences[index]
        if sentence.spans and abs(sentence.spans[-1][1] - start) < 1e-9:
            sentence.spans[-1] = (sentence.spans[-1][0], end)
        else:
            sentence.spans.append((start, end))
        sentence.duration_s += seconds
        self._busy_until = end

    def finish_sentence(self, index: int) -> None:
        """All of sentence ``index`` is scheduled (an empty chunk is 'heard' at once)."""
        sentence = self._sentences[index]
        sentence.complete = True
        if not sentence.spans:
            at = self._clock() if self._busy_until is None else max(self._clock(), self._busy_until)
            sentence.spans.append((at, at))

    def ahead_s(self) -> float:
        """Seconds of audio queued at the client right now."""
        if self._busy_until is None:
            return 0.0
        return max(0.0, self._busy_until - self._clock())

    @property
    def ends_at(self) -> float | None:
        """When the client will have played everything scheduled so far."""
        return self._busy_until

    def played_text(self, at: float | None = None) -> str:
        """The words heard by time ``at`` (default now): whole sentences, then the
        completed words of the sentence playing, in proportion to its audio heard."""
        now = self._clock() if at is None else at
        words: list[str] = []
        for sentence in self._sentences:
            heard = sum(max(0.0, min(end, now) - start) for start, end in sentence.spans)
            total = sentence.duration_s
            if sentence.complete and (total <= 0 or heard >= total - 1e-6):
                if sentence.spans and sentence.spans[0][0] <= now:
                    words.append(sentence.text)
                    continue
                break
            if total > 0 and heard > 0:
                words.append(_prefix_words(sentence.text, heard / total))
            break
        return " ".join(w for w in words if w)


def _prefix_words(text: str, fraction: float) -> str:
    """The whole words within the first ``fraction`` of ``text``'s characters."""
    cut = int(len(text) * max(0.0, min(1.0, fraction)))
    if cut >= len(text):
        return text
    if cut < len(text) and text[cut : cut + 1].isspace():
        return text[:cut].rstrip()
    head = text[:cut]
    space = head.rfind(" ")
    return head[:space].rstrip() if space > 0 else ""


SendBytes = Callable[[bytes], Awaitable[Any]]


@dataclass
class PreparedAudio:
    """A piece's audio being synthesised ahead of time (at the synthesizer's rate)."""

    text: str
    audio: asyncio.Future[np.ndarray]

    def discard(self) -> None:
        """Nobody will play it (the thread finishes on its own; its result is dropped)."""
        self.audio.cancel()


def synthesize_piece(synthesizer: Any, piece: str) -> np.ndarray:
    """All audio ``synthesizer`` makes for one piece, as one ``int16`` array.

    A piece is one sentence or clause, so engines yield one chunk for it;
    should one yield more, they are joined (blocking: call in a worker thread).
    """
    chunks = [as_int16(np.asarray(c)) for c in synthesizer.synthesize(piece)]
    if not chunks:
        return np.zeros(0, dtype=np.int16)
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def prepare(synthesizer: Any, text: str) -> PreparedAudio | None:
    """Start synthesising the first piece ``speak`` would say for ``text`` (None: nothing to say)."""
    pieces = speech_pieces(text)
    if not pieces:
        return None
    job = asyncio.ensure_future(asyncio.to_thread(synthesize_piece, synthesizer, pieces[0]))
    job.add_done_callback(lambda done: done.cancelled() or done.exception())  # retrieved
    return PreparedAudio(pieces[0], job)


@dataclass
class SpeechResult:
    """What ``speak`` did: whether audio went out and when the first byte did."""

    first_audio_at: float | None
    sentences: int
    samples_sent: int


async def speak(
    synthesizer: Any,
    text: str,
    *,
    out_rate: int,
    send_bytes: SendBytes,
    on_first_audio: Callable[[], Awaitable[None]],
    on_first_frame_sent: Callable[[float], Awaitable[None]] | None = None,
    clock: PlayoutClock,
    frame_ms: int = 40,
    lead_s: float = 0.3,
    prepared: PreparedAudio | None = None,
) -> SpeechResult:
    """Synthesize ``text`` piece by piece and stream it, paced, at ``out_rate``.

    ``on_first_audio`` runs just before the first audio frame (the session
    sends ``audio_start`` there), ``on_first_frame_sent(perf_counter_time)``
    right after it (every stage of the turn is known then). ``prepared`` is
    used for the first piece when it speaks exactly that piece. Cancelling the
    calling task stops sending at once; the piece being synthesized finishes
    in its thread and is dropped.
    """
    sentences = speech_pieces(text)
    if not sentences:
        return SpeechResult(None, 0, 0)
    if prepared is not None and prepared.text != sentences[0]:
        prepared = None
    queue: asyncio.Queue[np.ndarray | BaseException | None] = asyncio.Queue(maxsize=1)
    producer = asyncio.ensure_future(_produce(synthesizer, sentences, queue, prepared))
    frame_len = max(1, out_rate * frame_ms // 1000)
    first_audio_at: float | None = None
    samples_sent = 0
    try:
        for sentence in sentences:
            chunk = await queue.get()
            if isinstance(chunk, BaseException):
                raise chunk
            if chunk is None:  # the engine yielded fewer chunks than sentences
                break
            index = clock.add_sentence(sentence)
            audio = resample(chunk, int(synthesizer.sample_rate), out_rate)
            for offset in range(0, audio.size, frame_len):
                frame = audio[offset : offset + frame_len]
                ahead = clock.ahead_s()
                if ahead > lead_s:
                    await asyncio.sleep(ahead - lead_s)
                first_at: float | None = None
                if first_audio_at is None:
                    await on_first_audio()
                    first_audio_at = first_at = time.perf_counter()
                await send_bytes(int16_to_pcm16(frame))
                clock.schedule(index, frame.size / out_rate)
                samples_sent += frame.size
                if first_at is not None and on_first_frame_sent is not None:
                    await on_first_frame_sent(first_at)
            clock.finish_sentence(index)
    finally:
        if not producer.done():
            producer.cancel()
    return SpeechResult(first_audio_at, len(sentences), samples_sent)


async def _produce(
    synthesizer: Any,
    pieces: list[str],
    queue: asyncio.Queue[np.ndarray | BaseException | None],
    prepared: PreparedAudio | None,
) -> None:
    """Synthesise each piece in a worker thread, one ahead of the sender.

    A synthesis error is handed to the sender through the queue, so it is
    raised where the reply is being spoken instead of leaving it waiting.
    A prepared first piece that failed is simply synthesised again.
    """
    try:
        for index, piece in enumerate(pieces):
            chunk = None
            if index == 0 and prepared is not None:
                try:
                    chunk = await asyncio.shield(prepared.audio)
                except asyncio.CancelledError:
                    if not prepared.audio.cancelled():
                        raise  # we were cancelled, not the preparation
                except Exception:
                    chunk = None
            if chunk is None:
                chunk = await asyncio.to_thread(synthesize_piece, synthesizer, piece)
            await queue.put(chunk)
    except Exception as exc:
        await queue.put(exc)
        return
    await queue.put(None)


async def wait_until(clock: Callable[[], float], deadline: float | None) -> None:
    """Sleep until ``clock()`` reaches ``deadline`` (no-op for ``None`` or the past)."""
    if deadline is None:
        return
    delay = deadline - clock()
    if delay > 0:
        await asyncio.sleep(delay)
