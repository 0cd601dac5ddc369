"""Whether this node takes one more live call: its load, ``HARK_MAX_VOICE_SESSIONS``, drain.

A balancer sends new calls where there is room only if each node says when it
has none: ``/readyz`` answers 503 ``busy`` when the node is full and 503
``draining`` once it was told to stop (SIGTERM), and a voice socket that
arrives anyway is closed with ``server_busy`` (1013, try again later) so the
client tries another node. Live calls are never cut for either reason.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

BUSY = "busy"
DRAINING = "draining"


@dataclass(frozen=True)
class Load:
    """What this process carries now (``/readyz`` shows it; the node registry shares it)."""

    voice_sessions: int
    media_streams: int
    limit: int  # HARK_MAX_VOICE_SESSIONS; 0: none
    draining: bool

    @property
    def live_calls(self) -> int:
        return self.voice_sessions + self.media_streams

    def to_dict(self) -> dict[str, Any]:
        return {
            "voice_sessions": self.voice_sessions,
            "media_streams": self.media_streams,
            "max_voice_sessions": self.limit,
            "draining": self.draining,
        }


class Admission:
    """The app's admission state: whether, and since when, it drains (the limit is read from
    the settings each time, as the voice route always did)."""

    def __init__(self) -> None:
        self.draining_since: float | None = None

    @property
    def draining(self) -> bool:
        return self.draining_since is not None

    def start_draining(self) -> None:
        if self.draining_since is None:
            self.draining_since = time.monotonic()

    def refusal(self, load: Load) -> str | None:
        """``draining`` or ``busy`` when a new voice session must go elsewhere, else None."""
        if self.draining:
            return DRAINING
        if load.limit and load.voice_sessions >= load.limit:
            return BUSY
        return None


def admission_for(app: Any) -> Admission:
    """The app's :class:`Admission` (made from its settings on first use)."""
    admission = getattr(app.state, "admission", None)
    if admission is None:
        admission = app.state.admission = Admission()
    return admission


def load_of(app: Any) -> Load:
    """The process's load now: open ``/v1/voice`` sessions and Twilio media streams."""
    sessions = getattr(app.state, "voice_sessions", None) or ()
    twilio = getattr(app.state, "twilio", None)
    streams = getattr(twilio, "streams", None) or ()
    services = getattr(app.state, "services", None)
    settings = services.settings if services is not None else app.state.settings
    return Load(
        len(sessions), len(streams), settings.max_voice_sessions, admission_for(app).draining
    )
