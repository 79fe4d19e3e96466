"""``BotStore`` on PostgreSQL through pyodbc (psqlODBC), for several hosts sharing one store.

Selected by ``OEWS_STORE_URL=postgresql://user:password@host:port/db``.  Every query is
``SqlBotStore``'s (``bot.store``), the same as on SQLite (one contract suite runs against
both); this module gives it the schema and a backend, which differ in how atomicity across
processes is had:

- every operation is one transaction on a connection from a small pool (pyodbc connections
  are not shared between threads);
- jobs are claimed with ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``,
  so workers on any host never wait for one another nor get the same job; enqueueing takes a
  transaction-level advisory lock so that the capacity check and the insert are one step;
- migrations run in one transaction holding an advisory lock, so two processes starting at
  once apply each once.

Errors of the database or the driver raise ``StoreError`` with the connection's password
masked.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyodbc

from agents.sql.dburl import mask_secrets, parse_database_url
from bot.store import (
    DEFAULT_CONTEXT_TTL,
    DEFAULT_RETENTION,
    Clock,
    Executor,
    SqlBotStore,
    StoreError,
    _iso,
)

logger = logging.getLogger(__name__)

POOL_SIZE = 8
_MIGRATION_LOCK = 7_461_001  # advisory lock keys (any constants unique to this program)
_ENQUEUE_LOCK = 7_461_002

_SCHEMA: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (
        1,
        "tables",
        (
            "CREATE TABLE traces (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, platform TEXT NOT NULL, "
            'workspace TEXT NOT NULL, channel TEXT, thread TEXT, "user" TEXT NOT NULL, question TEXT, '
            "answer_kind TEXT, total_ms DOUBLE PRECISION, tokens_in BIGINT, tokens_out BIGINT, "
            "cost_usd DOUBLE PRECISION, trace_json TEXT NOT NULL)",
            "CREATE TABLE usage (id BIGSERIAL PRIMARY KEY, at TEXT NOT NULL, platform TEXT NOT NULL, "
            'workspace TEXT NOT NULL, "user" TEXT NOT NULL, status TEXT NOT NULL, '
            "latency_ms DOUBLE PRECISION, tokens_in BIGINT, tokens_out BIGINT, cost_usd DOUBLE PRECISION)",
            "CREATE TABLE thread_contexts (thread_key TEXT PRIMARY KEY, context_json TEXT NOT NULL, "
            "updated_at DOUBLE PRECISION NOT NULL)",
            'CREATE TABLE feedback (trace_id TEXT, platform TEXT, workspace TEXT, "user" TEXT, '
            'value TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (trace_id, platform, workspace, "user"))',
            "CREATE TABLE deliveries (delivery_id TEXT PRIMARY KEY, seen_at DOUBLE PRECISION NOT NULL)",
            "CREATE TABLE rate_limits (key TEXT, window_s BIGINT, window_start DOUBLE PRECISION NOT NULL, "
            "count BIGINT NOT NULL, PRIMARY KEY (key, window_s))",
        ),
    ),
    (
        2,
        "indexes for reports and pruning",
        (
            "CREATE INDEX idx_traces_created_at ON traces (created_at)",
            "CREATE INDEX idx_traces_workspace_created_at ON traces (workspace, created_at)",
            "CREATE INDEX idx_usage_at ON usage (at)",
            'CREATE INDEX idx_usage_who ON usage (platform, workspace, "user", at)',
            "CREATE INDEX idx_thread_contexts_updated_at ON thread_contexts (updated_at)",
            "CREATE INDEX idx_deliveries_seen_at ON deliveries (seen_at)",
        ),
    ),
    (
        3,
        "jobs: the durable work queue",
        (
            "CREATE TABLE jobs (id BIGSERIAL PRIMARY KEY, kind TEXT NOT NULL, thread_key TEXT, "
            "payload_json TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
            "worker TEXT, lease_until DOUBLE PRECISION, posted_json TEXT NOT NULL DEFAULT '{}', "
            "created_at DOUBLE PRECISION NOT NULL, updated_at DOUBLE PRECISION NOT NULL)",
            "CREATE INDEX idx_jobs_state_id ON jobs (state, id)",
            "CREATE INDEX idx_jobs_thread_key ON jobs (thread_key)",
            "CREATE INDEX idx_jobs_updated_at ON jobs (updated_at)",
        ),
    ),
    (
        4,
        "artifacts served by URL (Teams charts)",
        (
            "CREATE TABLE artifacts (key TEXT PRIMARY KEY, content BYTEA NOT NULL, "
            "content_type TEXT NOT NULL, "
            "expires_at DOUBLE PRECISION NOT NULL)",
            "CREATE INDEX idx_artifacts_expires_at ON artifacts (expires_at)",
        ),
    ),
)


class _PostgresBackend:
    """Transactions on a small pool of pyodbc connections (they are not shared between threads)."""

    skip_locked = " FOR UPDATE SKIP LOCKED"  # workers never wait for one another's claims
    newest_last_tiebreak = ""

    def __init__(self, url: str, pool_size: int) -> None:
        self._dsn = parse_database_url(url, setting="OEWS_STORE_URL").odbc_connection_string()
        self._pool: queue.LifoQueue[pyodbc.Connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False

    @contextlib.contextmanager
    def transaction(self, operation: str, *, write: bool) -> Iterator[Executor]:
        """One transaction on a pooled connection; database errors become ``StoreError``."""
        if self._closed:
            raise StoreError(operation, "the store is closed")
        with self._slots:
            connection = self._connection(operation)
            try:
                yield connection.cursor()
                connection.commit()
            except pyodbc.Error as e:
                _discard(connection)
                raise StoreError(operation, _problem(e)) from e
            except BaseException:
                _discard(connection)
                raise
            self._pool.put(connection)

    def returning(self, sql: str) -> str:
        """A CTE: psqlODBC gives no result set for an ``UPDATE … RETURNING`` that matched nothing."""
        return f"WITH returned AS ({sql}) SELECT * FROM returned"

    def lock_queue(self, executor: Executor) -> None:
        executor.execute("SELECT pg_advisory_xact_lock(?)", [_ENQUEUE_LOCK])

    def blob(self, content: bytes) -> Any:
        return pyodbc.Binary(content)

    def migrate(self) -> None:
        """Apply the versions the database lacks, under an advisory lock (two hosts start at once)."""
        with self.transaction("open", write=True) as db:
            db.execute("SELECT pg_advisory_xact_lock(?)", [_MIGRATION_LOCK])
            db.execute(
                "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at TEXT NOT NULL)",
                [],
            )
            applied = {row[0] for row in db.execute("SELECT version FROM migrations", []).fetchall()}
            if applied and max(applied) > _SCHEMA[-1][0]:
                raise StoreError(
                    "open", f"database is at version {max(applied)}, newer than {_SCHEMA[-1][0]}"
                )
            for version, name, statements in _SCHEMA:
                if version not in applied:
                    for statement in statements:
                        db.execute(statement, [])
                    db.execute(
                        "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        [version, name, _iso(datetime.now(UTC))],
                    )

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return
            except pyodbc.Error:
                continue

    def _connection(self, operation: str) -> pyodbc.Connection:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        try:
            return pyodbc.connect(self._dsn, autocommit=False, timeout=5)
        except pyodbc.Error as e:
            raise StoreError(operation, _problem(e)) from e


class PostgresBotStore(SqlBotStore):
    """``BotStore`` on a PostgreSQL database; safe to share between threads and hosts."""

    def __init__(
        self,
        url: str,
        *,
        context_ttl: timedelta = DEFAULT_CONTEXT_TTL,
        retention: timedelta = DEFAULT_RETENTION,
        clock: Clock = time.time,
        pool_size: int = POOL_SIZE,
    ) -> None:
        backend = _PostgresBackend(url, pool_size)
        backend.migrate()
        super().__init__(backend, context_ttl=context_ttl, retention=retention, clock=clock)


def _discard(connection: pyodbc.Connection) -> None:
    with contextlib.suppress(pyodbc.Error):
        connection.rollback()
    with contextlib.suppress(pyodbc.Error):
        connection.close()


def _problem(error: pyodbc.Error) -> str:
    message = str(error.args[1] if len(error.args) > 1 else error)
    return mask_secrets(message)[:300]
