"""How many typed turns per second one node carries, and what a turn costs the server's CPU.

Run: ``.venv/bin/python bench/typed_capacity.py`` (about two minutes;
``--workers 1,2``, ``--conversations 20,100``, ``--seconds 10``, ``--runs 3``,
``--database sqlite|postgres``, ``--against PYTHON``, ``--rate R``). Each row
starts ``hark
serve`` as a shop would (its own process, the sample shop, no speech models,
an API key, a rate limit far above the load) with that many worker processes,
opens that many conversations over HTTP, and has each send its next caller
line as soon as the previous reply arrived (a closed loop: every
conversation always has one turn in flight), for ``--seconds`` after a
warm-up. With ``--rate R`` the conversations are callers who read and type:
together they send at most R turns a second (each one every conversations / R
seconds, or at once if its reply came later), which is how "300 turns/s at
100 conversations" is meant: in a closed loop, 100 conversations answered in
under 100 ms would be over 1,000 turns a second (Little's law: conversations
= turns/s x latency). The server logs as a shop's does (``--log-level INFO``, JSON, to a
file). The lines are the sample shop's everyday questions (products,
prices, the cart, the shop's policies).

The load comes from ``typed_load.py``: raw keep-alive sockets, a few tens of
microseconds of client CPU per turn, so on a 2-core machine the cores go to
the server. Each row reports turns per second, p50 and p95 latency from the
client (request to reply, the whole HTTP path), errors by kind, and:

* ``srv ms/t``: CPU milliseconds the server's processes (``hark serve`` and
  its workers, from ``/proc``) spent per turn in the measured window. Other
  work on the machine slows a turn down but does not make it cost more CPU,
  so this is the figure to compare on a shared machine;
* ``cap/2c``: the turns per second two cores would carry at that cost
  (2000 / ``srv ms/t``), what a 2-core node carries when nothing else runs;
* ``db ms/t``: with PostgreSQL, the CPU its processes spent per turn (the
  node's database work that runs outside Hark; 0 with SQLite, which runs
  inside the server's processes);
* ``cli ms/t``: the load generator's own CPU per turn;
* the load average, since throughput and latency depend on it.

With ``--runs N`` each row is measured N times on the same server and the
median of each column is printed. ``--against PYTHON`` also starts ``hark
serve`` with another interpreter (say, another checkout's ``.venv/bin/python``)
and measures the two in turn, run by run, so both see the same machine; the
last column of the candidate's row is its CPU per turn over the other's.

``--database postgres`` starts a throw-away PostgreSQL the way the test suite
does (``tests/fixtures_pg.py``); SQLite serialises every turn's write on one
file lock, so workers help SQLite less than PostgreSQL.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import harness  # noqa: F401  (first: the suite's helpers become importable)

# isort: split
import httpx
from server_cpu import tree_cpu_seconds
from support.ports import free_port
from typed_load import closed_loop

REPO = Path(__file__).resolve().parent.parent
WARM_S = 3.0
NODE_CORES = 2


@contextmanager
def serve(
    python: str, workers: int, database_url: str, key: str, log_level: str
) -> Iterator[tuple[int, int]]:
    """``hark serve`` on a free loopback port with ``workers`` processes: (pid, port).

    Its data folder is a new empty one and it fetches no speech model: a model fetched
    and loaded in the background would spend the cores the measurement is about. Its log
    goes to a file (a pipe nobody reads would fill and stop the server)."""
    port = free_port()
    folder = Path(tempfile.mkdtemp(prefix="hark-bench-typed-"))
    env = {
        **os.environ,
        "HARK_WORKERS": str(workers),
        "HARK_DATABASE_URL": database_url,
        "HARK_DATA_DIR": str(folder),
        "HARK_MODELS_AUTO_DOWNLOAD": "false",
        "HARK_API_KEYS": key,
        "HARK_RATE_LIMIT": "1000000/minute",
        "HARK_LOG_LEVEL": log_level,
        "HARK_LOG_FORMAT": "json",
        "HARK_EMBEDDING_MODEL": os.environ.get("HARK_EMBEDDING_MODEL", "auto"),
    }
    cmd = [python, "-m", "hark.cli", "serve", "--port", str(port),
           "--shop", str(REPO / "examples" / "shop")]  # fmt: skip
    log = (folder / "serve.log").open("wb")
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                err = (folder / "serve.log").read_text(errors="replace")[-600:]
                raise RuntimeError(f"hark serve did not become ready: {err}")
            time.sleep(0.2)
        yield process.pid, port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


async def _measure(
    pid: int,
    port: int,
    key: str,
    conversations: int,
    seconds: float,
    db_pid: int | None,
    rate: float | None = None,
) -> dict:
    """One closed-loop run; CPU of the server's tree, of the database server's (PostgreSQL)
    and of this process over its window."""
    load = asyncio.create_task(
        closed_loop("127.0.0.1", port, key, conversations, WARM_S, seconds, rate)
    )
    await asyncio.sleep(WARM_S)
    server0, client0 = tree_cpu_seconds(pid), time.process_time()
    db0 = tree_cpu_seconds(db_pid) if db_pid else 0.0
    await asyncio.sleep(seconds)
    server1, client1 = tree_cpu_seconds(pid), time.process_time()
    db1 = tree_cpu_seconds(db_pid) if db_pid else 0.0
    window = await load
    turns = len(window.latencies)
    ordered = sorted(window.latencies)
    per_turn = 1000 / turns if turns else float("nan")
    server_ms = (server1 - server0) * per_turn
    return {
        "turns_s": turns / seconds,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p95_ms": ordered[int(0.95 * (turns - 1))] * 1000 if ordered else float("nan"),
        "errors": float(sum(window.errors.values())),
        "srv_ms": server_ms,
        "cap": NODE_CORES * 1000 / server_ms if turns and server_ms > 0 else float("nan"),
        "cli_ms": (client1 - client0) * per_turn,
        "db_ms": (db1 - db0) * per_turn,
        "load": os.getloadavg()[0],
        "kinds": dict(window.errors),
    }


@contextmanager
def database(kind: str, names: list[str]) -> Iterator[tuple[list[str], int | None]]:
    """One empty database per name: SQLite files, or databases on a throw-away PostgreSQL
    (then also the pid of its postmaster, whose processes' CPU is the database's share)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield [f"sqlite:///{folder}/{name}.db" for name in names], None
        return
    from fixtures_pg import PostgresServer, _unprivileged_user, find_postgres_bindir
    from sqlalchemy import create_engine, text

    bindir = find_postgres_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries not found: run make install")
    root = Path(tempfile.mkdtemp(prefix="hark-bench-pg-"))
    server = PostgresServer(bindir=bindir, root=root, run_as=_unprivileged_user())
    server.start()
    try:
        base = server.url.rsplit("/", 1)[0]
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f"CREATE DATABASE bench_{name}"))
        admin.dispose()
        postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
        yield [f"{base}/bench_{name}" for name in names], postmaster
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


