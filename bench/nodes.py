"""N bench servers behind a real nginx, for ``voice_capacity.py --nodes N``.

Imported, never run on its own (``make bench`` runs it as a script: nothing
happens). Each node is ``spoken.Server`` (its own process, its own models); nginx
(Debian's, the tests' configuration from ``tests/cluster.py``: round-robin,
WebSocket upgrade) balances them on a free loopback port. A voice conversation
stays on the node its socket reached, so the nodes need no shared database for
this measurement; on one machine they also share its cores, so N nodes here
measure the balancer and the split, not N machines' worth of capacity.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

import harness  # noqa: F401  (first: the suite's helpers, cluster among them, become importable)

# isort: split
from cluster import Balancer
from spoken import Server


class Nodes:
    """``count`` servers built with ``Server``'s arguments, and nginx in front; ``url`` is
    the balancer's voice socket. A context manager, like ``Server``."""

    def __init__(self, count: int, *args: Any, **kwargs: Any) -> None:
        self.servers: list[Server] = []
        self.root = Path(tempfile.mkdtemp(prefix="hark-bench-nginx-"))
        self.balancer: Balancer | None = None
        try:
            for _ in range(count):
                self.servers.append(Server(*args, **kwargs))
            upstreams = [f"127.0.0.1:{server.port}" for server in self.servers]
            self.balancer = Balancer(self.root, upstreams)
            self.balancer.start()
        except BaseException:
            self.close()
            raise
        self.url = f"{self.balancer.ws_url}/v1/voice"

    def close(self) -> None:
        if self.balancer is not None:
            self.balancer.stop()
        for server in self.servers:
            server.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Nodes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
