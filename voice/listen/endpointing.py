"""How long to wait before answering: longer while the caller is reading out a number.

People read an order number or a phone number digit by digit with pauses of
half a second or more ("four ... five ... seven"), and a 300 ms hangover cut
such a number 14 times out of 14: Hark answered into the gaps. Two signals
stretch the wait to ``HARK_VAD_NUMBER_HANGOVER_MS``:

* the brain says what it waits for (``Reply.expects``: a number), and the
  endpointer's hangover is set for the caller's next turn (``hangover_for``);
* the caller's words so far end in a digit (``mid_number``): the turn waits,
  still in its recognition phase, until the longer hangover has passed since
  the speech ended, so a next digit cancels it and its audio is carried into
  the next utterance (``hark.voice.turn.turns``): the number arrives whole.

A complete question ("do you have size 9?") ends with a question mark and
keeps the short hangover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Protocol

from hark.skills.reply import Expects

DIGIT_WORDS: Final = frozenset(
    ["zero", "oh", "o", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
     "double", "triple"]
)  # fmt: skip

_TOKEN = re.compile(r"\d+|[a-z]+")


def mid_number(text: str) -> bool:
    """The words end in a digit (not a question): the caller may be reading a number."""
    stripped = text.strip()
    if not stripped or stripped.endswith("?"):
        return False
    tokens = _TOKEN.findall(stripped.lower())
    return bool(tokens) and (tokens[-1].isdigit() or tokens[-1] in DIGIT_WORDS)


def hangover_for(expects: Expects | None, *, normal_ms: int, number_ms: int) -> int:
    """The endpointer's hangover for the caller's answer to a reply expecting ``expects``."""
    return max(normal_ms, number_ms) if expects is Expects.NUMBER else normal_ms


class Hangover(Protocol):
    """The endpointer's one setting this module changes (``Endpointer`` fits)."""

    hangover_ms: int


@dataclass
class EndpointWait:
    """What one listener's endpointer waits for, as the brain's replies set it.

    A turn needs only this of the listen stage: :meth:`expect` after each
    reply, :meth:`number_wait_s` before the brain sees words ending in a digit.
    """

    endpointer: Hangover
    normal_ms: int
    number_ms: int

    def expect(self, expects: Expects | None) -> None:
        """The brain's reply asks for ``expects``: wait for it that long."""
        self.endpointer.hangover_ms = hangover_for(
            expects, normal_ms=self.normal_ms, number_ms=self.number_ms
        )

    def number_wait_s(self, text: str, decided_at: float, now: float) -> float:
        """Seconds still to wait before answering ``text`` (0 unless it ends in a digit):
        until the number hangover has passed since the speech ended at ``decided_at``."""
        if not mid_number(text):
            return 0.0
        extra_ms = self.number_ms - self.endpointer.hangover_ms
        return max(0.0, decided_at + extra_ms / 1000 - now)
