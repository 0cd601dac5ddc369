"""A background twin of a speech model: work nobody waits for, at the lowest CPU priority.

Partial transcripts are nice to have; the final transcript is what the
caller waits for. On a 2-core machine both want both cores, and a model
runs one call at a time, so a partial that is still running when the caller
stops used to hold the final back by up to a whole recognition (about
0.75 s for Whisper base). Two things fix that:

* **A second copy of the model** (the twin) takes the partials, so the final
  never queues behind one inside the model.
* **The twin computes at nice 19.** CTranslate2 does its work in threads it
  starts itself (one worker per model replica, and the OpenMP team that
  worker starts), and on Linux a new thread inherits the nice value of the
  thread that creates it. So the twin is *loaded* in a thread that first
  lowered its own priority: every compute thread of the twin then runs at
  nice 19, and when the final's threads (nice 0) want the cores the kernel
  gives them nearly all of it (CFS weights 1024 vs 15). The caller's thread
  (feature extraction, Python) keeps its normal priority, so a twin can
  never hold the GIL while starved.

The price is the twin's memory (one more copy of the model) and partials
that arrive later while a final runs, which is when nobody needs them.
Elsewhere than on Linux a thread's priority cannot be lowered this way, so
there is no twin (``build_at_low_priority`` returns ``None``).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

log = logging.getLogger("hark.voice.asr")

LOWEST_PRIORITY = 19
T = TypeVar("T")


def can_lower_thread_priority() -> bool:
    """Per-thread nice values (and their inheritance by new threads) are a Linux thing."""
    return sys.platform.startswith("linux") and hasattr(os, "setpriority")


def build_at_low_priority(factory: Callable[[], T]) -> T | None:
    """Call ``factory`` in a thread running at nice 19 and return what it built
    (``None`` if priorities cannot be lowered here or the build failed)."""
    if not can_lower_thread_priority():
        return None
    box: dict[str, T] = {}

    def build() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOWEST_PRIORITY)
            box["engine"] = factory()
        except Exception:
            log.exception("the low-priority twin of the speech model could not be built")

    thread = threading.Thread(target=build, name="hark-asr-background-build", daemon=True)
    thread.start()
    thread.join()
    return box.get("engine")


def low_priority_cpu_s() -> float | None:
    """CPU seconds this process's lowest-priority threads have used: the twin's compute.

    Why: the twin is fast on an idle machine and nearly stopped on a busy one,
    and only the kernel knows which. The listener reads this twice, a few
    frames apart, to tell a twin that is computing (let it finish: a second
    run on the main engine would only take the cores from it) from a starved
    one (run the main engine too). ``None`` where there is no ``/proc`` or the
    whole process already runs at the lowest priority (no thread stands out).
    """
    if not can_lower_thread_priority() or os.getpriority(os.PRIO_PROCESS, 0) >= LOWEST_PRIORITY:
        return None
    ticks = 0
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return None
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/stat", "rb") as stat:
                data = stat.read()
        except OSError:
            continue  # the thread ended meanwhile
        # Fields after "(comm)": state is field 3; utime 14, stime 15, nice 19.
        fields = data[data.rindex(b")") + 2 :].split()
        if int(fields[16]) == LOWEST_PRIORITY:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class BackgroundTwin(Generic[T]):
    """Builds a twin once, in the background, on first request; ``None`` until ready."""

    def __init__(self, factory: Callable[[], T], *, enabled: bool = True) -> None:
        self._factory = factory
        self._engine: T | None = None
        self._started = False
        self._failed = not (enabled and can_lower_thread_priority())
        self._lock = threading.Lock()

    @property
    def possible(self) -> bool:
        return not self._failed

    def get(self) -> T | None:
        if self._engine is not None or self._failed:
            return self._engine
        with self._lock:
            if not self._started:
                self._started = True
                threading.Thread(
                    target=self._build, name="hark-asr-background", daemon=True
                ).start()
        return None

    def _build(self) -> None:
        engine = build_at_low_priority(self._factory)
        if engine is None:
            self._failed = True
            return
        self._engine = engine
        log.info("low-priority twin of the speech model ready (partial transcripts)")
