"""CTranslate2's OpenMP threads sleep while they wait, instead of spinning (set before it loads).

Why: Whisper on the CPU runs in CTranslate2, whose threads meet at a barrier
after every step (libgomp's OpenMP). By default a thread that arrives first
spins for a while before it sleeps. On an idle machine that is harmless; on
a busy one the thread it waits for is often not running (other calls, piper,
the brain, other processes want the same cores), so it spins its whole
budget at every barrier. Measured on this project's 2-core machine under
load (load average 8-10), one recognition of a shop line with 2 threads:
1.7-1.8 CPU seconds and 3.9-4.5 s by default, 0.26 CPU seconds and 0.4-0.5 s
with ``OMP_WAIT_POLICY=PASSIVE`` (one thread: 0.24 s of CPU, 0.68 s).

OpenMP reads the variable once, when the library is loaded, so this module
is imported before ``faster_whisper`` (``hark.voice.asr.window``). An operator's
own ``OMP_WAIT_POLICY`` wins (``setdefault``).
"""

from __future__ import annotations

import os

WAIT_POLICY = "PASSIVE"

os.environ.setdefault("OMP_WAIT_POLICY", WAIT_POLICY)
