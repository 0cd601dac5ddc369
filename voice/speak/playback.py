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

Some transports say what was really played (Twilio echoes a ``mark`` when
the audio before it has been heard). A ``PlaybackObserver`` is told when each
sentence's audio has been handed over, so it can place such a marker, and
reports back with ``PlayoutClock.confirm``; a clock made with
``reports=True`` then trusts those reports over its own model: a sentence
whose report has not come back was not heard to the end, however much time
has passed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from hark.voice.audio.codecs import as_int16, int16_to_pcm16
from hark.voice.audio.resample import resample
from hark.voice.tts.chunking import speech_pieces

Clock = Callable[[], float]


@dataclass
class _Sentence:
    text: str
    duration_s: float = 0.0  # audio scheduled so far for this sentence
    spans: list[tuple[float, float]] = field(default_factory=list)  # playout intervals
    complete: bool = False  # all of its audio has been scheduled
    reported_at: float | None = None  # the transport reported it played to the end


class PlayoutClock:
    """A model of the client's speaker: which sentence plays when.

    ``schedule`` is called for every frame sent; the frame is assumed to
    start playing when the client's queue reaches it (``max(now, busy
    until)``) and to last its duration. Times are on ``clock`` (perf_counter).
    With ``reports=True`` the transport reports each sentence's end
    (``confirm``) and ``played_text`` follows the reports (module docstring).
    """

    def __init__(self, clock: Clock = time.perf_counter, *, reports: bool = False) -> None:
        self._clock = clock
        self._sentences: list[_Sentence] = []
        self._busy_until: float | None = None
        self.started_at: float | None = None
        self.reports = reports
        self._all_reported: asyncio.Event | None = None

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

    def confirm(self, index: int, at: float | None = None) -> None:
        """The client reports that sentence ``index`` finished playing at ``at`` (default now)."""
        if not 0 <= index < len(self._sentences):
            return
        sentence = self._sentences[index]
        if sentence.reported_at is None:
            sentence.reported_at = self._clock() if at is None else at
        if self._all_reported is not None and self._everything_reported():
            self._all_reported.set()

    def _everything_reported(self) -> bool:
        return all(s.complete and s.reported_at is not None for s in self._sentences)

    async def wait_reported(self, timeout: float) -> bool:
        """Wait (bounded) until every scheduled sentence has been reported as played."""
        if self._everything_reported():
            return True
        if self._all_reported is None:
            self._all_reported = asyncio.Event()
        try:
            await asyncio.wait_for(self._all_reported.wait(), timeout)
        except TimeoutError:
            return False
        return True

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
        if self.reports:
            return self._reported_text(now)
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

    def _reported_text(self, now: float) -> str:
        """Whole sentences reported by ``now``, then the part of the next one that can have
        played since the previous report (never all of it: its report has not come)."""
        words: list[str] = []
        since = self.started_at
        for sentence in self._sentences:
            if sentence.reported_at is not None and sentence.reported_at <= now:
                words.append(sentence.text)
                since = sentence.reported_at
                continue
            if since is not None and sentence.duration_s > 0 and now > since:
                fraction = min((now - since) / sentence.duration_s, 0.99)
                words.append(_prefix_words(sentence.text, fraction))
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


class PlaybackObserver(Protocol):
    """A transport that can report playback (see the module docstring)."""

    async def sentence_sent(self, clock: PlayoutClock, index: int) -> None:
        """All audio of sentence ``index`` has been handed over; report it via ``clock.confirm``."""
        ...


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
    on_sentence_sent: Callable[[int], Awaitable[None]] | None = None,
    clock: PlayoutClock,
    frame_ms: int = 40,
    lead_s: float = 0.3,
    prepared: PreparedAudio | None = None,
) -> SpeechResult:
    """Synthesize ``text`` piece by piece and stream it, paced, at ``out_rate``.

    ``on_first_audio`` runs just before the first audio frame (the session
    sends ``audio_start`` there), ``on_first_frame_sent(perf_counter_time)``
    right after it (every stage of the turn is known then), and
    ``on_sentence_sent(index)`` after each piece's last frame. ``prepared`` is
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
    sender = ChunkSender(
        out_rate,
        send_bytes,
        on_first_audio,
        on_first_frame_sent,
        clock,
        frame_ms,
        lead_s,
        on_sentence_sent=on_sentence_sent,
    )
    try:
        for sentence in sentences:
            chunk = await queue.get()
            if isinstance(chunk, BaseException):
                raise chunk
            if chunk is None:  # the engine yielded fewer chunks than sentences
                break
            await sender.send(sentence, chunk, int(synthesizer.sample_rate))
    finally:
        if not producer.done():
            producer.cancel()
    return SpeechResult(sender.first_audio_at, len(sentences), sender.samples_sent)


class ChunkSender:
    """Sends one sentence's audio after another, paced ``lead_s`` ahead of the client's
    player and recorded on the ``PlayoutClock``; the first frame fires the callbacks."""

    def __init__(
        self,
        out_rate: int,
        send_bytes: SendBytes,
        on_first_audio: Callable[[], Awaitable[None]],
        on_first_frame_sent: Callable[[float], Awaitable[None]] | None,
        clock: PlayoutClock,
        frame_ms: int = 40,
        lead_s: float = 0.3,
        on_sentence_sent: Callable[[int], Awaitable[None]] | None = None,
    ) -> None:
        self.out_rate = out_rate
        self.on_sentence_sent = on_sentence_sent
        self.send_bytes = send_bytes
        self.on_first_audio = on_first_audio
        self.on_first_frame_sent = on_first_frame_sent
        self.clock = clock
        self.frame_len = max(1, out_rate * frame_ms // 1000)
        self.lead_s = lead_s
        self.first_audio_at: float | None = None
        self.samples_sent = 0

    async def send(self, sentence: str, chunk: np.ndarray, rate: int) -> None:
        clock = self.clock
        index = clock.add_sentence(sentence)
        audio = resample(chunk, rate, self.out_rate)
        for offset in range(0, audio.size, self.frame_len):
            frame = audio[offset : offset + self.frame_len]
            ahead = clock.ahead_s()
            if ahead > self.lead_s:
                await asyncio.sleep(ahead - self.lead_s)
            first_at: float | None = None
            if self.first_audio_at is None:
                await self.on_first_audio()
                self.first_audio_at = first_at = time.perf_counter()
            await self.send_bytes(int16_to_pcm16(frame))
            clock.schedule(index, frame.size / self.out_rate)
            self.samples_sent += frame.size
            if first_at is not None and self.on_first_frame_sent is not None:
                await self.on_first_frame_sent(first_at)
        clock.finish_sentence(index)
        if self.on_sentence_sent is not None:
            await self.on_sentence_sent(index)


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
