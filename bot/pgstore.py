"""``BotStore`` on PostgreSQL through pyodbc (psqlODBC), for several hosts sharing one store.

Selected by ``OEWS_STORE_URL=postgresql://user:password@host:port/db``.  The schema and the
behaviour are those of ``SqliteBotStore`` (the same contract suite runs against both); what
differs is how atomicity across processes is had:

- every operation is one transaction on a connection from a small pool (pyodbc connections
  are not shared between threads);
- rate limits and quotas: one ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` statement;
- jobs: claimed with ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``, so
  workers on any host never wait for one another nor get the same job; enqueueing takes a
  transaction-level advisory lock so that the capacity check and the insert are one step;
- migrations: each runs in a transaction holding an advisory lock, so two processes starting
  at once apply it once.

Errors of the database or the driver raise ``StoreError`` with the connection's password
masked.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import queue
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pyodbc

from agents.sql.dburl import mask_secrets, parse_database_url
from agents.trace import Trace
from bot.jobs import ClaimedJob, Enqueued, NewJob, QueueStats
from bot.store import (
    DAY_S,
    DEFAULT_CONTEXT_TTL,
    DEFAULT_RETENTION,
    DELIVERY_TTL_S,
    FINISHED_JOB_TTL_S,
    PRUNE_EVERY_S,
    Clock,
    FeedbackCounts,
    FeedbackValue,
    RateDecision,
    StoreError,
    UsageRow,
    _claimed_from,
    _iso,
    _job_payload,
    _parse_trace,
    _trace_row,
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

_USAGE_SQL = """
WITH picked AS (
    SELECT * FROM usage WHERE {where}
), ranked AS (
    SELECT *,
        ROW_NUMBER() OVER (PARTITION BY platform, workspace, "user" ORDER BY latency_ms) AS rank,
        COUNT(*) OVER (PARTITION BY platform, workspace, "user") AS n
    FROM picked
)
SELECT platform, workspace, "user",
    COUNT(*),
    SUM(CASE WHEN status = 'answer' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = 'error' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status = 'refusal' THEN 1 ELSE 0 END),
    SUM(CASE WHEN status NOT IN ('answer', 'error', 'refusal') THEN 1 ELSE 0 END),
    AVG(latency_ms),
    MAX(CASE WHEN rank = (95 * n + 99) / 100 THEN latency_ms END),
    SUM(tokens_in), SUM(tokens_out), SUM(cost_usd)
