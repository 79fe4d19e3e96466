"""The real ``oews-bot serve`` and ``oews-bot worker`` processes, the fake Slack Web API, kills.

- One host (SQLite): ``kill -9`` of the serving process in the middle of a burst of signed
  mentions, and of a worker in the middle of posting an answer; then both start again.  Every
  acknowledged question is answered exactly once and the store is intact.  The same for a Teams
  question (the real SDK, a fake Bot Connector) whose worker is killed mid-job, and for the
  placeholder of a ``/oews`` command whose worker is killed while posting it.
- A PostgreSQL store that goes down: questions are still answered (directly, with a warning)
  and ``/healthz`` says ``degraded``.
- Two hosts (separate ``OEWS_HOME``s, one PostgreSQL store): a Slack retry delivered to the
  other host, a per-user limit, a thread follow-up and a chart link are all shared.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest

from bot.store import BotStore
from tests import postgres as pg
from tests.conftest import matplotlib_dir
from tests.slack.fake_slack import Call, FakeSlack
from tests.slack.harness import SECRET, event_envelope, mention, message, signed_headers
from tests.teams.harness import TENANT, Chat, FakeConnector
from tests.test_server import free_port

pytestmark = pytest.mark.slow(seconds=25)  # real processes: started first, spread over the workers

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ("median pay for electricians in Texas", "what do registered nurses make in Ohio?")


class Host:
    """``oews-bot serve`` (and optionally ``oews-bot worker``) processes sharing one store."""

    def __init__(self, home: Path, fake: FakeSlack, oews_db: Path, **env: str) -> None:
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        keep = {
            k: v for k, v in os.environ.items() if not k.upper().startswith(("OEWS_", "SLACK_", "MICROSOFT"))
        }
        self.env = {
            **keep, "OEWS_HOME": str(home), "OEWS_DATABASE": str(oews_db), "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url, "OEWS_JOB_LEASE_S": "2",
            "OEWS_RATE_PER_USER_PER_MINUTE": "1000", "OEWS_RATE_PER_WORKSPACE_PER_MINUTE": "1000",
            "MPLCONFIGDIR": str(matplotlib_dir()), **env,
        }  # fmt: skip
        self.fake = fake
        self.log = (home / "processes.log").open("ab")
        self.port = 0
        self.server: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []

    def serve(self, workers: int = 0) -> Host:
        self.port = free_port()
        command = ["serve", "--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        self.server = self._start(*command)
        deadline = time.monotonic() + 60
        while not self._healthy():
            assert self.server.poll() is None, "serve exited"
            assert time.monotonic() < deadline, "serve did not come up"
            time.sleep(0.02)
        return self

    def worker(self) -> subprocess.Popen[bytes]:
        process = self._start("worker", "--processes", "1")
        self.workers.append(process)
        return process

    def post(self, envelope: dict[str, object], retry: int | None = None) -> int:
        body = json.dumps(envelope)
        headers = {"Content-Type": "application/json", **signed_headers(body)}
        if retry:
            headers["X-Slack-Retry-Num"] = str(retry)
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/slack/events", data=body.encode(), method="POST", headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return int(response.status)
        except urllib.error.HTTPError as e:
            e.close()
            return e.code
        except (urllib.error.URLError, ConnectionError):
            return 0  # the server is gone

    def post_command(self, text: str, *, channel: str = "C1", user: str = "U1") -> int:
        """A signed ``/oews`` slash command (form-encoded, as Slack sends it)."""
        form = {
            "team_id": "T1", "channel_id": channel, "user_id": user, "command": "/oews", "text": text,
            "response_url": f"{self.fake.url}/response/{channel}-{user}", "trigger_id": "trigger-1",
        }  # fmt: skip
        body = urllib.parse.urlencode(form)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **signed_headers(body)}
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/slack/events", data=body.encode(), method="POST", headers=headers
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)

    def post_activity(self, activity: dict[str, object]) -> int:
        """POST a Teams activity to ``/api/messages`` (authentication is off in these tests)."""
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/api/messages",
            data=json.dumps(activity).encode(),
            method="POST",
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as e:
            e.close()
            return e.code, b""

    def kill_server(self) -> None:
        assert self.server is not None
        self.server.send_signal(signal.SIGKILL)
        self.server.wait(10)

    def stop(self) -> None:
        for process in [p for p in (self.server, *self.workers) if p is not None]:
            if process.poll() is None:
                process.terminate()
        for process in [p for p in (self.server, *self.workers) if p is not None]:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(15)  # reaped: a loaded machine can take longer than 15 s to stop
        self.log.close()

    def _start(self, *args: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "adapters.cli", *args]
        return subprocess.Popen(command, env=self.env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)

    def _healthy(self) -> bool:
        try:
            return self.get("/healthz")[0] == 200
        except (urllib.error.URLError, ConnectionError):
            return False


def answers_by_thread(fake: FakeSlack) -> Counter[str]:
    return Counter(str(c.params.get("thread_ts")) for c in fake.since(0, "chat.postMessage"))


def job_states(home: Path, kind: str = "") -> list[tuple[str, int]]:
    """The state and attempts of every job in a host's SQLite store (of the kinds starting ``kind``)."""
    query = "SELECT state, attempts FROM jobs WHERE kind LIKE ? || '%' ORDER BY id"
    with closing(sqlite3.connect(home / "bot.sqlite")) as db:
        return [(str(state), int(n)) for state, n in db.execute(query, [kind])]


