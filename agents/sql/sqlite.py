"""``SqliteGateway``: the embedded, read-only implementation of ``SqlGateway``.

Five layers stand between a statement and the data, in the manner of datasette:

1. ``validate_select`` (the allow-list guard) rejects anything but one SELECT over
   the allowed tables;
2. every connection is opened ``mode=ro``, so SQLite itself refuses any write;
3. an authorizer on every connection lets SQLite check, while it compiles the statement, that
   only allowed tables (or the statement's own CTEs) are read and no dangerous function is
   called: a second opinion from SQLite's own parser;
4. a progress handler interrupts a statement that runs past the time limit, and at most
   ``max_rows + 1`` rows are fetched, to tell whether the result was truncated;
5. no string or blob may exceed ``MAX_VALUE_BYTES`` (``SQLITE_LIMIT_LENGTH``): ``randomblob(1e9)``
   fails at once instead of allocating a gigabyte; and SQLite's heap is capped at
   ``HEAP_LIMIT_BYTES`` (``PRAGMA hard_heap_limit``). That cap is **process-wide**: it covers
   every SQLite connection in the process (the bot's store too) and can only be lowered, so it
   is set far above what normal use needs (tens of MB: a 2 MB page cache per connection, the
   4 MB values) and only stops a statement that would take hundreds of MB.

Validation is cached by statement text (``SqlGuard``): the engine's SQL is a few templates.

The bot answers from a thread pool, so each thread gets its own connection.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Collection, Sequence
from pathlib import Path
from typing import Any

from agents.errors import DataError, SqlError, SqlExecutionError, SqlRejected, SqlTimeout
from agents.oews.schema import QUERYABLE_TABLES
from agents.sql.gateway import DEFAULT_MAX_ROWS, DEFAULT_TIME_LIMIT_MS, QueryResult
from agents.sql.guard import FORBIDDEN_FUNCTIONS, Checked, SqlGuard

# SQLite VM instructions between two looks at the clock. With values of up to 4 MB a thousand
# instructions can take seconds (a sorter flushing 3 MB rows): at 100, an ORDER BY over huge
# rows stops 0.1-0.2 s after the limit instead of 2-3 s, at no cost measurable on engine queries.
PROGRESS_EVERY = 100
MAX_VALUE_BYTES = 4_000_000  # the largest string or blob one statement may build
HEAP_LIMIT_BYTES = 512 * 1024 * 1024  # SQLite's heap, for the whole process (see above)

_ALWAYS_ALLOWED = frozenset({sqlite3.SQLITE_SELECT, sqlite3.SQLITE_RECURSIVE})


class _Session:
    """One thread's connection, with the state its authorizer and progress handler use."""

    def __init__(self, conn: sqlite3.Connection, allowed_tables: frozenset[str]) -> None:
        self.conn = conn
        self.allowed_tables = allowed_tables
        self.ctes: frozenset[str] = frozenset()
        self.denied: list[str] = []
        self.deadline = 0.0
        self.interrupted = False
        self.closed = False
        conn.set_authorizer(self.authorize)

    def authorize(
        self, action: int, arg1: str | None, arg2: str | None, db: str | None, _: str | None
    ) -> int:
        if action in _ALWAYS_ALLOWED:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ and self._may_read(arg1, db):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() not in FORBIDDEN_FUNCTIONS:
            return sqlite3.SQLITE_OK
        self.denied.append(f"action {action} on {arg1 or arg2 or '?'}")
        return sqlite3.SQLITE_DENY

    def _may_read(self, table: str | None, db: str | None) -> bool:
        name = (table or "").lower()
        if db in (None, "main") and name in self.allowed_tables:
            return True
        return db is None and name in self.ctes  # a CTE: SQLite reports it without a schema

    def progress(self) -> int:
        if time.perf_counter() > self.deadline:
            self.interrupted = True
            return 1
        return 0

    def run(
        self, checked: Checked, params: tuple[Any, ...], fetch: int, *, time_limit_ms: int
    ) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
        """Column names and at most ``fetch`` rows; interrupted after ``time_limit_ms``."""
        sql = checked.statement
        self.ctes = checked.ctes
        self.denied.clear()
        self.interrupted = False
        self.deadline = time.perf_counter() + time_limit_ms / 1000
        self.conn.set_progress_handler(self.progress, PROGRESS_EVERY)
        try:
            cursor = self.conn.execute(sql, params)
            try:
                columns = tuple(d[0] for d in cursor.description or ())
                return columns, cursor.fetchmany(fetch)
            finally:
                cursor.close()
        finally:
            self.conn.set_progress_handler(None, 0)


