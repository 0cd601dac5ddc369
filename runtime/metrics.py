"""Prometheus metrics: what a shop's operator graphs to see latency and load.

Stage timings are recorded once per turn by whoever measured them (the voice
session, the HTTP route), so every channel's latency lands in one histogram.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

TURNS = Counter("hark_turns", "Dialogue turns handled", ["channel", "intent"], registry=REGISTRY)
HANDOFFS = Counter(
    "hark_handoffs", "Conversations handed to a human", ["channel"], registry=REGISTRY
)
STAGE_SECONDS = Histogram(
    "hark_turn_stage_seconds",
    "Time spent per turn stage (endpoint, asr, dialogue, first_audio, total)",
    ["channel", "stage"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.5, 2.5, 5.0),
    registry=REGISTRY,
)
ACTIVE_VOICE_SESSIONS = Gauge(
    "hark_voice_sessions_open", "Open voice sessions of this process", registry=REGISTRY
)


def record_turn(channel: str, intent: str, handoff: bool, stages_ms: dict[str, float]) -> None:
    """Count a turn and observe each stage time given in milliseconds."""
    TURNS.labels(channel, intent or "unknown").inc()
    if handoff:
        HANDOFFS.labels(channel).inc()
    for stage, ms in stages_ms.items():
        if ms is not None:
            STAGE_SECONDS.labels(channel, stage.removesuffix("_ms")).observe(ms / 1000.0)
