"""CPU seconds bench servers spend, read from ``/proc`` (and, for spoken turns, by part).

Why: the machine is shared, so turns per second or callers under a latency
limit move with everyone else's load; what the server's own processes burn
per turn does not (a busy neighbour slows a turn down, it does not make it
cost more instructions).

* ``tree_cpu_seconds``: user + system CPU of a process and every process
  descended from it (``hark serve`` with ``HARK_WORKERS`` is a parent and its
  workers), as ``top`` would see it; used by ``typed_capacity.py``.
* ``read`` / ``per_turn``: for ``voice_capacity.py``, that total plus the
  server's ``/bench/cpu`` route: the process's own ledger (``hark.voice.cpu``)
  splitting it into recognition finals, speculation, partials, the engines'
  idle threads, synthesis, the echo canceller and noise suppressor
  (``caller_audio``) and the rest.

``implied`` turns a cost per turn into conversations per 2 cores for a turn
rhythm: a caller takes one turn every ``period_s`` (speaking, waiting,
listening, a breath), so one conversation keeps ``cpu_per_turn / period_s``
cores busy. Imported by the capacity benches (``make bench`` runs it as a
script: nothing happens); Linux only.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PARTS = ("asr_final", "asr_speculation", "asr_partial", "asr_idle", "tts", "caller_audio", "rest")
CORES = 2


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """``(parent pid, user + system CPU seconds)`` of ``pid``, or None if it has gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is field 3 (state): ppid is field 4, utime 14, stime 15.
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS


def tree_cpu_seconds(root: int) -> float:
    """User + system CPU seconds of ``root`` and every process descended from it, now."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        found = _stat(int(entry.name))
        if found is not None:
            parents[int(entry.name)], cpu[int(entry.name)] = found
    total = 0.0
    for pid, seconds in cpu.items():
        ancestor = pid
        while ancestor > 1 and ancestor != root:
            ancestor = parents.get(ancestor, 0)
        if ancestor == root:
            total += seconds
    return total


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
        total += tree_cpu_seconds(one.process.pid)
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
