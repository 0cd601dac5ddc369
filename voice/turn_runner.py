"""Running one turn of a voice session: transcript -> brain -> reply audio -> stage times.

A turn runs as one task through phases ``asr`` -> ``dialogue`` ->
``speaking`` -> ``done`` (``hark.voice.turns.TurnPhase``); the session
cancels that task on a barge-in and ``settle_cancelled`` undoes what the
phase requires. Everything slow runs in worker threads.

Brain calls go through the session's ``SerialCalls``: in order, never
cancelled half-way, so a saved turn stays saved whatever the client does.
A voice turn that adopted a speculative reply (``hark.voice.speculation``)
asks the brain to *commit* it instead of computing the turn again, and
plays its prepared first audio when the committed reply is the speculated
one (``turn_metrics.speculative``).

Kept apart from ``hark.voice.session``, which handles the connection (input
frames, start, close, barge-in); this module only needs the session's
outbox, brain queue, services and options.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

from hark.dialogue.speculation import Committed
from hark.runtime.log_context import log_context
from hark.runtime.metrics import record_turn
from hark.skills.reply import Reply
from hark.voice.playback import PlayoutClock, PreparedAudio, speak, wait_until
from hark.voice.protocol import (
    AudioEndEvent,
    AudioStartEvent,
    ErrorCode,
    ErrorEvent,
    HandoffEvent,
    TranscriptEvent,
    reply_event,
)
from hark.voice.turn_metrics import TurnKind
from hark.voice.turns import TurnPhase, VoiceTurn

if TYPE_CHECKING:
    from hark.voice.session import VoiceSession

log = logging.getLogger("hark.voice")


class TurnRunner:
    """Runs a session's turns (see the module docstring)."""

    def __init__(self, session: VoiceSession) -> None:
        self.session = session

    async def run(self, turn: VoiceTurn, *, text: str | None, reply: Reply | None) -> None:
        session = self.session
        timer = turn.timer
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
                    reply, prepared = await self._dialogue(turn, text)
                turn.reply, turn.phase = reply, TurnPhase.SPEAKING
                await session.outbox.event(reply_event(reply))
                turn.reply_sent = True
                timer.mark("reply_sent")
                if reply.handoff:
                    await session.outbox.event(HandoffEvent(summary=reply.handoff_summary))
                await self._speak(turn, reply, prepared)
                await self._report(turn, reply)  # without audio: now (with audio: first frame)
                await wait_until(time.perf_counter, turn.clock.ends_at if turn.clock else None)
                turn.phase = TurnPhase.DONE
                if reply.end:
                    session.finished.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                turn.phase = TurnPhase.DONE
                await self._turn_failed(exc)
            finally:
                if turn.speculative_reply is not None and turn.phase is TurnPhase.DONE:
                    turn.speculative_reply.discard()  # nothing of it is needed any more

    async def _dialogue(self, turn: VoiceTurn, text: str) -> tuple[Reply, PreparedAudio | None]:
        """The brain's reply: a speculation committed, or the turn computed now."""
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
            return committed.reply, prepared
        turn_job: asyncio.Future[Reply] = session.brain.submit(
            dialogue.turn, session.conversation_id, text, metrics=timer.known()
        )
        turn.dialogue_job = turn_job
        reply = await asyncio.shield(turn_job)
        timer.mark("dialogue_done")
        return reply, None

    async def _transcribe(self, turn: VoiceTurn) -> str:
        utterance = turn.utterance
        assert utterance is not None
        timer = turn.timer
        timer.decided_at, timer.endpoint_s = utterance.decided_at, utterance.endpoint_s
        transcript = await asyncio.shield(utterance.transcript)
        timer.mark("asr_done")
        timer.asr_compute_s = transcript.elapsed_s
        await self.session.outbox.event(TranscriptEvent(text=transcript.text, final=True))
        return transcript.text

    async def _speak(self, turn: VoiceTurn, reply: Reply, prepared: PreparedAudio | None) -> None:
        session = self.session
        synthesizer = session.services.synthesizer
        if synthesizer is None or not reply.text.strip():
            return
        turn.clock = PlayoutClock()
        started = False

        async def audio_start() -> None:
            nonlocal started
            started = True
            await session.outbox.event(AudioStartEvent(sample_rate=session.sample_rate))

        async def first_frame_sent(at: float) -> None:
            turn.timer.first_audio_at = at
            await self._report(turn, reply)

        try:
            result = await speak(
                synthesizer,
                reply.text,
                out_rate=session.sample_rate,
                send_bytes=session.outbox.audio,
                on_first_audio=audio_start,
                on_first_frame_sent=first_frame_sent,
                clock=turn.clock,
                frame_ms=session.options.frame_ms,
                lead_s=session.options.lead_s,
                prepared=prepared,
            )
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
