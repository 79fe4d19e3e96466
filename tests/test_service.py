"""The core service: access, limits, memory, traces and usage around the real workflow."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agents.answer import EngineAnswer
from agents.engine.engine import OewsEngine
from agents.trace import Trace
from bot.app import build_service
from bot.config import Settings
from bot.service import BotService
from bot.store import SqliteBotStore
from bot.types import Question


@pytest.fixture
def service(tmp_path: Path, oews_db: Path, engine: OewsEngine) -> Iterator[BotService]:
    settings = Settings(
        oews_home=tmp_path, oews_database=oews_db, slack_allowed_teams="T1", oews_rate_per_user_per_minute=3
    )
    yield build_service(settings, engine=engine)


def ask(service: BotService, text: str, **fields: Any) -> Any:
    base: dict[str, Any] = {"platform": "slack", "workspace": "T1", "channel": "C1", "user": "U1"}
    base.update(fields)
    return service.answer(Question(text=text, **base))


def test_answer_is_traced_and_counted(service: BotService) -> None:
    answer = ask(service, "median pay for electricians in texas")
    assert answer.status == "answer" and "$58,570" in answer.text
    trace = service.trace(answer.trace_id, workspace="T1")
    assert trace is not None and trace.question == "median pay for electricians in texas"
    assert any(step.sql for step in trace.steps) and trace.plan is not None
    assert service.trace(answer.trace_id, workspace="T2") is None  # other workspaces cannot read it
    today, _ = service.usage("slack", "T1", "U1")
    assert today is not None and today.answers == 1


def test_workspaces_not_allowed_never_reach_the_engine(service: BotService) -> None:
    answer = ask(service, "median pay for electricians in texas", workspace="T-OTHER")
    assert answer.status == "denied" and answer.private and "$" not in answer.text


def test_rate_limit_gives_a_private_message_with_when_to_retry(service: BotService) -> None:
    service.clock = lambda: 1_800_000_030.0  # mid-minute, so all four questions share one window
    for _ in range(3):
        assert ask(service, "nurses in ohio").status == "answer"
    limited = ask(service, "nurses in ohio")
    assert limited.status == "rate_limited" and limited.private and "Try again in" in limited.text
    assert ask(service, "nurses in ohio", user="U2").status == "answer"  # per user


def test_thread_follow_ups_use_the_bot_memory(service: BotService) -> None:
    first = ask(service, "what do registered nurses make in seattle?", thread="100.1")
    follow = ask(service, "and in Portland, OR?", thread="100.1")
    assert "Registered Nurses" in follow.text and "Portland-Vancouver-Hillsboro" in follow.text
    other_thread = ask(service, "and in Portland, OR?", thread="200.2")
    assert other_thread.status != "answer" or "Registered Nurses" not in other_thread.text
    assert first.trace_id != follow.trace_id


def test_feedback_is_linked_to_the_trace(service: BotService) -> None:
    answer = ask(service, "median pay for electricians in texas")
    counts = service.feedback(
        trace_id=answer.trace_id, platform="slack", workspace="T1", user="U1", value="up"
    )
    assert counts is not None and counts.up == 1
    assert (
        service.feedback(trace_id=answer.trace_id, platform="slack", workspace="T2", user="U9", value="down")
        is None
    )


def test_retries_are_claimed_once(service: BotService) -> None:
    assert service.first_delivery("Ev1") and not service.first_delivery("Ev1")


class _Exploding:
    def run(self, question: str, *, trace: Trace, **_: Any) -> EngineAnswer:
        raise RuntimeError("secret-token-xyz leaked in a stack trace")


def test_an_engine_crash_is_a_short_message_with_the_trace_id(tmp_path: Path) -> None:
    store = SqliteBotStore(tmp_path / "bot.sqlite")
    service = BotService(workflow=_Exploding(), store=store)
    answer = service.answer(Question(text="nurses", platform="cli", workspace="local"))
    assert answer.status == "error" and answer.trace_id in answer.text
    assert "secret" not in answer.text and "RuntimeError" not in answer.text
    assert store.get_trace(answer.trace_id) is not None


def test_a_locked_store_still_delivers_the_answer(service: BotService, tmp_path: Path) -> None:
    service.store = SqliteBotStore(tmp_path / "bot.sqlite", busy_timeout_ms=50)
    blocker = sqlite3.connect(tmp_path / "bot.sqlite", timeout=0.1)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        answer = ask(service, "median pay for electricians in texas")
    finally:
        blocker.rollback()
        blocker.close()
    assert "$58,570" in answer.text