FROM ranked
GROUP BY platform, workspace, "user"
ORDER BY platform, workspace, "user"
"""

_READY = "(state = 'queued' OR (state = 'running' AND lease_until < ?))"


class PostgresBotStore:
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
        self._dsn = parse_database_url(url, setting="OEWS_STORE_URL").odbc_connection_string()
        self._context_ttl_s = context_ttl.total_seconds()
        self._retention_s = retention.total_seconds()
        self._clock = clock
        self._pool: queue.LifoQueue[pyodbc.Connection] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(pool_size)
        self._closed = False
        self._last_prune = -math.inf
        with self._tx("open") as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(?)", [_MIGRATION_LOCK])
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                "applied_at TEXT NOT NULL)"
            )
            applied = {row[0] for row in cursor.execute("SELECT version FROM migrations").fetchall()}
            if applied and max(applied) > _SCHEMA[-1][0]:
                raise StoreError(
                    "open", f"database is at version {max(applied)}, newer than {_SCHEMA[-1][0]}"
                )
            for version, name, statements in _SCHEMA:
                if version not in applied:
                    for statement in statements:
                        cursor.execute(statement)
                    cursor.execute(
                        "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        [version, name, _iso(datetime.now(UTC))],
                    )

    def __enter__(self) -> PostgresBotStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._pool.get_nowait().close()
            except queue.Empty:
                return
            except pyodbc.Error:
                continue

    # -- traces

    def save_trace(self, trace: Trace) -> None:
        row = _trace_row(trace)
        names = [_quoted(c) for c in row]
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names if c != "id")
        sql = (
            f"INSERT INTO traces ({', '.join(names)}) VALUES ({', '.join('?' * len(row))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}"
        )
        with self._tx("save_trace") as cursor:
            cursor.execute(sql, list(row.values()))

    def get_trace(self, trace_id: str, *, workspace: str | None = None) -> Trace | None:
        sql, params = "SELECT trace_json FROM traces WHERE id = ?", [trace_id]
        if workspace is not None:
            sql, params = sql + " AND workspace = ?", [*params, workspace]
        with self._tx("get_trace") as cursor:
            row = cursor.execute(sql, params).fetchone()
        return None if row is None else _parse_trace(row[0], "get_trace")

    def recent_traces(self, limit: int = 20, *, workspace: str | None = None) -> list[Trace]:
        where, params = ("WHERE workspace = ?", [workspace]) if workspace is not None else ("", [])
        sql = f"SELECT trace_json FROM traces {where} ORDER BY created_at DESC LIMIT ?"
        with self._tx("recent_traces") as cursor:
            rows = cursor.execute(sql, [*params, limit]).fetchall()
        return [_parse_trace(r[0], "recent_traces") for r in rows]

    # -- usage

    def record_usage(
        self,
        *,
        platform: str,
        workspace: str,
        user: str,
        status: str,
        latency_ms: float,
        tokens_in: int,
        tokens_out: int,
        cost_usd: float,
        at: datetime | None = None,
    ) -> None:
        when = at if at is not None else datetime.fromtimestamp(self._clock(), UTC)
        with self._tx("record_usage") as cursor:
            cursor.execute(
                'INSERT INTO usage (at, platform, workspace, "user", status, latency_ms, tokens_in, '
                "tokens_out, "
                "cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [_iso(when), platform, workspace, user, status, latency_ms, tokens_in, tokens_out, cost_usd],
            )

    def usage_report(
        self, *, user: str | None = None, workspace: str | None = None, since: date | None = None
    ) -> list[UsageRow]:
        return self._usage("usage_report", {'"user"': user, "workspace": workspace}, since)

    def user_usage(
        self, platform: str, workspace: str, user: str, *, since: date | None = None
    ) -> UsageRow | None:
        rows = self._usage(
            "user_usage", {"platform": platform, "workspace": workspace, '"user"': user}, since
        )
        return rows[0] if rows else None

    def _usage(self, operation: str, filters: Mapping[str, str | None], since: date | None) -> list[UsageRow]:
        clauses = [f"{column} = ?" for column, value in filters.items() if value is not None]
        params: list[Any] = [value for value in filters.values() if value is not None]
        if since is not None:
            clauses.append("at >= ?")
            params.append(since.isoformat())
        with self._tx(operation) as cursor:
            rows = cursor.execute(_USAGE_SQL.format(where=" AND ".join(clauses) or "TRUE"), params).fetchall()
        return [_usage_row(row) for row in rows]

    # -- thread memory

    def save_context(self, thread_key: str, context: dict[str, Any]) -> None:
        now = self._clock()
        with self._tx("save_context") as cursor:
            cursor.execute(
                "INSERT INTO thread_contexts (thread_key, context_json, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (thread_key) DO UPDATE SET context_json = EXCLUDED.context_json, "
                "updated_at = EXCLUDED.updated_at",
                [thread_key, json.dumps(context), now],
            )
        self._maybe_prune(now)

    def load_context(self, thread_key: str) -> dict[str, Any] | None:
        cutoff = self._clock() - self._context_ttl_s
        with self._tx("load_context") as cursor:
            row = cursor.execute(
                "SELECT context_json FROM thread_contexts WHERE thread_key = ? AND updated_at >= ?",
                [thread_key, cutoff],
            ).fetchone()
        return None if row is None else cast(dict[str, Any], json.loads(row[0]))

    # -- feedback

    def record_feedback(
        self, *, trace_id: str, platform: str, workspace: str, user: str, value: FeedbackValue
    ) -> None:
        if value not in ("up", "down"):
            raise ValueError(f"feedback must be 'up' or 'down', not {value!r}")
        at = _iso(datetime.fromtimestamp(self._clock(), UTC))
        with self._tx("record_feedback") as cursor:
            cursor.execute(
                'INSERT INTO feedback (trace_id, platform, workspace, "user", value, at) '
                "VALUES (?, ?, ?, ?, ?, ?) "
                'ON CONFLICT (trace_id, platform, workspace, "user") DO UPDATE SET value = EXCLUDED.value, '
                "at = EXCLUDED.at",
                [trace_id, platform, workspace, user, value, at],
            )

    def feedback_for(self, trace_id: str) -> FeedbackCounts:
        with self._tx("feedback_for") as cursor:
            up, down = cursor.execute(
                "SELECT COALESCE(SUM(CASE WHEN value = 'up' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN value = 'down' THEN 1 ELSE 0 END), 0) "
                "FROM feedback WHERE trace_id = ?",
                [trace_id],
            ).fetchone()
        return FeedbackCounts(up=int(up), down=int(down))

    # -- deliveries

    def claim_delivery(self, delivery_id: str) -> bool:
        now = self._clock()
        with self._tx("claim_delivery") as cursor:
            claimed = _claim(cursor, delivery_id, now)
        self._maybe_prune(now)
        return claimed

    # -- rate limits and quotas

    def take(self, key: str, *, limit: int, window_s: int, now: float | None = None) -> RateDecision:
        """As ``SqliteBotStore.take``, in one atomic statement."""
        if limit < 0 or window_s <= 0:
            raise ValueError("limit must be >= 0 and window_s > 0")
        at = self._clock() if now is None else now
        start = at - at % window_s
        refused = RateDecision(allowed=False, retry_after_s=max(1, math.ceil(start + window_s - at)))
        if limit == 0:
            return refused
        with self._tx("take") as cursor:
            row = cursor.execute(
                "WITH taken AS (INSERT INTO rate_limits (key, window_s, window_start, count) "
                "VALUES (?, ?, ?, 1) "
                "ON CONFLICT (key, window_s) DO UPDATE SET window_start = EXCLUDED.window_start, "
                "count = CASE WHEN rate_limits.window_start = EXCLUDED.window_start "
                "THEN rate_limits.count + 1 ELSE 1 END "
                "WHERE rate_limits.window_start <> EXCLUDED.window_start OR rate_limits.count < ? "
                "RETURNING count) SELECT count FROM taken",
                [key, window_s, start, limit],
            ).fetchone()
        return RateDecision(allowed=True, retry_after_s=0) if row is not None else refused

    def take_daily(self, key: str, *, limit: int, now: float | None = None) -> RateDecision:
        return self.take(key, limit=limit, window_s=DAY_S, now=now)

    # -- jobs

    def enqueue_job(self, job: NewJob, *, delivery_id: str | None, limit: int) -> Enqueued:
        now = self._clock()
        with self._tx("enqueue_job") as cursor:
            if delivery_id is not None and not _claim(cursor, delivery_id, now):
                return Enqueued("duplicate")
            cursor.execute("SELECT pg_advisory_xact_lock(?)", [_ENQUEUE_LOCK])
            (pending,) = cursor.execute(
                "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"
            ).fetchone()
            if pending >= limit:
                return Enqueued("full")
            (job_id,) = cursor.execute(
                "INSERT INTO jobs (kind, thread_key, payload_json, state, created_at, updated_at) "
                "VALUES (?, ?, ?, 'queued', ?, ?) RETURNING id",
                [job.kind, job.thread_key, _job_payload(job), now, now],
            ).fetchone()
            (ahead,) = cursor.execute(
                "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND id < ?", [job_id]
            ).fetchone()
        self._maybe_prune(now)
        return Enqueued("queued", job_id=int(job_id), position=int(ahead) + 1)

    def claim_job(self, worker: str, *, lease_s: float) -> ClaimedJob | None:
        now = self._clock()
        with self._tx("claim_job") as cursor:
            row = cursor.execute(  # a CTE: psqlODBC has no result set for an UPDATE that matched nothing
                "WITH claimed AS (UPDATE jobs SET state = 'running', worker = ?, lease_until = ?, "
                f"attempts = attempts + 1, updated_at = ? WHERE id = (SELECT id FROM jobs WHERE {_READY} "
                "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) "
                "RETURNING id, kind, payload_json, posted_json, attempts) SELECT * FROM claimed",
                [worker, now + lease_s, now, now],
            ).fetchone()
        return None if row is None else _claimed_from(row)

    def renew_lease(self, job_id: int, worker: str, *, lease_s: float) -> bool:
        now = self._clock()
        return self._held(
            "renew_lease", "lease_until = ?, updated_at = ?", [now + lease_s, now], job_id, worker
        )

    def save_job_progress(self, job_id: int, worker: str, posted: dict[str, Any]) -> bool:
        values = [json.dumps(posted), self._clock()]
        return self._held("save_job_progress", "posted_json = ?, updated_at = ?", values, job_id, worker)

    def finish_job(self, job_id: int, worker: str, posted: dict[str, Any], *, failed: bool = False) -> bool:
        values = ["failed" if failed else "done", json.dumps(posted), self._clock()]
        assignments = "state = ?, lease_until = NULL, posted_json = ?, updated_at = ?"
        return self._held("finish_job", assignments, values, job_id, worker)

    def queue_stats(self) -> QueueStats:
        now = self._clock()
        with self._tx("queue_stats") as cursor:
            queued, running, oldest = cursor.execute(
                "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0), "
                "MIN(CASE WHEN state = 'queued' THEN created_at END) FROM jobs "
                "WHERE state IN ('queued', 'running')"
            ).fetchone()
        wait = 0.0 if oldest is None else now - float(oldest)
        return QueueStats(queued=int(queued), running=int(running), oldest_wait_s=wait)

    def job_state(self, job_id: int) -> tuple[str, dict[str, Any]] | None:
        with self._tx("job_state") as cursor:
            row = cursor.execute("SELECT state, posted_json FROM jobs WHERE id = ?", [job_id]).fetchone()
        return None if row is None else (str(row[0]), cast(dict[str, Any], json.loads(row[1])))

    def thread_has_jobs(self, thread_key: str) -> bool:
        with self._tx("thread_has_jobs") as cursor:
            row = cursor.execute("SELECT 1 FROM jobs WHERE thread_key = ? LIMIT 1", [thread_key]).fetchone()
        return row is not None

    # -- artifacts

    def put_artifact(self, key: str, content: bytes, *, content_type: str, ttl_s: float) -> None:
        now = self._clock()
        with self._tx("put_artifact") as cursor:
            cursor.execute(
                "INSERT INTO artifacts (key, content, content_type, expires_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET content = EXCLUDED.content, "
                "content_type = EXCLUDED.content_type, expires_at = EXCLUDED.expires_at",
                [key, pyodbc.Binary(content), content_type, now + ttl_s],
            )
        self._maybe_prune(now)

    def get_artifact(self, key: str) -> tuple[bytes, str] | None:
        with self._tx("get_artifact") as cursor:
            row = cursor.execute(
                "SELECT content, content_type FROM artifacts WHERE key = ? AND expires_at > ?",
                [key, self._clock()],
            ).fetchone()
        return None if row is None else (bytes(row[0]), str(row[1]))

    # -- housekeeping

    def prune(self, now: float | None = None) -> int:
        at = self._clock() if now is None else now
        kept_since = _iso(datetime.fromtimestamp(at - self._retention_s, UTC))
        deletions = (
            ("DELETE FROM thread_contexts WHERE updated_at < ?", at - self._context_ttl_s),
            ("DELETE FROM deliveries WHERE seen_at < ?", at - DELIVERY_TTL_S),
            ("DELETE FROM rate_limits WHERE window_start + window_s <= ?", at),
            ("DELETE FROM traces WHERE created_at < ?", kept_since),
            ("DELETE FROM usage WHERE at < ?", kept_since),
            (
                "DELETE FROM jobs WHERE state IN ('done', 'failed') AND updated_at < ?",
                at - FINISHED_JOB_TTL_S,
            ),
            ("DELETE FROM artifacts WHERE expires_at <= ?", at),
        )
        deleted = 0
        with self._tx("prune") as cursor:
            for sql, cutoff in deletions:
                deleted += max(0, cursor.execute(sql, [cutoff]).rowcount)
        self._last_prune = at
        return deleted

    def _maybe_prune(self, now: float) -> None:
        if now - self._last_prune < PRUNE_EVERY_S:
            return
        self._last_prune = now
        try:
            self.prune(now)
        except StoreError:
            logger.warning("bot store housekeeping failed; will retry later", exc_info=True)

    def _held(self, operation: str, assignments: str, values: list[Any], job_id: int, worker: str) -> bool:
        with self._tx(operation) as cursor:
            cursor.execute(
                f"UPDATE jobs SET {assignments} WHERE id = ? AND worker = ? AND state = 'running'",
                [*values, job_id, worker],
            )
            return bool(cursor.rowcount == 1)

    @contextlib.contextmanager
    def _tx(self, operation: str) -> Iterator[pyodbc.Cursor]:
        """One transaction on a pooled connection; database errors become ``StoreError``."""
        if self._closed:
            raise StoreError(operation, "the store is closed")
        with self._slots:
            connection = self._connection(operation)
            try:
                cursor = connection.cursor()
                yield cursor
                connection.commit()
            except pyodbc.Error as e:
                _discard(connection)
                raise StoreError(operation, _problem(e)) from e
            except BaseException:
                _discard(connection)
                raise
            self._pool.put(connection)

    def _connection(self, operation: str) -> pyodbc.Connection:
        try:
            return self._pool.get_nowait()
        except queue.Empty:
            pass
        try:
            return pyodbc.connect(self._dsn, autocommit=False, timeout=5)
        except pyodbc.Error as e:
            raise StoreError(operation, _problem(e)) from e


def _quoted(column: str) -> str:
    return '"user"' if column == "user" else column  # a reserved word in PostgreSQL


def _claim(cursor: pyodbc.Cursor, delivery_id: str, now: float) -> bool:
    cursor.execute(
        "INSERT INTO deliveries (delivery_id, seen_at) VALUES (?, ?) ON CONFLICT (delivery_id) DO NOTHING",
        [delivery_id, now],
    )
    return bool(cursor.rowcount == 1)


def _usage_row(row: Any) -> UsageRow:
    platform, workspace, user, questions, answers, errors, refusals, other, avg, p95, t_in, t_out, cost = row
    return UsageRow(
        platform, workspace, user, int(questions), int(answers), int(errors), int(refusals), int(other),
        float(avg or 0), float(p95 or 0), int(t_in or 0), int(t_out or 0), float(cost or 0),
    )  # fmt: skip


def _discard(connection: pyodbc.Connection) -> None:
    with contextlib.suppress(pyodbc.Error):
        connection.rollback()
    with contextlib.suppress(pyodbc.Error):
        connection.close()


def _problem(error: pyodbc.Error) -> str:
    message = str(error.args[1] if len(error.args) > 1 else error)
    return mask_secrets(message)[:300]
