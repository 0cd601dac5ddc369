"""The one speak path: text pieces in, paced reply audio out, the playout clock kept.

Every reply is spoken here, whether it arrives whole (built-in skills: an
async iterator of one piece, :func:`whole`) or sentence by sentence while an
LLM still writes it (:class:`hark.voice.speak.reply_stream.StreamedReply`).
Three facts shape it:

* The first sentence must be on the wire before later ones are made, so a
  producer task synthesises one speech piece at a time, each in a worker
  thread, one piece ahead of the sender. The pieces are the text's
  sentences (``split_sentences``), with the reply's first sentence cut after
  its first clause when it is long (``speech_pieces``): the caller waits for
  exactly that much synthesis before hearing anything. The first piece may
  come ready-made (:class:`PreparedAudio`: synthesised during the
  end-of-speech hangover by a speculative reply) and is then not made again.
* Audio sent ahead of time sits in the caller's buffer, so "sent" is not
  "played": every frame is recorded on the turn's ``PlayoutClock``
  (``hark.voice.speak.clock``), which says what was heard when the caller
  cuts in (the barge-in cut).
* Sending is paced to stay ``lead_s`` ahead of the caller's player: enough
  buffered audio to ride out network jitter, little enough that a barge-in
  flushes only a short tail and a slow client cannot make the server buffer
  a whole reply.

Cancelling the calling task stops sending at once; the piece being
synthesised finishes in its thread and is dropped. Nothing here knows about
turns or sessions: the turn hears of the first audio through
:class:`SpeechEvents`, and the connection is reached through the narrow
callables of :class:`Speaker`.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from hark.voice.audio.codecs import as_int16, int16_to_pcm16
from hark.voice.audio.resample import resample
from hark.voice.speak.clock import PlayoutClock
from hark.voice.transport import PlaybackFinished
from hark.voice.tts.base import Synthesizer
from hark.voice.tts.chunking import speech_pieces, split_sentences

SendAudio = Callable[[bytes], Awaitable[object]]


class EchoReference(Protocol):
    """The echo canceller's side of speaking (``hark.voice.listen.echo.CallerAudio`` fits):
    each frame of reply audio and when it starts playing, and the end of a reply."""

    def far_end(self, samples: np.ndarray, play_at: float, *, follows: bool = False) -> None:
        """``follows``: the caller's player still had audio queued (back to back)."""

    def reply_sent(self) -> None:
        """A whole reply has been handed to the connection."""


@dataclass(frozen=True)
class Pacing:
    """How reply audio leaves on one connection: its rate, frame length and lead."""

    out_rate: int
    frame_ms: int = 40
    lead_s: float = 0.3  # how far sending runs ahead of the caller's player


class SpeechEvents(Protocol):
    """What the speaker tells whoever asked it to speak (a turn), as it happens."""

    async def audio_starting(self) -> None:
        """The first frame is about to go out (the session sends ``audio_start``)."""

    async def first_frame_sent(self, at: float) -> None:
        """The first frame went out at ``at`` (perf_counter): every stage time is known."""


@dataclass
class PreparedAudio:
    """A piece's audio being synthesised ahead of time (at the synthesizer's rate)."""

    text: str
    audio: asyncio.Future[np.ndarray]

    def discard(self) -> None:
        """Nobody will play it (the thread finishes on its own; its result is dropped)."""
        self.audio.cancel()


@dataclass
class SpeechResult:
    """What a reply's speaking did: when the first byte went out, how much went out."""

    first_audio_at: float | None
    pieces: int
    samples_sent: int


async def whole(text: str) -> AsyncIterator[str]:
    """A reply that is complete before it is spoken: an iterator of one piece."""
    yield text


async def speech_pieces_of(texts: AsyncIterable[str]) -> AsyncIterator[str]:
    """The speech pieces of a reply arriving as ``texts``: the first text's with its long
    first sentence cut after the first clause (``speech_pieces``), later texts' sentences."""
    first = True
    async for text in texts:
        for piece in speech_pieces(text) if first else split_sentences(text):
            yield piece
        first = False


def synthesize_piece(synthesizer: Synthesizer, piece: str) -> np.ndarray:
    """All audio ``synthesizer`` makes for one piece, as one ``int16`` array.

    A piece is one sentence or clause, so engines yield one chunk for it;
    should one yield more, they are joined (blocking: call in a worker thread).
    """
    chunks = [as_int16(np.asarray(c)) for c in synthesizer.synthesize(piece)]
    if not chunks:
        return np.zeros(0, dtype=np.int16)
    return chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def prepare(synthesizer: Synthesizer, text: str) -> PreparedAudio | None:
    """Start synthesising the first piece the speaker would say for ``text`` (None: nothing
    to say)."""
    pieces = speech_pieces(text)
    if not pieces:
        return None
    job = asyncio.ensure_future(asyncio.to_thread(synthesize_piece, synthesizer, pieces[0]))
    job.add_done_callback(lambda done: done.cancelled() or done.exception())  # retrieved
    return PreparedAudio(pieces[0], job)


