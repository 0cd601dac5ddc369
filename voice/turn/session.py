"""``VoiceSession``: one caller on one connection, from audio in to audio out.

The pipeline per turn is endpointer -> ASR -> ``DialogueManager.turn`` ->
TTS, but the hard part is turn-taking, which is why this is a small state
machine rather than a straight line. This module handles the connection
(input frames, start, close, barge-in, speculation's lifecycle); running a
turn lives in ``hark.voice.turn.runner``.

* A turn runs as one task through phases ``asr`` -> ``dialogue`` ->
  ``speaking`` -> ``done``. Everything slow runs in worker threads; the
  receive loop only decodes audio and runs the endpointer, so it reacts to
  the caller within a frame.
* **Speculation.** At the caller's first pause (``SPEECH_PAUSED``) a
  ``SpeculativeReply`` computes the reply and its first audio during the
  hangover; the turn started at the end of speech adopts it, and it is
  dropped the moment the caller goes on (``hark.voice.turn.speculation``).
* **Barge-in.** When the caller starts speaking (``speech_started``) or
  types while a turn is running, the turn task is cancelled at once, so no
  further audio frame is sent; ``hark.voice.turn.turns.settle_cancelled`` then
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
import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from hark.runtime.log_context import log_context
from hark.skills.reply import Reply
from hark.voice.access import CallerAccess, CustomerNotAllowed
from hark.voice.asr.scheduler import shared_scheduler
from hark.voice.audio.codecs import decode
from hark.voice.cpu import LEDGER
from hark.voice.listen.barge_in import PendingBargeIn, Verdict, judge, words_of
from hark.voice.listen.echo import CallerAudio, wanted
from hark.voice.listen.echo_path import MAX_LAG_S as MAX_ECHO_PATH_S
from hark.voice.listen.endpointing import EndpointWait
from hark.voice.listen.listener import (
    EarlyTranscript,
    Listener,
    ListenerEvent,
    ListenerEventKind,
    Utterance,
)
from hark.voice.listen.vad import Endpointer
from hark.voice.protocol import (
    ClientMessage,
    ErrorCode,
    ErrorEvent,
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
)
from hark.voice.services import VoiceServices
from hark.voice.speak.speaker import Pacing, Speaker
from hark.voice.transport import Transport
from hark.voice.turn.limit import POLICY_VIOLATION, TurnGate, TurnLimit, TurnVerdict
from hark.voice.turn.metrics import TurnKind, TurnTimer
from hark.voice.turn.opening import open_conversation
from hark.voice.turn.outbox import Outbox, SerialCalls
from hark.voice.turn.runner import TurnRunner
from hark.voice.turn.speculation import SpeculativeReply
from hark.voice.turn.turns import TurnPhase, VoiceTurn, settle_cancelled

log = logging.getLogger("hark.voice")


@dataclass(frozen=True)
class VoiceOptions:
    """Session knobs that are not user settings (tests and benchmarks change them)."""

    channel: str = "voice"
    frame_ms: int = 40  # reply audio frame length
    lead_s: float = 0.3  # how far sending runs ahead of the client's playback
    partial_interval_s: float | None = 1.0  # None: no partial transcripts
    partial_after_s: float = 2.0  # speech before the first partial (see hark.voice.listen.listener)
    speculate: bool = (
        True  # brain and first audio during the hangover (hark.voice.turn.speculation)
    )
    drain_timeout_s: float = 10.0  # wait for pending brain writes at close
    report_grace_s: float = 2.0  # a transport that reports playback: wait this long past the end


class VoiceSession:
    """One connection's conversation (see the module docstring).

    ``access`` is who opened the connection (an API key, a ticket, this
    machine): which customer it may start for, and who owns the conversation.
    ``transport`` is where events and audio go (``hark.voice.transport``). One
    that reports what the caller really heard (a phone stream's marks:
    ``on_playback_finished``) has the stored reply cut where its reports say
    playback stopped, and a turn ends when its last piece is reported played.
    """

    def __init__(
        self,
        services: VoiceServices,
        transport: Transport,
        options: VoiceOptions | None = None,
        access: CallerAccess | None = None,
        *,
        turn_gate: TurnGate | None = None,
    ) -> None:
        self.services = services
        self.transport = transport
        self.settings = services.settings
        self.options = options or VoiceOptions()
        self.access = access or CallerAccess()
        self.outbox = Outbox(transport)
        self.brain = SerialCalls()
        self.conversation_id: str | None = None
        self.sample_rate = 0
        self.encoding = ""
        self.listener: Listener | None = None
        self.caller_audio: CallerAudio | None = None  # echo canceller, noise suppressor
        self.finished = asyncio.Event()  # set when the server wants the socket closed
        self.close_code: int | None = None  # the code to close with, when not a plain 1000
        self.turn_limit = TurnLimit(turn_gate)
        self.closed = False
        self._turn: VoiceTurn | None = None
        self._ahead: SpeculativeReply | None = None
        self.runner: TurnRunner | None = None  # from begin(): the conversation is known
        self._helpers: set[asyncio.Task[Any]] = set()
        self._odd_byte = b""
        self._asr_error_sent = False
        self._pending_barge: PendingBargeIn | None = None  # speech over Hark, words undecided
        self.acknowledgements = 0  # backchannels heard while Hark spoke

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
        await self.on_message(message)

    async def on_message(self, message: ClientMessage) -> None:
        """One typed client message: from a text frame, or from a channel adapter that
        makes its own (a phone's keypad entry is a ``TextMessage``)."""
        if isinstance(message, StartMessage):
            await self._start(message)
        elif not self.started:
            await self._error(ErrorCode.NOT_STARTED, "send a 'start' message first")
        elif isinstance(message, TextMessage):
            if not await self._turn_allowed():
                return
            self._drop_speculation()
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
        if self.caller_audio is not None:
            with LEDGER.calling_thread("caller_audio"):
                samples = self.caller_audio.process(samples)
        for event in self.listener.feed(samples):
            await self._on_listener_event(event)

    async def _on_listener_event(self, event: ListenerEvent) -> None:
        pending = self._pending_barge
        if event.kind is ListenerEventKind.SPEECH_PAUSED:
            if event.early is not None and self.runner is not None and self.runner.endpoint:
                self.runner.endpoint.listen(event.early)  # an incomplete number waits longer
            if event.early is not None and pending is None:
                self._speculate(event.early)
        elif event.kind is ListenerEventKind.SPEECH_RESUMED:
            self._drop_speculation()
        elif event.kind is ListenerEventKind.SPEECH_STARTED:
            self._drop_speculation()
            await self.outbox.event(SpeechStartedEvent())
            vad = event.vad
            lag = 0.0 if vad is None else max(0.0, vad.time_s - vad.speech_start_s)
            if self._hark_speaking() and self.listener is not None:
                # Over Hark's voice: stop it only if the words take the turn (hark.voice.listen.barge_in).
                self._pending_barge = PendingBargeIn(
                    self.listener, onset_lag_s=lag, barge=self._barge, echo=self._echo_words
                )
                self._spawn(self._pending_barge.watch())
                return
            await self._after_cancel(self._cancel_turn(), carry=True, onset_lag_s=lag)
        else:
            await self.outbox.event(SpeechStoppedEvent())
            self._pending_barge = None
            if event.utterance is None:
                self._drop_speculation()
                if pending is not None:
                    pending.dropped = True
            elif pending is not None and not pending.decided:
                pending.dropped = True
                self._spawn(self._settle_overlap(pending, event.utterance))
            else:
                await self._answer(event.utterance)

    async def _answer(self, utterance: Utterance) -> None:
        """Start the turn for a finished utterance (after stopping whatever still runs),
        if the socket's turn limits allow it (else it is dropped, with an error event)."""
        if not await self._turn_allowed():
            self._drop_speculation()
            return
        ahead = self._adopt_speculation(utterance)
        await self._interrupt(carry=False)  # e.g. a typed turn still running
        self._begin(VoiceTurn(TurnKind.VOICE, utterance=utterance, speculative_reply=ahead))

    def _hark_speaking(self) -> bool:
        """Hark's reply is playing (or queued to play) at the caller's end."""
        turn = self._turn
        if turn is None or turn.task is None or turn.task.done():
            return False
        clock = turn.clock
        return (
            self.settings.barge_in_backchannels
            and turn.phase is TurnPhase.SPEAKING
            and clock is not None
            and clock.started_at is not None
        )

    def _echo_words(self, seconds: float) -> frozenset[str]:
        """The words Hark was saying over the last ``seconds`` (and the echo path's delay
        before them), where its voice can leak back into the caller's audio: a
        loudspeaker the canceller works on (hark.voice.listen.barge_in)."""
        audio, turn = self.caller_audio, self._turn
        if audio is None or not audio.echo_possible() or turn is None or turn.clock is None:
            return frozenset()
        text = turn.clock.audible_text(time.perf_counter() - seconds - MAX_ECHO_PATH_S)
        return frozenset(words_of(text))

    async def _barge(self, pending: PendingBargeIn) -> None:
        """The caller's words over Hark take the turn: stop the reply now."""
        await self._after_cancel(self._cancel_turn(), carry=True, onset_lag_s=pending.lag_now_s())

    async def _settle_overlap(self, pending: PendingBargeIn, utterance: Utterance) -> None:
        """Speech over Hark ended before its words decided: the whole transcript does."""
        try:
            text = (await asyncio.shield(utterance.transcript)).text
        except Exception:
            text = ""
        verdict = judge(text, pending.echo(pending.lag_now_s()))
        if verdict is Verdict.BARGE_IN and not self.closed:
            await self._after_cancel(
                self._cancel_turn(), carry=False, onset_lag_s=pending.lag_now_s()
            )
            await self._answer(utterance)
            return
        if verdict is Verdict.BACKCHANNEL:
            self.acknowledgements += 1
        with log_context(conversation_id=self.conversation_id):
            log.info(
                "caller spoke over the reply without taking the turn", extra={"verdict": verdict}
            )

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

        try:
            conversation_id, greeting = await open_conversation(
                self.services.dialogue, self.access, self.options.channel, message
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
            conversation_id,
            greeting,
            sample_rate=message.sample_rate,
            encoding=message.encoding,
            client_cancels_echo=message.echo_cancelled,
        )

    async def begin(
        self,
        conversation_id: str,
        greeting: Reply,
        *,
        sample_rate: int,
        encoding: str,
        client_cancels_echo: bool = False,
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
        self.caller_audio = CallerAudio(
            sample_rate,
            echo=wanted(self.settings.aec, client_cancels_echo=client_cancels_echo),
            noise=self.settings.noise_suppression,
        )
        if transcriber is not None:
            endpointer = Endpointer.from_settings(self.settings, sample_rate)
            self.listener = Listener(
                endpointer,
                transcriber,
                partial_interval_s=self.options.partial_interval_s,
                partial_after_s=self.options.partial_after_s,
                on_partial=self._on_partial,
                scheduler=shared_scheduler(self.settings.asr_concurrency),
            )
            self.listener.prime()
        self.runner = self._runner(conversation_id)
        with log_context(conversation_id=conversation_id):
            log.info(
                "voice session started",
                extra={
                    "sample_rate": self.sample_rate,
                    "encoding": self.encoding,
                    "asr": transcriber is not None,
                    "tts": self.services.synthesizer is not None,
                    "echo_cancellation": self.caller_audio.echo,
                    "noise_suppression": self.caller_audio.noise,
                },
            )
        continuity = self.access.continuity
        await self.outbox.event(
            ReadyEvent(
                session_id=conversation_id,
                output_sample_rate=self.sample_rate,
                resume_token=continuity.issue(conversation_id) if continuity else None,
            )
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
        self._drop_speculation()
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
        assert self.runner is not None  # begin() came first
        turn.timer = TurnTimer(TurnKind.TEXT if turn.kind is TurnKind.GREETING else turn.kind)
        self._turn = turn
        turn.task = asyncio.create_task(self.runner.run(turn, text=text, reply=reply))

    def _runner(self, conversation_id: str) -> TurnRunner:
        """The turn runner, given only what a turn needs of this connection."""
        synthesizer, listener = self.services.synthesizer, self.listener
        speaker = None
        if synthesizer is not None:
            assert self.caller_audio is not None
            speaker = Speaker(
                synthesizer,
                Pacing(self.sample_rate, self.options.frame_ms, self.options.lead_s),
                send_audio=self.outbox.audio,
                echo=self.caller_audio,
                on_playback_finished=self.transport.on_playback_finished,
            )
        endpoint = None
        if listener is not None:
            endpoint = EndpointWait(
                listener.endpointer,
                normal_ms=self.settings.vad_hangover_ms,
                number_ms=self.settings.vad_number_hangover_ms,
                incomplete_ms=self.settings.vad_incomplete_number_ms,
            )
        return TurnRunner(
            conversation_id=conversation_id,
            outbox=self.outbox,
            brain=self.brain,
            dialogue=self.services.dialogue,
            speaker=speaker,
            endpoint=endpoint,
            finish=self.finished.set,
            channel=self.options.channel,
            report_grace_s=self.options.report_grace_s,
            sample_rate=self.sample_rate,
        )

    # ------------------------------------------------------------------ speculation
    def _speculate(self, early: EarlyTranscript) -> None:
        """The caller paused: carry the turn on while the hangover runs (hark.voice.turn.speculation)."""
        self._drop_speculation()
        if (
            self.conversation_id is None
            or not self.options.speculate
            # An LLM planner streams its reply as it writes it, and a model asked twice
            # (speculation, then the commit) costs seconds: such turns start at the end.
            or self.services.dialogue.streams_replies
        ):
            return
        self._ahead = SpeculativeReply(
            early,
            brain=self.brain,
            dialogue=self.services.dialogue,
            conversation_id=self.conversation_id,
            synthesizer=self.services.synthesizer,
        )

    def _adopt_speculation(self, utterance: Utterance) -> SpeculativeReply | None:
        """The speculation for this utterance, if its transcript is the final one."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        if utterance.transcript is ahead.transcript:
            return ahead.adopt()
        ahead.discard()
        return None

    def _drop_speculation(self) -> None:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.discard()

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

    async def _turn_allowed(self) -> bool:
        """Count a caller turn against the session's limit (:mod:`hark.voice.turn.limit`)."""
        verdict = self.turn_limit.check()
        if verdict is TurnVerdict.ALLOW:
            return True
        wait = self.turn_limit.wait_s
        if verdict is TurnVerdict.WARN:
            await self._error(
                ErrorCode.RATE_LIMITED, f"too many turns: wait {wait} s before the next one"
            )
        else:
            log.warning("voice socket closed: still over its turn limit")
            await self._error(ErrorCode.RATE_LIMITED, "still too many turns: closing")
            self.close_code = POLICY_VIOLATION
            self.finished.set()
        return False

    async def _error(self, code: ErrorCode, message: str) -> None:
        await self.outbox.event(ErrorEvent(code=code, message=message))
