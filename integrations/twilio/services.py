"""What the Twilio channel needs from the process: a voice session's services, and the
call and text-thread bookkeeping the brain's layer owns (``dialogue/channel_books.py``).

The server's ``Services`` has both; the channel states only the shape it reads, so it
never imports the server, and reaches the database only through these protocols.
"""

from __future__ import annotations

from typing import Protocol

from hark.dialogue.channel_books import ChannelBooks
from hark.voice.services import VoiceServices


class TwilioServices(VoiceServices, ChannelBooks, Protocol):
    """A voice session's services plus the channel's bookkeeping (read-only)."""