def all_done(home: Path) -> bool:
    """Every job is finished: whatever its worker posts, it posts before marking it done."""
    states = job_states(home)
    return bool(states) and all(state == "done" for state, _ in states)


def wait_until(condition: Callable[[], bool], timeout: float = 180, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    yield server
    server.stop()


def test_kill_9_of_server_and_worker_loses_and_repeats_nothing(
    fake: FakeSlack, oews_db: Path, tmp_path: Path
) -> None:
    host = Host(tmp_path / "home", fake, oews_db)
    try:
        host.serve(workers=0)
        first_worker = host.worker()
        fake.slow("chat.postMessage", 1.0)  # the first answer is on its way when its worker dies
        events = [
            event_envelope(mention(QUESTIONS[n % 2], ts=f"7000.{n:06d}", user=f"U{n}")) for n in range(40)
        ]
        acked: list[str] = []
        killed = threading.Event()

        def send(n: int) -> None:
            if n >= 25:
                killed.wait(10)  # the rest of the burst reaches a server that is gone
            if host.post(events[n]) == 200:
                acked.append(str(events[n]["event"]["ts"]))  # type: ignore[index]

        with ThreadPoolExecutor(4) as pool:
            futures = [pool.submit(send, n) for n in range(len(events))]
            wait_until(lambda: len(acked) >= 15, what="15 acks")
            host.kill_server()  # mid-burst
            killed.set()
            for f in futures:
                f.result()
        wait_until(lambda: bool(fake.since(0, "chat.postMessage")), what="the first answer")
        first_worker.send_signal(signal.SIGKILL)  # mid-job: posted, but it never learns so
        first_worker.wait(10)

        host.serve(workers=1)  # both start again
        assert host.post(events[0], retry=1) == 200  # a redelivery: claimed already
        wait_until(lambda: set(acked) <= set(answers_by_thread(fake)), what="every acknowledged question")
        wait_until(lambda: all_done(tmp_path / "home"), what="every job finished")
    finally:
        host.stop()

    answered = answers_by_thread(fake)
    assert 15 <= len(acked) <= 25
    assert set(acked) <= set(answered)  # none lost
    assert {ts for ts, n in answered.items() if n != 1} == set()  # none twice
    with sqlite3.connect(tmp_path / "home" / "bot.sqlite") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        states = dict(db.execute("SELECT state, COUNT(*) FROM jobs GROUP BY state").fetchall())
    # A question stored just before the kill but never acknowledged is answered too (Slack would
    # have retried it, and the retry would have been recognised).
    assert list(states) == ["done"] and states["done"] == len(answered) >= len(acked)


def test_two_hosts_share_one_postgresql_store(
    fake: FakeSlack, oews_db: Path, tmp_path: Path, postgres: pg.PostgresServer
) -> None:
    url = postgres.create_database("two_hosts")
    env = {"OEWS_STORE_URL": url, "OEWS_RATE_PER_USER_PER_MINUTE": "2"}
    hosts = [Host(tmp_path / name, fake, oews_db, **env) for name in ("a", "b")]
    try:
        for host in hosts:
            host.serve(workers=1)
        a, b = hosts
        # A retry delivered to the other host is answered once.
        retried = event_envelope(mention(QUESTIONS[0], ts="8000.000001", user="U1"))
        assert a.post(retried) == 200 and b.post(retried, retry=1) == 200
        # A thread follow-up (no mention) reaching the other host is answered there.
        wait_until(lambda: answers_by_thread(fake)["8000.000001"] == 1, what="the first answer")
        follow_up = message("and in Ohio?", ts="8000.000002", thread_ts="8000.000001", user="U1")
        assert b.post(event_envelope(follow_up)) == 200
        # A per-user limit (2 a minute) counts on both hosts.
        limited = _three_in_one_minute(a, b)
        wait_until(lambda: answers_by_thread(fake)["8000.000001"] == 2, what="the follow-up's answer")
        wait_until(lambda: bool(_ephemerals(fake, limited)), what="the limit notice")
        wait_until(lambda: sum(answers_by_thread(fake)[ts] for ts in _asked(limited)) == 2, what="2 answers")
        # A chart link (stored by whichever host answered) is served by either host.
        from adapters.teams.chart_images import chart_key
        from bot.pgstore import PostgresBotStore

        with PostgresBotStore(url) as store:
            store.put_artifact(chart_key("t0ken"), b"\x89PNG-test", content_type="image/png", ttl_s=60)
            served = [host.get("/charts/t0ken") for host in hosts]
            wait_until(lambda: _idle(store), what="every job finished")  # nothing more is coming
    finally:
        for host in hosts:
            host.stop()

    answered = answers_by_thread(fake)
    assert answered["8000.000001"] == 2  # the answer and the follow-up's, never the retry's
    assert sum(answered[ts] for ts in _asked(limited)) == 2
    [notice] = _ephemerals(fake, limited)
    assert "limit of 2 questions a minute" in str(notice.params["text"])
    assert served == [(200, b"\x89PNG-test")] * 2


def _ephemerals(fake: FakeSlack, user: str) -> list[Call]:
    return [c for c in fake.since(0, "chat.postEphemeral") if c.params.get("user") == user]


def _three_in_one_minute(a: Host, b: Host) -> str:
    """One person asks three times, on hosts a, b, a, within one minute window (the limiter's
    windows start on the minute; no fixed clock across processes): the person.  If the three
    acks straddled a minute boundary, another person asks again (their answers are left alone)."""
    for attempt in range(3):
        user, started = f"U7{attempt}", time.time()
        for host, ts in zip((a, b, a), _asked(f"U7{attempt}"), strict=True):
            assert host.post(event_envelope(mention(QUESTIONS[1], ts=ts, user=user))) == 200
        if started // 60 == time.time() // 60:
            return user
    raise AssertionError("three questions never fell in one minute")


def _asked(user: str) -> list[str]:
    """The timestamps of ``user``'s three questions (``_three_in_one_minute``)."""
    return [f"8{user[1:]}.00000{n}" for n in range(3)]


def _idle(store: BotStore) -> bool:
    """No job queued or running in the store."""
    stats = store.queue_stats()
    return stats.queued == stats.running == 0


@pytest.fixture(scope="module")
def one_host(oews_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Host]:
    """One ``serve --workers 0`` on SQLite (Slack and Teams) and one live ``worker``, for the tests
    that kill a worker mid-job: each kills the live worker (the last one started) and starts the one
    that takes the job over, which is the next test's live worker (they share an xdist worker:
    ``SAME_WORKER``). Their own fake Slack, as the serving process is told its URL once."""
    fake = FakeSlack().start()
    env = {"TEAMS_ALLOW_UNAUTHENTICATED": "true", "TEAMS_ALLOWED_TENANTS": TENANT}
    host = Host(tmp_path_factory.mktemp("one-host"), fake, oews_db, **env)
    try:
        host.serve(workers=0)
        host.worker()
        yield host
    finally:
        host.stop()
        fake.stop()


def kill_the_live_worker(host: Host) -> None:
    """``kill -9`` of the host's live worker, and a new one, which takes over the dead one's job when
    its lease (2 s) runs out."""
    live = host.workers[-1]
    live.send_signal(signal.SIGKILL)
    live.wait(10)
    host.worker()


def test_kill_9_of_a_worker_mid_teams_job_answers_the_question_once(one_host: Host) -> None:
    connector = FakeConnector()
    connector.typing_delay_s = 1.5  # the worker is busy with the question when it is killed
    chat = Chat(connector.url)
    question = chat.message(QUESTIONS[0])
    try:
        assert one_host.post_activity(question) in (200, 201)
        assert one_host.post_activity(question) in (200, 201)  # a redelivery: claimed with the job
        wait_until(lambda: bool(connector.sent), what="the worker to start on the question")
        kill_the_live_worker(one_host)
        connector.wait_for_messages(1, timeout=180)
        wait_until(lambda: all_done(one_host.home), what="the job finished")  # nothing more comes
    finally:
        connector.close()

    answers = connector.messages()
    assert len(answers) == 1 and "$" in answers[0].text
    assert (answers[0].conversation_id, answers[0].reply_to_id) == (chat.conversation_id, question["id"])
    assert job_states(one_host.home, "teams.") == [("done", 2)]


def test_kill_9_of_a_worker_posting_a_command_placeholder_posts_it_once(one_host: Host) -> None:
    fake, mark = one_host.fake, one_host.fake.mark()
    fake.slow("chat.postMessage", 5.0)  # the placeholder is up (with its ts), but its worker never hears so
    assert one_host.post_command(QUESTIONS[0], channel="C7") == 200
    wait_until(lambda: bool(fake.since(mark, "chat.postMessage")), what="the placeholder")
    kill_the_live_worker(one_host)
    wait_until(lambda: bool(fake.since(mark, "chat.update")), what="the answer in the placeholder")
    wait_until(lambda: all_done(one_host.home), what="the job finished")  # nothing more comes

    [placeholder] = fake.since(mark, "chat.postMessage")
    [answer] = fake.since(mark, "chat.update")
    assert placeholder.params["channel"] == "C7" and "Looking that up" in str(placeholder.params["text"])
    assert answer.params["ts"] == placeholder.ts and "$" in str(answer.params["text"])
    assert job_states(one_host.home, "slack.command") == [("done", 2)]


@pytest.mark.usefixtures("postgres")  # PostgreSQL must be there (skipped or failed as elsewhere)
def test_a_store_that_goes_down_still_answers_and_healthz_says_degraded(
    fake: FakeSlack, oews_db: Path, tmp_path: Path
) -> None:
    server = pg.PostgresServer.start()  # its own: this test stops it
    host = Host(tmp_path / "home", fake, oews_db, OEWS_STORE_URL=server.create_database("goes_down"))
    try:
        host.serve(workers=1)
        assert host.post(event_envelope(mention(QUESTIONS[0], ts="9100.000001", user="U1"))) == 200
        wait_until(lambda: answers_by_thread(fake)["9100.000001"] == 1, what="the queued answer")
        server.stop_only()
        assert host.post(event_envelope(mention(QUESTIONS[1], ts="9100.000002", user="U2"))) == 200
        wait_until(lambda: answers_by_thread(fake)["9100.000002"] == 1, what="the direct answer")
        status, body = host.get("/healthz")
    finally:
        host.stop()
        server.stop()

    assert status == 200 and json.loads(body)["status"] == "degraded"
    log = (tmp_path / "home" / "processes.log").read_text()
    assert "could not queue a question; answering it directly" in log
    assert log.count("the job queue is unavailable") == 1  # once per outage, not once per poll
