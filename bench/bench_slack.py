"""Slack ack latency under a burst of concurrent mentions, end to end over loopback HTTP.

    python bench/bench_slack.py [--mentions 50] [--retries 10] [--database PATH] [--workers N]

Serves the real Slack adapter (``mount_slack`` on aiohttp, signature checks on, the real
service and OEWS data) against the tests' fake Slack Web API, fires ``--mentions`` signed
``app_mention`` events at once (one thread each), then re-delivers ``--retries`` of them with
``X-Slack-Retry-Num`` as Slack does after a timeout. Prints:

- ack latency: how long ``POST /slack/events`` took to answer (Slack wants < 3 s; target p99 ≤ 300 ms);
- time to answer: from the POST to the answer's ``chat.postMessage`` reaching the fake;
- exactly once: every mention answered once in its thread, retries included;
- resident memory of the process (server, fake and clients together).
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.oews.database import ensure_database
from bench.questions import QUESTIONS
from bot.app import build_service
from bot.config import Settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackServer, mention, settings_for

UNLIMITED = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentions", type=int, default=50)
    parser.add_argument("--retries", type=int, default=10, help="re-deliveries of already sent events")
    parser.add_argument(
        "--database", type=Path, help="an OEWS database (default: build or reuse the home one)"
    )
    parser.add_argument("--workers", type=int, default=8, help="OEWS_WORKERS")
    parser.add_argument("--queue-limit", type=int, default=100, help="OEWS_QUEUE_LIMIT")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    database = args.database or ensure_database(Settings().home)
    fake = FakeSlack().start()
    with tempfile.TemporaryDirectory() as home:
        settings = settings_for(
            fake, Path(home), oews_database=database, oews_workers=args.workers,
            oews_queue_limit=args.queue_limit, oews_rate_per_user_per_minute=UNLIMITED,
            oews_rate_per_workspace_per_minute=UNLIMITED, oews_daily_quota_per_user=UNLIMITED,
            oews_daily_quota_per_workspace=UNLIMITED,
        )  # fmt: skip
        server = SlackServer(fake, build_service(settings), settings).start()
        try:
            warm_up(server, fake)
            run(server, fake, args.mentions, args.retries)
            one_at_a_time(server, fake, dev_questions())
        finally:
            server.stop()
            fake.stop()


def warm_up(server: SlackServer, fake: FakeSlack) -> None:
    """One answer with a chart first: imports, caches and the Web API session are then warm."""
    mark = fake.mark()
    server.event(mention(QUESTIONS[2], ts="1.000001", user="UWARM"))
    fake.wait_method(mark, "reactions.remove", timeout=60)


def run(server: SlackServer, fake: FakeSlack, count: int, retries: int) -> None:
    events = [
        (f"EvBench{n:06d}", mention(QUESTIONS[n % len(QUESTIONS)], ts=f"2{n:09d}.000100", user=f"U{n:04d}"))
        for n in range(count)
    ]
    mark = fake.mark()
    barrier = threading.Barrier(count)
    sent: dict[str, float] = {}

    def fire(item: tuple[str, dict[str, object]]) -> float:
        event_id, event = item
        barrier.wait()
        sent[str(event["ts"])] = time.monotonic()
        return server.event(event, event_id=event_id).elapsed_ms

    with ThreadPoolExecutor(max_workers=count) as pool:
        acks = list(pool.map(fire, events))
    retry_acks = [server.event(e, event_id=i, retry=1).elapsed_ms for i, e in events[:retries]]
    fake.wait_for(
        mark, lambda calls: sum(c.method == "reactions.remove" for c in calls) >= count, timeout=120
    )
    calls = fake.settle(mark, quiet=1.0)
    report(acks, retry_acks, sent, [c for c in calls if c.method == "chat.postMessage"], count)


def report(
    acks: list[float], retry_acks: list[float], sent: dict[str, float], posts: list, count: int
) -> None:
    answered: dict[str, int] = {}
    latency = []
    for post in posts:
        thread = str(post.params.get("thread_ts"))
        answered[thread] = answered.get(thread, 0) + 1
        if thread in sent and answered[thread] == 1:
            latency.append((post.at - sent[thread]) * 1000)
    once = len(answered) == count and all(n == 1 for n in answered.values()) and set(answered) == set(sent)
    print(f"mentions sent at once:   {count} (+{len(retry_acks)} retried deliveries)")
    print(
        f"ack latency:             p50 {pct(acks, 50):.1f} ms, p99 {pct(acks, 99):.1f} ms, "
        f"max {max(acks):.1f} ms (target p99 ≤ 300 ms)"
    )
    if retry_acks:
        print(f"retry ack latency:       p50 {pct(retry_acks, 50):.1f} ms")
    print(
        f"time to answer:          median {statistics.median(latency):.0f} ms, "
        f"p99 {pct(latency, 99):.0f} ms, slowest {max(latency):.0f} ms"
    )
    print(
        f"answers exactly once:    {'yes' if once else 'NO'} ({sum(answered.values())} answers, "
        f"{len(answered)} threads)"
    )
    print(f"resident memory:         {memory()}")


def dev_questions() -> list[str]:
    path = Path(__file__).resolve().parents[1] / "eval" / "questions.jsonl"
    return [json.loads(line)["question"] for line in path.read_text().splitlines() if line.strip()]


def one_at_a_time(server: SlackServer, fake: FakeSlack, questions: list[str]) -> None:
    """Mention → answer when questions arrive one after another (the usual case): the dev questions."""
    latency = []
    count = len(questions)
    for n, text in enumerate(questions):
        mark = fake.mark()
        ts = f"3{n:09d}.000100"
        started = time.monotonic()
        server.event(mention(text, ts=ts, user=f"UQ{n:03d}"))
        fake.wait_method(mark, "reactions.remove", timeout=60)
        posts = [c for c in fake.settle(mark, quiet=0.05) if c.method == "chat.postMessage"]
        latency.append((posts[0].at - started) * 1000)
    print(
        f"one at a time ({count}):    time to answer median {statistics.median(latency):.0f} ms, "
        f"p95 {pct(latency, 95):.0f} ms (target median ≤ 1 s)"
    )
    print(f"resident memory after the dev questions: {memory()}")


def pct(values: list[float], q: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def memory() -> str:
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        import psutil
    except ImportError:
        return f"peak {peak_mb:.0f} MB"
    return f"now {psutil.Process().memory_info().rss / 2**20:.0f} MB, peak {peak_mb:.0f} MB"


if __name__ == "__main__":
    main()
