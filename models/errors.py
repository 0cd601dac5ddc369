"""What goes wrong with model files that callers must be able to tell apart.

``ModelNotFound`` is separate from ordinary ``FileNotFoundError`` because the
server reacts to it differently: it logs the one-line message (which names the
command that fetches the model) and keeps serving its text channels, whereas
any other failure while loading an engine is a bug worth a stack trace.
"""

from __future__ import annotations


class ModelNotFound(FileNotFoundError):
    """A speech model is not on disk.

    ``str(exc)`` is a single line naming the missing path and the exact
    ``hark models download ...`` command that fetches it, so it can be shown
    to an operator as is (CLI error, log line, ``/readyz`` detail).
    """

    def __init__(self, message: str, *, path: str = "", command: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.command = command

    def __str__(self) -> str:
        return self.message
