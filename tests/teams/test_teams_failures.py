"""Failures and slowness: engine and service errors, Bot Connector throttling, slow answers, overload."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.teams.handlers import BUSY
from bot.app import access_policy, build_service
from bot.config import Settings
from bot.service import BotService
from bot.store import SqliteBotStore
from bot.types import Answer, Question
from tests.teams.conftest import teams_settings
from tests.teams.harness import TENANT, FakeConnector, OpenIdServer, TeamsBot

QUESTION = "median annual wage of registered nurses in Seattle"
SECRET = "Server=db;Password=hunter2"
TRACE_ID = re.compile(r"tr-[0-9a-f]{12}")
FAST_RETRIES = {"retry_delays": (0.01, 0.01, 0.01)}


class FailingWorkflow:
    def run(self, question: str, **kw: Any) -> Any:
        raise RuntimeError(f"could not connect: {SECRET}")


class SlowWorkflow:
    def __init__(self, inner: Any, *, seconds: float = 0.0, gate: threading.Event | None = None) -> None:
        self.inner, self.seconds, self.gate = inner, seconds, gate

    def run(self, question: str, **kw: Any) -> Any:
        if self.gate is not None:
            self.gate.wait(10)
        time.sleep(self.seconds)
        return self.inner.run(question, **kw)


class ExplodingService(BotService):
    """A service whose ``answer`` itself raises: the adapter's turn-level handler must cope."""

    def answer(self, question: Question, **kw: Any) -> Answer:
        time.sleep(float(question.text.startswith("slow")) * 0.3)
        raise RuntimeError(f"store exploded: {SECRET}")


@pytest.fixture
def make_bot(tmp_path: Path, oews_db: Path, openid: OpenIdServer, connector: FakeConnector) -> Iterator[Any]:
    bots: list[TeamsBot] = []

    def make(service: BotService | None = None, settings: Settings | None = None, **options: Any) -> TeamsBot:
        settings = settings or teams_settings(tmp_path, oews_db, openid)
        service = service or BotService(
            workflow=FailingWorkflow(),
            store=SqliteBotStore(tmp_path / "bot.sqlite"),
            access=access_policy(settings),
        )
        bots.append(
            TeamsBot(service=service, settings=settings, connector=connector, openid=openid, **options)
        )
        return bots[-1]

    yield make
    for bot in bots:
        bot.close()


def test_engine_error_gives_a_short_message_with_the_trace_id(make_bot: Any) -> None:
    teams = make_bot()

    reply = teams.reply_to(teams.chat().message(QUESTION))

    assert reply.text.startswith("Sorry, something went wrong")
    trace_id = TRACE_ID.search(reply.text)
    assert trace_id is not None
    assert "hunter2" not in reply.text and "RuntimeError" not in reply.text
    stored = teams.service.trace(trace_id.group(), workspace=TENANT)
    assert stored is not None and stored.error


def test_a_failing_service_is_logged_with_a_reference_and_never_shown(
    make_bot: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    teams = make_bot(
        ExplodingService(workflow=FailingWorkflow(), store=SqliteBotStore(tmp_path / "b.sqlite"))
    )

    with caplog.at_level(logging.ERROR, logger="bot.worker"):
        reply = teams.reply_to(teams.chat().message(QUESTION))

    trace_id = TRACE_ID.search(reply.text)
    assert trace_id is not None and "hunter2" not in reply.text
    failure = next(r for r in caplog.records if r.getMessage() == "the service failed to answer")
    assert getattr(failure, "trace_id", None) == trace_id.group()
    assert failure.exc_info is not None


def test_connector_throttling_and_outages_are_retried(
    make_bot: Any, oews_engine: Any, settings: Settings
) -> None:
    teams = make_bot(build_service(settings, engine=oews_engine), settings, **FAST_RETRIES)
    teams.connector.failures = [(429, {"Retry-After": "0"}), (503, {}), (502, {})]

    reply = teams.reply_to(teams.chat().message(QUESTION))

    assert "$128,260" in reply.text
    assert teams.connector.attempts == 5  # typing: 3 failures + 1; then the answer
    assert [s.type for s in teams.connector.sent] == ["typing", "message"]


def test_a_reply_the_connector_rejects_is_not_retried_and_the_user_is_told(
    make_bot: Any, oews_engine: Any, settings: Settings
) -> None:
    teams = make_bot(build_service(settings, engine=oews_engine), settings, **FAST_RETRIES)
    teams.connector.message_failures = [(400, {})]

    reply = teams.reply_to(teams.chat().message(QUESTION))

    assert reply.text.startswith("Sorry, something went wrong") and TRACE_ID.search(reply.text)
    assert teams.connector.attempts == 3  # typing, the answer (refused), the apology


def test_a_slow_answer_is_acknowledged_at_once_and_delivered_in_the_thread_later(
    make_bot: Any, oews_engine: Any, settings: Settings
) -> None:
    service = build_service(settings, engine=oews_engine)
    service.workflow = SlowWorkflow(service.workflow, seconds=0.6)
    teams = make_bot(service, settings)
    channel = teams.channel()
    question = channel.message(QUESTION)

    status, seconds = teams.server.post(question, token=teams.openid.mint(question["serviceUrl"]))

    assert status == 201 and seconds < 0.5
    assert teams.connector.messages() == []
    reply = teams.connector.wait_for_messages(1)[0]
    assert "$128,260" in reply.text
    assert reply.conversation_id == channel.conversation_id
    assert reply.reply_to_id == question["id"]


def test_beyond_the_queue_limit_users_are_asked_to_retry(
    make_bot: Any, tmp_path: Path, oews_db: Path, openid: OpenIdServer, oews_engine: Any
) -> None:
    settings = teams_settings(tmp_path, oews_db, openid, oews_workers=1, oews_queue_limit=1)
    gate = threading.Event()
    service = build_service(settings, engine=oews_engine)
    service.workflow = SlowWorkflow(service.workflow, gate=gate)
    teams = make_bot(service, settings, workers=1)
    chats = [teams.chat() for _ in range(3)]

    for chat in chats[:2]:
        assert teams.send(chat.message(QUESTION)) == 201
    busy = teams.reply_to(chats[2].message(QUESTION))
    gate.set()

    assert busy.text == BUSY and busy.conversation_id == chats[2].conversation_id
    answers = teams.connector.wait_for_messages(3)
    assert sorted(a.conversation_id for a in answers if "$128,260" in a.text) == sorted(
        c.conversation_id for c in chats[:2]
    )
