"""A real, throw-away PostgreSQL server for the tests marked ``postgres``.

Why a real server: SQLite forgives things PostgreSQL does not (types, transaction
rules, identifier case), so "works on SQLite" says little about production. The
Debian ``postgresql`` package (installed by ``make install``) gives us ``initdb``
and ``pg_ctl``; one server per test session is started in a temp folder on a free
loopback port and stopped at the end. Each test gets an empty ``public`` schema.

Set ``HARK_TEST_POSTGRES_URL`` (a database whose name contains "test"; it is
wiped) to use a server you run yourself instead.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from support.ports import free_port

EXTERNAL_URL_ENV = "HARK_TEST_POSTGRES_URL"
TEST_DATABASE = "hark_test"
TEST_ROLE = "hark"
START_TIMEOUT_S = 30


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: runs against a real PostgreSQL server (see tests/fixtures_pg.py)"
    )


def find_postgres_bindir() -> Path | None:
    """The newest installed server's bin folder (Debian layout first, then PATH)."""

    def version(path: str) -> tuple[int, ...]:
        name = Path(path).parent.parent.name
        return tuple(int(p) for p in name.split(".") if p.isdigit()) or (0,)

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    for initdb in reversed(candidates):
        bindir = Path(initdb).parent
        if (bindir / "pg_ctl").exists():
            return bindir
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    return None


@dataclass
class PostgresServer:
    """One ``initdb``-made cluster under a temp folder, run by an unprivileged user."""

    bindir: Path
    root: Path
    port: int = 0
    run_as: str | None = None  # set when we are root: PostgreSQL refuses to run as root
    log: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def logfile(self) -> Path:
        return self.root / "server.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{TEST_ROLE}@127.0.0.1:{self.port}/{TEST_DATABASE}"

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.run_as:
            command = ["runuser", "-u", self.run_as, "--", *command]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S + 15,  # pg_ctl -t gives up first, with a message
            check=False,
            cwd=self.root,  # the server's user may not be able to read our working directory
        )
        self.log.append(f"$ {' '.join(command)}\n{result.stdout}{result.stderr}")
        return result

    def _fail(self, what: str) -> None:
        tail = self.logfile.read_text(errors="replace")[-2000:] if self.logfile.exists() else ""
        pytest.fail(f"{what}\n{''.join(self.log[-2:])}\nserver log:\n{tail}", pytrace=False)

    def start(self) -> None:
        if self.run_as:
            entry = pwd.getpwnam(self.run_as)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        result = self._run(
            "initdb", "-D", str(self.data), "-U", TEST_ROLE, "-A", "trust",
            "-E", "UTF8", "--no-locale", "--no-sync",
        )  # fmt: skip
        if result.returncode != 0:
            self._fail("initdb failed")
        # Test speed over durability: this cluster is deleted at the end of the session.
        options = (
            f"-c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        for _attempt in range(3):  # another process may grab the free port first
            self.port = free_port()
            result = self._run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.logfile), "-w",
                "-t", str(START_TIMEOUT_S), "-o", f"-p {self.port} {options}", "start",
            )  # fmt: skip
            if result.returncode == 0:
                break
        else:
            self._fail("pg_ctl could not start PostgreSQL")
        admin = create_engine(
            self.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT"
        )
        try:
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {TEST_DATABASE}"))
        finally:
            admin.dispose()

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


def _unprivileged_user() -> str | None:
    """The account to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail(
            "running as root but there is no 'postgres' user to run PostgreSQL as; "
            "run `make install` (it installs the Debian postgresql package)",
            pytrace=False,
        )
    return "postgres"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer | None]:
    """The server this session started (its Unix socket is in ``root``), or None when the
    tests use an external one (``HARK_TEST_POSTGRES_URL``)."""
    external = os.environ.get(EXTERNAL_URL_ENV)
    if external:
        name = make_url(external).database or ""
        if "test" not in name:
            pytest.fail(
                f"{EXTERNAL_URL_ENV} must name a database containing 'test' (it is wiped); "
                f"got {name!r}",
                pytrace=False,
            )
        yield None
        return
    bindir = find_postgres_bindir()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl) not found under "
            "/usr/lib/postgresql/*/bin or on PATH. Run `make install` (it installs the "
            f"Debian 'postgresql' package), or set {EXTERNAL_URL_ENV}.",
            pytrace=False,
        )
    root = Path(tempfile.mkdtemp(prefix="hark-pg-"))
    server = PostgresServer(bindir=bindir, root=root, run_as=_unprivileged_user())
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server_url(postgres_server: PostgresServer | None) -> str:
    """URL of a PostgreSQL database for this session: external, or one we start."""
    return postgres_server.url if postgres_server is not None else os.environ[EXTERNAL_URL_ENV]


@pytest.fixture
def postgres_url(postgres_server_url: str) -> str:
    """The session's database with an empty ``public`` schema: each test starts clean."""
    engine = create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()
    return postgres_server_url
