"""What a channel that carries text, not audio, needs from the process: the brain, the
settings, and the call and text-thread bookkeeping the brain's layer owns
(``hark.dialogue.channel_books``).

The SMS thread, the gather-mode phone call and the phone webhooks hand the
brain words and send its replies in the platform's format; none of them
runs a voice session, so they do not type themselves with the voice layer's
``VoiceServices``; and they reach the database only through the books. The
server's ``Services`` fits this protocol as it is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from hark.dialogue.channel_books import ChannelBooks
from hark.runtime.settings import Settings

if TYPE_CHECKING:
    from hark.dialogue.manager import DialogueManager


class ChannelServices(ChannelBooks, Protocol):
    """The parts of the process's services a text channel uses (read-only)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def dialogue(self) -> DialogueManager: ...
