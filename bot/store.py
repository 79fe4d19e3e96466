"""The bot's own database: traces, usage, thread memory, feedback, deliveries, limits, jobs.

``BotStore`` is the interface the bot codes against.  ``SqlBotStore`` implements it once, in
SQL that SQLite (≥ 3.35) and PostgreSQL both read, over a small ``SqlBackend`` that says how
a transaction is had and the few phrases that differ.  ``SqliteBotStore`` (here) runs it on one
SQLite file; ``PostgresBotStore`` (``bot.pgstore``) on PostgreSQL for several hosts.

Schema (see ``MIGRATIONS``)::

    migrations       version PK, name, applied_at            one row per applied migration
    traces           id PK, created_at, platform, workspace, channel, thread, user, question,
                     answer_kind, total_ms, tokens_in, tokens_out, cost_usd, trace_json
    usage            id PK, at, platform, workspace, user, status, latency_ms,
                     tokens_in, tokens_out, cost_usd        one row per question handled
    thread_contexts  thread_key PK, context_json, updated_at (unix seconds)
    feedback         (trace_id, platform, workspace, user) PK, value "up"|"down", at
    deliveries       delivery_id PK, seen_at (unix seconds)
    rate_limits      (key, window_s) PK, window_start (unix seconds), count
    jobs             id PK, kind, thread_key, payload_json, state "queued"|"running"|"done"|"failed",
                     attempts, worker, lease_until, posted_json, created_at, updated_at (unix s)
    artifacts        key PK, content BLOB, content_type, expires_at (unix seconds)
    subscriptions, subscription_notices   see ``bot.substore`` (``store.subscriptions``)

Times are stored in UTC: ISO-8601 text (``2025-05-01T12:00:00.000000Z``) for records people
read, unix seconds for the housekeeping tables.

**Migrations** are an ordered list of functions.  Opening a store applies each one not yet
recorded in ``migrations``, each in its own ``BEGIN IMMEDIATE`` transaction together with
its record, so an older file is upgraded in place, a crash mid-migration leaves the file at
the previous version, and two processes opening the same file at once apply it once.
(sqlite-utils' own ``Migrations`` decides what is pending outside the transaction, so two
processes starting together could both run a migration; hence this small versioned runner.)

**Concurrency.**  One connection per store, shared by every thread and guarded by a lock:
SQLite admits a single writer anyway and each operation takes a millisecond or so, so
per-thread connections would only add ``database is locked`` contention between our own
threads and connections left behind by thread pools.  Other processes (``oews-bot usage``
while the server runs) are handled by WAL mode, ``busy_timeout`` and ``BEGIN IMMEDIATE``:
every write, including read-modify-write operations such as ``take``, is one transaction
that takes the write lock up front, so it is atomic across processes too.

**Jobs** (the durable work queue, see ``bot.jobs``): a question is stored as a job in the
same transaction that claims its delivery id, before the platform is acknowledged.  Workers
claim the oldest job that is queued or whose lease has run out (``claim_job``, one
``BEGIN IMMEDIATE`` transaction, so two workers never get the same job), renew the lease while
they work, record what they posted (``save_job_progress``, fenced by the lease: a worker that
lost its lease learns it and stops), and finish it.

**Retention.**  Traces and usage older than ``retention`` (``OEWS_RETENTION_DAYS``), finished
jobs and expired artifacts are deleted by ``prune``, which runs at most hourly on writes
(never on the enqueue that an ack waits for).

**Errors.**  Any failure of the database itself (locked, read-only, full, corrupt, closed)
raises ``StoreError`` naming the operation; callers log it and still deliver the answer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol, Self, cast

import sqlite_utils
from pydantic import ValidationError

from agents.trace import Trace
from bot.errors import BotError
from bot.jobs import ClaimedJob, Enqueued, NewJob, QueueStats
from bot.substore import DDL as SUBSCRIPTION_DDL
from bot.substore import SubscriptionTables
from bot.types import Question

logger = logging.getLogger(__name__)

DEFAULT_CONTEXT_TTL = timedelta(days=7)
DEFAULT_BUSY_TIMEOUT_MS = 5000
DAY_S = 86_400
DELIVERY_TTL_S = DAY_S  # platform retries come within minutes; a day is plenty
PRUNE_EVERY_S = 3600  # housekeeping runs at most this often, piggybacked on writes
DEFAULT_RETENTION = timedelta(days=90)
FINISHED_JOB_TTL_S = 7 * DAY_S  # finished jobs also tell which threads the bot answered in

FeedbackValue = Literal["up", "down"]
Clock = Callable[[], float]


class StoreError(BotError):
    """The bot database could not do ``operation`` (locked, read-only, full, corrupt...).

    ``problem`` is SQLite's own message; it never contains data or secrets.
    """

    def __init__(self, operation: str, problem: str) -> None:
        super().__init__(f"bot store: {operation} failed: {problem}")
        self.operation = operation
        self.problem = problem


@dataclass(frozen=True)
class UsageRow:
    """Usage of one user in one workspace over the reported period."""

    platform: str
    workspace: str
    user: str
    questions: int  # every recorded question, whatever its outcome
    answers: int  # status "answer"
    errors: int  # status "error"
    refusals: int  # status "refusal"
    other: int  # clarifications, not found, denied, rate limited...
    avg_latency_ms: float
    p95_latency_ms: float
    tokens_in: int
    tokens_out: int
    cost_usd: float


@dataclass(frozen=True)
class FeedbackCounts:
    up: int
    down: int


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after_s: int  # 0 when allowed; otherwise seconds until the window resets


class BotStore(Protocol):
    """What the bot needs from its database."""

    def save_trace(self, trace: Trace) -> None: ...

    def get_trace(self, trace_id: str, *, workspace: str | None = None) -> Trace | None: ...

    def recent_traces(self, limit: int = 20, *, workspace: str | None = None) -> list[Trace]: ...

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
    ) -> None: ...

    def usage_report(
        self, *, user: str | None = None, workspace: str | None = None, since: date | None = None
    ) -> list[UsageRow]: ...

    def user_usage(
        self, platform: str, workspace: str, user: str, *, since: date | None = None
    ) -> UsageRow | None: ...

    def save_context(self, thread_key: str, context: dict[str, Any]) -> None: ...

    def load_context(self, thread_key: str) -> dict[str, Any] | None: ...

    def record_feedback(
        self, *, trace_id: str, platform: str, workspace: str, user: str, value: FeedbackValue
    ) -> None: ...

    def feedback_for(self, trace_id: str) -> FeedbackCounts: ...

    def claim_delivery(self, delivery_id: str) -> bool: ...

    def take(self, key: str, *, limit: int, window_s: int, now: float | None = None) -> RateDecision: ...

    def take_daily(self, key: str, *, limit: int, now: float | None = None) -> RateDecision: ...

    def enqueue_job(self, job: NewJob, *, delivery_id: str | None, limit: int) -> Enqueued: ...

    def claim_job(self, worker: str, *, lease_s: float) -> ClaimedJob | None: ...

    def renew_lease(self, job_id: int, worker: str, *, lease_s: float) -> bool: ...

    def save_job_progress(self, job_id: int, worker: str, posted: dict[str, Any]) -> bool: ...

    def finish_job(
        self, job_id: int, worker: str, posted: dict[str, Any], *, failed: bool = False
    ) -> bool: ...

    def queue_stats(self) -> QueueStats: ...

    def job_state(self, job_id: int) -> tuple[str, dict[str, Any]] | None: ...

    def thread_has_jobs(self, thread_key: str) -> bool: ...

    def put_artifact(self, key: str, content: bytes, *, content_type: str, ttl_s: float) -> None: ...

    def get_artifact(self, key: str) -> tuple[bytes, str] | None: ...

    def prune(self, now: float | None = None) -> int: ...

    def close(self) -> None: ...

    @property
    def subscriptions(self) -> SubscriptionTables:
        """Subscriptions to answers and the notices sent for them (``bot.substore``)."""
        ...


# --- migrations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    apply: Callable[[sqlite_utils.Database], None]


# The schema as version 1 created it.  Frozen: later changes are new migrations.
_V1_TABLES: dict[str, tuple[dict[str, type], tuple[str, ...], set[str]]] = {
    # name: (columns, primary key, NOT NULL columns)
    "traces": (
        {
            "id": str,
            "created_at": str,
            "platform": str,
            "workspace": str,
            "channel": str,
            "thread": str,
            "user": str,
            "question": str,
            "answer_kind": str,
            "total_ms": float,
            "tokens_in": int,
            "tokens_out": int,
            "cost_usd": float,
            "trace_json": str,
        },
        ("id",),
        {"created_at", "platform", "workspace", "user", "trace_json"},
    ),
    "usage": (
        {
            "id": int,
            "at": str,
            "platform": str,
            "workspace": str,
            "user": str,
            "status": str,
            "latency_ms": float,
            "tokens_in": int,
            "tokens_out": int,
            "cost_usd": float,
        },
        ("id",),
        {"at", "platform", "workspace", "user", "status"},
    ),
    "thread_contexts": (
        {"thread_key": str, "context_json": str, "updated_at": float},
        ("thread_key",),
        {"context_json", "updated_at"},
    ),
    "feedback": (
        dict.fromkeys(("trace_id", "platform", "workspace", "user", "value", "at"), str),
        ("trace_id", "platform", "workspace", "user"),
        {"value", "at"},
    ),
    "deliveries": ({"delivery_id": str, "seen_at": float}, ("delivery_id",), {"seen_at"}),
    "rate_limits": (
        {"key": str, "window_s": int, "window_start": float, "count": int},
        ("key", "window_s"),
        {"window_start", "count"},
    ),
}


def _create_tables(db: sqlite_utils.Database) -> None:
    for name, (columns, pk, not_null) in _V1_TABLES.items():
        key = pk[0] if len(pk) == 1 else pk
        db.table(name).create(columns, pk=key, not_null=not_null | set(pk))


def _create_indexes(db: sqlite_utils.Database) -> None:
    db.table("traces").create_index(["created_at"])
    db.table("traces").create_index(["workspace", "created_at"])
    db.table("usage").create_index(["at"])
    db.table("usage").create_index(["platform", "workspace", "user", "at"])
    db.table("thread_contexts").create_index(["updated_at"])
    db.table("deliveries").create_index(["seen_at"])


def _create_jobs(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, "
        "thread_key TEXT, payload_json TEXT NOT NULL, state TEXT NOT NULL, "
        "attempts INTEGER NOT NULL DEFAULT 0, worker TEXT, lease_until REAL, "
        "posted_json TEXT NOT NULL DEFAULT '{}', created_at REAL NOT NULL, updated_at REAL NOT NULL)"
    )
    db.execute("CREATE INDEX idx_jobs_state_id ON jobs (state, id)")
    db.execute("CREATE INDEX idx_jobs_thread_key ON jobs (thread_key)")
    db.execute("CREATE INDEX idx_jobs_updated_at ON jobs (updated_at)")


def _create_artifacts(db: sqlite_utils.Database) -> None:
    db.execute(
        "CREATE TABLE artifacts (key TEXT PRIMARY KEY, content BLOB NOT NULL, "
        "content_type TEXT NOT NULL, expires_at REAL NOT NULL)"
    )
    db.execute("CREATE INDEX idx_artifacts_expires_at ON artifacts (expires_at)")


def _create_subscriptions(db: sqlite_utils.Database) -> None:
    for statement in SUBSCRIPTION_DDL:  # IF NOT EXISTS: adopts the tables of the old standalone store
        db.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "tables", _create_tables),
    Migration(2, "indexes for reports and pruning", _create_indexes),
    Migration(3, "jobs: the durable work queue", _create_jobs),
    Migration(4, "artifacts served by URL (Teams charts)", _create_artifacts),
    Migration(5, "subscriptions and their notices", _create_subscriptions),
)


def migrate(db: sqlite_utils.Database, migrations: Sequence[Migration] = MIGRATIONS) -> list[int]:
    """Apply the migrations ``db`` lacks, in order; return the versions applied."""
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)):
        raise ValueError("migration versions must be unique and increasing")
    db.execute(
        "CREATE TABLE IF NOT EXISTS migrations "
        "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    applied = {row[0] for row in db.execute("SELECT version FROM migrations")}
    if versions and applied and max(applied) > versions[-1]:
        raise StoreError("open", f"database is at version {max(applied)}, newer than {versions[-1]}")
    # Checked again inside each transaction: another process may be migrating the same file.
    pending = [m for m in migrations if m.version not in applied]
    return [m.version for m in pending if _apply_once(db, m)]


def _apply_once(db: sqlite_utils.Database, migration: Migration) -> bool:
    with _immediate(db):
        done = db.execute("SELECT 1 FROM migrations WHERE version = ?", [migration.version])
        if done.fetchone() is not None:
            return False
        migration.apply(db)
        db.execute(
            "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
            [migration.version, migration.name, _iso(datetime.now(UTC))],
        )
    logger.info("bot store migrated to version %d (%s)", migration.version, migration.name)
    return True


# --- the SQL both stores share ---------------------------------------------------------------


class Rows(Protocol):
    """What running a statement gives back (a DB-API cursor)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Executor(Protocol):
    """Runs statements inside one transaction (``sqlite3.Connection``, ``pyodbc.Cursor``)."""

    def execute(self, sql: str, params: Sequence[Any], /) -> Rows: ...


