"""Subscriptions: answered again when a newer OEWS release is loaded; one notice each, across restarts."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.cli import cli
from agents.table import Column, Table
from bot.store import BotStore, SqliteBotStore
from bot.subscriptions import asks_for_notice, changes
from bot.substore import Subscription, SubscriptionTables
from bot.types import Answer
from tests.shipped import national_release

QUESTION = "median pay of registered nurses nationally"


class Webhook:
    """A loopback webhook receiver that records JSON bodies (and can fail on purpose)."""

    def __init__(self) -> None:
        self.posts: list[dict[str, Any]] = []
        self.status = 200
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if hook.status == 200:
                    hook.posts.append(json.loads(body))
                self.send_response(hook.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.005}, daemon=True
        ).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    yield hook
    hook.stop()


def run(home: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"OEWS_HOME": str(home), "USER": "ana"})
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.slow(seconds=4)
def test_a_newer_release_sends_each_subscriber_one_notice_with_what_changed(
    home: Path, tmp_path: Path, webhook: Webhook
) -> None:
    code, out = run(home, "subscribe", "--webhook", webhook.url, QUESTION)
    assert code == 0 and "$97,550" in out and "Subscribed (sub-" in out
    sub_id = out.split("Subscribed (")[1].split(")")[0]
    assert sub_id in run(home, "subscriptions")[1]

    code, out = run(home, "data", "load", str(national_release(tmp_path, 2026, "101,000")))
    assert code == 0 and "Sent 1 subscription notice (May 2026)" in out
    (post,) = webhook.posts
    assert post["subscription"] == sub_id and post["release"] == 2026 and "$101,000" in post["answer"]
    assert any("$97,550" in line for line in post["changes"]) and any(
        "$101,000" in c for c in post["changes"]
    )

    run(home, "data", "load", str(national_release(tmp_path, 2026, "101,000")))  # unchanged: skipped
    run(home, "subscriptions", "--notify")  # a later run (another process, after a restart)
    assert len(webhook.posts) == 1


@pytest.mark.slow(seconds=3)
def test_a_failed_delivery_is_retried_on_the_next_run(home: Path, tmp_path: Path, webhook: Webhook) -> None:
    run(home, "subscribe", "--webhook", webhook.url, QUESTION)
    webhook.status = 500
    code, out = run(home, "data", "load", str(national_release(tmp_path, 2026, "101,000")))
    assert code == 0 and "Sent" not in out and webhook.posts == []
    webhook.status = 200
    assert "Sent 1" in run(home, "subscriptions", "--notify")[1] and len(webhook.posts) == 1


@pytest.mark.slow(seconds=3)
def test_a_question_that_cannot_be_answered_is_not_subscribed(home: Path, webhook: Webhook) -> None:
    code, out = run(home, "subscribe", "--webhook", webhook.url, "what's the weather in Paris?")
    assert code == 1 and "only subscribe you to a question I can answer" in out
    assert "No subscriptions" in run(home, "subscriptions")[1]


def test_removing_a_subscription_someone_does_not_have_changes_nothing(home: Path, webhook: Webhook) -> None:
    code, out = run(home, "subscriptions", "--remove", "sub-nope")
    assert code == 1 and "no subscription 'sub-nope'" in out


def sub(sid: str, user: str = "U1", release: int = 2025) -> Subscription:
    return Subscription(
        id=sid,
        platform="slack",
        workspace="T1",
        user=user,
        target=user,
        question="q",
        release=release,
        answer_text="t",
        answer_tables=(),
        created_at="2026-01-01T00:00:00+00:00",
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SubscriptionTables]:
    """The subscription tables of the bot store, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        made: BotStore = SqliteBotStore(tmp_path / "bot.sqlite")
    else:
        from bot.pgstore import PostgresBotStore

        server = request.getfixturevalue("postgres")
        name = f"subs_{tmp_path.name.replace('-', '_').lower()}"[:60]
        server.create_database(name)
        made = PostgresBotStore(server.url(name))
    yield made.subscriptions
    made.close()


