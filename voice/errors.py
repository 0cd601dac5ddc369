"""Errors the voice engines raise that callers must be able to tell apart.

A missing speech model is :class:`hark.models.errors.ModelNotFound` (the
models package owns model files); what is left here is about audio itself.
"""

from __future__ import annotations


class AudioFormatError(ValueError):
    """Audio bytes or arrays that cannot be what the caller declared.

    Raised for odd-length PCM16 payloads, unsupported encodings or sample
    rates and unreadable WAV files, so a protocol layer can turn it into an
    ``error`` event instead of crashing a connection.
    """
