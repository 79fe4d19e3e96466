"""Shared fixtures: a clean environment and one real OEWS database per test session.

The database is built from the shipped BLS files once and cached under
``~/.cache/oews-bot-tests/`` (or ``$OEWS_TEST_CACHE``) keyed by the shipped files and the schema
version, so repeated local runs skip the ~20 s build. CI builds it fresh. The build holds a file
lock, so parallel test workers (pytest-xdist) and parallel test runs build it once and share it;
under xdist the controller starts the build in the background while the workers start and
collect, so no worker sits idle waiting for it.

Scheduling (``pytest -n 2``): tests marked ``slow`` are handed out first, longest first, so the
two workers finish together instead of one starting a long test at the end.

``postgres`` is a throwaway PostgreSQL server on loopback (see ``tests/postgres.py``), one per
test session and worker; it skips locally when PostgreSQL is not installed, and fails on CI.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.engine.engine import OewsEngine
from agents.oews.database import DATABASE_NAME, build_database, shipped_files
from agents.oews.schema import DDL, SCHEMA_VERSION
from tests import postgres as pg

_SCRUBBED_PREFIXES = ("OEWS_", "OPENAI_", "SLACK_", "TEAMS_", "MICROSOFTAPP", "TO_BOT_")


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No setting leaks into a test from the developer's environment."""
    for key in list(os.environ):
        if key.upper().startswith(_SCRUBBED_PREFIXES):
            monkeypatch.delenv(key)
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    monkeypatch.chdir(tmp_path)  # no stray .env file is read


def _cache_key() -> str:
    h = hashlib.sha256(f"{SCHEMA_VERSION}:{DDL}".encode())
    for f in shipped_files():
        h.update(f.name.encode())
        h.update(str(f.stat().st_size).encode())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    """Where built test data is kept between runs (shared by workers and runs, under a lock)."""
    cache = Path(os.environ.get("OEWS_TEST_CACHE", Path.home() / ".cache" / "oews-bot-tests"))
    cache.mkdir(parents=True, exist_ok=True)
    return cache


def cached_database() -> Path:
    """The cached build of the shipped data, built first if it is not there yet."""
    cached = cache_dir() / f"oews-{_cache_key()}.sqlite"
    with (cache_dir() / "build.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not cached.exists():
            build_database(cached)  # atomic: written aside, then renamed
    return cached


_background_build: subprocess.Popen[bytes] | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under xdist, the controller builds a missing database while the workers start up."""
    global _background_build
    xdist_controller = getattr(session.config.option, "numprocesses", None) and not hasattr(
        session.config, "workerinput"
    )
    if xdist_controller and not (cache_dir() / f"oews-{_cache_key()}.sqlite").exists():
        root = Path(__file__).resolve().parents[1]
        code = "from tests.conftest import cached_database; cached_database()"
        _background_build = subprocess.Popen([sys.executable, "-c", code], cwd=root)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _background_build is not None:
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            _background_build.terminate()  # the build is written aside: nothing half-built is kept
        _background_build.wait()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest tests first (``slow(seconds=...)``, a rough guess), the rest in file order.

    A stable sort, so every worker collects the same order."""

    def seconds(item: pytest.Item) -> float:
        slow = item.get_closest_marker("slow")
        return float(slow.kwargs.get("seconds", 5)) if slow else 0.0

    items.sort(key=lambda item: -seconds(item))


@pytest.fixture(scope="session")
def oews_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A complete OEWS database built from the shipped data (read-only use, please)."""
    home = tmp_path_factory.mktemp("oews-home")
    shutil.copy(cached_database(), home / DATABASE_NAME)
    yield home / DATABASE_NAME


@pytest.fixture(scope="session")
def oews_home(oews_db: Path) -> Path:
    """An OEWS_HOME whose database is already built."""
    return oews_db.parent


@pytest.fixture(scope="session")
def engine(oews_db: Path) -> Iterator[OewsEngine]:
    """One offline engine per test process (opening one loads the vocabularies and indexes)."""
    engine = OewsEngine.open(oews_db, time_limit_ms=2000)
    yield engine
    engine.gateway.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[pg.PostgresServer]:
    """A PostgreSQL server on loopback for this test session, reached through pyodbc."""
    why = pg.missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests must run on CI, but {why}")
        pytest.skip(why)
    server = pg.PostgresServer.start()
    yield server
    server.stop()


@pytest.fixture
def home(tmp_path: Path, oews_db: Path) -> Path:
    """An ``OEWS_HOME`` with a private copy of the built database, for tests that load into it."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(oews_db, home / DATABASE_NAME)
    return home