def test_store_keeps_subscriptions_per_user_and_claims_each_notice_once(store: SubscriptionTables) -> None:
    store.add(sub("sub-a"))
    store.add(sub("sub-b", user="U2"))
    store.add(sub("sub-c", release=2026))
    assert [s.id for s in store.for_user("slack", "T1", "U1")] == ["sub-a", "sub-c"]
    assert not store.remove("sub-b", platform="slack", workspace="T1", user="U1")  # not theirs
    assert [s.id for s in store.due(2026)] == ["sub-a", "sub-b"]
    assert store.claim("sub-a", 2026) and not store.claim("sub-a", 2026)
    store.give_back("sub-a", 2026)
    assert store.claim("sub-a", 2026)
    store.sent("sub-a", 2026)
    assert [s.id for s in store.due(2026)] == ["sub-b"]
    assert store.claim("sub-b", 2026) and store.claim("sub-b", 2026, lease_s=-1)  # a dead claim is taken over
    assert store.remove("sub-b", platform="slack", workspace="T1", user="U2") and store.count() == 2


def test_changes_name_each_figure_that_moved() -> None:
    # the subscribed answer was stored before tables had typed columns: its cells are text
    old = Table(columns=("State", "Median (annual)"), rows=(("Ohio", "$80,000"), ("Utah", "$70,000")))
    columns = (Column(name="State"), Column(name="Median (annual)", kind="usd_annual"))
    new = Table(columns=columns, rows=(("Ohio", 84000), ("Iowa", 69000)))
    before = sub("s").__class__(**{**sub("s").__dict__, "answer_tables": (old,)})
    lines = changes(before, Answer(status="answer", text="", trace_id="t", tables=(new,)))
    assert lines == (
        "Ohio, Median (annual): $80,000 → $84,000 (+5.0%)",
        "Iowa: new in the table",
        "Utah: no longer in the table",
    )
    same = Answer(status="answer", text="t", trace_id="t")
    assert changes(sub("s"), same) == ("No published figure changed.",)


def test_hosts_sharing_a_postgresql_store_share_subscriptions_and_claims(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from bot.pgstore import PostgresBotStore

    server = request.getfixturevalue("postgres")
    url = server.create_database(f"subs_shared_{tmp_path.name.replace('-', '_').lower()}"[:60])
    with PostgresBotStore(url) as one, PostgresBotStore(url) as other:
        one.subscriptions.add(sub("sub-x"))
        assert [s.id for s in other.subscriptions.due(2026)] == ["sub-x"]
        assert other.subscriptions.claim("sub-x", 2026) and not one.subscriptions.claim("sub-x", 2026)
        other.subscriptions.sent("sub-x", 2026)
        assert one.subscriptions.due(2026) == []


def test_an_older_bot_store_keeps_the_subscriptions_of_the_standalone_tables(tmp_path: Path) -> None:
    """Before subscriptions joined the store they had their own tables in the same file."""
    import sqlite3

    from bot.substore import DDL

    path = tmp_path / "bot.sqlite"
    SqliteBotStore(path).close()
    with sqlite3.connect(path) as db:  # as the standalone store left it
        db.execute("DELETE FROM migrations WHERE version = 5")
        for statement in DDL:
            db.execute(statement)
        db.execute(
            "INSERT INTO subscriptions VALUES ('sub-old', 'cli', 'local', 'ana', 'http://h', 'q', 2025, "
            '\'{"text": "t", "tables": []}\', \'2026-01-01T00:00:00+00:00\')'
        )
    with SqliteBotStore(path) as store:
        assert [s.id for s in store.subscriptions.for_user("cli", "local", "ana")] == ["sub-old"]


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("notify me when new data is out", True),
        ("Please let me know when newer figures are published", True),
        ("tell me once the next release is out", True),
        ("ping me when new OEWS data comes out!", True),
        ("tell me the new data for nurses in Texas", False),
        ("what is the median pay of registered nurses?", False),
        ("notify me", False),
    ],
)
def test_asking_for_a_notice_is_recognised(text: str, asks: bool) -> None:
    assert asks_for_notice(text) is asks
