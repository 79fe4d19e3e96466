"""The composition root: settings -> OEWS database -> engine -> workflow -> store -> service."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from agents.oews.database import ensure_database
from agents.sql.dburl import DatabaseUrl
from agents.workflow.config import WorkflowConfig
from bot.config import Settings
from bot.service import AccessPolicy, BotService, Limits
from bot.store import BotStore, SqliteBotStore
from bot.subscriptions import SubscriptionService

if TYPE_CHECKING:
    from agents.answer import EngineAnswer
    from agents.engine.engine import OewsEngine
    from agents.trace import Trace
    from agents.workflow.graph import Workflow

logger = logging.getLogger(__name__)
SERVING_CONNECTIONS = 6  # store connections the serving process opens at start: its ack threads


def open_engine(settings: Settings, *, progress: Callable[[int, int], None] | None = None) -> OewsEngine:
    """The engine over the configured OEWS database: a server (``OEWS_DATABASE_URL``) or SQLite.

    Raises ``ConfigurationError`` (a setting to fix) or ``DatabaseUnavailable``."""
    from agents.engine.engine import OewsEngine

    url = settings.database_url
    if url is not None:
        return open_server_engine(url, settings)
    database = settings.oews_database or ensure_database(settings.home, progress=progress)
    return OewsEngine.open(
        database, max_rows=settings.oews_max_rows, time_limit_ms=settings.oews_sql_timeout_ms
    )


def open_server_engine(url: DatabaseUrl, settings: Settings) -> OewsEngine:
    from agents.engine.coverage import Coverage
    from agents.engine.engine import OewsEngine
    from agents.oews.server import check_schema
    from agents.resolve.entities import Vocabulary
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
    lazy: bool = False,
) -> BotService:
    """The service; with ``lazy``, the engine and workflow are loaded on first use only (the
    serving process, which queues questions and leaves answering to the workers)."""
    answering = LazyWorkflow(lambda: _workflow(settings, engine or open_engine(settings, progress=progress)))
    if not lazy:
        answering.load()
    access = access_policy(settings)
    limits = Limits(
        per_user_per_minute=settings.oews_rate_per_user_per_minute,
        per_workspace_per_minute=settings.oews_rate_per_workspace_per_minute,
        daily_per_user=settings.oews_daily_quota_per_user,
        daily_per_workspace=settings.oews_daily_quota_per_workspace,
    )
    service = BotService(
        workflow=answering,
        store=open_store(settings, warm=SERVING_CONNECTIONS if lazy else 0),
        access=access,
        limits=limits,
        vintage=answering.vintage,
        queue_capacity=queue_capacity(settings),
    )
    service.subscriptions = subscriptions_for(service, release=lambda: answering.load()[1].coverage.latest)
    return service


def subscriptions_for(service: BotService, *, release: Callable[[], int]) -> SubscriptionService:
    """Subscriptions kept in the service's store, answered by the service (no chart)."""
    return SubscriptionService(
        store=service.store.subscriptions,
        answer=lambda question: service.answer(question, render_chart=False),
        release=release,
        asked=service.question_of,
        last_asked=service.last_question,
    )


def _workflow(settings: Settings, engine: OewsEngine) -> tuple[Workflow, OewsEngine]:
    from agents.workflow.graph import Workflow

    return Workflow(engine, config=workflow_config(settings)), engine


class LazyWorkflow:
    """The workflow, built on first use (importing and opening it takes seconds)."""

    def __init__(self, build: Callable[[], tuple[Workflow, OewsEngine]]) -> None:
        self._build = build
        self._lock = threading.Lock()
        self._built: tuple[Workflow, OewsEngine] | None = None

    def load(self) -> tuple[Workflow, OewsEngine]:
        with self._lock:
            if self._built is None:
                self._built = self._build()
            return self._built

    def run(self, question: str, *, trace: Trace, **options: Any) -> EngineAnswer:
        return self.load()[0].run(question, trace=trace, **options)

    def vintage(self) -> str:
        return self.load()[1].coverage.describe()

    @property
    def config(self) -> WorkflowConfig:
        return self.load()[0].config


def open_store(settings: Settings, *, warm: int = 0) -> BotStore:
    """The bot's store: PostgreSQL when ``OEWS_STORE_URL`` names one (``warm``: connections
    opened at once), else SQLite under the home."""
    retention = timedelta(days=settings.oews_retention_days)
    url = settings.oews_store_url.get_secret_value().strip() if settings.oews_store_url else ""
    if url:
        from bot.pgstore import PostgresBotStore

        return PostgresBotStore(url, retention=retention, warm=warm)
    return SqliteBotStore(settings.bot_database, retention=retention)


def access_policy(settings: Settings) -> AccessPolicy:
    """Who may use the bot, from the settings (Slack adds its own workspace when it learns it)."""
    access = AccessPolicy()
    access.allow("slack", settings.allowed_slack_teams)
    access.allow("teams", settings.allowed_teams_tenants)
    return access


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


def build_subscriptions(settings: Settings, *, engine: OewsEngine | None = None) -> SubscriptionService:
    """Subscriptions answered by a service on the current data (re-open after loading data)."""
    engine = engine or open_engine(settings)
    latest = engine.coverage.latest
    return subscriptions_for(build_service(settings, engine=engine), release=lambda: latest)
