"""How a voice session's events and audio leave: the hooks a connection offers.

``on_playback_finished``: ``None`` when the caller's end reports nothing (the
speaker's playout clock then models what was heard); otherwise, called after
each piece of a reply with a ``played(at)`` callable, which the transport
calls when the caller's player reports that everything sent so far has
played (Twilio echoes a ``mark``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

Played = Callable[[float], None]
"""Called with the time (perf_counter) a piece was reported played to the end."""
PlaybackFinished = Callable[[Played], Awaitable[None]]
