"""The ``BotStore`` contract, run against every implementation (SQLite, PostgreSQL).

What the bot relies on: traces, usage, thread memory, feedback, delivery claims, limits, and
the durable job queue (delivery claim and job in one transaction, leases, fencing, take-over
after a worker dies, capacity, positions), artifacts, retention.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from agents.trace import Trace
from bot.jobs import MAX_ATTEMPTS, NewJob
from bot.store import DAY_S, BotStore, SqliteBotStore
from bot.types import Question
from tests import postgres as pg

T = TypeVar("T")
_databases = itertools.count(1)
START = datetime(2025, 5, 1, 12, 0, tzinfo=UTC).timestamp()
StoreFactory = Callable[..., BotStore]


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock) -> Iterator[StoreFactory]:
    """Opens stores on one database (each call: another connection, as another process would)."""
    opened: list[BotStore] = []
    if request.param == "sqlite":

        def factory(**kwargs: object) -> BotStore:
            store = SqliteBotStore(tmp_path / "bot.sqlite", clock=clock, **kwargs)  # type: ignore[arg-type]
            opened.append(store)
            return store

    else:
        server: pg.PostgresServer = request.getfixturevalue("postgres")
        from bot.pgstore import PostgresBotStore

        url = server.create_database(f"contract_{next(_databases)}")

        def factory(**kwargs: object) -> BotStore:
            store = PostgresBotStore(url, clock=clock, **kwargs)  # type: ignore[arg-type]
            opened.append(store)
            return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: StoreFactory) -> BotStore:
    return open_store()


def at_once(n: int, work: Callable[[int], T]) -> list[T]:
    barrier = threading.Barrier(n)

    def run(i: int) -> T:
        barrier.wait()
        return work(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def job(
    text: str = "median pay of nurses in Ohio", *, delivery: str | None = None, thread: str | None = "1.1"
) -> NewJob:
    question = Question(
        text=text,
        platform="slack",
        workspace="T1",
        channel="C1",
        thread=thread,
        user="U1",
        delivery_id=delivery,
    )
    return NewJob("slack.ask", question, {"ts": "1.1"})


# --- the job queue ---------------------------------------------------------------------------


def test_a_retry_of_a_delivery_is_not_queued_twice(store: BotStore) -> None:
    first = store.enqueue_job(job(delivery="slack:Ev1"), delivery_id="slack:Ev1", limit=10)
    again = store.enqueue_job(job(delivery="slack:Ev1"), delivery_id="slack:Ev1", limit=10)

    assert (first.status, first.position, again.status) == ("queued", 1, "duplicate")
    assert store.claim_delivery("slack:Ev1") is False  # the delivery was claimed with the job
    assert store.queue_stats().queued == 1


def test_concurrent_deliveries_of_one_event_queue_one_job(open_store: StoreFactory) -> None:
    stores = [open_store(), open_store()]
    results = at_once(8, lambda i: stores[i % 2].enqueue_job(job(), delivery_id="slack:Ev2", limit=100))

    assert sorted(r.status for r in results) == ["duplicate"] * 7 + ["queued"]


def test_positions_count_the_waiting_jobs_and_a_full_queue_refuses(store: BotStore) -> None:
    positions = [store.enqueue_job(job(f"q{n}"), delivery_id=None, limit=3).position for n in range(3)]
    full = store.enqueue_job(job("q3"), delivery_id="slack:Ev3", limit=3)

    assert positions == [1, 2, 3]
    assert full.status == "full"
    assert store.queue_stats().queued == 3


def test_a_burst_from_two_hosts_fills_the_queue_to_its_limit_and_no_further(open_store: StoreFactory) -> None:
    # 400 deliveries, 8 at a time from two hosts, for 300 places: the first ones are queued
    # without waiting for one another (PostgreSQL), the last places one at a time.
    stores, limit = [open_store(), open_store()], 300

    def deliver(i: int) -> list[str]:
        return [
            stores[i % 2]
            .enqueue_job(job(delivery=f"slack:B{i}.{n}"), delivery_id=f"slack:B{i}.{n}", limit=limit)
            .status
            for n in range(50)
        ]

    statuses = [status for batch in at_once(8, deliver) for status in batch]

    assert (statuses.count("queued"), statuses.count("full")) == (300, 100)
    assert stores[0].queue_stats().queued == 300
    assert stores[1].enqueue_job(job(), delivery_id=None, limit=limit).status == "full"


def test_workers_take_the_oldest_job_and_never_the_same_one(open_store: StoreFactory) -> None:
    stores = [open_store(), open_store()]
    for n in range(6):
        stores[0].enqueue_job(job(f"q{n}"), delivery_id=None, limit=100)

    claimed = at_once(8, lambda i: stores[i % 2].claim_job(f"w{i}", lease_s=30))

    texts = sorted(c.question.text for c in claimed if c is not None)
    assert texts == [f"q{n}" for n in range(6)]
    assert stores[0].queue_stats().running == 6


def test_a_finished_job_records_what_was_posted(store: BotStore) -> None:
    queued = store.enqueue_job(job(), delivery_id=None, limit=10)
    claimed = store.claim_job("w1", lease_s=30)
    assert claimed is not None and claimed.id == queued.job_id and claimed.attempts == 1
    assert claimed.question == job().question and claimed.payload == {"ts": "1.1"}

    assert store.save_job_progress(claimed.id, "w1", {"reacted": True})
    assert store.finish_job(claimed.id, "w1", {"reacted": True, "answered": "170.1"})

    assert store.job_state(claimed.id) == ("done", {"reacted": True, "answered": "170.1"})
    assert store.claim_job("w2", lease_s=30) is None


def test_a_dead_workers_job_is_taken_over_with_its_progress(store: BotStore, clock: FakeClock) -> None:
    store.enqueue_job(job(), delivery_id=None, limit=10)
    first = store.claim_job("w1", lease_s=10)
    assert first is not None and store.save_job_progress(first.id, "w1", {"reacted": True})
    clock.now += 5
    assert store.claim_job("w2", lease_s=10) is None  # the lease still holds
    assert store.renew_lease(first.id, "w1", lease_s=10)
    clock.now += 11  # w1 died: no renewal

    second = store.claim_job("w2", lease_s=10)

    assert second is not None and second.id == first.id
    assert (second.posted, second.attempts) == ({"reacted": True}, 2)
    # The slow first worker is fenced off: it can neither record nor finish any more.
    assert store.save_job_progress(first.id, "w1", {"answered": "x"}) is False
    assert store.finish_job(first.id, "w1", {}) is False
    assert store.renew_lease(first.id, "w1", lease_s=10) is False
    assert store.finish_job(second.id, "w2", {"reacted": True, "answered": "y"})


def test_a_job_whose_workers_keep_dying_is_exhausted(store: BotStore, clock: FakeClock) -> None:
    store.enqueue_job(job(), delivery_id=None, limit=10)
    attempts = []
    for n in range(MAX_ATTEMPTS + 1):
        claimed = store.claim_job(f"w{n}", lease_s=1)
        assert claimed is not None
        attempts.append(claimed.exhausted)
        clock.now += 2
    assert attempts == [False] * MAX_ATTEMPTS + [True]


def test_running_jobs_count_against_the_capacity(store: BotStore) -> None:
    store.enqueue_job(job("a"), delivery_id=None, limit=2)
    store.claim_job("w1", lease_s=30)
    store.enqueue_job(job("b"), delivery_id=None, limit=2)
    assert store.enqueue_job(job("c"), delivery_id=None, limit=2).status == "full"


def test_threads_with_jobs_are_known(store: BotStore) -> None:
    store.enqueue_job(job(thread="9.9"), delivery_id=None, limit=10)
    assert store.thread_has_jobs("slack:T1:C1:9.9")
    assert not store.thread_has_jobs("slack:T1:C1:8.8")


# --- the rest of the contract ------------------------------------------------------------------


def test_traces_usage_and_memory_round_trip(store: BotStore) -> None:
    trace = Trace(question="q \ufffd", platform="slack", workspace="T1", channel="C1", user="U1")
    store.save_trace(trace)
    store.record_usage(
        platform="slack", workspace="T1", user="U1", status="answer", latency_ms=12.0,
        tokens_in=1, tokens_out=2, cost_usd=0.5,
    )  # fmt: skip
    store.save_context("slack:T1:C1:1.1", {"occupation": "29-1141"})
    store.record_feedback(trace_id=trace.id, platform="slack", workspace="T1", user="U1", value="up")

    stored = store.get_trace(trace.id, workspace="T1")
    assert stored is not None and stored.question == "q \ufffd"
    assert store.get_trace(trace.id, workspace="T2") is None
    [row] = store.usage_report()
    assert (row.questions, row.answers, row.cost_usd) == (1, 1, 0.5)
    assert store.load_context("slack:T1:C1:1.1") == {"occupation": "29-1141"}
    assert store.feedback_for(trace.id).up == 1


def test_minute_limits_are_shared_by_every_process(open_store: StoreFactory) -> None:
    stores = [open_store(), open_store()]
    decisions = at_once(8, lambda i: stores[i % 2].take("user-minute:U1", limit=5, window_s=60, now=START))
    assert sorted(d.allowed for d in decisions) == [False] * 3 + [True] * 5


def test_traces_and_usage_are_pruned_after_the_retention(open_store: StoreFactory, clock: FakeClock) -> None:
    store = open_store(retention=timedelta(days=30))
    old = Trace(
        question="old", platform="slack", workspace="T1", created_at=datetime.fromtimestamp(START, UTC)
    )
    store.save_trace(old)
    store.record_usage(
        platform="slack", workspace="T1", user="U1", status="answer", latency_ms=1.0,
        tokens_in=0, tokens_out=0, cost_usd=0.0, at=datetime.fromtimestamp(START, UTC),
    )  # fmt: skip
    clock.now += 31 * DAY_S
    fresh = Trace(
        question="new", platform="slack", workspace="T1", created_at=datetime.fromtimestamp(clock.now, UTC)
    )
    store.save_trace(fresh)

    assert store.prune() >= 2

    assert store.get_trace(old.id) is None and store.get_trace(fresh.id) is not None
    assert store.usage_report() == []


def test_artifacts_are_served_until_they_expire(open_store: StoreFactory, clock: FakeClock) -> None:
    writer, reader = open_store(), open_store()
    writer.put_artifact("chart-abc", b"\x89PNG...", content_type="image/png", ttl_s=3600)

    assert reader.get_artifact("chart-abc") == (b"\x89PNG...", "image/png")
    clock.now += 3601
    assert reader.get_artifact("chart-abc") is None
    assert reader.get_artifact("nothing") is None


def test_a_read_only_store_answers_directly_and_health_says_degraded(tmp_path: Path) -> None:
    """Writes fail as SQLite's do on a read-only file (tests run as root, which chmod cannot stop)."""
    import contextlib
    import sqlite3

    from agents.answer import EngineAnswer
    from bot.service import AccessPolicy, BotService
    from bot.store import StoreError

    class Echo:
        def run(self, question: str, **_: object) -> EngineAnswer:
            return EngineAnswer(kind="answer", text=f"ok: {question}")

    class ReadOnlyStore(SqliteBotStore):
        @contextlib.contextmanager
        def _writing(self, operation: str) -> Iterator[Any]:
            raise StoreError(operation, str(sqlite3.OperationalError("attempt to write a readonly database")))
            yield

    access = AccessPolicy()
    access.allow("slack", {"T1"})
    service = BotService(workflow=Echo(), store=ReadOnlyStore(tmp_path / "bot.sqlite"), access=access)
    assert service.health()["status"] == "ok"

    assert service.submit(job(delivery="slack:Ev9")) is None  # the caller answers it directly

    assert service.health() == {
        "status": "degraded",
        "store": "cannot queue: answering directly",
        "queue": {"queued": 0, "running": 0, "oldest_wait_s": 0.0},
    }
    assert service.answer(job().question).text == "ok: median pay of nurses in Ohio"
