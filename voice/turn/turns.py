"""One turn of a voice session, and what a barge-in leaves behind.

A turn is cancelled the moment the caller interrupts, so no further audio
frame goes out; what must happen next depends on how far the turn got
(``VoiceTurn.phase``), and is decided here:

* ``asr``: the brain has not seen the words, so nothing is stored; its
  recognition is dropped if it has not started; with ``carry`` the audio
  goes back to the listener and is prepended to the caller's next utterance
  (they simply went on talking), unless it was cut by the length cap or is
  longer than ``MAX_CARRY_S`` (noise: carrying it made every input longer).
* ``dialogue``: the brain's call cannot be stopped half-way; it finishes in
  its thread (``SerialCalls`` keeps the order) and the reply it stored is
  then marked as not heard at all.
* ``speaking``: the transport clears the caller's queued audio, the client
  is told ``interrupted`` (flush your buffer) and
  the stored reply is cut to the words the ``PlayoutClock`` says were heard
  when the caller cut in.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from hark.dialogue.speculation import Committed
from hark.skills.reply import Reply
from hark.voice.listen.listener import Listener, Utterance
from hark.voice.protocol import InterruptedEvent
from hark.voice.speak.clock import PlayoutClock
from hark.voice.speak.reply_stream import StreamedReply
from hark.voice.turn.metrics import TurnKind, TurnTimer
from hark.voice.turn.outbox import Outbox, SerialCalls

if TYPE_CHECKING:
    from hark.voice.turn.speculation import SpeculativeReply

log = logging.getLogger("hark.voice")


class TurnPhase(enum.StrEnum):
    """How far a turn got: decides what a barge-in must undo (module docstring)."""

    ASR = "asr"
    DIALOGUE = "dialogue"
    SPEAKING = "speaking"
    DONE = "done"


class TurnWriter(Protocol):
    """The brain's write that a barge-in needs (``DialogueManager`` fits)."""

    def mark_interrupted(self, conversation_id: str, turn_id: int, played_text: str) -> None: ...


@dataclass(eq=False)
class VoiceTurn:
    """State of one turn, shared by its task and whoever interrupts it."""

    kind: TurnKind
    utterance: Utterance | None = None
    phase: TurnPhase = TurnPhase.ASR
    task: asyncio.Task[None] | None = None
    dialogue_job: asyncio.Future[Reply] | asyncio.Future[Committed] | None = None
    reply: Reply | None = None
    reply_sent: bool = False
    clock: PlayoutClock | None = None
    reported: bool = False  # turn_metrics sent
    stream: StreamedReply | None = None  # an LLM reply being spoken while it is written
    timer: TurnTimer = field(default_factory=lambda: TurnTimer(TurnKind.TEXT))
    speculative_reply: SpeculativeReply | None = None  # adopted at the end of speech


async def settle_cancelled(
    turn: VoiceTurn,
    at: float,
    *,
    carry: bool,
    listener: Listener | None,
    outbox: Outbox,
    brain: SerialCalls,
    dialogue: TurnWriter,
    conversation_id: str | None,
    onset_lag_s: float = 0.0,
) -> None:
    """Finish a turn cancelled at ``at`` (perf_counter) according to its phase.

    ``onset_lag_s`` is how long after the caller's speech onset (stream time)
    the endpointer decided it was speech; the barge-in log line adds it to the
    time to send ``interrupted``, giving the onset-to-``interrupted`` delay.
    """
    assert turn.task is not None
    await asyncio.wait([turn.task])
    if turn.speculative_reply is not None:
        turn.speculative_reply.discard()  # its audio will not be played
    if turn.phase is TurnPhase.ASR:
        carried = False
        if turn.utterance is not None:
            turn.utterance.transcript.cancel()  # stale: dropped if it has not started
            if carry and listener is not None:
                utterance = turn.utterance
                carried = listener.carry(utterance.audio, truncated=utterance.truncated)
        log.info("turn cancelled before the brain saw it", extra={"carried": carried})
    elif turn.phase is TurnPhase.DIALOGUE and turn.dialogue_job is not None:
        # A streamed reply may already be partly heard while the brain still writes it.
        played = turn.clock.played_text(at) if turn.clock is not None else ""
        if turn.clock is not None and turn.clock.started_at is not None:
            await _interrupted(outbox)
        brain.submit(_mark_unheard, dialogue, conversation_id, turn.dialogue_job, played)
        log.info("reply cancelled before it was all written", extra={"played_chars": len(played)})
    elif turn.phase is TurnPhase.SPEAKING and turn.reply is not None:
        played = turn.clock.played_text(at) if turn.clock is not None else ""
        if turn.reply_sent:
            await _interrupted(outbox)
        onset_ms = (onset_lag_s + time.perf_counter() - at) * 1000
        if turn.reply.turn_id is not None and played != turn.reply.text:
            brain.submit(dialogue.mark_interrupted, conversation_id, turn.reply.turn_id, played)
        log.info(
            "barge-in: reply cut %.0f ms after the caller's speech onset",
            onset_ms,
            extra={
                "onset_to_interrupted_ms": round(onset_ms, 1),
                "played_chars": len(played),
                "reply_chars": len(turn.reply.text),
            },
        )


async def _interrupted(outbox: Outbox) -> None:
    """Stop the reply at the caller's end: the transport drops its queued audio, the client
    hears ``interrupted`` (a browser flushes its player on it)."""
    await outbox.clear()
    await outbox.event(InterruptedEvent())


def _mark_unheard(
    dialogue: TurnWriter,
    conversation_id: str,
    job: asyncio.Future[Reply] | asyncio.Future[Committed],
    played: str = "",
) -> None:
    """After a cancelled ``turn`` (or ``commit``) call finished (``SerialCalls`` order): only
    ``played`` of it was heard (nothing, unless a streamed reply had begun to play)."""
    if job.cancelled() or job.exception() is not None:
        return
    result = job.result()
    reply = result.reply if isinstance(result, Committed) else result
    if reply.turn_id is not None and played != reply.text:
        dialogue.mark_interrupted(conversation_id, reply.turn_id, played)
