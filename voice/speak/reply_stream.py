"""Speaking a reply while the brain is still writing it (an LLM reply, streamed).

``DialogueManager.turn`` runs in a worker thread; with a sink it hands over
each finished sentence of an LLM-written reply as soon as it exists. This
module is the voice side of that hand-over:

* :class:`StreamedReply` is the sink: sentences cross from the worker thread
  into the session's event loop; a barge-in sets its cancel flag, which
  tells the brain to stop asking the model for more.
* :func:`speak_stream` synthesizes each sentence as it arrives (one ahead of
  the sender, in a worker thread, through the same ``split_sentences`` as
  every reply) and sends it with the same pacing and playout clock as
  :func:`hark.voice.speak.playback.speak`.

A reply the built-in skills give is never streamed: the sink hears nothing,
:meth:`StreamedReply.first_sentence` says so when the turn ends, and the
session speaks the reply as it always does.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

import numpy as np

from hark.voice.audio.codecs import as_int16
from hark.voice.speak.playback import ChunkSender, PlayoutClock, SendBytes, SpeechResult
from hark.voice.tts.base import Synthesizer
from hark.voice.tts.chunking import split_sentences


class StreamedReply:
    """The brain's ``ReplySink`` for one voice turn (thread-safe hand-over)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self._ready = asyncio.Event()  # a sentence came, or the turn ended
        self._cancel = threading.Event()
        self.sentences = 0

    # --- called by the brain, in its worker thread --------------------------------
    def sentence(self, text: str) -> None:
        self._loop.call_soon_threadsafe(self._put, text)

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    # --- called in the event loop ----------------------------------------------------
    def cancel(self) -> None:
        """The caller interrupted: the brain should stop writing."""
        self._cancel.set()

    def close(self) -> None:
        """The brain's turn is over: no more sentences."""
        self._queue.put_nowait(None)
        self._ready.set()

    async def first_sentence(self) -> bool:
        """Wait for the first sentence or the end of the turn; True if a sentence came."""
        await self._ready.wait()
        return self.sentences > 0

    async def next(self) -> str | None:
        """The next sentence, or None when the reply is complete."""
        return await self._queue.get()

    def _put(self, text: str) -> None:
        self.sentences += 1
        self._queue.put_nowait(text)
        self._ready.set()


async def speak_stream(
    synthesizer: Synthesizer,
    stream: StreamedReply,
    *,
    out_rate: int,
    send_bytes: SendBytes,
    on_first_audio: Callable[[], Awaitable[None]],
    on_first_frame_sent: Callable[[float], Awaitable[None]] | None,
    clock: PlayoutClock,
    frame_ms: int = 40,
    lead_s: float = 0.3,
    on_sentence_sent: Callable[[int], Awaitable[None]] | None = None,
) -> SpeechResult:
    """Speak the stream's sentences as they come; returns when it is closed and spoken."""
    queue: asyncio.Queue[tuple[str, np.ndarray] | BaseException | None] = asyncio.Queue(maxsize=1)
    producer = asyncio.ensure_future(_produce(synthesizer, stream, queue))
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
    count = 0
    rate = int(synthesizer.sample_rate)
    try:
        while (item := await queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            sentence, chunk = item
            await sender.send(sentence, chunk, rate)
            count += 1
    finally:
        if not producer.done():
            producer.cancel()
    return SpeechResult(sender.first_audio_at, count, sender.samples_sent)


async def _produce(
    synthesizer: Synthesizer,
    stream: StreamedReply,
    queue: asyncio.Queue[tuple[str, np.ndarray] | BaseException | None],
) -> None:
    """Synthesize each sentence in a worker thread as soon as it arrives, one ahead."""
    try:
        while (text := await stream.next()) is not None:
            for sentence in split_sentences(text):
                chunk = await asyncio.to_thread(_synthesize_one, synthesizer, sentence)
                await queue.put((sentence, chunk))
    except Exception as exc:
        await queue.put(exc)
        return
    await queue.put(None)


def _synthesize_one(synthesizer: Synthesizer, sentence: str) -> np.ndarray:
    """One sentence's audio (the engine yields one chunk per sentence of its input)."""
    chunks = [as_int16(np.asarray(c)) for c in synthesizer.synthesize(sentence)]
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)
