"""The composition root: settings -> OEWS database -> engine -> workflow -> store -> service."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import timedelta

from agents.engine.engine import OewsEngine
from agents.oews.database import ensure_database
from agents.workflow.config import WorkflowConfig
from agents.workflow.graph import Workflow
from bot.config import Settings
from bot.service import AccessPolicy, BotService, Limits
from bot.store import BotStore, SqliteBotStore

logger = logging.getLogger(__name__)


def open_engine(settings: Settings, *, progress: Callable[[int, int], None] | None = None) -> OewsEngine:
    database = settings.oews_database or ensure_database(settings.home, progress=progress)
    return OewsEngine.open(
        database, max_rows=settings.oews_max_rows, time_limit_ms=settings.oews_sql_timeout_ms
    )


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
    store = open_store(settings)
    workflow = Workflow(engine, config=workflow_config(settings))
    return BotService(
        workflow=workflow,
        store=store,
        access=access,
        limits=limits,
        vintage=engine.coverage.describe,
        queue_capacity=queue_capacity(settings),
    )


def open_store(settings: Settings) -> BotStore:
    """The bot's store: PostgreSQL when ``OEWS_STORE_URL`` names one, else SQLite under the home."""
    retention = timedelta(days=settings.oews_retention_days)
    url = settings.oews_store_url.get_secret_value().strip() if settings.oews_store_url else ""
    if url:
        from bot.pgstore import PostgresBotStore

        return PostgresBotStore(url, retention=retention)
    return SqliteBotStore(settings.bot_database, retention=retention)


def queue_capacity(settings: Settings) -> int:
    """Questions waiting or being answered before new ones are refused as busy."""
    return settings.oews_queue_limit + settings.oews_workers


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
