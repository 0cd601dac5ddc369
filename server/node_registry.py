"""Which nodes are up, what each carries, and which node holds which live call (Redis).

A live media stream stays on the node that accepted it; everything else about
its conversation is in the database. An operator (or an autoscaler) still needs
the picture across nodes: each node writes its load under ``hark:node:<id>``
and each live call under ``hark:call:<id>`` with a time to live that its
heartbeat renews. A node that dies stops renewing, and its entries vanish
within :data:`TTL_S`; nothing has to clean up after it.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hark.server.admission import Load
from hark.server.background_loop import BackgroundLoop
from hark.server.shared_state import KEY_PREFIX, redis_errors

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger("hark.shared")

HEARTBEAT_S = 5.0
TTL_S = 15  # three missed heartbeats and a node (and its calls) are gone
NODE_KEY = f"{KEY_PREFIX}node:"
CALL_KEY = f"{KEY_PREFIX}call:"


@dataclass(frozen=True)
class NodeInfo:
    """One node as the others see it: its load at its last heartbeat, and its live calls."""

    node: str
    load: dict[str, Any]
    seen_s_ago: float
    calls: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "load": self.load,
            "seen_s_ago": round(self.seen_s_ago, 1),
            "calls": self.calls,
        }


class NodeRegistry(BackgroundLoop):
    """This node's entries in Redis, renewed every :data:`HEARTBEAT_S` (a background loop)."""

    task_name = "hark-node-heartbeat"
    failure = "node heartbeat failed (Redis); trying again"

    def __init__(self, client: Redis, node_id: str, load: Callable[[], Load]) -> None:
        super().__init__(log)
        self.client = client
        self.node_id = node_id
        self._load = load
        self._calls: dict[str, str] = {}  # call id -> its channel
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return True

    def hold(self, call_id: str, channel: str) -> None:
        """Note that this node holds ``call_id`` (a failure is logged: the call goes on)."""
        with self._lock:
            self._calls[call_id] = channel
        self._write_call(call_id, channel)

    def release(self, call_id: str) -> None:
        with self._lock:
            self._calls.pop(call_id, None)
        try:
            self.client.delete(CALL_KEY + call_id)
        except redis_errors() as exc:
            log.warning("could not release a call in Redis: %s", type(exc).__name__)

    def holder(self, call_id: str) -> str | None:
        """The node holding ``call_id``, or None when no node does (ended, or its node died)."""
        raw = self.client.get(CALL_KEY + call_id)
        return None if raw is None else str(json.loads(raw)["node"])

    def run_round(self) -> None:
        with self.busy:
            self.beat()

    def pause_after(self, result: object) -> float:
        return HEARTBEAT_S

    def beat(self) -> None:
        """Renew this node's entry (with its load now) and those of its live calls."""
        entry = {"node": self.node_id, "at": time.time(), "load": self._load().to_dict()}
        with self._lock:
            calls = list(self._calls)
        pipe = self.client.pipeline(transaction=False)
        pipe.set(NODE_KEY + self.node_id, json.dumps(entry), ex=TTL_S)
        for call_id in calls:
            pipe.expire(CALL_KEY + call_id, TTL_S)
        pipe.execute()

    def closed(self) -> None:
        try:
            self.client.delete(NODE_KEY + self.node_id)
        except redis_errors() as exc:
            log.warning("could not remove this node from Redis: %s", type(exc).__name__)

    def nodes(self) -> list[NodeInfo]:
        """Every node whose heartbeat is current, with how many live calls it holds."""
        calls: dict[str, int] = {}
        for key in self.client.scan_iter(match=CALL_KEY + "*", count=500):
            raw = self.client.get(key)
            if raw is not None:
                node = str(json.loads(raw)["node"])
                calls[node] = calls.get(node, 0) + 1
        now, found = time.time(), []
        for key in self.client.scan_iter(match=NODE_KEY + "*", count=100):
            raw = self.client.get(key)
            if raw is None:
                continue
            entry = json.loads(raw)
            node = str(entry["node"])
            found.append(NodeInfo(node, entry["load"], now - entry["at"], calls.get(node, 0)))
        return sorted(found, key=lambda n: n.node)

    def _write_call(self, call_id: str, channel: str) -> None:
        value = json.dumps({"node": self.node_id, "channel": channel, "since": time.time()})
        try:
            self.client.set(CALL_KEY + call_id, value, ex=TTL_S)
        except redis_errors() as exc:
            log.warning("could not note a call in Redis: %s", type(exc).__name__)


def registry_for(app: Any) -> NodeRegistry | None:
    """The app's registry (None without ``HARK_REDIS_URL``)."""
    return getattr(app.state, "node_registry", None)


def start_node_registry(app: Any, settings: Any) -> NodeRegistry | None:
    """With ``HARK_REDIS_URL``: this process's registry, its heartbeat started (in the app's
    lifespan); without it, None and no Redis import."""
    if settings.redis_url is None:
        return None
    from hark.server.admission import load_of
    from hark.server.shared_state import connect, node_id

    registry = NodeRegistry(connect(settings.redis_url), node_id(), lambda: load_of(app))
    app.state.node_registry = registry
    registry.start()
    return registry
