"""A burst of Slack mentions through the real processes and the durable queue.

    python bench/bench_queue.py [--mentions 200] [--concurrency 50] [--store sqlite|postgresql]
                                [--servers 1] [--workers N] [--kill]

Starts ``--servers`` real ``oews-bot serve`` processes (each with its ``OEWS_WORKERS`` worker
processes; default settings except the rate limits, raised so that 200 people of one workspace
may ask within a minute) on one store (SQLite under a shared ``OEWS_HOME``, or a throwaway
PostgreSQL server for ``--store postgresql``), against the tests' fake Slack Web API.  Sends
``--mentions`` signed mentions from as many people, ``--concurrency`` at once, spread over the
servers.  With ``--kill``, the (first) serving process is killed with SIGKILL after half the
acks and started again; the mentions that got no ack are re-delivered as Slack would
(``X-Slack-Retry-Num: 1``).  Prints:

- ack latency (Slack wants < 3 s; target p99 ≤ 300 ms, max < 3 s), measured by senders in a
  process of their own (in the process of the fake Slack, busy with the workers' posts, their
  own wait for the GIL was counted as ack time);
- answered exactly once / lost / twice / refused as busy;
- time to the last answer and throughput (answers per second);
- peak resident memory of all the product's processes together (sampled every 50 ms).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agents.oews.database import ensure_database
from bench.questions import QUESTIONS
from bot.config import Settings
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SECRET, event_envelope, mention, signed_headers

ROOT = Path(__file__).resolve().parents[1]
UNLIMITED = "1000000"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mentions", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--workers", type=int, help="OEWS_WORKERS (default: the product's default)")
    parser.add_argument("--kill", action="store_true", help="kill -9 the serving process mid-burst")
    args = parser.parse_args()

    database = ensure_database(Settings().home)
    fake = FakeSlack().start()
    postgres = None
    with tempfile.TemporaryDirectory() as home:
        env = environment(fake, Path(home), database, args.workers)
        if args.store == "postgresql":
            from tests.postgres import PostgresServer

            postgres = PostgresServer.start()
            env["OEWS_STORE_URL"] = postgres.create_database("bench")
        servers = [Server(env, Path(home) / f"host{n}", args.workers) for n in range(args.servers)]
        try:
            for server in servers:
                server.start()
            memory = MemorySampler(servers).start()
            report(burst(servers, fake, args), fake, memory.stop(), args)
        finally:
            for server in servers:
                server.stop()
            fake.stop()
            if postgres is not None:
                postgres.stop()


def environment(fake: FakeSlack, home: Path, database: Path, workers: int | None) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.upper().startswith(("OEWS_", "SLACK_", "MICROSOFT"))}
    env = {
        **keep, "OEWS_HOME": str(home), "OEWS_DATABASE": str(database), "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url, "OEWS_LOG_LEVEL": "WARNING",
        "OEWS_RATE_PER_USER_PER_MINUTE": UNLIMITED, "OEWS_RATE_PER_WORKSPACE_PER_MINUTE": UNLIMITED,
        "OEWS_DAILY_QUOTA_PER_USER": UNLIMITED, "OEWS_DAILY_QUOTA_PER_WORKSPACE": UNLIMITED,
    }  # fmt: skip
    if workers:
        env["OEWS_WORKERS"] = str(workers)
    return env


class Server:
    def __init__(self, env: dict[str, str], log_dir: Path, workers: int | None) -> None:
        self.env = env
        self.workers = workers
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log = (log_dir / "serve.log").open("ab")
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> None:
        with __import__("socket").socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        command = [
            sys.executable,
            "-m",
            "adapters.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2) as response:
                    health = json.loads(response.read())
                if health.get("workers", {}).get("alive") == health.get("workers", {}).get("expected"):
                    return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.1)
        raise RuntimeError("serve did not start")

    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def reap(self) -> None:
        """Wait for the (killed) process to be gone."""
        assert self.process is not None
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self.log.close()


def burst(servers: list[Server], fake: FakeSlack, args: argparse.Namespace) -> dict[str, object]:
    events = [
        event_envelope(mention(QUESTIONS[n % len(QUESTIONS)], ts=f"{1_800_000 + n}.000001", user=f"U{n:04d}"))
        for n in range(args.mentions)
    ]
    ports = [s.port for s in servers]
    kill = servers[0].pid() if args.kill else None
    # The senders run in a process of their own: in this one they would wait for the GIL behind
    # the fake Slack's threads (busy with the workers' posts), and count that wait as ack time.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as senders:
        started, acks, failed = senders.submit(send_all, ports, events, args.concurrency, kill).result()
    if args.kill:
        servers[0].reap()
        servers[0].start()
        for n in failed:  # Slack re-delivers what it got no 200 for
            status, _ = post(servers[n % len(servers)].port, events[n], retry=True)
            if status == 200:
                acks.setdefault(str(events[n]["event_id"]), float("nan"))
    threads = {str(e["event"]["ts"]) for e in events if str(e["event_id"]) in acks}  # type: ignore[index]
    deadline = time.monotonic() + 600
    while args.workers != 0 and time.monotonic() < deadline and not threads <= set(answered(fake)):
        time.sleep(0.05)
    last = time.perf_counter() - started
    fake.settle(0, quiet=1.0)
    return {"acks": acks, "threads": threads, "last_answer_s": last, "unacked_first_time": len(failed)}


def send_all(
    ports: list[int], events: list[dict[str, object]], concurrency: int, kill: int | None
) -> tuple[float, dict[str, float], list[int]]:
    """Send every event, ``concurrency`` at once; with ``kill``, SIGKILL that pid after half the acks.
    (start time on the shared monotonic clock, ack ms by event id, events that got no 200)"""
    acks: dict[str, float] = {}
    failed: list[int] = []
    lock = threading.Lock()

    def send(n: int) -> None:
        nonlocal kill
        status, ms = post(ports[n % len(ports)], events[n])
        with lock:
            if status == 200:
                acks[str(events[n]["event_id"])] = ms
            else:
                failed.append(n)
            if kill is not None and len(acks) >= len(events) // 2:
                os.kill(kill, signal.SIGKILL)
                kill = None

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(send, range(len(events))))
    return started, acks, failed


def post(port: int, envelope: dict[str, object], retry: bool = False) -> tuple[int, float]:
    """A signed event to a server: (HTTP status, 0 when it could not be reached; milliseconds)."""
    body = json.dumps(envelope)
    headers = {"Content-Type": "application/json", **signed_headers(body)}
    if retry:
        headers["X-Slack-Retry-Num"] = "1"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/slack/events", data=body.encode(), method="POST", headers=headers
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as e:
        e.close()
        status = e.code
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        status = 0
    return status, (time.perf_counter() - started) * 1000


def answered(fake: FakeSlack) -> Counter[str]:
    return Counter(str(c.params.get("thread_ts")) for c in fake.since(0, "chat.postMessage"))


def report(result: dict[str, object], fake: FakeSlack, peak_mb: float, args: argparse.Namespace) -> None:
    acks = [ms for ms in result["acks"].values() if ms == ms]  # type: ignore[attr-defined]
    threads: set[str] = result["threads"]  # type: ignore[assignment]
    counts = answered(fake)
    busy = [c for c in fake.since(0, "chat.postEphemeral") if "try again" in str(c.params.get("text"))]
    queued_notes = [
        c for c in fake.since(0, "chat.postEphemeral") if "in the queue" in str(c.params.get("text"))
    ]
    p = statistics.quantiles(acks, n=100)
    last = float(result["last_answer_s"])  # type: ignore[arg-type]
    kill = ", kill -9 mid-burst" if args.kill else ""
    setup = f"{args.servers} server(s), {args.store} store{kill}"
    print(f"{args.mentions} mentions, {args.concurrency} at once, {setup}")
    print(f"ack latency: p50 {p[49]:.0f} ms, p99 {p[98]:.0f} ms, max {max(acks):.0f} ms ({len(acks)} acks)")
    print(f"not acknowledged on first delivery: {result['unacked_first_time']}")
    print(f"answered exactly once: {sum(counts[t] == 1 for t in threads)}/{len(threads)}; "
          f"lost {sum(counts[t] == 0 for t in threads)}; twice {sum(n > 1 for n in counts.values())}; "
          f"refused as busy {len(busy)}; queue notes {len(queued_notes)}")  # fmt: skip
    print(f"last answer after {last:.1f} s: {len(threads) / last:.1f} answers/s")
    print(f"peak resident memory of all processes: {peak_mb:.0f} MB")


class MemorySampler:
    """The summed RSS of the serving processes and their workers, sampled; its peak in MB."""

    def __init__(self, servers: list[Server]) -> None:
        self._servers = servers
        self._peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> MemorySampler:
        self._thread.start()
        return self

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self._peak / 1024

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            parents = [s.process.pid for s in self._servers if s.process is not None]
            self._peak = max(self._peak, sum(_rss_kb(pid) for pid in _with_children(parents)))


def _with_children(pids: list[int]) -> list[int]:
    found = list(pids)
    for pid in pids:
        try:
            found += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    main()
