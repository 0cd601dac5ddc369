"""Speculative replies: the brain and the first audio, made during the end-of-speech hangover.

At the caller's first pause the listener starts recognition
(``SPEECH_PAUSED``). If they stay silent, the hangover ends the utterance a
few hundred milliseconds later with the *same* audio, so the early
transcript is the final one, and everything after it (the brain's reply,
the first piece's synthesis) can be done before that end is confirmed:

* ``SpeculativeReply`` waits for the early transcript and, if no turn has
  adopted it yet, asks the brain for ``DialogueManager.speculate``: the real
  turn, rolled back (nothing stored, nothing logged), queued behind earlier
  brain calls (``SerialCalls``) so it sees every write before it. Then it
  synthesises the reply's first piece (``hark.voice.speak.speaker.prepare``).
* When the hangover confirms the end, the turn *adopts* the speculation: it
  has the brain ``commit`` it (the turn replayed for real; ``matched`` when
  the reply is the same, see ``hark.dialogue.speculation``) and plays the
  prepared audio the moment the commit is back, only if it speaks the
  committed reply's first piece.
* When the caller goes on (``SPEECH_RESUMED``, a new ``speech_started``, a
  typed ``text``, the connection closing), ``discard`` drops it: the brain
  has nothing to undo and the audio is never sent. The client sees none of
  this; events go out in the usual order after ``speech_stopped``.

If recognition is slower than the hangover (Whisper base on a CPU), the turn
adopts the speculation before the transcript exists; then no speculation is
made at all and the turn runs the brain once, as without speculation.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from hark.dialogue.speculation import Speculation
from hark.voice.listen.listener import EarlyTranscript
from hark.voice.speak.speaker import PreparedAudio, prepare
from hark.voice.turn.outbox import SerialCalls

log = logging.getLogger("hark.voice")


class SpeculativeReply:
    """One paused utterance's speculative reply (see the module docstring)."""

    def __init__(
        self,
        early: EarlyTranscript,
        *,
        brain: SerialCalls,
        dialogue: Any,
        conversation_id: str,
        synthesizer: Any | None,
    ) -> None:
        self.number = early.number
        self.transcript = early.transcript
        self.adopted = False
        self.speculation: asyncio.Future[Speculation] | None = None
        self.prepared: PreparedAudio | None = None
        self._brain = brain
        self._dialogue = dialogue
        self._conversation_id = conversation_id
        self._synthesizer = synthesizer
        self._task = asyncio.ensure_future(self._run())

    def adopt(self) -> SpeculativeReply:
        """The hangover confirmed the end: from now on no brain call is started here."""
        self.adopted = True
        return self

    def discard(self) -> None:
        """The caller went on (or the turn ended): drop the work; the brain has nothing
        to undo (a speculation commits nothing)."""
        self._task.cancel()
        if self.prepared is not None:
            self.prepared.discard()

    async def _run(self) -> None:
        try:
            transcript = await asyncio.shield(self.transcript)
        except Exception:
            return  # the turn reports recognition errors
        if self.adopted or not transcript.text:
            return  # too late to help (the turn runs the brain itself), or nothing to answer
        self.speculation = self._brain.submit(
            self._dialogue.speculate, self._conversation_id, transcript.text
        )
        try:
            speculation = await asyncio.shield(self.speculation)
        except Exception as exc:  # the turn will meet the same error and report it
            log.debug("speculative turn failed: %r", exc)
            return
        if self._synthesizer is not None and speculation.reply.text.strip():
            self.prepared = prepare(self._synthesizer, speculation.reply.text)
