"""How many typed turns per second one node carries, and how fast, with ``HARK_WORKERS``.

Run: ``.venv/bin/python bench/typed_capacity.py`` (about a minute;
``--workers 1,2``, ``--conversations 20,100``, ``--seconds 15``,
``--database sqlite|postgres``). Each row starts ``hark serve`` as a shop
would (its own process, the sample shop, no speech models, an API key, a
rate limit far above the load) with that many worker processes, opens that
many conversations over HTTP, and has each send its next caller line as soon
as the previous reply arrived (a closed loop: every conversation always has
one turn in flight), for ``--seconds`` after a warm-up. The lines are the
sample shop's everyday questions (products, prices, the cart, the shop's
policies). It reports turns per second, p50 and p95 latency from the client
(request to reply, the whole HTTP path), errors, and the load average,
because this machine is shared: read a row against the other rows of the
same run, not against another day's.

``--database postgres`` starts a throw-away PostgreSQL the way the test suite
does (``tests/fixtures_pg.py``); SQLite serialises every turn's write on one
file lock, so workers help SQLite less than PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import harness  # noqa: F401  (first: the suite's helpers become importable)

# isort: split
import httpx
from support.ports import free_port

REPO = Path(__file__).resolve().parent.parent
LINES = (
    "do you have a travel mug",
    "how much is it",
    "add one to my cart",
    "what's in my cart",
    "what is your return policy",
    "do you ship internationally",
    "remove it from my cart",
    "what coffee grinders do you have",
)


@contextmanager
def serve(workers: int, database_url: str, key: str) -> Iterator[str]:
    """``hark serve`` on a free loopback port with ``workers`` processes; yields its URL."""
    port = free_port()
    env = {
        **os.environ,
        "HARK_WORKERS": str(workers),
        "HARK_DATABASE_URL": database_url,
        "HARK_API_KEYS": key,
        "HARK_RATE_LIMIT": "1000000/minute",
        "HARK_LOG_LEVEL": "WARNING",
        "HARK_EMBEDDING_MODEL": os.environ.get("HARK_EMBEDDING_MODEL", "auto"),
    }
    cmd = [sys.executable, "-m", "hark.cli", "serve", "--port", str(port),
           "--shop", str(REPO / "examples" / "shop")]  # fmt: skip
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                err = process.stderr.read().decode()[-600:] if process.stderr else ""
                raise RuntimeError(f"hark serve did not become ready: {err}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


async def _conversation(
    client: httpx.AsyncClient, until: float, warm_until: float, latencies: list[float],
    errors: list[str],
) -> None:  # fmt: skip
    try:
        started = await client.post("/v1/conversations", json={})
    except httpx.HTTPError as exc:
        errors.append(type(exc).__name__)
        return
    if started.status_code != 201:
        errors.append(str(started.status_code))
        return
    conversation = started.json()["conversation_id"]
    n = 0
    while time.perf_counter() < until:
        sent = time.perf_counter()
        try:
            response = await client.post(
                f"/v1/conversations/{conversation}/turns", json={"text": LINES[n % len(LINES)]}
            )
        except httpx.HTTPError as exc:  # a dropped connection counts, the run goes on
            errors.append(type(exc).__name__)
            continue
        took = time.perf_counter() - sent
        n += 1
        if response.status_code != 200:
            errors.append(str(response.status_code))
        elif sent >= warm_until:
            latencies.append(took)


async def measure(url: str, key: str, conversations: int, seconds: float) -> dict[str, float]:
    limits = httpx.Limits(max_connections=conversations, max_keepalive_connections=conversations)
    headers = {"authorization": f"Bearer {key}"}
    latencies: list[float] = []
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as c:
        warm_until = time.perf_counter() + 3.0
        until = warm_until + seconds
        await asyncio.gather(
            *(_conversation(c, until, warm_until, latencies, errors) for _ in range(conversations))
        )
    ordered = sorted(latencies)
    p95 = ordered[int(0.95 * (len(ordered) - 1))] if ordered else float("nan")
    return {
        "turns_s": len(latencies) / seconds,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p95_ms": p95 * 1000,
        "errors": float(len(errors)),
    }


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/hark.db"
        return
    import shutil

    from fixtures_pg import PostgresServer, _unprivileged_user, find_postgres_bindir

    bindir = find_postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries not found: run make install")
    root = Path(tempfile.mkdtemp(prefix="hark-bench-pg-"))
    server = PostgresServer(bindir=bindir, root=root, run_as=_unprivileged_user())
    server.start()
    try:
        yield server.url
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="worker processes per row")
    parser.add_argument("--conversations", default="20,100", help="simultaneous conversations")
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per row")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    key = secrets.token_urlsafe(24)
    print(f"typed turns over HTTP, {os.cpu_count()} cores, {args.database}; closed loop")
    print(f"{'workers':>7} {'convs':>6} {'turns/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'errors':>6} {'load':>5}")  # fmt: skip
    for workers in (int(w) for w in args.workers.split(",")):
        with database(args.database) as url_db, serve(workers, url_db, key) as url:
            for conversations in (int(c) for c in args.conversations.split(",")):
                row = asyncio.run(measure(url, key, conversations, args.seconds))
                print(f"{workers:>7} {conversations:>6} {row['turns_s']:>8.1f} "
                      f"{row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['errors']:>6.0f} "
                      f"{os.getloadavg()[0]:>5.2f}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
