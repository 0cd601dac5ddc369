"""What a conversation remembers between turns to recognise a card read out in pieces.

"It starts with 4000 0566" ... "and ends with 5566 5556": neither turn alone
is a card number, so redaction needs to know, one turn later, that a card is
being read out and how much of it has been heard. It keeps exactly that, a
count of digits and a short countdown, and never a digit: the memory is
stored in the conversation's state, which must hold nothing raw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Turns during which digits may continue a card after the last card talk.
CARD_TURNS = 2
MAX_CARD_DIGITS = 19


@dataclass
class RedactionMemory:
    card_digits: int = 0  # digits of a payment card heard so far in this reading
    card_turns: int = 0  # turns left in which more digits continue (or complete) it

    @property
    def reading_card(self) -> bool:
        """A card is being read out: the next digits may be more of it."""
        return self.card_turns > 0 and self.card_digits < MAX_CARD_DIGITS

    @property
    def card_given(self) -> bool:
        """A whole card number was just given: an expiry date or a code may follow."""
        return self.card_turns > 0 and self.card_digits >= 12

    def remaining_card_digits(self) -> int:
        return max(0, MAX_CARD_DIGITS - self.card_digits)

    def heard_card_digits(self, count: int, *, whole: bool) -> None:
        self.card_digits = count if whole else min(MAX_CARD_DIGITS, self.card_digits + count)
        self.card_turns = CARD_TURNS

    def card_topic(self) -> None:
        """The caller spoke of paying by card: digits in the next turns may be one."""
        self.card_turns = CARD_TURNS

    def end_turn(self, card_activity: bool) -> None:
        """After each turn: card talk keeps the window open, anything else narrows it."""
        if card_activity:
            self.card_turns = CARD_TURNS
            return
        self.card_turns = max(0, self.card_turns - 1)
        if self.card_turns == 0:
            self.card_digits = 0

    def copy(self) -> RedactionMemory:
        return RedactionMemory(self.card_digits, self.card_turns)

    def to_json(self) -> dict[str, int]:
        return {"card_digits": self.card_digits, "card_turns": self.card_turns}

    @classmethod
    def from_json(cls, raw: Any) -> RedactionMemory:
        if not isinstance(raw, dict):
            return cls()

        def count(key: str, top: int) -> int:
            value = raw.get(key)
            return (
                min(top, max(0, value))
                if isinstance(value, int) and not isinstance(value, bool)
                else 0
            )

        return cls(count("card_digits", MAX_CARD_DIGITS), count("card_turns", CARD_TURNS))
