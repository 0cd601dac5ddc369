"""Is the caller taking the turn, or just saying "mhm"? Barge-ins while Hark speaks.

People acknowledge while they listen ("mhm", "okay", "yeah", "right"), and
a voice that stops at each of those never finishes a sentence; worse, a
"yeah" said during "... would you like me to add it?" was taken as the
answer to a question not yet asked. So while Hark's voice is playing, the
caller's speech start no longer stops it at once: the words so far are
recognised (at the scheduler's top priority, every ``JUDGE_STEP_S``, with the
listener's quick ``glance_engine``: the decision is due ~300 ms after the
onset, and a full-window recognition alone took longer on two loaded cores) and

* a **backchannel** -- a short utterance made only of acknowledgement tokens
  and discourse particles (``ACKNOWLEDGEMENTS``), no question -- lets Hark
  go on; it is recorded as an acknowledgement and never becomes a turn (so
  it can never answer a question Hark has not finished asking);
* anything else ("wait", "stop", "no", "hang on", a question, a new
  request) stops Hark as before;
* speech that goes on past ``MAX_BACKCHANNEL_S`` stops Hark whatever the
  words: nobody acknowledges for that long;
* fragments with no lexical content (a single letter, an initialism such as
  "M." or "UN.": what Whisper makes of a hum or of a word's first 200 ms)
  decide nothing yet;
* words that Hark itself was saying in that moment (``echo``: the words of
  the sentences playing, given only where there is an echo path) are
  explained by its own voice leaking past the canceller, not by the caller:
  the rest of the words decide. Residual echo recognised as "there" or "let
  them" made a backchannel over a loud echo stop Hark half the time.

The decision is lexical and general (how much the words say), not a list
of phrases that interrupt: any word outside the small closed class of
acknowledgement tokens makes it a barge-in.
"""

from __future__ import annotations

import asyncio
import enum
import re
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from hark.voice.asr.scheduler import RecognitionKind
from hark.voice.audio.codecs import int16_to_float32

if TYPE_CHECKING:
    from hark.voice.listen.listener import Listener

ACKNOWLEDGEMENTS: Final = frozenset(
    {
        # particles (Whisper spells them many ways; hyphens are dropped before lookup)
        "mhm", "mmhm", "mmhmm", "mhmm", "uhuh", "hm", "hmm", "mm", "mmm", "uhhuh", "uh", "um",
        "ah", "aha", "oh", "ooh", "huh",
        # acknowledgement tokens
        "ok", "okay", "kay", "yeah", "yes", "yep", "yup", "ya", "right", "sure", "alright",
        "i", "see", "got", "it", "cool", "good", "great", "fine", "nice", "thanks", "thank",
        "you",
    }
)  # fmt: skip
"""Words that carry no request: a backchannel is made only of these."""
MAX_BACKCHANNEL_WORDS: Final = 3
MAX_BACKCHANNEL_S: Final = 2.0
"""Speech longer than this while Hark talks is a barge-in whatever its words."""
JUDGE_STEP_S: Final = 0.1
"""How often the words so far are recognised while the caller speaks over Hark."""

_TOKEN = re.compile(r"[A-Za-z'.]+")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?")


class Verdict(enum.StrEnum):
    NOTHING = "nothing"  # no words (yet): a noise, or recognition has not caught up
    BACKCHANNEL = "backchannel"
    BARGE_IN = "barge_in"


def _word(token: str) -> str | None:
    """A token as a word, or ``None`` for a fragment with no lexical content: a single
    letter or an initialism ("M.", "M.M.D.", "UN."), which is what a recogniser makes of
    a hum or of the first 200 ms of a word."""
    bare = token.strip(".'")
    if not bare or len(bare) == 1 or _INITIALISM.fullmatch(token.rstrip(".") + "."):
        return None
    if bare.isupper() and len(bare) <= 3 and bare.lower() not in ACKNOWLEDGEMENTS:
        return None
    return bare.lower().replace(".", "")


def words_of(text: str) -> list[str]:
    """The lexical words of a transcript (fragments dropped, lower case)."""
    tokens = _TOKEN.findall(text.replace("-", ""))
    return [w for w in (_word(t) for t in tokens) if w is not None]


def unlooped(text: str) -> str:
    """A quick look's words with a repetition loop cut to one ("mm mm mm mm" -> "mm"): a
    short encoder window sometimes repeats the last word up to the token cap."""
    tokens = text.split()
    kept = [t for i, t in enumerate(tokens) if i == 0 or words_of(t) != words_of(tokens[i - 1])]
    return " ".join(kept)


def judge(text: str, echo: frozenset[str] = frozenset()) -> Verdict:
    """What the caller's words over Hark's voice are, leaving out the words of Hark's own
    voice that may have leaked back (``echo``; module docstring)."""
    words = [w for w in words_of(text) if w not in echo]
    if not words:
        return Verdict.NOTHING
    if (
        len(words) <= MAX_BACKCHANNEL_WORDS
        and "?" not in text
        and all(word.strip("'") in ACKNOWLEDGEMENTS for word in words)
    ):
        return Verdict.BACKCHANNEL
    return Verdict.BARGE_IN


class PendingBargeIn:
    """The caller started speaking over Hark: watch the words until they decide.

    ``watch`` recognises the utterance so far every ``JUDGE_STEP_S`` and calls
    ``barge`` (once) on a barge-in; it returns when the utterance ends (the
    session then decides from the final transcript with ``judge``) or when
    it is ``dropped``. ``onset_lag_s`` is the endpointer's delay from the
    speech onset to its decision; ``at`` when that decision reached us.
    """

    def __init__(
        self,
        listener: Listener,
        *,
        onset_lag_s: float,
        barge: Callable[[PendingBargeIn], Awaitable[None]],
        echo: Callable[[float], frozenset[str]] = lambda _: frozenset(),
    ) -> None:
        self.listener = listener
        self.echo = echo  # seconds back -> words Hark said in that span (``judge``)
        self.onset_lag_s = onset_lag_s
        self.at = time.perf_counter()
        self.decided = False  # ``barge`` was called: the reply is stopped
        self.dropped = False
        self._barge = barge
        self._started_s = listener.endpointer.stream_time_s

    def lag_now_s(self) -> float:
        """Seconds from the caller's speech onset to now."""
        return self.onset_lag_s + time.perf_counter() - self.at

    async def watch(self) -> None:
        listener = self.listener
        first = True
        while not (self.decided or self.dropped or listener.closed):
            if not first:  # the first look at once: the endpointer has already waited
                await asyncio.sleep(JUDGE_STEP_S)
            first = False
            audio = listener.endpointer.utterance_so_far()
            if audio is None or self.dropped:
                return  # the utterance ended: its final transcript decides
            spoken = listener.endpointer.stream_time_s - self._started_s + self.onset_lag_s
            if spoken > MAX_BACKCHANNEL_S:
                await self.decide()
                return
            job = listener.scheduler.submit(
                self, listener.glance_engine, int16_to_float32(audio), RecognitionKind.FINAL
            )
            if job is None:
                continue
            try:
                transcript = await job
            except asyncio.CancelledError:
                if job.cancelled():
                    continue  # superseded, e.g. by a newer look at the same speech
                raise
            except Exception:
                continue  # the final transcript will tell
            verdict = judge(unlooped(transcript.text), self.echo(spoken))
            if not (self.decided or self.dropped) and verdict is Verdict.BARGE_IN:
                await self.decide()

    async def decide(self) -> None:
        """Stop Hark (once)."""
        if self.decided or self.dropped:
            return
        self.decided = True
        await self._barge(self)
