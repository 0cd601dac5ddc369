"""Every script in ``bench/`` still starts: ``--help`` runs its imports and its argument parser.

Why: the benchmarks import the suite's helpers (``bench/harness.py``), and
when the tests were moved into ``tests/<package>/`` folders
``bench/hearing.py`` broke silently (an ImportError nobody saw until the next
measurement). Here each script runs as a subprocess with ``--help`` (all at
once, a few seconds in all): a script with a ``__main__`` block must exit 0
and print its usage (so ``--help`` never starts a run); a module the scripts
share must import cleanly and print nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
SCRIPTS = sorted(BENCH.glob("*.py"))
TIMEOUT_S = 120  # a loaded, shared 2-core machine; each normally takes 1-3 s


@pytest.fixture(scope="module")
def helps() -> dict[str, subprocess.CompletedProcess[str]]:
    """Each script's ``--help`` run, started together (bench/ is the script's own folder)."""
    running = {
        path.name: subprocess.Popen(
            [sys.executable, str(path), "--help"],
            cwd=BENCH.parent,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in SCRIPTS
    }
    done = {}
    for name, process in running.items():
        try:
            out, err = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
            err += f"\n(no answer to --help in {TIMEOUT_S} s: it started a run?)"
        done[name] = subprocess.CompletedProcess(process.args, process.returncode, out, err)
    return done


def test_bench_has_scripts() -> None:
    assert {"hearing.py", "harness.py", "voice_concurrency.py"} <= {p.name for p in SCRIPTS}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_bench_script_answers_help(
    script: Path, helps: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    result = helps[script.name]
    assert result.returncode == 0, result.stderr[-2000:]
    if 'if __name__ == "__main__":' in script.read_text():
        assert result.stdout.startswith("usage:"), result.stdout[:500]
    else:
        assert result.stdout == "", result.stdout[:500]
