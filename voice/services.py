"""What a voice session needs from the process: the brain, the engines, the settings.

The server builds one object holding all of them (``hark.server.services``);
the voice layer only states the shape it reads, so it never imports the
layer above it, and a test or a phone bridge can hand in its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from hark.dialogue.manager import DialogueManager
from hark.runtime.settings import Settings
from hark.voice.asr.base import Transcriber
from hark.voice.tts.base import Synthesizer


@dataclass
class EngineStatus:
    """Whether an optional engine is usable, and if not, the one line that says why."""

    loaded: bool
    detail: str
    download: dict[str, Any] | None = None  # progress of a background model download

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"loaded": self.loaded, "detail": self.detail}
        if self.download is not None:
            out["download"] = dict(self.download)
        return out


class VoiceServices(Protocol):
    """The parts of the process's services a ``VoiceSession`` uses (read-only)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def dialogue(self) -> DialogueManager: ...

    @property
    def transcriber(self) -> Transcriber | None: ...

    @property
    def synthesizer(self) -> Synthesizer | None: ...

    @property
    def engines(self) -> Mapping[str, EngineStatus]: ...
