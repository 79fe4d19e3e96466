"""A throwaway PostgreSQL server on loopback, started by the tests themselves.

``PostgresServer.start()`` runs ``pg_ctl`` from the Debian ``postgresql`` package on a free port,
as the ``postgres`` user when the tests run as root (PostgreSQL refuses to run as root), on a copy
of a data directory that ``initdb`` made once (kept in the test cache per PostgreSQL version and
password: initdb takes 1–2 s of CPU). Servers are reached through pyodbc and psqlODBC
(``odbc-postgresql``).

Locally, without PostgreSQL installed, the fixture skips with the command that installs it; on CI
(``CI=true``) a missing server is a failure, never a skip.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.cache import cache_dir

INSTALL_HINT = "sudo apt-get install -y postgresql unixodbc odbc-postgresql"
ODBC_DRIVER = "PostgreSQL Unicode"


def _bin_dir() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def server_version() -> str:
    """The major version of the PostgreSQL found (data directories are kept per major version)."""
    bindir = _bin_dir()
    assert bindir is not None, INSTALL_HINT
    out = subprocess.run([str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True)
    return out.stdout.split()[-1].split(".")[0]


def _odbc_driver_installed() -> bool:
    try:
        import pyodbc
    except ImportError:
        return False
    return ODBC_DRIVER in pyodbc.drivers()


def missing() -> str | None:
    """Why a PostgreSQL server cannot be started here, or None when it can."""
    if _bin_dir() is None:
        return f"PostgreSQL is not installed ({INSTALL_HINT})"
    if not _odbc_driver_installed():
        return f"the psqlODBC driver '{ODBC_DRIVER}' is not registered ({INSTALL_HINT})"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    data_dir: Path
    port: int
    user: str = "postgres"
    password: str = "x"  # with trust authentication (the default) the password is not checked

    @classmethod
    def start(cls, *, password: str | None = None) -> PostgresServer:
        """A new server; with ``password``, every login must give it (scram-sha-256)."""
        server = cls.start_copy(_initialized(password))
        server.password = password or "x"
        return server

    @classmethod
    def initdb(cls, password: str | None) -> PostgresServer:
        """A new data directory (the server is not started)."""
        bindir = _bin_dir()
        assert bindir is not None, INSTALL_HINT
        root = Path(tempfile.mkdtemp(prefix="oews-pg-"))
        server = cls(data_dir=root / "data", port=_free_port(), password=password or "x")
        as_postgres = os.geteuid() == 0
        auth = ["-A", "trust"]
        if password is not None:
            (root / "pwfile").write_text(password + "\n", encoding="utf-8")
            auth = ["-A", "scram-sha-256", f"--pwfile={root / 'pwfile'}"]
        if as_postgres:
            pw = pwd.getpwnam("postgres")
            for path in (root, *root.iterdir()):
                os.chown(path, pw.pw_uid, pw.pw_gid)
        server._run(
            as_postgres,
            str(bindir / "initdb"),
            "-D",
            str(server.data_dir),
            *auth,
            "-U",
            server.user,
            "-E",
            "UTF8",
            "--no-sync",
        )
        return server

    @classmethod
    def start_copy(cls, saved: Path) -> PostgresServer:
        """A new server on a copy of a data directory (one `initdb` kept in the test cache)."""
        root = Path(tempfile.mkdtemp(prefix="oews-pg-"))
        subprocess.run(["cp", "-a", str(saved), str(root / "data")], check=True, timeout=120)
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(root, pw.pw_uid, pw.pw_gid)
        server = cls(data_dir=root / "data", port=_free_port())
        server.start_again()
        return server

    def start_again(self) -> None:
        """Start the server on its data directory and port (again, after ``stop_only``)."""
        bindir = _bin_dir()
        assert bindir is not None
        root = self.data_dir.parent
        options = (
            f"-p {self.port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            os.geteuid() == 0,
            str(bindir / "pg_ctl"),
            "-D",
            str(self.data_dir),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        )

    def _run(self, as_postgres: bool, *args: str) -> None:
        command = ["runuser", "-u", "postgres", "--", *args] if as_postgres else list(args)
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def stop(self) -> None:
        """Stop the server and delete its files."""
        try:
            self.stop_only()
        finally:
            shutil.rmtree(self.data_dir.parent, ignore_errors=True)

    def stop_only(self) -> None:
        """Stop the server (its clients see the connection drop); ``stop`` still cleans up."""
        bindir = _bin_dir()
        assert bindir is not None
        if not (self.data_dir / "postmaster.pid").exists():
            return
        self._run(
            os.geteuid() == 0, str(bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"
        )

    def odbc(self, database: str = "postgres") -> str:
        """An ODBC connection string for pyodbc."""
        return (
            f"DRIVER={{{ODBC_DRIVER}}};SERVER=127.0.0.1;PORT={self.port};DATABASE={database};"
            f"UID={self.user};PWD={self.password}"
        )

    def url(self, database: str = "postgres") -> str:
        """The same server as a ``postgresql://`` URL (the form users put in settings)."""
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def psql(self, database: str, command: str) -> subprocess.Popen[str]:
        """``psql`` running one command against a database of this server, reading stdin from a pipe."""
        bindir = _bin_dir()
        assert bindir is not None
        return subprocess.Popen(
            [str(bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", self.user, "-d", database, "-c", command],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PGPASSWORD": self.password},
        )  # fmt: skip

    def run_sql(self, database: str, command: str) -> None:
        _, errors = self.psql(database, command).communicate(timeout=300)
        assert not errors, errors

    def copy_rows(self, database: str, sqlite_path: Path, tables: Sequence[str]) -> None:
        """Copy the rows of SQLite ``tables`` into the same tables (same column names) on this
        server with ``COPY``, streamed while they are read: seconds, where statements take minutes."""
        import csv
        import sqlite3

        with sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True) as source:
            for table in tables:
                names = [d[0] for d in source.execute(f"SELECT * FROM {table} LIMIT 0").description]
                nulls_as_copy = ", ".join(f"ifnull(\"{name}\", '\\N')" for name in names)  # NULLs in SQL
                psql = self.psql(
                    database, f"\\copy {table} ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                )
                assert psql.stdin is not None
                csv.writer(psql.stdin, lineterminator="\n").writerows(
                    source.execute(f"SELECT {nulls_as_copy} FROM {table}")
                )
                _, errors = psql.communicate(timeout=300)  # closes stdin: the copy ends
                assert psql.returncode == 0, errors

    def create_database(self, name: str) -> str:
        """A fresh, empty database on this server; returns its URL."""
        import pyodbc

        with pyodbc.connect(self.odbc(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _initialized(password: str | None) -> Path:
    """A data directory fresh from ``initdb``, made once and kept in the test cache."""
    key = hashlib.sha256(repr(password).encode()).hexdigest()[:12]
    saved = cache_dir() / f"pg{server_version()}-initdb-{key}"
    with (cache_dir() / "pg-initdb.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not saved.exists():
            server = PostgresServer.initdb(password)
            try:
                aside = saved.with_name(saved.name + ".partial")
                shutil.rmtree(aside, ignore_errors=True)
                subprocess.run(["cp", "-a", str(server.data_dir), str(aside)], check=True, timeout=120)
                aside.rename(saved)
            finally:
                shutil.rmtree(server.data_dir.parent, ignore_errors=True)
    return saved
