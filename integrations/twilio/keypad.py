"""Keys pressed on the phone: turns of their own, a short menu, and a guard for card numbers.

Keyed digits are a turn like spoken words (an order number, a menu choice,
the answer to a verification question) and go to the brain as text, where
they are redacted before anything is stored, logged or sent to an LLM:
13-19 keyed digits that form a card number become ``[card number]`` and
the caller is told none is needed, whatever Hark had asked. This module
never logs digits; ``describe`` gives a log line their count only.

"0" alone always means a person, in either call mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KEYS = frozenset("0123456789*#")
MAX_DIGITS = 32  # longer than any order number, phone number or card number
PERSON = "agent"  # what "0" means: the brain hands over to a person

# The menu offered after two turns not understood: key -> (what it offers, the turn it makes).
MENU: dict[str, tuple[str, str]] = {
    "1": ("to check on an order", "where is my order"),
    "2": ("to return something", "I want to return an item"),
    "3": ("to find a product", "I am looking for a product"),
    "0": ("to talk to a person", PERSON),
}


def menu_prompt() -> str:
    """The spoken menu, from ``MENU`` (so the words and the keys never disagree)."""
    options = [f"press {key} {offer}" for key, (offer, _) in MENU.items()]
    return "You can also use your keypad: " + ", ".join(options[:-1]) + f", or {options[-1]}."


def turn_text(digits: str, *, menu: bool) -> str | None:
    """The text a keyed entry stands for: a menu choice, a person, or the digits themselves."""
    digits = digits.strip().rstrip("#")
    if not digits or len(digits) > MAX_DIGITS or not set(digits) <= KEYS:
        return None
    if digits == "0":
        return PERSON
    if menu and digits in MENU:
        return MENU[digits][1]
    return digits


def describe(digits: str) -> str:
    """For logs: how many keys, never which."""
    return f"{len(digits)} key(s)"


@dataclass
class KeypadBuffer:
    """Keys of a media stream, one ``dtmf`` message each, gathered into one entry.

    An entry ends with ``#`` or when the caller pauses (the stream adapter
    calls ``flush`` after ``pause_s``); ``*`` clears what was keyed so far.
    """

    pause_s: float = 2.5
    keys: list[str] = field(default_factory=list)

    def press(self, key: str) -> str | None:
        """Add one key; returns the finished entry when ``#`` ends it."""
        if key == "#":
            return self.flush()
        if key == "*":
            self.keys.clear()
            return None
        if key in KEYS and len(self.keys) < MAX_DIGITS:
            self.keys.append(key)
        return None

    def flush(self) -> str | None:
        entry = "".join(self.keys)
        self.keys.clear()
        return entry or None
