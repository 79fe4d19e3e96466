"""The bot's own database, on real SQLite files (``bot.store``)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
import sqlite_utils

from agents.answer import ChartSeries, ChartSpec
from agents.trace import Plan, PlanStep, Replan, Trace, TraceStep
from bot.store import (
    DAY_S,
    MIGRATIONS,
    BotStore,
    FeedbackCounts,
    Migration,
    RateDecision,
    SqliteBotStore,
    StoreError,
    migrate,
)

T = TypeVar("T")
START = datetime(2025, 5, 1, 12, 0, tzinfo=UTC).timestamp()


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bot" / "bot.sqlite"


@pytest.fixture
def store(db_path: Path, clock: FakeClock) -> Iterator[BotStore]:
    with SqliteBotStore(db_path, clock=clock) as s:
        yield s


def at_once(n: int, work: Callable[[], T]) -> list[T]:
    """Run ``work`` in ``n`` threads released together."""
    barrier = threading.Barrier(n)

    def run() -> T:
        barrier.wait()
        return work()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: run(), range(n)))


def make_trace(**changes: object) -> Trace:
    started = datetime(2025, 5, 1, 12, 0, 1, tzinfo=UTC)
    plan = Plan(
        source="offline engine",
        steps=[
            PlanStep(id=1, agent="text_to_sql", goal="median pay of nurses in Ohio"),
            PlanStep(id=2, agent="synthesizer", goal="answer"),
        ],
        rationale="lookup",
    )
    steps = [
        TraceStep(
            agent="text_to_sql",
            kind="sql",
            model="gpt-4.1-mini",
            started_at=started,
            duration_ms=12.5,
            tokens_in=300,
            tokens_out=40,
            cost_usd=0.002,
            sql="SELECT a_median FROM facts WHERE occ_code = ? AND area_code = ?",
            params=["29-1141", "39"],
            row_count=1,
            sample_rows=[[84_000.0]],
        ),
        TraceStep(
            agent="synthesizer",
            kind="llm",
            model="gpt-4.1",
            started_at=started,
            tokens_in=500,
            tokens_out=120,
            cost_usd=0.01,
            error=None,
        ),
    ]
    chart = ChartSpec(
        kind="bar",
        title="Median pay",
        categories=("Ohio",),
        series=(ChartSeries(name="Median", values=(84_000.0,)),),
        unit="usd_annual",
        y_label="USD",
        caption="Source: BLS OEWS, May 2025",
    )
    fields: dict[str, object] = {
        "question": "What do nurses earn in Ohio?",
        "platform": "slack",
        "workspace": "T1",
        "channel": "C1",
        "thread": "1714564800.000100",
        "user": "U1",
        "models": {"reasoning": "gpt-4.1", "implementation": "gpt-4.1-mini"},
        "plan": plan,
        "replans": [Replan(attempt=1, reason="no rows", plan=plan)],
        "steps": steps,
        "chart": chart,
        "answer_kind": "answer",
        "answer_text": "Registered nurses in Ohio earn a median $84,000.",
        "total_ms": 840.0,
        **changes,
    }
    return Trace.model_validate(fields)


# --- traces ------------------------------------------------------------------------------------


def test_trace_round_trips_with_plan_steps_and_chart(store: BotStore, db_path: Path) -> None:
    trace = make_trace()
    store.save_trace(trace)

    loaded = store.get_trace(trace.id)

    assert loaded == trace
    assert loaded is not None and loaded.steps[0].params == ["29-1141", "39"]
    with sqlite3.connect(db_path) as raw:
        row = raw.execute(
            "SELECT platform, workspace, channel, thread, user, question, answer_kind, "
            "total_ms, tokens_in, tokens_out, cost_usd FROM traces WHERE id = ?",
            [trace.id],
        ).fetchone()
    assert row == (
        "slack",
        "T1",
        "C1",
        "1714564800.000100",
        "U1",
        "What do nurses earn in Ohio?",
        "answer",
        840.0,
        800,
        160,
        pytest.approx(0.012),
    )


def test_get_trace_never_returns_another_workspaces_trace(store: BotStore) -> None:
    trace = make_trace(workspace="T1")
    store.save_trace(trace)

    assert store.get_trace(trace.id, workspace="T2") is None
    assert store.get_trace(trace.id, workspace="T1") == trace
    assert store.get_trace(trace.id) == trace  # the operator's CLI sees every workspace
    assert store.get_trace("tr-unknown") is None


def test_recent_traces_newest_first(store: BotStore) -> None:
    base = datetime(2025, 5, 1, tzinfo=UTC)
    traces = [
        make_trace(created_at=base + timedelta(minutes=i), workspace=ws)
        for i, ws in enumerate(["T1", "T2", "T1", "T1"])
    ]
    for trace in traces:
        store.save_trace(trace)

    assert [t.id for t in store.recent_traces(2)] == [traces[3].id, traces[2].id]
    assert [t.id for t in store.recent_traces(10, workspace="T2")] == [traces[1].id]


def test_saving_a_trace_again_replaces_it(store: BotStore) -> None:
    trace = make_trace(answer_text="first")
    store.save_trace(trace)
    store.save_trace(trace.model_copy(update={"answer_text": "second"}))

    loaded = store.get_trace(trace.id)
    assert loaded is not None and loaded.answer_text == "second"
    assert len(store.recent_traces(10)) == 1


# --- usage ---------------------------------------------------------------------------------------


def record(store: BotStore, user: str, status: str, latency: float, day: int, **kw: object) -> None:
    store.record_usage(
        platform=str(kw.get("platform", "slack")),
        workspace=str(kw.get("workspace", "T1")),
        user=user,
        status=status,
        latency_ms=latency,
        tokens_in=100,
        tokens_out=10,
        cost_usd=0.5,
        at=datetime(2025, 5, day, 23, 59, tzinfo=UTC),
    )


def test_usage_report_groups_and_counts_outcomes(store: BotStore) -> None:
    for status, latency, day in [
        ("answer", 100, 1),
        ("answer", 200, 2),
        ("error", 300, 2),
        ("refusal", 50, 3),
        ("clarification", 10, 3),
    ]:
        record(store, "U1", status, latency, day)
    record(store, "U2", "answer", 40, 1)
    record(store, "U1", "answer", 70, 1, workspace="T2")

    rows = store.usage_report()

    assert [(r.workspace, r.user) for r in rows] == [("T1", "U1"), ("T1", "U2"), ("T2", "U1")]
    u1 = rows[0]
    assert (u1.questions, u1.answers, u1.errors, u1.refusals, u1.other) == (5, 2, 1, 1, 1)
    assert u1.avg_latency_ms == pytest.approx(132.0)
    assert u1.p95_latency_ms == 300
    assert (u1.tokens_in, u1.tokens_out) == (500, 50)
    assert u1.cost_usd == pytest.approx(2.5)


def test_usage_report_filters_by_user_workspace_and_since(store: BotStore) -> None:
    record(store, "U1", "answer", 100, 1)
    record(store, "U1", "error", 300, 2)
    record(store, "U2", "answer", 40, 2)
    record(store, "U1", "answer", 70, 2, workspace="T2")

    mine = store.usage_report(user="U1")
    assert [(r.workspace, r.questions) for r in mine] == [("T1", 2), ("T2", 1)]

    recent = store.usage_report(workspace="T1", since=date(2025, 5, 2))
    assert [(r.user, r.questions, r.errors) for r in recent] == [("U1", 1, 1), ("U2", 1, 0)]

    assert store.usage_report(since=date(2025, 5, 3)) == []


def test_p95_latency_is_the_nearest_rank(store: BotStore) -> None:
    for latency in range(20, 0, -1):
        record(store, "U1", "answer", latency, 1)

    (row,) = store.usage_report()

    assert row.p95_latency_ms == 19
    assert row.avg_latency_ms == pytest.approx(10.5)


def test_user_usage_for_app_home(store: BotStore) -> None:
    record(store, "U1", "answer", 100, 1)
    record(store, "U1", "answer", 200, 2)
    record(store, "U1", "answer", 50, 2, platform="teams")

    all_time = store.user_usage("slack", "T1", "U1")
    today = store.user_usage("slack", "T1", "U1", since=date(2025, 5, 2))

    assert all_time is not None and all_time.questions == 2
    assert today is not None and (today.questions, today.avg_latency_ms) == (1, 200)
    assert store.user_usage("slack", "T1", "U1", since=date(2025, 5, 3)) is None
    assert store.user_usage("slack", "T9", "U1") is None


def test_usage_defaults_to_now_from_the_clock(store: BotStore, clock: FakeClock) -> None:
    store.record_usage(
        platform="cli",
        workspace="local",
        user="me",
        status="answer",
        latency_ms=1.0,
        tokens_in=0,
        tokens_out=0,
        cost_usd=0.0,
    )
    today = datetime.fromtimestamp(clock.now, UTC).date()

    assert store.usage_report(since=today)[0].questions == 1
    assert store.usage_report(since=today + timedelta(days=1)) == []


# --- thread memory -------------------------------------------------------------------------------


def test_context_keeps_the_latest_per_thread(store: BotStore) -> None:
    store.save_context("slack:T1:C1:1.0", {"occupation": "29-1141", "area": "39"})
    store.save_context("slack:T1:C1:1.0", {"occupation": "29-1141", "area": "06", "year": 2025})
    store.save_context("slack:T1:C1:2.0", {"occupation": "15-1252"})

    assert store.load_context("slack:T1:C1:1.0") == {
        "occupation": "29-1141",
        "area": "06",
        "year": 2025,
    }
    assert store.load_context("slack:T1:C1:2.0") == {"occupation": "15-1252"}
    assert store.load_context("slack:T1:C1:3.0") is None


def test_contexts_older_than_the_ttl_are_ignored_then_pruned(db_path: Path, clock: FakeClock) -> None:
    with SqliteBotStore(db_path, clock=clock, context_ttl=timedelta(hours=1)) as store:
        store.save_context("old", {"area": "39"})
        clock.now += 3599
        assert store.load_context("old") == {"area": "39"}

        clock.now += 2
        assert store.load_context("old") is None

        clock.now += 3600  # the next write runs the hourly housekeeping
        store.save_context("new", {"area": "06"})
        with sqlite3.connect(db_path) as raw:
            keys = raw.execute("SELECT thread_key FROM thread_contexts").fetchall()
        assert keys == [("new",)]


def test_default_context_ttl_is_seven_days(store: BotStore, clock: FakeClock) -> None:
    store.save_context("t", {"metric": "a_median"})
    clock.now += 7 * DAY_S - 1
    assert store.load_context("t") == {"metric": "a_median"}
    clock.now += 2
    assert store.load_context("t") is None


# --- feedback ------------------------------------------------------------------------------------


def test_second_vote_replaces_the_first(store: BotStore) -> None:
    vote = {"trace_id": "tr-1", "platform": "slack", "workspace": "T1"}
    store.record_feedback(**vote, user="U1", value="up")
    store.record_feedback(**vote, user="U2", value="up")
    store.record_feedback(**vote, user="U1", value="down")

    assert store.feedback_for("tr-1") == FeedbackCounts(up=1, down=1)
    assert store.feedback_for("tr-2") == FeedbackCounts(up=0, down=0)


def test_feedback_rejects_other_values(store: BotStore) -> None:
    with pytest.raises(ValueError):
        store.record_feedback(
            trace_id="tr-1",
            platform="slack",
            workspace="T1",
            user="U1",
            value="meh",  # type: ignore[arg-type]
        )


# --- deliveries ----------------------------------------------------------------------------------


def test_sixteen_threads_claiming_one_delivery_get_exactly_one_true(store: BotStore) -> None:
    results = at_once(16, lambda: store.claim_delivery("Ev0123"))

    assert sorted(results) == [False] * 15 + [True]
    assert store.claim_delivery("Ev0123") is False
    assert store.claim_delivery("Ev0456") is True


def test_two_stores_on_one_file_claim_once(db_path: Path, clock: FakeClock) -> None:
    """Two processes (here: two connections) serving the same file."""
    with (
        SqliteBotStore(db_path, clock=clock) as first,
        SqliteBotStore(db_path, clock=clock) as second,
    ):
        stores = [first, second] * 8
        results = at_once(16, lambda: stores.pop().claim_delivery("Ev1"))

    assert results.count(True) == 1


def test_delivery_ids_are_forgotten_after_a_day(store: BotStore, clock: FakeClock) -> None:
    assert store.claim_delivery("Ev1") is True
    clock.now += DAY_S + 1
    assert store.prune() >= 1
    assert store.claim_delivery("Ev1") is True


# --- rate limits and quotas ----------------------------------------------------------------------


def test_rate_limit_blocks_then_rolls_over(store: BotStore) -> None:
    def take(now: float) -> RateDecision:
        return store.take("user:T1:U1", limit=3, window_s=60, now=now)

    assert [take(1000).allowed, take(1001).allowed, take(1002).allowed] == [True] * 3
    assert take(1005) == RateDecision(allowed=False, retry_after_s=15)  # window is 960..1020
    assert take(1019.5) == RateDecision(allowed=False, retry_after_s=1)
    assert take(1020) == RateDecision(allowed=True, retry_after_s=0)
    assert store.take("user:T1:U2", limit=3, window_s=60, now=1005).allowed


def test_keys_with_different_windows_count_separately(store: BotStore) -> None:
    assert store.take("k", limit=1, window_s=60, now=1000).allowed
    assert store.take("k", limit=1, window_s=3600, now=1000).allowed
    assert not store.take("k", limit=1, window_s=60, now=1000).allowed


def test_zero_limit_always_blocks(store: BotStore) -> None:
    decision = store.take("k", limit=0, window_s=60, now=1000)
    assert decision == RateDecision(allowed=False, retry_after_s=20)


def test_rate_limit_is_atomic_under_concurrency(db_path: Path, clock: FakeClock) -> None:
    with (
        SqliteBotStore(db_path, clock=clock) as first,
        SqliteBotStore(db_path, clock=clock) as second,
    ):
        stores = [first, second] * 8
        results = at_once(16, lambda: stores.pop().take("ws:T1", limit=5, window_s=60, now=1000))

    assert sum(r.allowed for r in results) == 5


def test_daily_quota_resets_at_utc_midnight_and_survives_restart(db_path: Path, clock: FakeClock) -> None:
    evening = datetime(2025, 5, 1, 23, 0, tzinfo=UTC).timestamp()
    with SqliteBotStore(db_path, clock=clock) as store:
        assert store.take_daily("quota:T1:U1", limit=2, now=evening).allowed
        assert store.take_daily("quota:T1:U1", limit=2, now=evening + 60).allowed

    with SqliteBotStore(db_path, clock=clock) as reopened:
        assert reopened.take_daily("quota:T1:U1", limit=2, now=evening + 120) == RateDecision(
            allowed=False, retry_after_s=3600 - 120
        )
        assert reopened.take_daily("quota:T1:U1", limit=2, now=evening + 3600).allowed


def test_prune_drops_ended_windows_only(store: BotStore, db_path: Path) -> None:
    store.take("minute", limit=1, window_s=60, now=1000)
    store.take_daily("day", limit=1, now=1000)

    store.prune(now=1030)

    with sqlite3.connect(db_path) as raw:
        assert raw.execute("SELECT key FROM rate_limits").fetchall() == [("day",)]


# --- migrations ----------------------------------------------------------------------------------


def applied_versions(path: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT version, applied_at FROM migrations ORDER BY version").fetchall()


def test_an_older_file_is_upgraded_and_keeps_its_data(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    old = sqlite_utils.Database(db_path)
    assert migrate(old, MIGRATIONS[:1]) == [1]
    old.table("usage").insert(
        {
            "at": "2025-04-30T10:00:00.000000Z",
            "platform": "slack",
            "workspace": "T1",
            "user": "U1",
            "status": "answer",
            "latency_ms": 5.0,
            "tokens_in": 1,
            "tokens_out": 1,
            "cost_usd": 0.0,
        }
    )
    old.close()

    with SqliteBotStore(db_path) as store:
        assert [r.questions for r in store.usage_report(user="U1")] == [1]

    assert [v for v, _ in applied_versions(db_path)] == [m.version for m in MIGRATIONS]
    indexes = sqlite_utils.Database(db_path).table("usage").indexes
    assert any(index.columns == ["at"] for index in indexes)


def test_opening_twice_does_not_reapply(db_path: Path) -> None:
    SqliteBotStore(db_path).close()
    first = applied_versions(db_path)

    SqliteBotStore(db_path).close()

    assert applied_versions(db_path) == first
    with sqlite_utils.Database(db_path) as db:
        assert migrate(db) == []


def test_a_failing_migration_leaves_the_previous_version(db_path: Path) -> None:
    def broken(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration bug")

    db_path.parent.mkdir(parents=True)
    with sqlite_utils.Database(db_path) as db:
        with pytest.raises(RuntimeError):
            migrate(db, [*MIGRATIONS, Migration(99, "broken", broken)])

        assert "half_done" not in db.table_names()
    assert [v for v, _ in applied_versions(db_path)] == [m.version for m in MIGRATIONS]


def test_a_file_from_a_newer_version_is_refused(db_path: Path) -> None:
    SqliteBotStore(db_path).close()
    with sqlite3.connect(db_path) as raw:
        raw.execute("INSERT INTO migrations VALUES (999, 'future', '2030-01-01')")

    with pytest.raises(StoreError) as caught:
        SqliteBotStore(db_path)

    assert caught.value.operation == "open"


def test_the_database_uses_wal(store: BotStore, db_path: Path) -> None:
    with sqlite3.connect(db_path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


# --- failures ------------------------------------------------------------------------------------


def test_a_locked_database_raises_store_error_and_recovers(db_path: Path, clock: FakeClock) -> None:
    with SqliteBotStore(db_path, clock=clock, busy_timeout_ms=20) as store:
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            with pytest.raises(StoreError) as caught:
                store.claim_delivery("Ev1")
            assert caught.value.operation == "claim_delivery"
            assert "locked" in caught.value.problem
            assert store.feedback_for("tr-1") == FeedbackCounts(0, 0)  # readers still read
            SqliteBotStore(db_path, busy_timeout_ms=20).close()  # and can open it
        finally:
            other.execute("ROLLBACK")
            other.close()

        assert store.claim_delivery("Ev1") is True  # nothing was left half-done


def test_a_file_that_is_not_a_database_raises_store_error(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not a database" * 100)

    with pytest.raises(StoreError) as caught:
        SqliteBotStore(db_path)

    assert caught.value.operation == "open"


def test_an_unopenable_path_raises_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError):
        SqliteBotStore(tmp_path)  # a directory


def test_a_closed_store_raises_store_error(db_path: Path) -> None:
    store = SqliteBotStore(db_path)
    store.close()

    with pytest.raises(StoreError) as caught:
        store.get_trace("tr-1")

    assert caught.value.operation == "get_trace"