class SqliteGateway:
    """Runs one validated, read-only SELECT against an OEWS SQLite file."""

    dialect = "sqlite"

    def __init__(
        self,
        *,
        path: Path,
        allowed_tables: Collection[str] = QUERYABLE_TABLES,
        max_rows: int = DEFAULT_MAX_ROWS,
        time_limit_ms: int = DEFAULT_TIME_LIMIT_MS,
    ) -> None:
        if max_rows < 1 or time_limit_ms < 1:
            raise ValueError("max_rows and time_limit_ms must be positive")
        self.path = Path(path)
        if not self.path.is_file():
            raise DataError(f"OEWS database not found: {self.path}")
        self.allowed_tables = frozenset(t.lower() for t in allowed_tables)
        self.guard = SqlGuard(allowed_tables=self.allowed_tables, dialect=self.dialect)
        self.max_rows = max_rows
        self.time_limit_ms = time_limit_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sessions: list[_Session] = []
        self._session()  # fail now, not on the first question, if the file is not SQLite

    def execute(self, sql: str, params: Sequence[Any] = (), *, max_rows: int | None = None) -> QueryResult:
        """Validate and run ``sql``; ``QueryResult.sql`` is the comment-free text that ran."""
        cap = self._cap(max_rows)
        bound = tuple(params)
        checked = self.guard.admit(sql, bound)
        session = self._session()
        started = time.perf_counter()
        try:
            columns, rows = session.run(checked, bound, cap + 1, time_limit_ms=self.time_limit_ms)
        except sqlite3.Error as e:
            raise self._error(e, session, sql=sql, params=bound) from e
        except MemoryError as e:  # SQLITE_NOMEM: the heap limit was reached
            raise SqlExecutionError(
                "out of memory: SQLite's heap limit was reached", sql=sql, params=bound
            ) from e
        return QueryResult.capped(checked.statement, bound, columns, rows, cap=cap, started=started)

    def close(self) -> None:
        """Close every connection this gateway opened; a later ``execute`` opens new ones."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.closed = True
            session.conn.close()

    def __enter__(self) -> SqliteGateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _cap(self, max_rows: int | None) -> int:
        if max_rows is None:
            return self.max_rows
        if max_rows < 0:
            raise ValueError(f"max_rows must not be negative, got {max_rows}")
        return min(max_rows, self.max_rows)

    def _error(self, e: sqlite3.Error, session: _Session, *, sql: str, params: tuple[Any, ...]) -> SqlError:
        if session.interrupted:
            return SqlTimeout(sql=sql, params=params, limit_ms=self.time_limit_ms)
        if session.denied:
            return SqlRejected(f"refused by the database: {session.denied[0]}", sql=sql, params=params)
        return SqlExecutionError(str(e), sql=sql, params=params)

    def _session(self) -> _Session:
        session: _Session | None = getattr(self._local, "session", None)
        if session is None or session.closed:
            session = _Session(self._connect(), self.allowed_tables)
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

    def _connection(self) -> sqlite3.Connection:
        """This thread's raw connection (tests use it to prove what SQLite itself refuses)."""
        return self._session().conn

    def _connect(self) -> sqlite3.Connection:
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        except sqlite3.Error as e:
            raise DataError(f"cannot open OEWS database {self.path} read-only: {e}") from e
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
        conn.execute(f"PRAGMA hard_heap_limit = {HEAP_LIMIT_BYTES}")  # lowers it only, never raises
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # is it SQLite at all?
        except sqlite3.Error as e:
            conn.close()
            raise DataError(f"{self.path} is not a readable SQLite database: {e}") from e
        return conn
