"""Fixtures for the Teams adapter tests: a real service on the real OEWS database, the bot
served over loopback HTTP, a fake Bot Connector and a local OpenID issuer (auth is ON)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agents.engine.engine import OewsEngine
from bot.app import build_service
from bot.config import Settings
from bot.service import BotService
from tests.teams.harness import APP_ID, TENANT, FakeConnector, OpenIdServer, TeamsBot, new_key

GENEROUS_LIMITS = {
    "oews_rate_per_user_per_minute": 1000,
    "oews_rate_per_workspace_per_minute": 1000,
    "oews_daily_quota_per_user": 10_000,
    "oews_daily_quota_per_workspace": 10_000,
}


@pytest.fixture(scope="session")
def oews_engine(engine: OewsEngine) -> OewsEngine:
    return engine


@pytest.fixture(scope="session")
def signing_key() -> Any:
    return new_key()


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    fake = FakeConnector()
    yield fake
    fake.close()


@pytest.fixture
def openid(signing_key: Any) -> Iterator[OpenIdServer]:
    """A fresh port per test: the SDK caches metadata per URL for the whole process."""
    server = OpenIdServer(signing_key)
    yield server
    server.close()


def teams_settings(tmp_path: Path, oews_db: Path, openid: OpenIdServer | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "oews_home": tmp_path / "home",
        "oews_database": oews_db,
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": "not-a-real-secret",
        "MicrosoftAppType": "SingleTenant",
        "MicrosoftAppTenantId": TENANT,
        **GENEROUS_LIMITS,
    }
    if openid is not None:
        values["to_bot_from_channel_openid_metadata_url"] = openid.metadata_url
        values["to_bot_from_channel_token_issuer"] = "https://api.botframework.com"
    return Settings(**{**values, **overrides})


@pytest.fixture
def settings(tmp_path: Path, oews_db: Path, openid: OpenIdServer) -> Settings:
    return teams_settings(tmp_path, oews_db, openid)


@pytest.fixture
def service(settings: Settings, oews_engine: OewsEngine) -> BotService:
    return build_service(settings, engine=oews_engine)


@pytest.fixture
def teams(
    service: BotService, settings: Settings, connector: FakeConnector, openid: OpenIdServer
) -> Iterator[TeamsBot]:
    bot = TeamsBot(service=service, settings=settings, connector=connector, openid=openid)
    yield bot
    bot.close()
