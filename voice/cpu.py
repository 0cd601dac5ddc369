"""Where a voice process's CPU goes: seconds per part, counted inside the process.

Why: on a shared machine wall-clock capacity figures (how many callers at
p95 <= 1.5 s) move with everyone else's load, while the CPU seconds Hark
spends per caller turn do not. ``bench/voice_capacity.py`` reads this ledger
before and after each level and reports CPU per turn by part:

* ``asr_final`` / ``asr_speculation`` / ``asr_partial``: recognitions, by
  what they ran as (a speculation the scheduler promoted to a turn's final
  counts as final; one started on the twin at a young pause stays
  speculation even when it became the final, since the listener promotes
  its own future, not the twin's job). A recognition's CPU is its calling thread's plus that of the
  engine's own compute threads while it ran.
* ``asr_idle``: the recognition engines' compute threads outside any
  recognition (spinning after a call, loading).
* ``tts``: speech synthesis, the calling threads plus the engine's own.
* ``caller_audio``: the echo canceller and noise suppressor over the caller's
  audio (on the event loop).
* ``rest`` (in ``snapshot``): the process total minus all of the above: the
  event loop, VAD, WebSockets, the brain.

How the engines' own threads are found: CTranslate2 (Whisper) and ONNX
Runtime (piper) start their compute threads themselves, and on Linux a new
thread is born with the OS name of the thread that creates it. So an engine
is loaded in a thread carrying a name of its own (``build_named``), and every
compute thread it starts carries that name; ``named_cpu_s`` sums their CPU
from ``/proc/self/task``. Elsewhere (no ``/proc``) those parts count the
calling threads only and the rest holds the remainder.

Cheap enough to be always on: two ``/proc`` scans per recognition (about a
millisecond each, against a few hundred milliseconds of recognition),
``time.thread_time`` elsewhere.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
TASKS = "/proc/self/task"
ASR_THREADS = "hark-asr"  # the main recognition engine's compute threads
ASR_TWIN_THREADS = "hark-asr-twin"  # its low-priority twin's (partials)
TTS_THREADS = "hark-tts"


def name_this_thread(name: str) -> bool:
    """Give the calling thread an OS name (15 characters at most); False where impossible."""
    try:
        with open(f"{TASKS}/{threading.get_native_id()}/comm", "w") as comm:
            comm.write(name[:15])
        return True
    except OSError:
        return False


def build_named(name: str, factory: Callable[[], T]) -> T:
    """Call ``factory`` in a thread named ``name`` so the threads it starts carry the name.

    Errors are raised here, in the caller's thread, as if ``factory`` ran in it.
    """
    box: dict[str, T] = {}
    failure: list[BaseException] = []

    def build() -> None:
        name_this_thread(name)
        try:
            box["built"] = factory()
        except BaseException as exc:  # handed to the caller below
            failure.append(exc)

    thread = threading.Thread(target=build, name=name, daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return box["built"]


def named_cpu_s(name: str) -> float:
    """CPU seconds used so far by this process's live threads whose OS name is ``name``."""
    total_ns = 0
    try:
        tids = os.listdir(TASKS)
    except OSError:
        return 0.0
    for tid in tids:
        try:
            with open(f"{TASKS}/{tid}/comm") as comm:
                if comm.read().rstrip("\n") != name[:15]:
                    continue
            with open(f"{TASKS}/{tid}/schedstat") as stat:
                total_ns += int(stat.read().split()[0])
        except (OSError, ValueError, IndexError):
            continue  # the thread ended meanwhile
    return total_ns / 1e9


class ThreadGroup:
    """The compute threads of one engine (by OS name), their CPU shared out among calls.

    Between two looks (a call starting or ending) the group's CPU goes in equal
    shares to the calls running meanwhile, or to ``idle`` when none ran. One
    call at a time (one CTranslate2 replica, as the scheduler runs it by
    default) is exact; overlapping calls (``HARK_ASR_CONCURRENCY`` > 1) get an
    even split of what they used together. A thread ending drops its CPU from
    the sum; the negative step is ignored.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.idle_s = 0.0
        self._lock = threading.Lock()
        self._last = named_cpu_s(name)
        self._running: dict[int, float] = {}  # call id -> CPU shared to it so far
        self._ids = iter(range(1 << 62))

    def _advance(self) -> None:
        now = named_cpu_s(self.name)
        step, self._last = max(0.0, now - self._last), now
        if not self._running:
            self.idle_s += step
            return
        share = step / len(self._running)
        for call in self._running:
            self._running[call] += share

    @contextmanager
    def call(self) -> Iterator[list[float]]:
        """Measure one call: the yielded one-item list holds, after the block, the CPU
        seconds of the calling thread plus the group's share for this call."""
        started = time.thread_time()
        with self._lock:
            self._advance()
            call = next(self._ids)
            self._running[call] = 0.0
        box = [0.0]
        try:
            yield box
        finally:
            with self._lock:
                self._advance()
                box[0] = time.thread_time() - started + self._running.pop(call)

    def idle_now(self) -> float:
        with self._lock:
            self._advance()
            return self.idle_s


class CpuLedger:
    """CPU seconds per part since the process started (module docstring); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._parts: dict[str, float] = {}
        self._groups: dict[str, ThreadGroup] = {}

    def add(self, part: str, seconds: float) -> None:
        with self._lock:
            self._parts[part] = self._parts.get(part, 0.0) + seconds

    def group(self, name: str) -> ThreadGroup:
        """The meter of the engine threads called ``name`` (made on first use)."""
        with self._lock:
            if name not in self._groups:
                self._groups[name] = ThreadGroup(name)
            return self._groups[name]

    @contextmanager
    def calling_thread(self, part: str) -> Iterator[None]:
        """Charge the calling thread's CPU in the block to ``part``."""
        started = time.thread_time()
        try:
            yield
        finally:
            self.add(part, time.thread_time() - started)

    def snapshot(self) -> dict[str, float]:
        """Seconds per part now, plus ``total`` (the whole process) and ``rest``."""
        with self._lock:
            parts = dict(self._parts)
            groups = dict(self._groups)
        parts["asr_idle"] = sum(
            group.idle_now() for name, group in groups.items() if name.startswith(ASR_THREADS)
        )
        parts["tts"] = parts.get("tts", 0.0) + named_cpu_s(TTS_THREADS)
        times = os.times()
        parts["total"] = times.user + times.system
        counted = sum(v for k, v in parts.items() if k != "total")
        parts["rest"] = max(0.0, parts["total"] - counted)
        return {key: round(value, 4) for key, value in parts.items()}


LEDGER = CpuLedger()
"""The process's ledger (one process, one set of cores)."""
