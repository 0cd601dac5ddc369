"""One recognition scheduler per process: finals first, partials only when there is room.

Why it exists: recognition used to run on asyncio's default thread pool, the
same few threads that starting a call (``start_conversation``) and brain
calls need. One call in shop noise queued over a hundred recognitions there
in a minute, and new calls waited behind them for their ``ready``. Here
recognition has threads of its own, and what waits is ordered by what a
caller waits for:

* **Priorities.** ``FINAL`` (a turn waits for it) before ``SPECULATION``
  (recognition started at a pause, final if the caller stays quiet) before
  ``PARTIAL`` (nice to show). A speculation that becomes a turn's final is
  ``promote``-d in place.
* **Partials are shed when the cores are busy.** A partial is accepted only
  when a worker of its lane is free and nothing is queued, and, on the
  background lane, when the main lane is idle too: a main-lane recognition
  already has the cores, and a partial beside it only takes CPU the other
  callers need (issue 24: partials were about a tenth of the server's CPU
  per turn with 2-4 callers, ``bench/voice_capacity.py``). Otherwise ``submit`` returns ``None`` and the
  listener tries again at its next tick (so partials come back when the
  cores are free). No call's final ever waits behind another call's partial.
* **Per stream, at most one recognition queued behind the running one.**
  A stream's new job supersedes its queued one (newer audio of the same
  stream makes older queued work stale: a resumed pause, a turn cancelled by
  new speech); the superseded future is cancelled.
* **Stale work is dropped.** A job whose future was cancelled before a worker
  took it (its turn was cancelled, its stream closed) is never run.

Two lanes: ``main`` (the engine itself; ``workers`` threads, default 1
because a CPU Whisper call already uses every core and CTranslate2 runs one
call at a time per replica) and ``background`` (the engine's low-priority twin,
``hark.voice.asr.background``; one thread, since the twin runs one call at a
time). Results are handed back to the submitting event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import heapq
import itertools
import logging
import threading
from dataclasses import dataclass, field
from typing import Final

import numpy as np

from hark.voice.asr.base import Transcriber, Transcript
from hark.voice.cpu import LEDGER

log = logging.getLogger("hark.voice.asr")

DEFAULT_WORKERS: Final = 1


class RecognitionKind(enum.IntEnum):
    """What a recognition is for; lower runs first."""

    FINAL = 0
    SPECULATION = 1
    PARTIAL = 2


@dataclass(eq=False)
class _Job:
    kind: RecognitionKind
    seq: int
    owner: object
    engine: Transcriber
    audio: np.ndarray
    future: asyncio.Future[Transcript]
    loop: asyncio.AbstractEventLoop

    def key(self) -> tuple[int, int]:
        return (int(self.kind), self.seq)


@dataclass
class SchedulerStats:
    """What the scheduler did since the process started (for benchmarks and tests)."""

    run: int = 0
    shed: int = 0  # partials refused because the lane was busy
    superseded: int = 0  # queued jobs replaced by newer work of the same stream
    dropped: int = 0  # queued jobs whose future was cancelled before they ran


@dataclass(eq=False)
class _Lane:
    name: str
    workers: int
    heap: list[tuple[tuple[int, int], _Job]] = field(default_factory=list)
    queued: dict[int, _Job] = field(default_factory=dict)  # id(owner) -> its queued job
    running: int = 0
    running_jobs: set[_Job] = field(default_factory=set)
    threads: list[threading.Thread] = field(default_factory=list)

    def idle(self) -> bool:
        return self.running < self.workers and not self._live()

    def _live(self) -> bool:
        return any(not job.future.done() for _, job in self.heap)


class RecognitionScheduler:
    """Bounded, prioritised recognition for every stream of a process (module docstring)."""

    def __init__(self, workers: int = DEFAULT_WORKERS, background_workers: int = 1) -> None:
        if workers < 1 or background_workers < 1:
            raise ValueError("a scheduler needs at least one worker per lane")
        self._cond = threading.Condition()
        self._lanes = {
            "main": _Lane("main", workers),
            "background": _Lane("background", background_workers),
        }
        self._seq = itertools.count()
        self.stats = SchedulerStats()

    # ------------------------------------------------------------------ sizing
    @property
    def workers(self) -> int:
        return self._lanes["main"].workers

    def resize(self, workers: int) -> None:
        """Run ``workers`` main-lane recognitions at once from now on (threads start lazily)."""
        if workers < 1:
            raise ValueError("a scheduler needs at least one worker")
        with self._cond:
            self._lanes["main"].workers = workers
            self._cond.notify_all()

    def busy(self, *, background: bool = False) -> bool:
        """No worker of that lane is free, or work is waiting."""
        with self._cond:
            return not self._lanes["background" if background else "main"].idle()

    def queued(self) -> int:
        """Jobs waiting (not yet running, not cancelled) in both lanes."""
        with self._cond:
            return sum(
                1 for lane in self._lanes.values() for _, j in lane.heap if not j.future.done()
            )

    # ------------------------------------------------------------------ submitting
    def submit(
        self,
        owner: object,
        engine: Transcriber,
        audio: np.ndarray,
        kind: RecognitionKind,
        *,
        background: bool = False,
    ) -> asyncio.Future[Transcript] | None:
        """Queue ``engine.transcribe(audio)`` for stream ``owner``; ``None`` when a partial
        is shed. Call on the event loop that awaits the result."""
        loop = asyncio.get_running_loop()
        lane = self._lanes["background" if background else "main"]
        with self._cond:
            if kind is RecognitionKind.PARTIAL and not (lane.idle() and self._lanes["main"].idle()):
                self.stats.shed += 1
                return None
            previous = lane.queued.pop(id(owner), None)
            if previous is not None and not previous.future.done():
                previous.future.cancel()  # newer work of the same stream: the old is stale
                self.stats.superseded += 1
            future: asyncio.Future[Transcript] = loop.create_future()
            job = _Job(kind, next(self._seq), owner, engine, audio, future, loop)
            lane.queued[id(owner)] = job
            heapq.heappush(lane.heap, (job.key(), job))
            self._ensure_threads(lane)
            self._cond.notify_all()
        return future

    def promote(self, future: asyncio.Future[Transcript], kind: RecognitionKind) -> None:
        """A queued or running job is now needed as ``kind`` (a speculation became a turn's
        final; its CPU is then counted as the final's)."""
        with self._cond:
            for lane in self._lanes.values():
                for job in lane.running_jobs:
                    if job.future is future and kind < job.kind:
                        job.kind = kind
                        return
                for index, (_, job) in enumerate(lane.heap):
                    if job.future is future and kind < job.kind:
                        job.kind = kind
                        lane.heap[index] = (job.key(), job)
                        heapq.heapify(lane.heap)
                        return

    # ------------------------------------------------------------------ workers
    def _ensure_threads(self, lane: _Lane) -> None:
        lane.threads = [t for t in lane.threads if t.is_alive()]
        while len(lane.threads) < lane.workers:
            thread = threading.Thread(
                target=self._work,
                args=(lane,),
                name=f"hark-asr-{lane.name}-{len(lane.threads)}",
                daemon=True,
            )
            lane.threads.append(thread)
            thread.start()

    def _take(self, lane: _Lane) -> _Job:
        with self._cond:
            while True:
                while lane.heap and lane.running < lane.workers:
                    _, job = heapq.heappop(lane.heap)
                    if lane.queued.get(id(job.owner)) is job:
                        del lane.queued[id(job.owner)]
                    if job.future.done():
                        self.stats.dropped += 1
                        continue
                    lane.running += 1
                    lane.running_jobs.add(job)
                    return job
                self._cond.wait()

    def _work(self, lane: _Lane) -> None:
        while True:
            job = self._take(lane)
            try:
                result: Transcript | None = job.engine.transcribe(job.audio)
                error: BaseException | None = None
            except Exception as exc:
                result, error = None, exc
            finally:
                with self._cond:
                    lane.running -= 1
                    lane.running_jobs.discard(job)
                    self.stats.run += 1
                    self._cond.notify_all()
            if result is not None:  # what it cost, as what it ended up being for
                LEDGER.add(f"asr_{job.kind.name.lower()}", result.cpu_s)
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                job.loop.call_soon_threadsafe(_settle, job.future, result, error)


def _settle(
    future: asyncio.Future[Transcript], result: Transcript | None, error: BaseException | None
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        assert result is not None
        future.set_result(result)


_shared: RecognitionScheduler | None = None
_shared_lock = threading.Lock()


def shared_scheduler(workers: int = DEFAULT_WORKERS) -> RecognitionScheduler:
    """The process's scheduler (made on first use), running ``workers`` main-lane jobs at once."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = RecognitionScheduler(workers)
        elif _shared.workers != workers:
            _shared.resize(workers)
        return _shared
