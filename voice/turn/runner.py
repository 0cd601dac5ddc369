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

Kept apart from ``hark.voice.turn.session``, which handles the connection (input
frames, start, close, barge-in); this module only needs the session's
outbox, brain queue, services and options.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from hark.dialogue.speculation import Committed
from hark.runtime.log_context import log_context
from hark.runtime.metrics import record_turn
from hark.skills.reply import Reply
from hark.voice.listen.endpointing import mid_number
from hark.voice.protocol import (
    AudioEndEvent,
    AudioStartEvent,
    ErrorCode,
    ErrorEvent,
    HandoffEvent,
    TranscriptEvent,
    reply_event,
)
from hark.voice.speak.playback import PlayoutClock, PreparedAudio, speak, wait_until
from hark.voice.speak.reply_stream import StreamedReply, speak_stream
from hark.voice.turn.metrics import TurnKind
from hark.voice.turn.turns import TurnPhase, VoiceTurn

if TYPE_CHECKING:
    from hark.voice.turn.session import VoiceSession

log = logging.getLogger("hark.voice")


class TurnRunner:
    """Runs a session's turns (see the module docstring)."""

    def __init__(self, session: VoiceSession) -> None:
        self.session = session

    async def run(self, turn: VoiceTurn, *, text: str | None, reply: Reply | None) -> None:
        session = self.session
        timer = turn.timer
        speech: asyncio.Future[None] | None = None
        with log_context(conversation_id=session.conversation_id):
            try:
                if turn.utterance is not None:
                    text = await self._transcribe(turn)
                    if not text:
                        turn.phase = TurnPhase.DONE
                        log.info(
                            "empty transcript: no reply", extra={"early_asr": turn.utterance.early}
                        )
                        return
                prepared: PreparedAudio | None = None
                if reply is None:
                    assert text is not None
                    reply, prepared, speech = await self._dialogue(turn, text)
                turn.reply, turn.phase = reply, TurnPhase.SPEAKING
                session.expect(reply.expects)
                await session.outbox.event(reply_event(reply))
                turn.reply_sent = True
                timer.mark("reply_sent")
                if reply.handoff:
                    await session.outbox.event(HandoffEvent(summary=reply.handoff_summary))
                if speech is None:
                    await self._speak(turn, reply, prepared)
                else:  # a streamed reply: already playing; its metrics are known now
                    if timer.first_audio_at is not None:
                        await self._report(turn, reply)
                    await speech
                await self._report(turn, reply)  # without audio: now (with audio: first frame)
                await wait_until(time.perf_counter, turn.clock.ends_at if turn.clock else None)
                if turn.clock is not None and turn.clock.reports:
                    await turn.clock.wait_reported(session.options.report_grace_s)
                turn.phase = TurnPhase.DONE
                if reply.end:
                    session.finished.set()
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

    async def _dialogue(
        self, turn: VoiceTurn, text: str
    ) -> tuple[Reply, PreparedAudio | None, asyncio.Future[None] | None]:
        """The brain's reply: a speculation committed, or the turn computed now (an LLM's
        reply then starts playing at its first sentence: the third value)."""
        session, timer = self.session, turn.timer
        dialogue = session.services.dialogue
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
            commit_job: asyncio.Future[Committed] = session.brain.submit(
                dialogue.commit, speculation, metrics=timer.known()
            )
            turn.dialogue_job = commit_job
            committed = await asyncio.shield(commit_job)
            timer.mark("dialogue_done")
            timer.speculative = committed.matched
            prepared = ahead.prepared if ahead is not None and committed.matched else None
            return committed.reply, prepared, None
        turn.stream = self._reply_stream()
        streaming: dict[str, Any] = {"sink": turn.stream} if turn.stream is not None else {}
        turn_job: asyncio.Future[Reply] = session.brain.submit(
            dialogue.turn, session.conversation_id, text, metrics=timer.known(), **streaming
        )
        turn.dialogue_job = turn_job
        speech = None
        if turn.stream is not None:
            speech = await self._speak_while_written(turn, turn.stream)
        reply = await asyncio.shield(turn_job)
        timer.mark("dialogue_done")
        return reply, None, speech

    def _reply_stream(self) -> StreamedReply | None:
        """A sink for a reply the brain may stream (an LLM is configured and we have a
        voice); None keeps the built-in path exactly as it was."""
        services = self.session.services
        if services.synthesizer is None or not services.dialogue.streams_replies:
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
        return asyncio.ensure_future(self._speak(turn, None, None, stream))

    async def _transcribe(self, turn: VoiceTurn) -> str:
        utterance = turn.utterance
        assert utterance is not None
        timer = turn.timer
        timer.decided_at, timer.endpoint_s = utterance.decided_at, utterance.endpoint_s
        transcript = await asyncio.shield(utterance.transcript)
        await self._wait_if_mid_number(transcript.text, utterance.decided_at)
        timer.mark("asr_done")
        timer.asr_compute_s = transcript.elapsed_s
        await self.session.outbox.event(TranscriptEvent(text=transcript.text, final=True))
        return transcript.text

    async def _wait_if_mid_number(self, text: str, decided_at: float) -> None:
        """Words ending in a digit: wait (still cancellable, hark.voice.listen.endpointing) until the
        number hangover has passed since the speech ended."""
        listener = self.session.listener
        if listener is None or not mid_number(text):
            return
        settings = self.session.settings
        extra_ms = settings.vad_number_hangover_ms - listener.endpointer.hangover_ms
        remaining = decided_at + extra_ms / 1000 - time.perf_counter()
        if remaining > 0:
            await asyncio.sleep(remaining)

    async def _speak(
        self,
        turn: VoiceTurn,
        reply: Reply | None,
        prepared: PreparedAudio | None,
        stream: StreamedReply | None = None,
    ) -> None:
        """Speak ``reply`` (its first piece maybe ``prepared`` by a speculation), or the
        sentences of ``stream`` as they are written (then the stage times are reported
        once the whole reply is known, not at the first frame)."""
        session = self.session
        synthesizer = session.services.synthesizer
        if synthesizer is None or (reply is not None and not reply.text.strip()):
            return
        playback = session.playback
        turn.clock = clock = PlayoutClock(reports=playback is not None)
        started = False

        async def audio_start() -> None:
            nonlocal started
            started = True
            await session.outbox.event(AudioStartEvent(sample_rate=session.sample_rate))

        async def first_frame_sent(at: float) -> None:
            turn.timer.first_audio_at = at
            if reply is not None:
                await self._report(turn, reply)

        async def sentence_sent(index: int) -> None:
            if playback is not None:
                await playback.sentence_sent(clock, index)

        caller_audio = session.caller_audio

        async def send_bytes(data: bytes) -> None:
            if caller_audio is not None:  # the echo canceller's reference: what plays when
                frame = np.frombuffer(data, dtype="<i2")
                caller_audio.far_end(frame, time.perf_counter() + clock.ahead_s())
            await session.outbox.audio(data)

        pacing: dict[str, Any] = {
            "out_rate": session.sample_rate,
            "send_bytes": send_bytes,
            "on_first_audio": audio_start,
            "on_first_frame_sent": first_frame_sent,
            "on_sentence_sent": sentence_sent if playback is not None else None,
            "clock": clock,
            "frame_ms": session.options.frame_ms,
            "lead_s": session.options.lead_s,
        }
        try:
            if stream is not None:
                result = await speak_stream(synthesizer, stream, **pacing)
            else:
                assert reply is not None
                result = await speak(synthesizer, reply.text, prepared=prepared, **pacing)
            turn.timer.first_audio_at = result.first_audio_at or turn.timer.first_audio_at
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("speech synthesis failed")
            await self._error(
                ErrorCode.TTS_FAILED, f"speech synthesis failed: {type(exc).__name__}"
            )
        if started:
            await session.outbox.event(AudioEndEvent())

    async def _turn_failed(self, exc: Exception) -> None:
        from hark.dialogue.errors import ConversationNotFound, InvalidUtterance

        if isinstance(exc, ConversationNotFound):
            await self._error(ErrorCode.CONVERSATION_NOT_FOUND, str(exc))
            self.session.finished.set()
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
        session = self.session
        turn.reported = True
        event = turn.timer.event()
        await session.outbox.event(event)
        turn.timer.log(turn_kind=turn.kind)
        if reply.turn_id is not None and session.conversation_id is not None:
            # The stored assistant turn's metrics: first audio and total come last.
            session.brain.submit(
                session.services.dialogue.record_metrics,
                session.conversation_id,
                reply.turn_id,
                turn.timer.as_dict(),
            )
        stages = event.model_dump(exclude={"type", "speculative"})
        record_turn(session.options.channel, reply.intent, reply.handoff, stages)

    async def _error(self, code: ErrorCode, message: str) -> None:
        await self.session.outbox.event(ErrorEvent(code=code, message=message))