COLUMNS = ("turns_s", "p50_ms", "p95_ms", "errors", "srv_ms", "cap", "db_ms", "cli_ms", "load")
HEADER = (
    f"{'server':>9} {'workers':>7} {'convs':>5} {'turns/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
    f"{'errors':>6} {'srv ms/t':>8} {'cap/2c':>6} {'db ms/t':>7} {'cli ms/t':>8} {'load':>5} "
    f"{'srv/ref':>7}"
)


def _row(name: str, workers: int, conversations: int, rows: list[dict], ref: float) -> str:
    m = {c: statistics.median(r[c] for r in rows) for c in COLUMNS}
    ratio = f"{m['srv_ms'] / ref:>7.2f}" if ref == ref and ref > 0 else f"{'':>7}"
    return (
        f"{name:>9} {workers:>7} {conversations:>5} {m['turns_s']:>7.1f} {m['p50_ms']:>7.1f} "
        f"{m['p95_ms']:>7.1f} {m['errors']:>6.0f} {m['srv_ms']:>8.2f} {m['cap']:>6.0f} "
        f"{m['db_ms']:>7.2f} {m['cli_ms']:>8.3f} {m['load']:>5.2f} {ratio}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="1,2", help="worker processes per row")
    parser.add_argument("--conversations", default="20,100", help="simultaneous conversations")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    parser.add_argument("--runs", type=int, default=1, help="runs per row (medians printed)")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--rate",
        type=float,
        help="turns/s all conversations send together at most (callers who read and type); "
        "default: a closed loop, each sends again as soon as it is answered",
    )
    parser.add_argument(
        "--log-level", default="INFO", help="the server's HARK_LOG_LEVEL (INFO: as a shop runs)"
    )
    parser.add_argument(
        "--against", metavar="PYTHON", help="also measure `hark serve` run by this interpreter"
    )
    args = parser.parse_args()
    key = secrets.token_urlsafe(24)
    servers = {"this": sys.executable}
    if args.against:
        servers = {"reference": args.against, **servers}
    pacing = f"at most {args.rate:g} turns/s in all" if args.rate else "closed loop"
    print(
        f"typed turns over HTTP, {os.cpu_count()} cores, {args.database}; {pacing}, "
        f"{args.seconds:g} s x {args.runs} run(s) a row (medians)"
    )
    print(HEADER, flush=True)
    for workers in (int(w) for w in args.workers.split(",")):
        with ExitStack() as stack:
            urls, db_pid = stack.enter_context(database(args.database, list(servers)))
            started = {
                name: stack.enter_context(serve(python, workers, url, key, args.log_level))
                for (name, python), url in zip(servers.items(), urls, strict=True)
            }
            for conversations in (int(c) for c in args.conversations.split(",")):
                rows: dict[str, list[dict]] = {name: [] for name in started}
                for _ in range(args.runs):
                    for name, (pid, port) in started.items():
                        rows[name].append(
                            asyncio.run(
                                _measure(
                                    pid, port, key, conversations, args.seconds, db_pid, args.rate
                                )
                            )
                        )
                ref = (
                    statistics.median(r["srv_ms"] for r in rows["reference"])
                    if "reference" in rows
                    else float("nan")
                )
                for name, measured in rows.items():
                    print(_row(name, workers, conversations, measured,
                               ref if name != "reference" else float("nan")), flush=True)  # fmt: skip
                    kinds: dict[str, int] = {}
                    for r in measured:
                        for kind, n in r["kinds"].items():
                            kinds[kind] = kinds.get(kind, 0) + n
                    if kinds:
                        print(f"{'':>9} errors ({name}, all runs): {kinds}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
