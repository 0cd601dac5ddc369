"""CPU seconds a bench server spends per caller turn, by part (for ``voice_capacity.py``).

Why: the machine is shared, so how many callers fit under a latency limit
moves with everyone else's load; what the server's own threads burn per turn
does not. Two sources, read before and after each level:

* ``/proc/<pid>/stat`` of each server process (utime + stime): the total,
  read from outside, as ``top`` would see it;
* the server's ``/bench/cpu`` route: the process's own ledger
  (``hark.voice.cpu``) splitting that total into recognition finals,
  speculation, partials, the engines' idle threads, synthesis, the echo
  canceller and noise suppressor (``caller_audio``) and the rest.

``implied`` turns a cost per turn into conversations per 2 cores for a turn
rhythm: a caller takes one turn every ``period_s`` (speaking, waiting,
listening, a breath), so one conversation keeps ``cpu_per_turn / period_s``
cores busy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

PARTS = ("asr_final", "asr_speculation", "asr_partial", "asr_idle", "tts", "caller_audio", "rest")
CORES = 2


def proc_cpu_s(pid: int) -> float:
    """utime + stime of process ``pid`` (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat", "rb") as stat:
        data = stat.read()
    fields = data[data.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Reading:
    """One look at every server: /proc totals and the ledgers (summed over servers)."""

    total_s: float
    parts: dict[str, float]
    counters: dict[str, float] = field(default_factory=dict)


def servers_of(server: Any) -> list[Any]:
    """The ``spoken.Server`` objects behind a bench server (one, or ``Nodes``' several)."""
    return list(getattr(server, "servers", [server]))


def read(server: Any) -> Reading:
    total = 0.0
    parts: dict[str, float] = {}
    counters: dict[str, float] = {}
    for one in servers_of(server):
        total += proc_cpu_s(one.process.pid)
        answer = one.get("/bench/cpu")
        for key, value in answer.pop("cpu").items():
            parts[key] = parts.get(key, 0.0) + float(value)
        for key, value in answer.items():
            counters[key] = counters.get(key, 0.0) + float(value)
    return Reading(total, parts, counters)


def per_turn(before: Reading, after: Reading, turns: int) -> dict[str, float]:
    """Milliseconds of server CPU per caller turn: ``total`` (/proc) and each ledger part,
    plus the counters' increase per turn (recognitions run, cache hits...)."""
    n = max(1, turns)
    row = {"total": (after.total_s - before.total_s) * 1000 / n}
    for part in PARTS:
        row[part] = (after.parts.get(part, 0.0) - before.parts.get(part, 0.0)) * 1000 / n
    for key, value in after.counters.items():
        row[key] = (value - before.counters.get(key, 0.0)) / n
    return row


def implied(cpu_ms_per_turn: float, period_s: float, cores: int = CORES) -> float:
    """Conversations ``cores`` carry if each takes a turn every ``period_s`` at that cost."""
    if cpu_ms_per_turn <= 0:
        return float("inf")
    return cores * period_s * 1000 / cpu_ms_per_turn


LABELS = ("final", "spec", "partial", "idle", "tts", "aec+ns", "rest")


def header() -> str:
    names = "".join(f"{label:>8}" for label in LABELS)
    return (f"{'callers':>8}{'total':>8}{names}{'asr/turn':>9}{'tts hit':>8}"
            f"{'period s':>9}{'implied':>8}")  # fmt: skip


def line(callers: int, row: dict[str, float], period_s: float) -> str:
    parts = "".join(f"{row[p]:>8.0f}" for p in PARTS)
    return (f"{callers:>8}{row['total']:>8.0f}{parts}{row.get('asr_runs', 0):>9.2f}"
            f"{row.get('tts_cache_hits', 0):>8.2f}{period_s:>9.1f}"
            f"{implied(row['total'], period_s):>8.1f}")  # fmt: skip
