"""Shared by the voice benchmarks: wait for a server subprocess to be usable."""

from __future__ import annotations

import subprocess
import time

import httpx

from hark.client import HarkClient, HarkError


def wait_until_ready(server: subprocess.Popen, port: int, timeout_s: float = 30.0) -> None:
    """The server prints READY once built, then must answer /healthz on loopback."""
    assert server.stdout is not None
    line = server.stdout.readline()
    if "READY" not in line:
        raise RuntimeError(f"bench server failed to start: {line!r}")
    deadline = time.monotonic() + timeout_s
    with HarkClient(f"http://127.0.0.1:{port}", timeout=1) as hark:
        while True:
            try:
                hark.health()
                return
            except (httpx.HTTPError, HarkError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
