"""One fake Slack Web API and one real Slack server (real service, real data) per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.engine.engine import OewsEngine
from bot.app import build_service
from tests.slack.fake_slack import FakeSlack
from tests.slack.harness import SlackServer, settings_for


@pytest.fixture(scope="module")
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def slack(
    fake_slack: FakeSlack, oews_db: Path, engine: OewsEngine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SlackServer]:
    """The product's Slack surface over HTTP, answering from the real OEWS database."""
    settings = settings_for(
        fake_slack,
        tmp_path_factory.mktemp("slack-home"),
        oews_database=oews_db,
        oews_rate_per_user_per_minute=1000,
        oews_rate_per_workspace_per_minute=1000,
    )
    server = SlackServer(fake_slack, build_service(settings, engine=engine), settings).start()
    yield server
    server.stop()
