"""Limits and failures: rate limits, engine crashes, Slack's 429, a full queue, a broken store.

The workflow is replaced by a tiny fake only where the test is about what happens around
it (a crash, a slow answer, the overrides it receives): that is the process edge here.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from adapters.cli import cli
from agents.answer import EngineAnswer
from agents.engine.engine import OewsEngine
from agents.trace import Trace
from agents.workflow.graph import Workflow
from bot.app import build_service
from bot.service import AccessPolicy, BotService
from bot.store import SqliteBotStore, StoreError
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackServer, mention, settings_for


class ScriptedWorkflow:
    """Answers "ok", records what it was asked; can crash or wait for a go-ahead."""

    def __init__(self, *, crash: bool = False, gate: threading.Event | None = None) -> None:
        self.crash = crash
        self.gate = gate
        self.calls: list[dict[str, Any]] = []

    def run(
        self,
        question: str,
        *,
        trace: Trace,
        context: dict[str, Any] | None = None,
        render_chart: bool = True,
        suggest: bool = True,
        model: str | None = None,
        reasoning_model: str | None = None,
    ) -> EngineAnswer:
        self.calls.append({"question": question, "model": model, "reasoning_model": reasoning_model})
        if self.gate is not None:
            self.gate.wait(10)
        if self.crash:
            raise RuntimeError("sqlite3.OperationalError at /srv/secret/path.db: token xoxb-leak")
        return EngineAnswer(kind="answer", text=f"ok: {question}")


@contextlib.contextmanager
def serving(
    fake: FakeSlack, tmp_path: Path, service: BotService | None = None, **values: Any
) -> Iterator[SlackServer]:
    settings = settings_for(fake, tmp_path, **values)
    server = SlackServer(fake, service or build_service(settings), settings).start()
    try:
        yield server
    finally:
        server.stop()


def scripted(tmp_path: Path, workflow: ScriptedWorkflow) -> BotService:
    return BotService(workflow=workflow, store=SqliteBotStore(tmp_path / "bot.sqlite"), access=AccessPolicy())


def test_rate_limited_user_gets_a_private_notice(
    fake_slack: FakeSlack, oews_db: Path, engine: OewsEngine, tmp_path: Path
) -> None:
    settings = settings_for(fake_slack, tmp_path, oews_database=oews_db, oews_rate_per_user_per_minute=1)
    service = build_service(settings, engine=engine)
    service.clock = lambda: 1_800_000_000.0  # both questions fall in the same one-minute window
    with serving(fake_slack, tmp_path, service=service, oews_database=oews_db) as slack:
        mark = fake_slack.mark()
        slack.event(mention("median pay for electricians in Texas", ts="5000.000001"))
        fake_slack.wait_method(mark, "chat.postMessage")
        slack.event(mention("median pay for plumbers in Ohio", ts="5000.000002"))

        [notice] = fake_slack.wait_method(mark, "chat.postEphemeral")
        calls = fake_slack.settle(mark)
    assert "You've reached the limit of 1 question a minute" in notice.params["text"]
    assert notice.params["user"] == "U1" and notice.params["thread_ts"] == "5000.000002"
    assert len([c for c in calls if c.method == "chat.postMessage"]) == 1


def test_engine_crash_shows_a_short_message_with_the_trace_id(fake_slack: FakeSlack, tmp_path: Path) -> None:
    service = scripted(tmp_path, ScriptedWorkflow(crash=True))
    with serving(fake_slack, tmp_path, service=service) as slack:
        mark = fake_slack.mark()
        assert slack.event(mention("median pay for electricians in Texas", ts="5001.000001")).status == 200
        [notice] = fake_slack.wait_method(mark, "chat.postEphemeral")
        calls = fake_slack.settle(mark)
    text = notice.params["text"]
    assert text.startswith("Sorry, something went wrong") and "tr-" in text
    everything = json.dumps([c.params for c in calls])
    assert (
        "OperationalError" not in everything and "/srv/secret" not in everything and "xoxb" not in everything
    )
    assert [c for c in calls if c.method == "chat.postMessage"] == []
    assert [c.method for c in calls if c.method.startswith("reactions.")] == [
        "reactions.add",
        "reactions.remove",
    ]


def test_model_overrides_reach_the_core(fake_slack: FakeSlack, tmp_path: Path) -> None:
    workflow = ScriptedWorkflow()
    with serving(fake_slack, tmp_path, service=scripted(tmp_path, workflow)) as slack:
        mark = fake_slack.mark()
        slack.command("-p --model gpt-4.1-mini --reasoning-model=o3 top paying jobs in Ohio")
        fake_slack.wait_method(mark, "response")
    assert workflow.calls == [
        {"question": "top paying jobs in Ohio", "model": "gpt-4.1-mini", "reasoning_model": "o3"}
    ]


def test_slack_rate_limit_is_retried(fake_slack: FakeSlack, tmp_path: Path) -> None:
    with serving(fake_slack, tmp_path, service=scripted(tmp_path, ScriptedWorkflow())) as slack:
        fake_slack.rate_limit("chat.postMessage", times=1)
        mark = fake_slack.mark()
        slack.event(mention("electricians in Texas", ts="5002.000001"))
        posts = fake_slack.wait_method(mark, "chat.postMessage", count=2)
        calls = fake_slack.settle(mark)
    assert posts[0].params == posts[1].params
    assert "ok: electricians in Texas" in posts[1].params["text"]
    assert not [c for c in calls if c.method == "chat.postEphemeral"]


def test_full_queue_asks_people_to_retry(fake_slack: FakeSlack, tmp_path: Path) -> None:
    gate = threading.Event()
    service = scripted(tmp_path, ScriptedWorkflow(gate=gate))
    with serving(fake_slack, tmp_path, service=service, oews_workers=1, oews_queue_limit=1) as slack:
        mark = fake_slack.mark()
        for n in range(3):
            assert slack.event(mention(f"question {n}", ts=f"5003.00000{n}")).status == 200
        [busy] = fake_slack.wait_method(mark, "chat.postEphemeral")
        command = slack.command("question 4")
        gate.set()
        posts = fake_slack.wait_method(mark, "chat.postMessage", count=2)
    assert "try again in a minute" in busy.params["text"] and busy.params["thread_ts"] == "5003.000002"
    assert "try again in a minute" in command.body
    assert sorted(p.params["thread_ts"] for p in posts) == ["5003.000000", "5003.000001"]


def test_post_failure_reaches_the_user_as_a_short_message(fake_slack: FakeSlack, tmp_path: Path) -> None:
    with serving(fake_slack, tmp_path, service=scripted(tmp_path, ScriptedWorkflow())) as slack:
        fake_slack.fail("chat.postMessage", "channel_not_found")
        try:
            mark = fake_slack.mark()
            slack.event(mention("electricians in Texas", ts="5004.000001"))
            [notice] = fake_slack.wait_method(mark, "chat.postEphemeral")
        finally:
            fake_slack.fail("chat.postMessage", None)
    assert notice.params["text"].startswith("Sorry, something went wrong") and "tr-" in notice.params["text"]
    assert "channel_not_found" not in notice.params["text"]


class FullDiskStore(SqliteBotStore):
    """Every write fails as SQLite does on a full disk (reads still work)."""

    @contextlib.contextmanager
    def _writing(self, operation: str) -> Iterator[Any]:
        raise StoreError(operation, str(sqlite3.OperationalError("database or disk is full")))
        yield


def test_answer_is_delivered_when_the_store_is_full(
    fake_slack: FakeSlack, engine: OewsEngine, tmp_path: Path
) -> None:
    service = BotService(
        workflow=Workflow(engine),
        store=FullDiskStore(tmp_path / "full.sqlite"),
        access=AccessPolicy(),
    )
    with serving(fake_slack, tmp_path, service=service) as slack:
        mark = fake_slack.mark()
        slack.event(mention("median pay for electricians in Texas", ts="5005.000001"))
        [answer] = fake_slack.wait_method(mark, "chat.postMessage")
    assert "$58,570" in answer.params["text"]


@pytest.mark.parametrize("missing", ["slack_signing_secret"])
def test_http_mode_requires_a_signing_secret(fake_slack: FakeSlack, tmp_path: Path, missing: str) -> None:
    from aiohttp import web

    from adapters.slack import SlackConfigError, mount_slack

    settings = settings_for(fake_slack, tmp_path, **{missing: None})
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        mount_slack(web.Application(), service=scripted(tmp_path, ScriptedWorkflow()), settings=settings)


@pytest.fixture
def serve_here(oews_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """``oews-bot serve`` run by click in this process; the root log level it sets is put back."""
    for key in list(os.environ):
        if key.upper().startswith(("OEWS_", "SLACK_", "OPENAI_", "MICROSOFT_", "TEAMS_")):
            monkeypatch.delenv(key)
    level = logging.getLogger().level
    yield {
        "OEWS_HOME": str(tmp_path), "OEWS_DATABASE": str(oews_db),
        "SLACK_BOT_TOKEN": "xoxb-do-not-print", "SLACK_SIGNING_SECRET": "s3cret-do-not-print",
    }  # fmt: skip
    logging.getLogger().setLevel(level)


@pytest.mark.parametrize("reachable", [True, False], ids=["token refused", "Slack unreachable"])
def test_serve_with_a_token_slack_refuses_or_cannot_check_stops_with_one_line(
    serve_here: dict[str, str], fake_slack: FakeSlack, reachable: bool
) -> None:
    fake_slack.fail("auth.test", "invalid_auth")
    url = fake_slack.api_url if reachable else "http://127.0.0.1:1/api/"
    try:
        result = CliRunner().invoke(
            cli, ["serve", "--workers", "0", "--port", "0"], env={**serve_here, "SLACK_API_URL": url}
        )
    finally:
        fake_slack.fail("auth.test", None)
    expected = (
        "Error: Slack did not accept SLACK_BOT_TOKEN (invalid_auth)"
        if reachable
        else "Error: cannot reach the Slack Web API at http://127.0.0.1:1/api/ (SLACK_API_URL)"
    )
    assert (result.exit_code, result.stderr.strip().splitlines()[-1]) == (1, expected)  # after the log
    assert "Traceback" not in result.output and "do-not-print" not in result.output
    assert "WARNING" not in result.stderr  # not Bolt's "token will be unused": the client holds it
