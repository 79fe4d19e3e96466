"""The composition root: settings -> OEWS database -> engine -> workflow -> store -> service."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from agents.engine.coverage import Coverage
from agents.engine.engine import OewsEngine
from agents.oews.database import ensure_database
from agents.resolve.entities import Vocabulary
from agents.sql.dburl import DatabaseUrl
from agents.workflow.config import WorkflowConfig
from agents.workflow.graph import Workflow
from bot.config import Settings
from bot.service import AccessPolicy, BotService, Limits
from bot.store import SqliteBotStore
from bot.subscriptions import SubscriptionService, SubscriptionStore

logger = logging.getLogger(__name__)


def open_engine(settings: Settings, *, progress: Callable[[int, int], None] | None = None) -> OewsEngine:
    """The engine over the configured OEWS database: a server (``OEWS_DATABASE_URL``) or SQLite.

    Raises ``ConfigurationError`` (a setting to fix) or ``DatabaseUnavailable``."""
    url = settings.database_url
    if url is not None:
        return open_server_engine(url, settings)
    database = settings.oews_database or ensure_database(settings.home, progress=progress)
    return OewsEngine.open(
        database, max_rows=settings.oews_max_rows, time_limit_ms=settings.oews_sql_timeout_ms
    )


def open_server_engine(url: DatabaseUrl, settings: Settings) -> OewsEngine:
    from agents.oews.server import check_schema
    from agents.sql.odbc import OdbcGateway

    check_schema(url)
    gateway = OdbcGateway(
        url=url, max_rows=settings.oews_max_rows, time_limit_ms=settings.oews_sql_timeout_ms
    )
    with OdbcGateway(url=url, max_rows=1_000_000, time_limit_ms=10_000) as dimensions:
        vocabulary = Vocabulary.load(lambda sql: dimensions.execute(sql).records())
    return OewsEngine(gateway=gateway, vocabulary=vocabulary, coverage=Coverage.load(gateway))


def build_service(
    settings: Settings,
    *,
    engine: OewsEngine | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BotService:
    engine = engine or open_engine(settings, progress=progress)
    access = AccessPolicy()
    access.allow("slack", settings.allowed_slack_teams)
    access.allow("teams", settings.allowed_teams_tenants)
    limits = Limits(
        per_user_per_minute=settings.oews_rate_per_user_per_minute,
        per_workspace_per_minute=settings.oews_rate_per_workspace_per_minute,
        daily_per_user=settings.oews_daily_quota_per_user,
        daily_per_workspace=settings.oews_daily_quota_per_workspace,
    )
    store = SqliteBotStore(settings.bot_database)
    workflow = Workflow(engine, config=workflow_config(settings))
    return BotService(
        workflow=workflow, store=store, access=access, limits=limits, vintage=engine.coverage.describe
    )


def workflow_config(settings: Settings) -> WorkflowConfig:
    """The workflow's view of the settings (agents never read Settings; secrets stay out of logs)."""
    key, search_key = settings.openai_api_key, settings.oews_web_search_key
    return WorkflowConfig(
        api_key=key.get_secret_value() if key else None,
        base_url=settings.openai_base_url or None,
        reasoning_model=settings.oews_reasoning_model,
        implementation_model=settings.oews_implementation_model,
        models_file=settings.oews_models_file,
        timeout_s=settings.oews_llm_timeout_s,
        max_replans=settings.oews_max_replans,
        web_search_url=settings.oews_web_search_url or None,
        web_search_key=search_key.get_secret_value() if search_key else None,
        env=os.environ,  # registry entries that name their own variables (Azure, local servers)
    )


def build_subscriptions(settings: Settings, *, engine: OewsEngine | None = None) -> SubscriptionService:
    """Subscriptions answered by a service on the current data (re-open after loading data)."""
    engine = engine or open_engine(settings)
    service = build_service(settings, engine=engine)
    latest = engine.coverage.latest
    return SubscriptionService(
        store=SubscriptionStore.sqlite(settings.bot_database),
        answer=lambda question: service.answer(question, render_chart=False),
        release=lambda: latest,
    )
