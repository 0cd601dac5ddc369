"""What a benchmark borrows from the test suite, reached through this one module.

Why: the benchmarks drive the same real servers, scripted doubles and model
builders as the tests (``tests/modelfactory.py``, ``tests/shopbuilder.py``,
``tests/fixtures_voice.py``, ...). Rather than each script putting ``tests/``
on ``sys.path`` and importing ``conftest`` (which drags pytest's fixtures
along), a script imports this module first: it makes the suite's helper
modules importable and re-exports the three things benches and tests share,
from ``tests/support/`` (no pytest needed):

* ``free_port``: a free loopback port for a server a bench starts;
* ``real_model_paths``: the real Whisper base, piper voice and embedding
  model, fetched once into the user's cache by ``tools/fetch_real_models.py``;
* ``LiveServer``: a real uvicorn server on loopback in a thread.

It is called ``harness``, not ``support``, because ``tests/support`` is the
package it re-exports and both folders are on the path of a bench run.
These helpers stay out of the ``hark`` package: nothing in production needs
them, and a shop's server should not ship them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"
if str(TESTS) not in sys.path:
    # First, so ``spoken_callers`` is the suite's (tests/spoken_callers.py), as the benches
    # that speak callers expect; bench/ itself stays on the path after it.
    sys.path.insert(0, str(TESTS))

from support.live_server import LiveServer  # noqa: E402
from support.ports import free_port  # noqa: E402
from support.real_models import RealModelsUnavailable, real_model_paths  # noqa: E402

__all__ = [
    "REPO",
    "LiveServer",
    "RealModelsUnavailable",
    "free_port",
    "no_options",
    "real_model_paths",
]


def no_options(doc: str | None) -> None:
    """Command-line handling of a script that takes no options: ``--help`` prints ``doc``
    and exits, anything else given is refused, so no run starts by mistake (the suite runs
    every script here with ``--help``: tests/test_bench_scripts.py)."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.parse_args()
