"""``VoiceSession``: one caller on one connection, from audio in to audio out.

The pipeline per turn is endpointer -> ASR -> ``DialogueManager.turn`` ->
TTS, but the hard part is turn-taking, which is why this is a small state
machine rather than a straight line:

* A turn runs as one task through phases ``asr`` -> ``dialogue`` ->
  ``speaking`` -> ``done``. Everything slow runs in worker threads; the
  receive loop only decodes audio and runs the endpointer, so it reacts to
  the caller within a frame.
* **Barge-in.** When the caller starts speaking (``speech_started``) or
  types while a turn is running, the turn task is cancelled at once, so no
  further audio frame is sent; ``hark.voice.turns.settle_cancelled`` then
  carries the words into the next utterance, marks an unspoken reply as
  unheard, or sends ``interrupted`` and cuts the stored reply to what the
  ``PlayoutClock`` says was heard, depending on how far the turn got.
* Brain calls go through ``SerialCalls``: in order, never cancelled half-way,
  so a saved turn stays saved whatever the client does.

Protocol details live in ``hark.voice.protocol``; the WebSocket plumbing in
``hark.server.routes_voice``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from hark.runtime.log_context import log_context
from hark.runtime.metrics import record_turn
from hark.skills.reply import Reply
from hark.voice.access import CallerAccess, CustomerNotAllowed
from hark.voice.audio import decode
from hark.voice.listener import Listener, ListenerEventKind
from hark.voice.outbox import Outbox, SerialCalls, Transport
from hark.voice.playback import PlaybackObserver, PlayoutClock, speak, wait_until
from hark.voice.protocol import (
    AudioEndEvent,
    AudioStartEvent,
    ErrorCode,
    ErrorEvent,
    HandoffEvent,
    ProtocolError,
    ReadyEvent,
    SpeechStartedEvent,
    SpeechStoppedEvent,
    StartMessage,
    StopMessage,
    TextMessage,
    TranscriptEvent,
    check_start,
    parse_client_message,
    reply_event,
)
from hark.voice.reply_stream import StreamedReply, speak_stream
from hark.voice.services import VoiceServices
from hark.voice.turn_metrics import TurnKind, TurnTimer
from hark.voice.turns import TurnPhase, VoiceTurn, settle_cancelled
from hark.voice.vad import Endpointer

log = logging.getLogger("hark.voice")


@dataclass(frozen=True)
class VoiceOptions:
    """Session knobs that are not user settings (tests and benchmarks change them)."""

    channel: str = "voice"
    frame_ms: int = 40  # reply audio frame length
    lead_s: float = 0.3  # how far sending runs ahead of the client's playback
    partial_interval_s: float | None = 1.0  # None: no partial transcripts
    partial_after_s: float = 2.0  # speech before the first partial (see hark.voice.listener)
    drain_timeout_s: float = 10.0  # wait for pending brain writes at close
    report_grace_s: float = 2.0  # with a PlaybackObserver: wait this long past the model's end


class VoiceSession:
    """One connection's conversation (see the module docstring).

    ``playback``: a transport that reports what the caller really heard (a
    phone stream's marks); the stored reply is then cut where its reports say
    playback stopped, and a turn ends when its last sentence is reported played.
    """

    def __init__(
        self,
        services: VoiceServices,
        transport: Transport,
        options: VoiceOptions | None = None,
        access: CallerAccess | None = None,
        *,
        playback: PlaybackObserver | None = None,
    ) -> None:
        self.services = services
        self.playback = playback
        self.settings = services.settings
        self.options = options or VoiceOptions()
        self.access = access or CallerAccess()
        self.outbox = Outbox(transport)
        self.brain = SerialCalls()
        self.conversation_id: str | None = None
        self.sample_rate = 0
        self.encoding = ""
        self.listener: Listener | None = None
        self.finished = asyncio.Event()  # set when the server wants the socket closed
        self.closed = False
        self._turn: VoiceTurn | None = None
        self._helpers: set[asyncio.Task[Any]] = set()
        self._odd_byte = b""
        self._asr_error_sent = False

    @property
    def started(self) -> bool:
        return self.conversation_id is not None

    # ------------------------------------------------------------------ input
    async def on_text(self, raw: str) -> None:
        """One JSON text frame from the client."""
        limit = self.settings.max_frame_bytes
        if len(raw) > limit or (4 * len(raw) > limit and len(raw.encode()) > limit):
            await self._error(
                ErrorCode.FRAME_TOO_LARGE,
                f"frames are limited to {self.settings.max_frame_bytes} bytes",
            )
            return
        try:
            message = parse_client_message(raw)
        except ProtocolError as exc:
            await self.outbox.event(exc.event())
            return
        if isinstance(message, StartMessage):
            await self._start(message)
        elif not self.started:
            await self._error(ErrorCode.NOT_STARTED, "send a 'start' message first")
        elif isinstance(message, TextMessage):
            await self._interrupt(carry=False)
            self._begin(VoiceTurn(TurnKind.TEXT), text=message.text)
        elif isinstance(message, StopMessage):
            self.finished.set()

    async def on_bytes(self, data: bytes) -> None:
        """One binary frame: caller audio in the declared encoding and rate."""
        if not self.started:
            await self._error(ErrorCode.NOT_STARTED, "send a 'start' message before audio")
            return
        if len(data) > self.settings.max_frame_bytes:
            await self._error(
                ErrorCode.FRAME_TOO_LARGE,
                f"frames are limited to {self.settings.max_frame_bytes} bytes",
            )
            return
        if self.listener is None:
            if not self._asr_error_sent:
                self._asr_error_sent = True
                reason = self._engine_reason("asr")
                await self._error(
                    ErrorCode.ASR_UNAVAILABLE,
                    f"speech recognition is not available{reason}; "
                    "audio is ignored, 'text' messages still work",
                )
            return
        if self.encoding == "pcm_s16le":
            if self._odd_byte or len(data) % 2:  # a frame split inside a sample
                data = self._odd_byte + data
                self._odd_byte = data[-1:] if len(data) % 2 else b""
                data = data[: len(data) - len(self._odd_byte)]
            samples = np.frombuffer(data, dtype="<i2")  # no copy: the hot path, 50 frames/s
        else:
            samples = decode(data, self.encoding)
        for event in self.listener.feed(samples):
            if event.kind is ListenerEventKind.SPEECH_STARTED:
                interrupted = self._cancel_turn()
                await self.outbox.event(SpeechStartedEvent())
                vad = event.vad
                lag = 0.0 if vad is None else max(0.0, vad.time_s - vad.speech_start_s)
                await self._after_cancel(interrupted, carry=True, onset_lag_s=lag)
            else:
                await self.outbox.event(SpeechStoppedEvent())
                if event.utterance is not None:
                    await self._interrupt(carry=False)  # e.g. a typed turn still running
                    self._begin(VoiceTurn(TurnKind.VOICE, utterance=event.utterance))

    # ------------------------------------------------------------------ start / close
    async def _start(self, message: StartMessage) -> None:
        if self.started:
            await self._error(ErrorCode.ALREADY_STARTED, "this session has already started")
            return
        try:
            check_start(message)
        except ProtocolError as exc:
            await self.outbox.event(exc.event())
            return
        from hark.dialogue.errors import CustomerNotFound

        dialogue = self.services.dialogue
        access = self.access
        try:
            customer_id, identity = access.start_as(message.customer_id)
            conversation_id, greeting = await asyncio.to_thread(
                functools.partial(
                    dialogue.start_conversation,
                    self.options.channel,
                    customer_id,
                    identity=identity,
                    owner=access.owner,
                )
            )
        except (CustomerNotFound, CustomerNotAllowed):
            await self._error(
                ErrorCode.UNKNOWN_CUSTOMER, f"no customer with id {message.customer_id!r}"
            )
            return
        except Exception:
            log.exception("could not start a conversation")
            await self._error(
                ErrorCode.INTERNAL_ERROR, "could not start the conversation; try again"
            )
            return
        await self.begin(
            conversation_id, greeting, sample_rate=message.sample_rate, encoding=message.encoding
        )

    async def begin(
        self, conversation_id: str, greeting: Reply, *, sample_rate: int, encoding: str
    ) -> None:
        """Run a conversation that is already started (its greeting not yet spoken) here.

        The ``start`` message starts one itself; a channel adapter that decides
        who is calling on its own (a phone line's caller ID) starts the
        conversation with the brain and hands it over through this method.
        """
        if self.started:
            raise RuntimeError("this session has already started")
        self.conversation_id = conversation_id
        self.sample_rate, self.encoding = sample_rate, encoding
        transcriber = self.services.transcriber
        if transcriber is not None:
            endpointer = Endpointer.from_settings(self.settings, sample_rate)
            self.listener = Listener(
                endpointer,
                transcriber,
                partial_interval_s=self.options.partial_interval_s,
                partial_after_s=self.options.partial_after_s,
                on_partial=self._on_partial,
            )
            self.listener.prime()
        with log_context(conversation_id=conversation_id):
            log.info(
                "voice session started",
                extra={
                    "sample_rate": self.sample_rate,
                    "encoding": self.encoding,
                    "asr": transcriber is not None,
                    "tts": self.services.synthesizer is not None,
                },
            )
        await self.outbox.event(
            ReadyEvent(session_id=conversation_id, output_sample_rate=self.sample_rate)
        )
        if self.services.synthesizer is None:
            reason = self._engine_reason("tts")
            await self._error(
                ErrorCode.TTS_UNAVAILABLE,
                f"speech synthesis is not available{reason}; "
                "replies come as 'reply' events without audio",
            )
        self._begin(VoiceTurn(TurnKind.GREETING), reply=greeting)

    async def close(self) -> None:
        """Free everything: cancel the turn and helpers, finish brain writes, end the conversation."""
        if self.closed:
            return
        self.closed = True
        self.outbox.closed = True  # the client has gone or said stop: nothing more to tell it
        interrupted = self._cancel_turn()
        await self._after_cancel(interrupted, carry=False)
        if self.listener is not None:
            self.listener.close()
        for task in list(self._helpers):
            task.cancel()
        if self.conversation_id is not None:
            self.brain.submit(self.services.dialogue.end_conversation, self.conversation_id)
        await self.brain.drain(self.options.drain_timeout_s)
        if self.conversation_id is not None:
            with log_context(conversation_id=self.conversation_id):
                log.info("voice session closed")

    # ------------------------------------------------------------------ barge-in
    async def _interrupt(self, *, carry: bool) -> None:
        await self._after_cancel(self._cancel_turn(), carry=carry)

    def _cancel_turn(self) -> tuple[VoiceTurn, float] | None:
        """Stop the running turn now (no more frames go out); return it and the time."""
        turn = self._turn
        if turn is None or turn.task is None or turn.task.done():
            return None
        turn.task.cancel()
        if turn.stream is not None:
            turn.stream.cancel()  # an LLM still writing this reply: stop it
        return turn, time.perf_counter()

    async def _after_cancel(
        self, cancelled: tuple[VoiceTurn, float] | None, *, carry: bool, onset_lag_s: float = 0.0
    ) -> None:
        if cancelled is None:
            return
        turn, at = cancelled
        with log_context(conversation_id=self.conversation_id):
            await settle_cancelled(
                turn, at, carry=carry, listener=self.listener, outbox=self.outbox,
                brain=self.brain, dialogue=self.services.dialogue,
                conversation_id=self.conversation_id, onset_lag_s=onset_lag_s,
            )  # fmt: skip

    # ------------------------------------------------------------------ turns
    def _begin(
        self, turn: VoiceTurn, *, text: str | None = None, reply: Reply | None = None
    ) -> None:
        turn.timer = TurnTimer(TurnKind.TEXT if turn.kind is TurnKind.GREETING else turn.kind)
        self._turn = turn
        turn.task = asyncio.create_task(self._run_turn(turn, text=text, reply=reply))

    async def _run_turn(self, turn: VoiceTurn, *, text: str | None, reply: Reply | None) -> None:
        timer = turn.timer
        speech: asyncio.Future[None] | None = None
        with log_context(conversation_id=self.conversation_id):
            try:
                if turn.utterance is not None:
                    text = await self._transcribe(turn)
                    if not text:
                        turn.phase = TurnPhase.DONE
                        log.info(
                            "empty transcript: no reply", extra={"early_asr": turn.utterance.early}
                        )
                        return
                if reply is None:
                    turn.phase = TurnPhase.DIALOGUE
                    timer.mark("dialogue_started")
                    turn.stream = self._reply_stream()
                    streaming = {"sink": turn.stream} if turn.stream is not None else {}
                    turn.dialogue_job = self.brain.submit(
                        self.services.dialogue.turn,
                        self.conversation_id,
                        text,
                        metrics=timer.known(),
                        **streaming,
                    )
                    if turn.stream is not None:
                        speech = await self._speak_while_written(turn, turn.stream)
                    reply = await asyncio.shield(turn.dialogue_job)
                    timer.mark("dialogue_done")
                turn.reply, turn.phase = reply, TurnPhase.SPEAKING
                await self.outbox.event(reply_event(reply))
                turn.reply_sent = True
                timer.mark("reply_sent")
                if reply.handoff:
                    await self.outbox.event(HandoffEvent(summary=reply.handoff_summary))
                if speech is None:
                    await self._speak(turn, reply)
                else:  # a streamed reply: already playing; its metrics are known now
                    if timer.first_audio_at is not None:
                        await self._report(turn, reply)
                    await speech
                await self._report(turn, reply)  # no audio: now (with audio: at the first frame)
                await wait_until(time.perf_counter, turn.clock.ends_at if turn.clock else None)
                if turn.clock is not None and turn.clock.reports:
                    await turn.clock.wait_reported(self.options.report_grace_s)
                turn.phase = TurnPhase.DONE
                if reply.end:
                    self.finished.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                turn.phase = TurnPhase.DONE
                await self._turn_failed(exc)
            finally:
                if speech is not None and not speech.done():
                    speech.cancel()  # a barge-in: no further frame of the streamed reply

    async def _transcribe(self, turn: VoiceTurn) -> str:
        utterance = turn.utterance
        assert utterance is not None
        timer = turn.timer
        timer.decided_at, timer.endpoint_s = utterance.decided_at, utterance.endpoint_s
        transcript = await asyncio.shield(utterance.transcript)
        timer.mark("asr_done")
        timer.asr_compute_s = transcript.elapsed_s
        await self.outbox.event(TranscriptEvent(text=transcript.text, final=True))
        return transcript.text

    def _reply_stream(self) -> StreamedReply | None:
        """A sink for a reply the brain may stream (an LLM is configured and we have a
        voice); None keeps the built-in path exactly as it was."""
        if self.services.synthesizer is None or not self.services.dialogue.streams_replies:
            return None
        return StreamedReply(asyncio.get_running_loop())

    async def _speak_while_written(
        self, turn: VoiceTurn, stream: StreamedReply
    ) -> asyncio.Future[None] | None:
        """Start speaking a streamed reply at its first sentence (None: the reply came
        whole, from the built-in skills, and is spoken as usual)."""
        job = turn.dialogue_job
        assert job is not None
        job.add_done_callback(lambda _: stream.close())
        if not await stream.first_sentence():
            return None
        return asyncio.ensure_future(self._speak(turn, None, stream))

    async def _speak(
        self, turn: VoiceTurn, reply: Reply | None, stream: StreamedReply | None = None
    ) -> None:
        """Speak ``reply``, or the sentences of ``stream`` as they are written (then the
        stage times are reported once the whole reply is known, not at the first frame)."""
        synthesizer = self.services.synthesizer
        if synthesizer is None or (reply is not None and not reply.text.strip()):
            return
        turn.clock = clock = PlayoutClock(reports=self.playback is not None)
        started = False

        async def audio_start() -> None:
            nonlocal started
            started = True
            await self.outbox.event(AudioStartEvent(sample_rate=self.sample_rate))

        async def first_frame_sent(at: float) -> None:
            turn.timer.first_audio_at = at
            if reply is not None:
                await self._report(turn, reply)

        async def sentence_sent(index: int) -> None:
            if self.playback is not None:
                await self.playback.sentence_sent(clock, index)

        pacing: dict[str, Any] = {
            "out_rate": self.sample_rate,
            "send_bytes": self.outbox.audio,
            "on_first_audio": audio_start,
            "on_first_frame_sent": first_frame_sent,
            "on_sentence_sent": sentence_sent if self.playback is not None else None,
            "clock": clock,
            "frame_ms": self.options.frame_ms,
            "lead_s": self.options.lead_s,
        }
        try:
            if stream is not None:
                result = await speak_stream(synthesizer, stream, **pacing)
            else:
                assert reply is not None
                result = await speak(synthesizer, reply.text, **pacing)
            turn.timer.first_audio_at = result.first_audio_at or turn.timer.first_audio_at
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("speech synthesis failed")
            await self._error(
                ErrorCode.TTS_FAILED, f"speech synthesis failed: {type(exc).__name__}"
            )
        if started:
            await self.outbox.event(AudioEndEvent())

    async def _turn_failed(self, exc: Exception) -> None:
        from hark.dialogue.errors import ConversationNotFound, InvalidUtterance

        if isinstance(exc, ConversationNotFound):
            await self._error(ErrorCode.CONVERSATION_NOT_FOUND, str(exc))
            self.finished.set()
        elif isinstance(exc, InvalidUtterance):
            await self._error(ErrorCode.BAD_MESSAGE, str(exc))
        else:
            log.error("voice turn failed", exc_info=exc)
            await self._error(ErrorCode.INTERNAL_ERROR, "the turn failed; please try again")

    async def _report(self, turn: VoiceTurn, reply: Reply) -> None:
        """Send, log and store the turn's stage times, once, as soon as they are all known
        (at the first audio frame), so a barge-in later in the reply does not lose them."""
        if turn.kind is TurnKind.GREETING or turn.reported:
            return
        turn.reported = True
        event = turn.timer.event()
        await self.outbox.event(event)
        turn.timer.log(turn_kind=turn.kind)
        self._store_metrics(reply, turn.timer)
        stages = event.model_dump(exclude={"type"})
        record_turn(self.options.channel, reply.intent, reply.handoff, stages)

    def _store_metrics(self, reply: Reply, timer: TurnTimer) -> None:
        """Complete the stored assistant turn's metrics (first audio and total come last)."""
        if reply.turn_id is not None and self.conversation_id is not None:
            self.brain.submit(
                self.services.dialogue.record_metrics,
                self.conversation_id,
                reply.turn_id,
                timer.as_dict(),
            )

    # ------------------------------------------------------------------ helpers
    def _on_partial(self, text: str) -> None:
        self._spawn(self.outbox.event(TranscriptEvent(text=text, final=False)))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._helpers.add(task)
        task.add_done_callback(self._helpers.discard)

    def _engine_reason(self, name: str) -> str:
        """`` (why)`` from the engine status, e.g. the command that downloads the model."""
        status = self.services.engines.get(name)
        if status is None or status.loaded or status.detail in ("", "provided"):
            return ""
        return f" ({status.detail})"

    async def _error(self, code: ErrorCode, message: str) -> None:
        await self.outbox.event(ErrorEvent(code=code, message=message))