@dataclass(frozen=True)
class Speaker:
    """A connection's voice: the engine, the pacing, and where the audio goes.

    ``send_audio`` hands one frame to the connection; ``echo`` (optional)
    gives the echo canceller each frame with the time it starts playing, and
    the end of each reply spoken (also one that failed, not one cut off);
    ``on_playback_finished`` (the transport's, optional) asks to be told when
    the audio sent so far has really played (a phone line's marks), after each
    piece; a clock made by :meth:`clock` then trusts those reports.
    """

    synthesizer: Synthesizer
    pacing: Pacing
    send_audio: SendAudio
    echo: EchoReference | None = None
    on_playback_finished: PlaybackFinished | None = None

    def clock(self) -> PlayoutClock:
        """A new playout clock for one reply."""
        return PlayoutClock(reports=self.on_playback_finished is not None)

    async def speak(
        self,
        texts: AsyncIterable[str],
        clock: PlayoutClock,
        events: SpeechEvents,
        *,
        prepared: PreparedAudio | None = None,
    ) -> SpeechResult:
        """Speak ``texts`` piece by piece, paced, recording every frame on ``clock``;
        returns once the last piece is sent (see the module docstring)."""
        queue: asyncio.Queue[tuple[str, np.ndarray] | BaseException | None]
        queue = asyncio.Queue(maxsize=1)
        producer = asyncio.ensure_future(
            _produce(self.synthesizer, speech_pieces_of(texts), queue, prepared)
        )
        sender = _Sender(self, clock, events)
        rate = int(self.synthesizer.sample_rate)
        count = 0
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                piece, audio = item
                await sender.send(piece, audio, rate)
                count += 1
        except asyncio.CancelledError:
            raise  # cut off (a barge-in): not a whole reply
        except Exception:
            self._reply_sent()
            raise
        finally:
            if not producer.done():
                producer.cancel()
        self._reply_sent()
        return SpeechResult(sender.first_audio_at, count, sender.samples_sent)

    def _reply_sent(self) -> None:
        if self.echo is not None:
            self.echo.reply_sent()


class _Sender:
    """Sends one piece's audio after another, paced ``lead_s`` ahead of the caller's
    player and recorded on the ``PlayoutClock``; the first frame fires the events."""

    def __init__(self, speaker: Speaker, clock: PlayoutClock, events: SpeechEvents) -> None:
        self.speaker = speaker
        self.clock = clock
        self.events = events
        self.out_rate = speaker.pacing.out_rate
        self.frame_len = max(1, self.out_rate * speaker.pacing.frame_ms // 1000)
        self.lead_s = speaker.pacing.lead_s
        self.first_audio_at: float | None = None
        self.samples_sent = 0

    async def send(self, piece: str, chunk: np.ndarray, rate: int) -> None:
        clock, speaker = self.clock, self.speaker
        index = clock.add_sentence(piece)
        audio = resample(chunk, rate, self.out_rate)
        for offset in range(0, audio.size, self.frame_len):
            frame = audio[offset : offset + self.frame_len]
            ahead = clock.ahead_s()
            if ahead > self.lead_s:
                await asyncio.sleep(ahead - self.lead_s)
            first_at: float | None = None
            if self.first_audio_at is None:
                await self.events.audio_starting()
                self.first_audio_at = first_at = time.perf_counter()
            data = int16_to_pcm16(frame)
            if speaker.echo is not None:  # what plays when: the echo canceller's reference
                reference = np.frombuffer(data, dtype="<i2")
                ahead = clock.ahead_s()
                speaker.echo.far_end(reference, time.perf_counter() + ahead, follows=ahead > 0)
            await speaker.send_audio(data)
            clock.schedule(index, frame.size / self.out_rate)
            self.samples_sent += frame.size
            if first_at is not None:
                await self.events.first_frame_sent(first_at)
        clock.finish_sentence(index)
        if speaker.on_playback_finished is not None:
            await speaker.on_playback_finished(functools.partial(clock.confirm, index))


async def _produce(
    synthesizer: Synthesizer,
    pieces: AsyncIterator[str],
    queue: asyncio.Queue[tuple[str, np.ndarray] | BaseException | None],
    prepared: PreparedAudio | None,
) -> None:
    """Synthesise each piece in a worker thread as soon as it is known, one ahead.

    A synthesis error is handed to the sender through the queue, so it is
    raised where the reply is being spoken instead of leaving it waiting.
    A prepared first piece that failed is simply synthesised again.
    """
    try:
        first = True
        async for piece in pieces:
            chunk = None
            if first and prepared is not None and prepared.text == piece:
                try:
                    chunk = await asyncio.shield(prepared.audio)
                except asyncio.CancelledError:
                    if not prepared.audio.cancelled():
                        raise  # we were cancelled, not the preparation
                except Exception:
                    chunk = None
            first = False
            if chunk is None:
                chunk = await asyncio.to_thread(synthesize_piece, synthesizer, piece)
            await queue.put((piece, chunk))
    except Exception as exc:
        await queue.put(exc)
        return
    await queue.put(None)
