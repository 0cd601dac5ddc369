"""How long to wait before answering: as long as the number being read out is incomplete.

People read an order number or a phone number digit by digit with pauses of
half a second or more ("four ... five ... seven"). A fixed longer hangover
only moves the problem: digits read with pauses as long as it were still cut.
So the wait follows what the caller has said so far, judged against the
number the brain waits for:

* The brain says what its reply asks for (``Reply.expects``: a number) and
  how many digits a complete one has (``Reply.expects_digits``: the shop's
  order-id lengths, a phone number's). While a number is expected and none
  has been heard complete, the endpointer waits
  ``HARK_VAD_NUMBER_HANGOVER_MS`` (a misheard single digit, "four" as "for",
  never ends the turn on the short hangover).
* At each pause the early transcript (``EarlyTranscript``, recognition
  started at the first silent frame) is judged (``wait_ms``) and the open
  utterance held accordingly (``Endpointer.hold``): digits fewer than a
  complete number wait up to ``HARK_VAD_INCOMPLETE_NUMBER_MS`` of silence
  (bounded: a caller who stops is answered); a complete number, or a
  complete question ("do you have size 9?"), ends after the normal hangover;
  words ending in a digit with no shape to judge them by wait
  ``HARK_VAD_NUMBER_HANGOVER_MS``. The same shape applies when the caller
  reads digits one by one unasked (mid-list: "four five ..."), against the
  shop's order-id lengths the brain passes with every reply.
* If recognition was slower than the hangover, the turn judges the final
  transcript the same way (``number_wait_s``) and waits, still in its
  recognition phase, until that much silence has passed: a next digit then
  cancels the turn and its audio is carried into the next utterance
  (``hark.voice.turn.turns``), so the number still arrives whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Protocol

from hark.skills.reply import Expects
from hark.voice.listen.listener import EarlyTranscript

DIGIT_WORDS: Final = {
    "zero": 1, "oh": 1, "o": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1,
    "six": 1, "seven": 1, "eight": 1, "nine": 1,
}  # fmt: skip
"""Words that are one digit each."""
SOUND_ALIKE: Final = frozenset(["for", "fore", "to", "too", "won", "ate", "tree"])
"""Words a recogniser writes for a lone digit ("four" as "for"): digits while one is expected."""
REPEATS: Final = {"double": 2, "triple": 3}
""""double five" is two digits."""
FILLERS: Final = frozenset(["uh", "um", "er", "erm", "hmm", "and", "then"])
"""Words said between digits that do not end the number being read."""

_TOKEN = re.compile(r"\d+|[a-z]+")


def trailing_digits(text: str, *, expecting: bool = False) -> tuple[int, int]:
    """(digits, separately said tokens) of the number the words end with: "my order is
    4 5 7" -> (3, 3), "4572." -> (4, 1), "where is it" -> (0, 0). ``expecting``: a number
    was asked for, so words that sound like a lone digit count as one."""
    digits = tokens = 0
    repeat = 1
    for token in _TOKEN.findall(text.lower()):
        if token.isdigit():
            digits, tokens, repeat = digits + len(token) * repeat, tokens + 1, 1
        elif token in ("oh", "o") and digits == 0:
            repeat = 1  # "Oh, ..." opening a sentence is not a zero
        elif token in DIGIT_WORDS or (expecting and token in SOUND_ALIKE):
            digits, tokens, repeat = digits + repeat, tokens + 1, 1
        elif token in REPEATS:
            repeat = REPEATS[token]
        elif token not in FILLERS:
            digits = tokens = 0
            repeat = 1
    return digits, tokens


def mid_number(text: str) -> bool:
    """The words end in a digit (not a question): the caller may be reading a number."""
    stripped = text.strip()
    return bool(stripped) and not stripped.endswith("?") and trailing_digits(stripped)[0] > 0


def hangover_for(expects: Expects | None, *, normal_ms: int, number_ms: int) -> int:
    """The endpointer's hangover for the caller's answer to a reply expecting ``expects``."""
    return max(normal_ms, number_ms) if expects is Expects.NUMBER else normal_ms


class Holdable(Protocol):
    """What this module changes of the endpointer (``Endpointer`` fits)."""

    hangover_ms: int

    def hold(self, utterance: int, silence_ms: int | None) -> None: ...


@dataclass
class EndpointWait:
    """What one listener's endpointer waits for, as the brain's replies and the caller's
    words so far set it (see the module docstring).

    A turn needs only this of the listen stage: :meth:`expect` after each reply,
    :meth:`listen` at each pause, :meth:`number_wait_s` before the brain sees the words.
    """

    endpointer: Holdable
    normal_ms: int
    number_ms: int
    incomplete_ms: int
    expects: Expects | None = None
    digits: frozenset[int] = field(default_factory=frozenset)

    def expect(self, expects: Expects | None, digits: frozenset[int] = frozenset()) -> None:
        """The brain's reply asks for ``expects``; a complete number has one of ``digits``
        digits (empty: unknown)."""
        self.expects, self.digits = expects, frozenset(n for n in digits if n > 0)
        self.endpointer.hangover_ms = hangover_for(
            expects, normal_ms=self.normal_ms, number_ms=self.number_ms
        )

    def wait_ms(self, text: str) -> int | None:
        """The silence after ``text`` (the words so far) before answering; None: no opinion
        (the endpointer's usual hangover)."""
        stripped = text.strip()
        if not stripped:
            return None
        if stripped.endswith("?"):
            return self.normal_ms  # a complete question
        expecting = self.expects is Expects.NUMBER
        digits, tokens = trailing_digits(stripped, expecting=expecting)
        if digits == 0:
            return None
        if self.digits and (expecting or tokens >= 2):  # asked for, or read one by one
            if digits in self.digits:
                return self.normal_ms  # a complete number
            if digits < max(self.digits):
                return max(self.incomplete_ms, self.number_ms)
        return max(self.number_ms, self.normal_ms)

    def listen(self, early: EarlyTranscript) -> None:
        """At a pause: hold the utterance as its early transcript's words call for, once
        they are known (a transcript made void by the caller going on is ignored)."""

        def heard(job: object) -> None:
            transcript = early.transcript
            if transcript.cancelled() or transcript.exception() is not None:
                return
            self.endpointer.hold(early.number, self.wait_ms(transcript.result().text))

        early.transcript.add_done_callback(heard)

    def number_wait_s(self, text: str, speech_end_at: float, now: float) -> float:
        """Seconds still to wait before answering ``text`` (final words whose recognition
        ended after the endpointer decided): until the silence they call for has passed
        since the speech ended at ``speech_end_at`` (perf_counter)."""
        wait_ms = self.wait_ms(text)
        if wait_ms is None:
            return 0.0
        return max(0.0, speech_end_at + wait_ms / 1000 - now)
