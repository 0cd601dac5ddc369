"""Running one turn of a voice session: transcript -> brain -> reply audio -> stage times.

A turn runs as one task through phases ``asr`` -> ``dialogue`` ->
``speaking`` -> ``done`` (``hark.voice.turn.turns.TurnPhase``); the session
cancels that task on a barge-in and ``settle_cancelled`` undoes what the
phase requires. Everything slow runs in worker threads.

Brain calls go through the session's ``SerialCalls``: in order, never
cancelled half-way, so a saved turn stays saved whatever the client does.
A voice turn that adopted a speculative reply (``hark.voice.turn.speculation``)
asks the brain to *commit* it instead of computing the turn again, and
plays its prepared first audio when the committed reply is the speculated
one (``turn_metrics.speculative``).

The brain's answer (``_dialogue``) is one of two typed results: an
:class:`Answer` to speak now (maybe with its first piece prepared), or a
:class:`StreamedAnswer` whose speech already started while the brain wrote
it. Either way the reply is spoken by the one speak path
(``hark.voice.speak.speaker.Speaker``), whole replies as an iterator of one
piece.

Kept apart from ``hark.voice.turn.session``, which handles the connection
(input frames, start, close, barge-in); the runner is given only what a
turn needs (:class:`TurnRunner`'s arguments), not the session.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hark.dialogue.speculation import Committed
from hark.runtime.log_context import log_context
from hark.runtime.metrics import record_turn
from hark.skills.reply import Reply
from hark.voice.listen.endpointing import EndpointWait
from hark.voice.protocol import (
    AudioEndEvent,
    AudioStartEvent,
    ErrorCode,
    ErrorEvent,
    HandoffEvent,
    TranscriptEvent,
    reply_event,
)
from hark.voice.speak.clock import wait_until
from hark.voice.speak.reply_stream import StreamedReply
from hark.voice.speak.speaker import PreparedAudio, Speaker, whole
from hark.voice.turn.metrics import TurnKind
from hark.voice.turn.outbox import Outbox, SerialCalls
from hark.voice.turn.turns import TurnPhase, VoiceTurn

if TYPE_CHECKING:
    from hark.dialogue.manager import DialogueManager

log = logging.getLogger("hark.voice")


@dataclass(frozen=True)
class Answer:
    """The brain's reply, to be spoken now (its first piece maybe ``prepared`` by the
    speculation the brain committed)."""

    reply: Reply
    prepared: PreparedAudio | None = None


@dataclass(frozen=True)
class StreamedAnswer:
    """The brain's reply, already being spoken since its first sentence was written
    (an LLM's reply, streamed): ``speech`` finishes when its last piece is sent."""

    reply: Reply
    speech: asyncio.Future[None]


@dataclass(kw_only=True, eq=False)
class TurnRunner:
    """Runs one conversation's turns (see the module docstring), given only what a turn needs.

    ``speaker``: ``None`` without a speech engine (replies go out as events
    only). ``endpoint``: ``None`` without a recogniser (typed turns only).
    ``finish`` asks the session to close (a goodbye said, the conversation gone).
    ``sample_rate`` is the rate the reply audio is sent at (``audio_start``).
    """

    conversation_id: str
    outbox: Outbox
    brain: SerialCalls
    dialogue: DialogueManager
    speaker: Speaker | None
    endpoint: EndpointWait | None
    finish: Callable[[], None]
    channel: str
    report_grace_s: float
    sample_rate: int

    async def run(self, turn: VoiceTurn, *, text: str | None, reply: Reply | None) -> None:
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
                    assert text is not None
                    answer = await self._dialogue(turn, text)
                else:
                    answer = Answer(reply)
                reply = answer.reply
                turn.reply, turn.phase = reply, TurnPhase.SPEAKING
                if self.endpoint is not None:
                    self.endpoint.expect(reply.expects, reply.expects_digits)
                await self.outbox.event(reply_event(reply))
                turn.reply_sent = True
                timer.mark("reply_sent")
                if reply.handoff:
                    await self.outbox.event(HandoffEvent(summary=reply.handoff_summary))
                if isinstance(answer, StreamedAnswer):
                    speech = answer.speech  # already playing; its metrics are known now
                    if timer.first_audio_at is not None:
                        await self._report(turn, reply)
                    await speech
                elif reply.text.strip():
                    await self._speak(turn, whole(reply.text), reply, answer.prepared)
                await self._report(turn, reply)  # without audio: now (with audio: first frame)
                await wait_until(time.perf_counter, turn.clock.ends_at if turn.clock else None)
                if turn.clock is not None and turn.clock.reports:
                    await turn.clock.wait_reported(self.report_grace_s)
                turn.phase = TurnPhase.DONE
                if reply.end:
                    self.finish()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                turn.phase = TurnPhase.DONE
                await self._turn_failed(exc)
            finally:
                if speech is not None and not speech.done():
                    speech.cancel()  # a barge-in: no further frame of the streamed reply
                if turn.speculative_reply is not None and turn.phase is TurnPhase.DONE:
                    turn.speculative_reply.discard()  # nothing of it is needed any more

    async def _dialogue(self, turn: VoiceTurn, text: str) -> Answer | StreamedAnswer:
        """The brain's reply: a speculation committed, or the turn computed now (an LLM's
        reply then starts playing at its first sentence)."""
        timer, dialogue = turn.timer, self.dialogue
        speculation = None
        ahead = turn.speculative_reply
        if ahead is not None and ahead.speculation is not None:
            try:  # still phase ``asr``: a barge-in now carries the words on (nothing stored)
                speculation = await asyncio.shield(ahead.speculation)
            except Exception:
                speculation = None  # the plain turn below meets (and reports) the same error
        turn.phase = TurnPhase.DIALOGUE
        timer.mark("dialogue_started")
        if speculation is not None and speculation.text == text:
            commit_job: asyncio.Future[Committed] = self.brain.submit(
                dialogue.commit, speculation, metrics=timer.known()
            )
            turn.dialogue_job = commit_job
            committed = await asyncio.shield(commit_job)
            timer.mark("dialogue_done")
            timer.speculative = committed.matched
            prepared = ahead.prepared if ahead is not None and committed.matched else None
            return Answer(committed.reply, prepared)
        turn.stream = self._reply_stream()
        streaming = {"sink": turn.stream} if turn.stream is not None else {}
        turn_job: asyncio.Future[Reply] = self.brain.submit(
            dialogue.turn, self.conversation_id, text, metrics=timer.known(), **streaming
        )
        turn.dialogue_job = turn_job
        speech = None
        if turn.stream is not None:
            speech = await self._speak_while_written(turn, turn.stream)
        reply = await asyncio.shield(turn_job)
        timer.mark("dialogue_done")
        return Answer(reply) if speech is None else StreamedAnswer(reply, speech)

    def _reply_stream(self) -> StreamedReply | None:
        """A sink for a reply the brain may stream (an LLM is configured and we have a
        voice); None keeps the built-in path exactly as it was."""
        if self.speaker is None or not self.dialogue.streams_replies:
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
        return asyncio.ensure_future(self._speak(turn, stream, None, None))

    async def _transcribe(self, turn: VoiceTurn) -> str:
        utterance = turn.utterance
        assert utterance is not None
        timer = turn.timer
        timer.decided_at, timer.endpoint_s = utterance.decided_at, utterance.endpoint_s
        transcript = await asyncio.shield(utterance.transcript)
        if self.endpoint is not None:  # an incomplete number: wait (still cancellable)
            speech_end_at = utterance.decided_at - utterance.endpoint_s
            wait_s = self.endpoint.number_wait_s(
                transcript.text, speech_end_at, time.perf_counter()
            )
            if wait_s > 0:
                await asyncio.sleep(wait_s)
        timer.mark("asr_done")
        timer.asr_compute_s = transcript.elapsed_s
        await self.outbox.event(TranscriptEvent(text=transcript.text, final=True))
        return transcript.text

    async def _speak(
        self,
        turn: VoiceTurn,
        texts: AsyncIterable[str],
        reply: Reply | None,
        prepared: PreparedAudio | None,
    ) -> None:
        """Speak ``texts`` (a whole ``reply``, its first piece maybe ``prepared`` by a
        speculation; or a stream's sentences as they are written, ``reply`` then None: the
        stage times are reported once the whole reply is known, not at the first frame)."""
        speaker = self.speaker
        if speaker is None:
            return
        turn.clock = clock = speaker.clock()
        events = _TurnSpeech(self, turn, reply)
        try:
            result = await speaker.speak(texts, clock, events, prepared=prepared)
            turn.timer.first_audio_at = result.first_audio_at or turn.timer.first_audio_at
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("speech synthesis failed")
            await self._error(
                ErrorCode.TTS_FAILED, f"speech synthesis failed: {type(exc).__name__}"
            )
        if events.started:
            await self.outbox.event(AudioEndEvent())

    async def _turn_failed(self, exc: Exception) -> None:
        from hark.dialogue.errors import ConversationNotFound, InvalidUtterance

        if isinstance(exc, ConversationNotFound):
            await self._error(ErrorCode.CONVERSATION_NOT_FOUND, str(exc))
            self.finish()
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
        if reply.turn_id is not None:
            # The stored assistant turn's metrics: first audio and total come last.
            self.brain.submit(
                self.dialogue.record_metrics,
                self.conversation_id,
                reply.turn_id,
                turn.timer.as_dict(),
            )
        stages = event.model_dump(exclude={"type", "speculative"})
        record_turn(self.channel, reply.intent, reply.handoff, stages)

    async def _error(self, code: ErrorCode, message: str) -> None:
        await self.outbox.event(ErrorEvent(code=code, message=message))


class _TurnSpeech:
    """The speaker's events for one turn: ``audio_start`` before the first frame, the
    stage times at the first frame (a whole reply's; a streamed one's come later)."""

    def __init__(self, runner: TurnRunner, turn: VoiceTurn, reply: Reply | None) -> None:
        self.runner = runner
        self.turn = turn
        self.reply = reply
        self.started = False

    async def audio_starting(self) -> None:
        self.started = True
        await self.runner.outbox.event(AudioStartEvent(sample_rate=self.runner.sample_rate))

    async def first_frame_sent(self, at: float) -> None:
        self.turn.timer.first_audio_at = at
        if self.reply is not None:
            await self.runner._report(self.turn, self.reply)