class SqlBackend(Protocol):
    """What differs between the databases: transactions, a few phrases, how a blob is passed.

    The SQL itself is common (``?`` parameters, ``INSERT … ON CONFLICT``, ``RETURNING``,
    ``CASE WHEN`` counts): SQLite ≥ 3.35 and PostgreSQL read it alike.
    """

    skip_locked: str  # appended to the claim's row lock: "" or " FOR UPDATE SKIP LOCKED"
    newest_last_tiebreak: str  # an extra ORDER BY term for traces created in the same microsecond

    def transaction(self, operation: str, *, write: bool) -> contextlib.AbstractContextManager[Executor]:
        """One transaction; database errors become ``StoreError(operation, …)``."""
        ...

    def returning(self, sql: str) -> str:
        """``sql`` (a statement with ``RETURNING``) as this driver returns its rows, even none."""
        ...

    def lock_queue(self, executor: Executor) -> None:
        """Serialise enqueueing for the rest of the transaction (the capacity check)."""
        ...

    def blob(self, content: bytes) -> Any: ...

    def close(self) -> None: ...


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
"""  # p95 by the nearest-rank method: the value at rank ceil(0.95 n)

_READY = "(state = 'queued' OR (state = 'running' AND lease_until < ?))"
_PENDING = "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')"
_TAKE = (
    "INSERT INTO rate_limits (key, window_s, window_start, count) VALUES (?, ?, ?, 1) "
    "ON CONFLICT (key, window_s) DO UPDATE SET window_start = EXCLUDED.window_start, "
    "count = CASE WHEN rate_limits.window_start = EXCLUDED.window_start "
    "THEN rate_limits.count + 1 ELSE 1 END "
    "WHERE rate_limits.window_start <> EXCLUDED.window_start OR rate_limits.count < ? "
    "RETURNING count"
)
_CLAIM = (
    "UPDATE jobs SET state = 'running', worker = ?, lease_until = ?, attempts = attempts + 1, "
    f"updated_at = ? WHERE id = (SELECT id FROM jobs WHERE {_READY} ORDER BY id LIMIT 1{{lock}}) "
    "RETURNING id, kind, payload_json, posted_json, attempts"
)


class SqlBotStore:
    """``BotStore`` over any ``SqlBackend``: every query and rule lives here, once."""

    def __init__(
        self,
        backend: SqlBackend,
        *,
        context_ttl: timedelta = DEFAULT_CONTEXT_TTL,
        retention: timedelta = DEFAULT_RETENTION,
        clock: Clock = time.time,
    ) -> None:
        self._backend = backend
        self._context_ttl_s = context_ttl.total_seconds()
        self._retention_s = retention.total_seconds()
        self._clock = clock
        self._last_prune = -math.inf
        self._subscriptions = SubscriptionTables(self._writing)

    @property
    def subscriptions(self) -> SubscriptionTables:
        return self._subscriptions

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._backend.close()

    # -- traces

    def save_trace(self, trace: Trace) -> None:
        """Store a finished trace (replacing any earlier version with the same id)."""
        row = _trace_row(trace)
        with self._writing("save_trace") as db:
            db.execute(_upsert("traces", list(row), ("id",)), list(row.values()))

    def get_trace(self, trace_id: str, *, workspace: str | None = None) -> Trace | None:
        """The trace, or None if unknown or (with ``workspace``) from another workspace."""
        sql, params = "SELECT trace_json FROM traces WHERE id = ?", [trace_id]
        if workspace is not None:
            sql, params = sql + " AND workspace = ?", [*params, workspace]
        with self._reading("get_trace") as db:
            row = db.execute(sql, params).fetchone()
        return None if row is None else _parse_trace(row[0], "get_trace")

    def recent_traces(self, limit: int = 20, *, workspace: str | None = None) -> list[Trace]:
        """The newest traces first, optionally of one workspace only."""
        where, params = ("WHERE workspace = ?", [workspace]) if workspace is not None else ("", [])
        order = f"created_at DESC{self._backend.newest_last_tiebreak}"
        sql = f"SELECT trace_json FROM traces {where} ORDER BY {order} LIMIT ?"
        with self._reading("recent_traces") as db:
            rows = db.execute(sql, [*params, limit]).fetchall()
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
        """Count one handled question (``status`` is the answer's status)."""
        when = at if at is not None else datetime.fromtimestamp(self._clock(), UTC)
        values = [_iso(when), platform, workspace, user, status, latency_ms, tokens_in, tokens_out, cost_usd]
        with self._writing("record_usage") as db:
            db.execute(
                'INSERT INTO usage (at, platform, workspace, "user", status, latency_ms, tokens_in, '
                "tokens_out, cost_usd) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                values,
            )

    def usage_report(
        self, *, user: str | None = None, workspace: str | None = None, since: date | None = None
    ) -> list[UsageRow]:
        """Usage per (platform, workspace, user), from ``since`` (a UTC date) if given."""
        return self._usage("usage_report", {'"user"': user, "workspace": workspace}, since)

    def user_usage(
        self, platform: str, workspace: str, user: str, *, since: date | None = None
    ) -> UsageRow | None:
        """One user's usage (all time, or from ``since``: pass today's UTC date for today)."""
        filters = {"platform": platform, "workspace": workspace, '"user"': user}
        rows = self._usage("user_usage", filters, since)
        return rows[0] if rows else None

    def _usage(self, operation: str, filters: Mapping[str, str | None], since: date | None) -> list[UsageRow]:
        clauses = [f"{column} = ?" for column, value in filters.items() if value is not None]
        params: list[Any] = [value for value in filters.values() if value is not None]
        if since is not None:
            clauses.append("at >= ?")
            params.append(since.isoformat())
        sql = _USAGE_SQL.format(where=" AND ".join(clauses) or "1 = 1")
        with self._reading(operation) as db:
            rows = db.execute(sql, params).fetchall()
        return [_usage_row(row) for row in rows]

    # -- thread memory

    def save_context(self, thread_key: str, context: dict[str, Any]) -> None:
        """Keep ``context`` (JSON-serializable) as the latest context of the thread."""
        now = self._clock()
        sql = _upsert("thread_contexts", ["thread_key", "context_json", "updated_at"], ("thread_key",))
        with self._writing("save_context") as db:
            db.execute(sql, [thread_key, json.dumps(context), now])
        self._maybe_prune(now)

    def load_context(self, thread_key: str) -> dict[str, Any] | None:
        """The thread's latest context, or None if there is none younger than the TTL."""
        cutoff = self._clock() - self._context_ttl_s
        with self._reading("load_context") as db:
            row = db.execute(
                "SELECT context_json FROM thread_contexts WHERE thread_key = ? AND updated_at >= ?",
                [thread_key, cutoff],
            ).fetchone()
        return None if row is None else cast(dict[str, Any], json.loads(row[0]))

    # -- feedback

    def record_feedback(
        self, *, trace_id: str, platform: str, workspace: str, user: str, value: FeedbackValue
    ) -> None:
        """One vote per user per trace: a second vote replaces the first."""
        if value not in ("up", "down"):
            raise ValueError(f"feedback must be 'up' or 'down', not {value!r}")
        at = _iso(datetime.fromtimestamp(self._clock(), UTC))
        key = ("trace_id", "platform", "workspace", "user")
        sql = _upsert("feedback", [*key, "value", "at"], key)
        with self._writing("record_feedback") as db:
            db.execute(sql, [trace_id, platform, workspace, user, value, at])

    def feedback_for(self, trace_id: str) -> FeedbackCounts:
        with self._reading("feedback_for") as db:
            up, down = db.execute(
                "SELECT COALESCE(SUM(CASE WHEN value = 'up' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN value = 'down' THEN 1 ELSE 0 END), 0) "
                "FROM feedback WHERE trace_id = ?",
                [trace_id],
            ).fetchone()
        return FeedbackCounts(up=int(up), down=int(down))

    # -- deliveries

    def claim_delivery(self, delivery_id: str) -> bool:
        """True the first time ``delivery_id`` is seen (within a day), False afterwards."""
        now = self._clock()
        with self._writing("claim_delivery") as db:
            claimed = _claim(db, delivery_id, now)
        self._maybe_prune(now)
        return claimed

    # -- rate limits and quotas

    def take(self, key: str, *, limit: int, window_s: int, now: float | None = None) -> RateDecision:
        """Count one request against ``limit`` per fixed window of ``window_s`` seconds.

        One atomic statement.  Windows are aligned to the unix epoch (a 60 s window starts on
        the minute, a 86400 s window at UTC midnight).  A refused request is not counted.  Being
        fixed windows, up to ``2 * limit`` requests can pass around a window boundary.
        """
        if limit < 0 or window_s <= 0:
            raise ValueError("limit must be >= 0 and window_s > 0")
        at = self._clock() if now is None else now
        start = at - at % window_s
        refused = RateDecision(allowed=False, retry_after_s=max(1, math.ceil(start + window_s - at)))
        if limit == 0:
            return refused
        with self._writing("take") as db:
            rows = db.execute(self._backend.returning(_TAKE), [key, window_s, start, limit]).fetchall()
        return RateDecision(allowed=True, retry_after_s=0) if rows else refused

    def take_daily(self, key: str, *, limit: int, now: float | None = None) -> RateDecision:
        """A daily quota: ``limit`` requests per UTC day, reset at midnight UTC."""
        return self.take(key, limit=limit, window_s=DAY_S, now=now)

    # -- jobs (the durable work queue)

    def enqueue_job(self, job: NewJob, *, delivery_id: str | None, limit: int) -> Enqueued:
        """Claim ``delivery_id`` and queue ``job`` in one transaction (see ``Enqueued``).

        This is on the path of every platform ack: no housekeeping here (``prune`` runs on
        the workers' writes)."""
        now = self._clock()
        with self._writing("enqueue_job") as db:
            if delivery_id is not None and not _claim(db, delivery_id, now):
                return Enqueued("duplicate")
            self._backend.lock_queue(db)
            (pending,) = db.execute(_PENDING, []).fetchone()
            if pending >= limit:
                return Enqueued("full")
            ((job_id,),) = db.execute(
                "INSERT INTO jobs (kind, thread_key, payload_json, state, created_at, updated_at) "
                "VALUES (?, ?, ?, 'queued', ?, ?) RETURNING id",
                [job.kind, job.thread_key, _job_payload(job), now, now],
            ).fetchall()
            (ahead,) = db.execute(
                "SELECT COUNT(*) FROM jobs WHERE state = 'queued' AND id < ?", [job_id]
            ).fetchone()
        return Enqueued("queued", job_id=int(job_id), position=int(ahead) + 1)

    def claim_job(self, worker: str, *, lease_s: float) -> ClaimedJob | None:
        """The oldest job that is queued or whose lease ran out, leased to ``worker``; or None."""
        now = self._clock()
        with self._reading("claim_job") as db:  # cheap look first: most polls find nothing
            if db.execute(f"SELECT 1 FROM jobs WHERE {_READY} LIMIT 1", [now]).fetchone() is None:
                return None
        claim = self._backend.returning(_CLAIM.format(lock=self._backend.skip_locked))
        with self._writing("claim_job") as db:
            rows = db.execute(claim, [worker, now + lease_s, now, now]).fetchall()
        return _claimed_from(rows[0]) if rows else None

    def renew_lease(self, job_id: int, worker: str, *, lease_s: float) -> bool:
        """Extend the lease; False if ``worker`` no longer holds it (another worker took the job)."""
        now = self._clock()
        values = [now + lease_s, now]
        return self._held("renew_lease", "lease_until = ?, updated_at = ?", values, job_id, worker)

    def save_job_progress(self, job_id: int, worker: str, posted: dict[str, Any]) -> bool:
        """Record what has been posted so far; False if ``worker`` lost the lease."""
        values = [json.dumps(posted), self._clock()]
        return self._held("save_job_progress", "posted_json = ?, updated_at = ?", values, job_id, worker)

    def finish_job(self, job_id: int, worker: str, posted: dict[str, Any], *, failed: bool = False) -> bool:
        """Mark the job done (or failed) with what was posted; False if ``worker`` lost the lease."""
        values = ["failed" if failed else "done", json.dumps(posted), self._clock()]
        assignments = "state = ?, lease_until = NULL, posted_json = ?, updated_at = ?"
        return self._held("finish_job", assignments, values, job_id, worker)

    def queue_stats(self) -> QueueStats:
        now = self._clock()
        with self._reading("queue_stats") as db:
            queued, running, oldest = db.execute(
                "SELECT COALESCE(SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN state = 'running' THEN 1 ELSE 0 END), 0), "
                "MIN(CASE WHEN state = 'queued' THEN created_at END) FROM jobs "
                "WHERE state IN ('queued', 'running')",
                [],
            ).fetchone()
        wait = 0.0 if oldest is None else now - float(oldest)
        return QueueStats(queued=int(queued), running=int(running), oldest_wait_s=wait)

    def job_state(self, job_id: int) -> tuple[str, dict[str, Any]] | None:
        """(state, posted) of one job, or None if unknown."""
        with self._reading("job_state") as db:
            row = db.execute("SELECT state, posted_json FROM jobs WHERE id = ?", [job_id]).fetchone()
        return None if row is None else (str(row[0]), cast(dict[str, Any], json.loads(row[1])))

    def thread_has_jobs(self, thread_key: str) -> bool:
        """True when a question was queued in this thread (the bot answers there)."""
        with self._reading("thread_has_jobs") as db:
            row = db.execute("SELECT 1 FROM jobs WHERE thread_key = ? LIMIT 1", [thread_key]).fetchone()
        return row is not None

    def _held(self, operation: str, assignments: str, values: list[Any], job_id: int, worker: str) -> bool:
        """Update a running job only while ``worker`` holds its lease (the fence against a slow worker)."""
        with self._writing(operation) as db:
            updated = db.execute(
                f"UPDATE jobs SET {assignments} WHERE id = ? AND worker = ? AND state = 'running'",
                [*values, job_id, worker],
            )
            return updated.rowcount == 1

    # -- artifacts (files served by URL, e.g. Teams charts)

    def put_artifact(self, key: str, content: bytes, *, content_type: str, ttl_s: float) -> None:
        now = self._clock()
        sql = _upsert("artifacts", ["key", "content", "content_type", "expires_at"], ("key",))
        with self._writing("put_artifact") as db:
            db.execute(sql, [key, self._backend.blob(content), content_type, now + ttl_s])
        self._maybe_prune(now)

    def get_artifact(self, key: str) -> tuple[bytes, str] | None:
        with self._reading("get_artifact") as db:
            row = db.execute(
                "SELECT content, content_type FROM artifacts WHERE key = ? AND expires_at > ?",
                [key, self._clock()],
            ).fetchone()
        return None if row is None else (bytes(row[0]), str(row[1]))

    # -- housekeeping

    def prune(self, now: float | None = None) -> int:
        """Delete what has expired (see the module doc); return the number of rows deleted."""
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
        with self._writing("prune") as db:
            deleted = sum(max(0, db.execute(sql, [cutoff]).rowcount) for sql, cutoff in deletions)
        self._last_prune = at
        return deleted

    def _maybe_prune(self, now: float) -> None:
        if now - self._last_prune < PRUNE_EVERY_S:
            return
        self._last_prune = now
        try:
            deleted = self.prune(now)
        except StoreError:
            logger.warning("bot store housekeeping failed; will retry later", exc_info=True)
        else:
            logger.debug("bot store pruned", extra={"rows": deleted})

    def _reading(self, operation: str) -> contextlib.AbstractContextManager[Executor]:
        return self._backend.transaction(operation, write=False)

    def _writing(self, operation: str) -> contextlib.AbstractContextManager[Executor]:
        return self._backend.transaction(operation, write=True)


# --- SQLite ----------------------------------------------------------------------------------


class _SqliteBackend:
    """One connection shared by every thread, guarded by a lock (see the module doc)."""

    skip_locked = ""  # BEGIN IMMEDIATE already holds the only write lock
    newest_last_tiebreak = ", rowid DESC"

    def __init__(self, path: Path, busy_timeout_ms: int) -> None:
        self._lock = threading.RLock()
        with _guard("open"):
            self.db = _open(path, busy_timeout_ms)

    @contextlib.contextmanager
    def transaction(self, operation: str, *, write: bool) -> Iterator[Executor]:
        with self._lock, _guard(operation):
            if not write:
                yield self.db.conn
                return
            with _immediate(self.db):
                yield self.db.conn

    def returning(self, sql: str) -> str:
        return sql

    def lock_queue(self, executor: Executor) -> None:
        """Nothing to do: the transaction holds the database's write lock from its start."""

    def blob(self, content: bytes) -> Any:
        return content

    def close(self) -> None:
        with self._lock:
            self.db.close()


class SqliteBotStore(SqlBotStore):
    """``BotStore`` on one SQLite file; safe to share between threads (see the module doc)."""

    def __init__(
        self,
        path: Path,
        *,
        context_ttl: timedelta = DEFAULT_CONTEXT_TTL,
        retention: timedelta = DEFAULT_RETENTION,
        busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
        clock: Clock = time.time,
    ) -> None:
        self.path = path
        backend = _SqliteBackend(path, busy_timeout_ms)
        super().__init__(backend, context_ttl=context_ttl, retention=retention, clock=clock)


# --- helpers ---------------------------------------------------------------------------------


def _open(path: Path, busy_timeout_ms: int) -> sqlite_utils.Database:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        path, timeout=busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        db = sqlite_utils.Database(conn, execute_plugins=False)
        db.enable_wal()
        # WAL + NORMAL: a commit survives any process crash (kill -9); only a power loss or an
        # OS crash may lose the last commits.  FULL would fsync every one of the queue's writes.
        conn.execute("PRAGMA synchronous = NORMAL")
        migrate(db)
    except BaseException:
        conn.close()
        raise
    return db


@contextlib.contextmanager
def _immediate(db: sqlite_utils.Database) -> Iterator[None]:
    """One write transaction that holds the write lock from its start."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
        db.execute("COMMIT")
    except BaseException:
        db.rollback()
        raise


@contextlib.contextmanager
def _guard(operation: str) -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as e:
        raise StoreError(operation, str(e) or type(e).__name__) from e
    except OSError as e:
        raise StoreError(operation, e.strerror or type(e).__name__) from e


def _upsert(table: str, columns: Sequence[str], key: Sequence[str]) -> str:
    """``INSERT … ON CONFLICT (key) DO UPDATE`` of every other column."""
    names = [_quoted(c) for c in columns]
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in names if c not in {_quoted(k) for k in key})
    return (
        f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
        f"ON CONFLICT ({', '.join(_quoted(k) for k in key)}) DO UPDATE SET {updates}"
    )


def _quoted(column: str) -> str:
    return '"user"' if column == "user" else column  # a reserved word in PostgreSQL


def _claim(db: Executor, delivery_id: str, now: float) -> bool:
    inserted = db.execute(
        "INSERT INTO deliveries (delivery_id, seen_at) VALUES (?, ?) ON CONFLICT (delivery_id) DO NOTHING",
        [delivery_id, now],
    )
    return inserted.rowcount == 1


def _usage_row(row: Any) -> UsageRow:
    platform, workspace, user, questions, answers, errors, refusals, other, avg, p95, t_in, t_out, cost = row
    return UsageRow(
        platform, workspace, user, int(questions), int(answers), int(errors), int(refusals), int(other),
        float(avg or 0), float(p95 or 0), int(t_in or 0), int(t_out or 0), float(cost or 0),
    )  # fmt: skip


def _iso(moment: datetime) -> str:
    """UTC, fixed width, so that text order is time order; naive times are taken as UTC."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _trace_row(trace: Trace) -> dict[str, Any]:
    return {
        "id": trace.id,
        "created_at": _iso(trace.created_at),
        "platform": trace.platform,
        "workspace": trace.workspace,
        "channel": trace.channel,
        "thread": trace.thread,
        "user": trace.user,
        "question": trace.question,
        "answer_kind": trace.answer_kind,
        "total_ms": trace.total_ms,
        "tokens_in": trace.tokens_in,
        "tokens_out": trace.tokens_out,
        "cost_usd": trace.cost_usd,
        "trace_json": trace.model_dump_json(),
    }


def _parse_trace(payload: str, operation: str) -> Trace:
    try:
        return Trace.model_validate_json(payload)
    except ValidationError as e:
        raise StoreError(operation, "stored trace does not match the Trace model") from e


def _job_payload(job: NewJob) -> str:
    return json.dumps({"question": job.question.model_dump(mode="json"), "payload": job.payload})


def _claimed_from(row: Sequence[Any]) -> ClaimedJob:
    """A claimed job from its row after the claim (``attempts`` counts this one)."""
    job_id, kind, payload_json, posted_json, attempts = row
    data = json.loads(payload_json)
    return ClaimedJob(
        id=int(job_id),
        kind=str(kind),
        question=Question.model_validate(data["question"]),
        payload=cast(dict[str, Any], data["payload"]),
        posted=cast(dict[str, Any], json.loads(posted_json)),
        attempts=int(attempts),
    )
