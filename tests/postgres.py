"""PostgreSQL for the tests: Debian's server, started once per test session on a loopback port
in a temporary data directory (`initdb` + `pg_ctl`), a fresh database for each test.

A test module runs its history on both databases with

    pytest_plugins = ["tests.postgres"]
    pytestmark = pytest.mark.parametrize("history_url", ["sqlite", "postgresql"], indirect=True)

and uses `history_url` (a SQLAlchemy URL) for its service's HISTORY_URL. Without PostgreSQL's
binaries (or the psycopg driver) the PostgreSQL variants skip, except under CI (CI=true), where
they fail: CI installs the server itself (`make postgres`).
"""

from __future__ import annotations

import itertools
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRED = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
USER = "faceproof"  # the server's superuser, trusted on loopback: a throwaway cluster
START_TIMEOUT_S = 60
# a test server: durability across a crash of the server is not what these tests test
SETTINGS = {
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "listen_addresses": "'127.0.0.1'",
    "unix_socket_directories": "''",
}


def find_binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<major>/bin holding initdb and pg_ctl, else PATH's."""
    folders = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        reverse=True,
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)] or [0],
    )
    for folder in folders:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """One throwaway cluster: `start()`, `create_database()` per test, `stop()` removes it."""

    def __init__(self, bin_dir: Path):
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="faceproof-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self._names = itertools.count(1)
        # PostgreSQL refuses to run as root (CI and these machines): then as Debian's postgres
        self._as: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")  # made by Debian's postgresql package
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]

    def _run(self, tool: str, *args: str) -> None:
        done = subprocess.run(
            [*self._as, str(self.bin_dir / tool), *args],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(
                f"{tool} failed ({done.returncode}):\n{done.stdout}{done.stderr}\n{log}"
            )

    def start(self) -> PostgresServer:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            USER,
            "--auth=trust",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale=C",
        )
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {self.port}\n")
            conf.writelines(f"{name} = {value}\n" for name, value in SETTINGS.items())
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "start",
        )
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        import psycopg

        name = f"test_{next(self._names)}"
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=USER, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"CI runs the PostgreSQL tests: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session (skips, or fails under CI, without one)."""
    bin_dir = find_binaries()
    if bin_dir is None:
        _unavailable(
            "PostgreSQL is not installed (initdb, pg_ctl): `make postgres`, or "
            "apt-get install postgresql"
        )
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg driver is not installed: pip install -e '.[dev]'")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _unavailable("no 'postgres' account to run the server as (it refuses root)")
    server = PostgresServer(bin_dir)
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture
def history_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The history database of this test: SQLite in tmp_path (the default), or a fresh
    PostgreSQL database when parametrised with "postgresql"."""
    if getattr(request, "param", "sqlite") == "sqlite":
        return f"sqlite:///{tmp_path}/history.db"
    return request.getfixturevalue("postgres").create_database()
