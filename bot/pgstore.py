"""``BotStore`` on PostgreSQL through pyodbc (psqlODBC), for several hosts sharing one store.

Selected by ``OEWS_STORE_URL=postgresql://user:password@host:port/db``.  Every query is
``SqlBotStore``'s (``bot.store``), the same as on SQLite (one contract suite runs against
both); this module gives it the schema and a backend, which differ in how atomicity across
processes is had:

- every operation is one transaction on a connection from a small pool (pyodbc connections
  are not shared between threads);
- jobs are claimed with ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``,
  so workers on any host never wait for one another nor get the same job;
- enqueueing (on the path of every platform ack) is one statement (``_ENQUEUE``: claim the
  delivery id, count the pending jobs, insert the job) in one transaction, two round trips,
  and takes no lock while the queue has more than ``UNLOCKED_HEADROOM`` places left.  In the
  last ``UNLOCKED_HEADROOM`` places it takes a transaction-level advisory lock and counts
  again, so the limit is exact as long as fewer enqueues than that are in flight at once
  across all hosts (each process has at most ``POOL_SIZE`` connections).  The position
  reported is the number of jobs waiting when the statement began, plus one: approximate
  while other enqueues are in flight, and only used for the "you are n-th" note;
- psqlODBC is asked for transaction-level rollback (``Protocol=7.4-1``: no savepoint around
  every statement; a failed statement fails its transaction, which is discarded anyway) and
  client-side parameters (``UseServerSidePrepare=0``: no prepare, describe and deallocate
  round trips per statement), so that each statement costs one round trip;
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
from bot.jobs import Enqueued, NewJob
from bot.store import (
    DEFAULT_CONTEXT_TTL,
    DEFAULT_RETENTION,
    Clock,
    Executor,
    SqlBotStore,
    StoreError,
    _iso,
    _job_payload,
)
from bot.substore import DDL as SUBSCRIPTION_DDL

logger = logging.getLogger(__name__)

POOL_SIZE = 8
UNLOCKED_HEADROOM = 256  # enqueues serialise only in the queue's last places (see the module doc)
_MIGRATION_LOCK = 7_461_001  # advisory lock keys (any constants unique to this program)
_ENQUEUE_LOCK = 7_461_002
# One round trip each (see the module doc): no per-statement savepoints, no server-side prepare.
_DRIVER_ATTRIBUTES: dict[str, str | int] = {"Protocol": "7.4-1", "UseServerSidePrepare": 0}

_CLAIM_DELIVERY = (
    "INSERT INTO deliveries (delivery_id, seen_at) VALUES (?, ?) "
    "ON CONFLICT (delivery_id) DO NOTHING RETURNING 1"
)
_ENQUEUE = """
WITH claimed AS ({claim}),
counts AS (
    SELECT COUNT(*) AS pending, COUNT(*) FILTER (WHERE state = 'queued') AS waiting
    FROM jobs WHERE state IN ('queued', 'running')
),
job AS (
    INSERT INTO jobs (kind, thread_key, payload_json, state, created_at, updated_at)
    SELECT ?, ?, ?, 'queued', ?, ? FROM counts
    WHERE counts.pending < ? AND EXISTS (SELECT 1 FROM claimed)
    RETURNING id
)
SELECT (SELECT COUNT(*) FROM claimed), (SELECT waiting FROM counts), (SELECT id FROM job)
"""

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
    (5, "subscriptions and their notices", SUBSCRIPTION_DDL),
)


class _PostgresBackend:
    """Transactions on a small pool of pyodbc connections (they are not shared between threads)."""

    skip_locked = " FOR UPDATE SKIP LOCKED"  # workers never wait for one another's claims
    newest_last_tiebreak = ""

    def __init__(self, url: str, pool_size: int) -> None:
        parsed = parse_database_url(url, setting="OEWS_STORE_URL")
        attributes = _DRIVER_ATTRIBUTES if parsed.dialect == "postgresql" else {}
        self._dsn = parsed.odbc_connection_string(**attributes)
        self._pool: queue.LifoQueue[pyodbc.Connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False

    @contextlib.contextmanager
    def transaction(self, operation: str, *, write: bool) -> Iterator[Executor]:
        """One transaction on a pooled connection; database errors become ``StoreError``.

        Reads run in autocommit (one round trip per statement instead of BEGIN … COMMIT): each
        statement sees its own snapshot, as it would in a READ COMMITTED transaction."""
        if self._closed:
            raise StoreError(operation, "the store is closed")
        with self._slots:
            connection = self._connection(operation)
            try:
                connection.autocommit = not write
                yield connection.cursor()
                if write:
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

    def warm(self, connections: int) -> None:
        """Have ``connections`` open in the pool."""
        for _ in range(connections - self._pool.qsize()):
            self._pool.put(self._connection("open"))

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
        warm: int = 0,
    ) -> None:
        """``warm``: connections opened now rather than by the first operations that need them
        (the serving process: else the first burst's acks wait for them)."""
        backend = _PostgresBackend(url, pool_size)
        backend.migrate()
        backend.warm(min(warm, pool_size))
        super().__init__(backend, context_ttl=context_ttl, retention=retention, clock=clock)

    def enqueue_job(self, job: NewJob, *, delivery_id: str | None, limit: int) -> Enqueued:
        """Claim ``delivery_id`` and queue ``job`` in one statement (see the module doc)."""
        now = self._clock()
        claim, claim_values = (_CLAIM_DELIVERY, [delivery_id, now]) if delivery_id else ("SELECT 1", [])
        values = [job.kind, job.thread_key, _job_payload(job), now, now, limit - UNLOCKED_HEADROOM]
        with self._writing("enqueue_job") as db:
            claimed, waiting, job_id = db.execute(
                _ENQUEUE.format(claim=claim), [*claim_values, *values]
            ).fetchone()
            if not claimed:
                return Enqueued("duplicate")
            if job_id is None:  # the queue's last places: count again, one enqueue at a time
                self._backend.lock_queue(db)
                job_id, waiting = _insert_within(db, job, now, limit)
        if job_id is None:
            return Enqueued("full")
        return Enqueued("queued", job_id=int(job_id), position=int(waiting) + 1)


def _insert_within(db: Executor, job: NewJob, now: float, limit: int) -> tuple[int | None, int]:
    """(id, jobs waiting before it) of ``job`` inserted if fewer than ``limit`` are pending,
    else (None, waiting); the caller holds the queue lock."""
    pending, waiting = db.execute(
        "SELECT COUNT(*), COUNT(*) FILTER (WHERE state = 'queued') FROM jobs "
        "WHERE state IN ('queued', 'running')",
        [],
    ).fetchone()
    if pending >= limit:
        return None, int(waiting)
    ((job_id,),) = db.execute(
        "INSERT INTO jobs (kind, thread_key, payload_json, state, created_at, updated_at) "
        "VALUES (?, ?, ?, 'queued', ?, ?) RETURNING id",
        [job.kind, job.thread_key, _job_payload(job), now, now],
    ).fetchall()
    return int(job_id), int(waiting)


def _discard(connection: pyodbc.Connection) -> None:
    with contextlib.suppress(pyodbc.Error):
        connection.rollback()
    with contextlib.suppress(pyodbc.Error):
        connection.close()


def _problem(error: pyodbc.Error) -> str:
    message = str(error.args[1] if len(error.args) > 1 else error)
    return mask_secrets(message)[:300]
