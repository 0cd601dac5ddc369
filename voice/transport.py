"""How a voice session's events and audio leave: the ``Transport`` every connection implements.

A ``VoiceSession`` speaks to its caller only through this protocol, with
typed events (``hark.voice.protocol``), never JSON strings: the browser
socket and the kiosk page (both ``WS /v1/voice``: :class:`SocketTransport`
writes the wire JSON there, at the edge) and the Twilio media stream
(``hark.integrations.twilio.stream``: μ-law ``media`` messages and ``mark``s)
each implement it.

* ``send_event``: one protocol event; a transport sends what its caller can
  use (a phone line has no use for a ``transcript``).
* ``send_audio``: reply audio, PCM16 mono at the session's rate.
* ``clear``: the caller barged in; drop the reply audio still queued at the
  caller's end (a browser does that itself on ``interrupted``; Twilio needs
  a ``clear`` message).
* ``on_playback_finished``: ``None`` when the caller's end reports nothing
  (the speaker's playout clock then models what was heard); otherwise, called
  after each piece of a reply with a ``played(at)`` callable, which the
  transport calls when the caller's player reports that everything sent so
  far has played (Twilio echoes a ``mark``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from hark.voice.protocol import ServerEvent

Played = Callable[[float], None]
"""Called with the time (perf_counter) a piece was reported played to the end."""
PlaybackFinished = Callable[[Played], Awaitable[None]]


class Transport(Protocol):
    """What a ``VoiceSession`` needs from its connection (module docstring)."""

    async def send_event(self, event: ServerEvent) -> None: ...

    async def send_audio(self, data: bytes) -> None: ...

    async def clear(self) -> None: ...

    @property
    def on_playback_finished(self) -> PlaybackFinished | None: ...


class WebSocketLike(Protocol):
    """The two sends of a Starlette/FastAPI ``WebSocket`` a socket transport uses."""

    async def send_text(self, data: str) -> None: ...

    async def send_bytes(self, data: bytes) -> None: ...


class SocketTransport:
    """``WS /v1/voice`` (the browser widget, the kiosk page, any protocol v1 client): events
    as the protocol's JSON text frames, audio as binary frames."""

    on_playback_finished: PlaybackFinished | None = None  # a browser reports nothing

    def __init__(self, socket: WebSocketLike) -> None:
        self._socket = socket

    async def send_event(self, event: ServerEvent) -> None:
        await self._socket.send_text(event.to_json())

    async def send_audio(self, data: bytes) -> None:
        await self._socket.send_bytes(data)

    async def clear(self) -> None:
        """Nothing to send: the client flushes its player on the ``interrupted`` event."""
