"""A free TCP port: the one helper every test and benchmark server starts with."""

from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on right now (the OS picks it; another process could take it
    before it is bound again, which is why servers that can bind themselves do:
    :class:`support.live_server.LiveServer`)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
