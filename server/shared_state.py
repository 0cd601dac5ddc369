"""The state Hark nodes share through Redis (``HARK_REDIS_URL``), or None without it.

PostgreSQL holds everything that must last; Redis holds what is short-lived and
must be the same on every node: which tickets were used, how many requests a
key made this minute, which node holds which live call. Without a URL each
process keeps these in its own memory and ``redis`` is never imported.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger("hark.shared")

KEY_PREFIX = "hark:"
CONNECT_TIMEOUT_S = 2.0
COMMAND_TIMEOUT_S = 2.0


class SharedStateError(Exception):
    """Redis could not be reached or answered wrongly (the message says which, never the URL)."""


def connect(url: str) -> Redis:
    """A client for ``url`` (``redis://``, ``rediss://`` or ``unix://``), short timeouts:
    a node that can't reach Redis refuses a ticket or a request, it does not hang."""
    from redis import Redis

    return Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_S,
        socket_timeout=COMMAND_TIMEOUT_S,
        health_check_interval=30,
    )


def limits_storage_uri(url: str) -> str:
    """The same server as the ``limits`` library spells it (``unix://`` is ``redis+unix://``)."""
    return "redis+unix://" + url[len("unix://") :] if url.startswith("unix://") else url


def redis_errors() -> tuple[type[Exception], ...]:
    """The exceptions a Redis call raises when the server is away (imported only when used)."""
    from redis.exceptions import RedisError

    return (RedisError, OSError)


def node_id() -> str:
    """This process's name among the nodes: host, process id and a random part (a restarted
    process with a reused pid is still a new node)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
